"""Each kind of mailbox built from config values (:mod:`outreach.mail.kinds` names these),
with its calendar and busy times where it has one. Each backend's module is imported only
when that backend is built."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from outreach.config import Config, Workspace

if TYPE_CHECKING:
    from outreach.mail.backend import MailBackend
    from outreach.mail.gmail import GmailBackend
    from outreach.mail.graph import GraphMail
    from outreach.mail.imap import ImapBackend
    from outreach.mail.local import LocalOutbox
    from outreach.schedule.calendar_protocol import EventCalendar
    from outreach.schedule.intervals import Interval

__all__ = [
    "build_gmail",
    "build_google_calendar",
    "build_graph",
    "build_imap",
    "build_local",
    "build_outlook_calendar",
    "google_busy",
    "outlook_busy",
]


def build_local(config: Config, workspace: Workspace) -> LocalOutbox:
    """The local backend: Maildirs in the workspace."""
    from outreach.mail.local import LocalOutbox

    return LocalOutbox(workspace, outlook_drafts=config.mail.outlook_drafts)


def build_gmail(config: Config, _workspace: Workspace) -> GmailBackend:
    """The Gmail backend, its token from the keyring, paced under the configured quota."""
    from outreach.mail.gmail import GmailBackend

    return GmailBackend.connect(
        config.user.email, config.google.api_root, config.google.quota_per_minute
    )


def build_imap(config: Config, _workspace: Workspace) -> ImapBackend:
    """The IMAP/SMTP backend, its passwords from the keyring."""
    from outreach.mail.imap import ImapBackend
    from outreach.mail.imap_login import load_credentials

    imap_login, smtp_login = load_credentials(config.imap, config.smtp, config.user.email)
    return ImapBackend(config.imap, config.smtp, imap_login, smtp_login)


def build_graph(config: Config, _workspace: Workspace) -> GraphMail:
    """The Microsoft Graph backend, its tokens from the keyring."""
    from outreach.mail.graph import graph_backend

    return graph_backend(config.microsoft, config.user.email)


def build_google_calendar(config: Config, _mail: Callable[[], MailBackend]) -> EventCalendar:
    """The user's primary Google calendar, its token from the keyring."""
    from outreach.google.calendar_events import CalendarEvents

    return CalendarEvents.connect(config.user.email, config.google.api_root)


def google_busy(
    config: Config, _calendar: Callable[[], EventCalendar], start: datetime, end: datetime
) -> list[Interval]:
    """The Gmail user's busy times: one freebusy query (no calendar built)."""
    from outreach.google.calendar import fetch_busy

    return fetch_busy(config.user.email, config.google.api_root, start, end)


def build_outlook_calendar(_config: Config, mail: Callable[[], MailBackend]) -> EventCalendar:
    """The Outlook calendar, through the mail backend's Graph client (one sign-in)."""
    from outreach.mail.graph import GraphMail
    from outreach.microsoft.calendar import OutlookCalendar

    backend = mail()
    assert isinstance(backend, GraphMail)
    return OutlookCalendar(backend.graph)


def outlook_busy(
    config: Config, calendar: Callable[[], EventCalendar], start: datetime, end: datetime
) -> list[Interval]:
    """Busy times of the user's Outlook calendar (getSchedule), through the built calendar."""
    from outreach.microsoft.calendar import OutlookCalendar

    outlook = calendar()
    assert isinstance(outlook, OutlookCalendar)
    return outlook.busy(config.user.email, start, end)
