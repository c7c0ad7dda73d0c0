"""The four kinds of mailbox, each described once: what it can do (its capabilities, asked
as properties by services instead of comparing backend names), how it and its calendar are
built from config values, how sync reads it, and where its own doctor checks live.

This is the one place where ``[mail] backend`` names are read (by :func:`kind_for`); services
ask the kind, or the backend object it builds, and never compare the name themselves. Light
to import: each backend's module is imported only when it is built or checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from outreach.errors import ConfigError, MailUnreachable

if TYPE_CHECKING:
    from datetime import datetime

    from outreach.config import Config, Workspace
    from outreach.mail.backend import MailBackend
    from outreach.mail.health import HealthStep
    from outreach.mail.sync_reader import SyncReader
    from outreach.schedule.calendar_protocol import EventCalendar
    from outreach.schedule.intervals import Interval


@dataclass(frozen=True)
class BackendKind:
    """One kind of mailbox and what services may ask of it without building it (no keyring,
    no network: `due` and `status` ask these offline)."""

    name: str
    # Drafts, sent mail and replies are files on this machine, read without a request (the
    # local Maildirs): `due` checks drafts, `brief` quotes replies, from the files.
    files_on_disk: bool
    # The backend's message ids are the ids sync records (Gmail's message ids), so a draft's
    # message is found again by that id in the mailbox's history.
    ids_in_history: bool
    # The address of a thread in the mailbox's web app ({thread}: the thread id), if any.
    thread_link: str | None
    # The user's own calendar, kept in step with each meeting (Google Calendar, Outlook).
    has_calendar: bool
    # A contact whose invite went out becomes a guest on the calendar event (Google), and a
    # private brief may sit beside the meeting there.
    calendar_guests: bool
    # The [schedule] busy source this mailbox's calendar answers ("google", "microsoft").
    busy_source: str | None
    # The server can hold a message until a time (MailBackend.can_hold).
    can_hold: bool
    # Where the mailbox's own record of sent mail is, in words.
    sent_mail_shown: str
    # The mailbox, its drafts and its calendar, in words for the user ("{outbox}" and "{host}"
    # are filled in by the face that shows them).
    mailbox_shown: str
    drafts_shown: str
    # "module:attribute" of the builder (config, workspace) -> MailBackend, and of the list
    # of the kind's doctor checks (outreach.mail.health.HealthStep) in setup order.
    builder: str
    health: str
    # "module:attribute" of the builder (config, mail backend) -> EventCalendar (a kind
    # without a calendar, has_calendar False, never asks for it).
    calendar: str = "outreach.mail.building:build_google_calendar"
    calendar_shown: str = ""  # the user's calendar in words, where it has one
    # The account signs in with a password (or app password) kept in the keyring.
    password_login: bool = False
    # "module:attribute" of: the busy times of the mailbox's calendar (config, calendar,
    # start, end) -> intervals; the errors a `watch` waits out (a tuple of exception types);
    # which of these drafts are still there, read offline (workspace, draft ids) -> ids; a
    # fingerprint of the saved sign-in (account) -> str | None, that changes on a new login.
    busy: str | None = None
    transient: str = "outreach.mail.kinds:NETWORK_ERRORS"
    offline_drafts: str | None = None
    sign_in_fingerprint: str | None = None
    # "module:attribute" of a sync reader built from the workspace alone (the local Maildirs:
    # sync reads files without building the backend, which would create folders).
    files_reader: str | None = None
    # "module:attribute" of: the fresh words of received messages, read offline (workspace,
    # Message-IDs) -> {Message-ID: text}; None where bodies are not read (Gmail's metadata).
    bodies: str | None = None

    def build(self, config: Config, workspace: Workspace) -> MailBackend:
        build: Callable[[Config, Workspace], MailBackend] = _attribute(self.builder)
        return build(config, workspace)

    def build_calendar(self, config: Config, mail: Callable[[], MailBackend]) -> EventCalendar:
        build: Callable[[Config, Callable[[], MailBackend]], EventCalendar] = _attribute(
            self.calendar
        )
        return build(config, mail)

    def read_busy(
        self, config: Config, calendar: Callable[[], EventCalendar], start: datetime, end: datetime
    ) -> list[Interval]:
        """Busy times from the mailbox's own calendar ([] for a kind without one)."""
        if self.busy is None:
            return []
        found: list[Interval] = _attribute(self.busy)(config, calendar, start, end)
        return found

    def transient_errors(self) -> tuple[type[Exception], ...]:
        """What waiting fixes: the network, the server's passing trouble."""
        errors: tuple[type[Exception], ...] = _attribute(self.transient)
        return errors

    def drafts_present_offline(
        self, workspace: Workspace, draft_ids: Sequence[str]
    ) -> set[str] | None:
        """Which drafts are still there, read without a request and without building the
        backend (`due` runs offline and creates nothing); None where only the server knows."""
        if self.offline_drafts is None:
            return None
        present: set[str] = _attribute(self.offline_drafts)(workspace, draft_ids)
        return present

    def reply_bodies(self, workspace: Workspace, message_ids: Sequence[str]) -> dict[str, str]:
        """What these received messages say, where they can be read offline ({} elsewhere)."""
        if self.bodies is None:
            return {}
        found: dict[str, str] = _attribute(self.bodies)(workspace, message_ids)
        return found

    def saved_sign_in(self, account: str) -> str | None:
        """A fingerprint of the saved sign-in (None: none, or the kind cannot tell)."""
        if self.sign_in_fingerprint is None:
            return None
        found: str | None = _attribute(self.sign_in_fingerprint)(account)
        return found

    def sync_reader(
        self, config: Config, workspace: Workspace, mail: Callable[[], MailBackend]
    ) -> SyncReader:
        """What sync reads the mailbox with (:mod:`outreach.mail.sync_reader`)."""
        if self.files_reader is not None:
            files: SyncReader = _attribute(self.files_reader)(workspace)
            return files
        return mail().sync_reader(config.user.email, read_bodies=config.google.reads_bodies)

    def health_steps(self) -> Sequence[HealthStep]:
        steps: Sequence[HealthStep] = _attribute(self.health)
        return steps


def _attribute(where: str) -> Any:
    module, _, name = where.partition(":")
    return getattr(import_module(module), name)


LOCAL = BackendKind(
    name="local",
    files_on_disk=True,
    ids_in_history=False,
    thread_link=None,
    has_calendar=False,
    calendar_guests=False,
    busy_source=None,
    can_hold=False,
    sent_mail_shown="sent/",
    mailbox_shown="the local inbox",
    drafts_shown="the outbox Maildir {outbox}",
    builder="outreach.mail.building:build_local",
    health="outreach.mail.local_health:STEPS",
    offline_drafts="outreach.mail.local:drafts_on_disk",
    files_reader="outreach.mail.local_inbox:local_changes",
    bodies="outreach.mail.bodies:workspace_bodies",
)
GMAIL = BackendKind(
    name="gmail",
    files_on_disk=False,
    ids_in_history=True,
    thread_link="https://mail.google.com/mail/#all/{thread}",
    has_calendar=True,
    calendar_guests=True,
    busy_source="google",
    can_hold=False,
    sent_mail_shown="Gmail's Sent mail",
    mailbox_shown="Gmail",
    drafts_shown="your Gmail drafts",
    calendar_shown="Google Calendar",
    builder="outreach.mail.building:build_gmail",
    health="outreach.mail.gmail_health:STEPS",
    busy="outreach.mail.building:google_busy",
    transient="outreach.mail.gmail_sync:TRANSIENT",
    sign_in_fingerprint="outreach.google.auth:token_fingerprint",
)
IMAP = BackendKind(
    name="imap",
    files_on_disk=False,
    ids_in_history=False,
    thread_link=None,
    has_calendar=False,
    calendar_guests=False,
    busy_source=None,
    can_hold=False,
    sent_mail_shown="The Sent folder",
    mailbox_shown="the mailbox on {host}",
    drafts_shown="the Drafts folder of {host}",
    builder="outreach.mail.building:build_imap",
    health="outreach.mail.imap_health:STEPS",
    password_login=True,
)
MICROSOFT = BackendKind(
    name="microsoft",
    files_on_disk=False,
    ids_in_history=False,
    thread_link=None,
    has_calendar=True,
    calendar_guests=False,
    busy_source="microsoft",
    can_hold=True,
    sent_mail_shown="Outlook's Sent Items",
    mailbox_shown="Outlook",
    drafts_shown="your Outlook drafts",
    calendar_shown="your Outlook calendar",
    builder="outreach.mail.building:build_graph",
    health="outreach.mail.graph_health:STEPS",
    calendar="outreach.mail.building:build_outlook_calendar",
    busy="outreach.mail.building:outlook_busy",
    transient="outreach.mail.graph_sync:TRANSIENT",
    sign_in_fingerprint="outreach.microsoft.auth:token_fingerprint",
)

# What `watch` waits out with a mailbox reached over the network with no errors of its own.
NETWORK_ERRORS: tuple[type[Exception], ...] = (OSError, MailUnreachable)

KINDS: tuple[BackendKind, ...] = (LOCAL, GMAIL, IMAP, MICROSOFT)


def kind_for(name: str) -> BackendKind:
    """The kind named by ``[mail] backend`` (config validation names the allowed values)."""
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise ConfigError(
        f'[mail] backend = "{name}" is not a mailbox outreach knows.',
        hint=f"Use one of: {', '.join(kind.name for kind in KINDS)}.",
    )
