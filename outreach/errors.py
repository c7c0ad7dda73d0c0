"""One exception family for everything a user can cause or fix.

Each error carries a message (what went wrong, naming the file, line or contact), a hint (the
next thing to do, usually a command) and an exit code. The CLI prints them in one place; no
traceback reaches a user for bad input.
"""

from __future__ import annotations


class OutreachError(Exception):
    """Base of all user-facing errors."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(OutreachError):
    """config.toml is missing, unreadable or has a bad value."""


class WorkspaceError(OutreachError):
    """The workspace does not exist or cannot be written."""


class ImportFileError(OutreachError):
    """A contacts file cannot be read at all (as opposed to a bad row)."""


class ContactError(OutreachError):
    """A contact is unknown, ambiguous or has an invalid field."""


class TemplateError(OutreachError):
    """A template is unknown, malformed or fails to render for a contact."""


class ScheduleError(OutreachError):
    """No slots can be found, or a booking request is invalid."""


class AuthError(OutreachError):
    """Credentials are missing, expired or revoked, or the keyring is unavailable."""


class TokenRevokedError(AuthError):
    """Google or Microsoft refused the saved refresh token (invalid_grant): expired or
    revoked. Only a new login helps; `watch` waits for one."""


class MailError(OutreachError):
    """The mail backend failed in a way the user must act on."""


class SendCapError(MailError):
    """Sending would exceed the daily send cap."""


class SyncError(OutreachError):
    """Tracking sync could not complete."""


class NotSentError(MailError):
    """A send failed in a way that guarantees nothing was sent (safe to try again)."""


class MailUnreachable(MailError):
    """The mail server cannot be reached right now (network, timeout, a dropped connection):
    waiting may fix it (`watch` tries again later)."""


class SendOutcomeUnknown(MailError):
    """The message was handed over but no answer came (the connection dropped after DATA): it
    may have gone out. It is never sent again blindly; the user is asked to check."""


class Interrupted(OutreachError):
    """The user pressed Ctrl-C; the message says what was finished and what was not."""

    exit_code = 130
