"""The user's mailbox, its drafts and its calendar named in words, the same on every face:
"Synced Outlook", "Drafted into the Drafts folder of imap.example.org" (a message that said
"Gmail" to someone on Outlook would send them looking in the wrong place)."""

from __future__ import annotations

from outreach.app import AppContext

__all__ = ["calendar_shown", "drafts_shown", "mailbox_shown"]


def _filled(app: AppContext, text: str) -> str:
    return text.format(outbox=app.workspace.outbox_dir, host=app.config.imap.host)


def mailbox_shown(app: AppContext) -> str:
    """"Gmail", "Outlook", "the mailbox on HOST", "the local inbox"."""
    return _filled(app, app.mail_kind().mailbox_shown)


def drafts_shown(app: AppContext) -> str:
    """Where drafts land: "your Gmail drafts", "the outbox Maildir PATH", ..."""
    return _filled(app, app.mail_kind().drafts_shown)


def calendar_shown(app: AppContext) -> str:
    """The user's calendar that outreach keeps meetings on ("Google Calendar", "your Outlook
    calendar"), or "" where the mailbox has none."""
    return app.mail_kind().calendar_shown
