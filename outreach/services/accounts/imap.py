"""`outreach auth login --imap`: the IMAP (or SMTP) password into the keyring, after checking
that the config names a server to use it with."""

from __future__ import annotations

from outreach.app import AppContext
from outreach.errors import ConfigError
from outreach.mail.imap_login import forget_passwords, save_password, smtp_needs_own_password
from outreach.mail.imap_login import stored as stored_passwords


def save_imap_password(app: AppContext, secret: str, *, for_smtp: bool) -> str:
    """Store the password; returns ``user@host`` it is for."""
    config = app.config
    if not app.mail_kind().password_login or not config.imap.host:
        raise ConfigError(
            f"{app.workspace.config_file}: [mail] backend is \"{app.mail_kind().name}\", not "
            "\"imap\" (or [imap] host is empty).",
            hint='Set [mail] backend = "imap" and the [imap] and [smtp] keys first '
            "(config.example.toml shows them).",
        )
    return save_password(config.imap, config.smtp, config.user.email, secret, for_smtp=for_smtp)


def uses_imap(app: AppContext) -> bool:
    return app.mail_kind().password_login


def imap_status(app: AppContext) -> dict[str, object]:
    """Whether the keyring holds the IMAP (and SMTP) password; never the password."""
    config = app.config
    return {"backend": "imap", **stored_passwords(config.imap, config.smtp, config.user.email)}


def imap_logout(app: AppContext) -> bool:
    config = app.config
    return forget_passwords(config.imap, config.smtp, config.user.email)


def smtp_password_needed(app: AppContext) -> bool:
    config = app.config
    return smtp_needs_own_password(config.imap, config.smtp, config.user.email)
