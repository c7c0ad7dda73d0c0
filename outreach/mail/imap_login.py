"""The IMAP backend's secrets: the IMAP password (or app password, or an OAuth2 access token
with ``[imap] auth = "xoauth2"``) and, when ``[smtp] username`` differs, the SMTP password; kept
in the OS keyring (:mod:`outreach.keychain`) and nowhere else."""

from __future__ import annotations

from outreach import keychain
from outreach.config import ImapConfig, SmtpConfig
from outreach.errors import AuthError
from outreach.mail.imap_conn import Credentials, imap_secret_name, smtp_secret_name


def imap_username(imap: ImapConfig, user_email: str) -> str:
    return imap.username or user_email


def smtp_username(imap: ImapConfig, smtp: SmtpConfig, user_email: str) -> str:
    return smtp.username or imap_username(imap, user_email)


def smtp_needs_own_password(imap: ImapConfig, smtp: SmtpConfig, user_email: str) -> bool:
    """The SMTP password is the IMAP one unless the SMTP username differs."""
    return smtp_username(imap, smtp, user_email) != imap_username(imap, user_email)


def save_password(
    imap: ImapConfig, smtp: SmtpConfig, user_email: str, secret: str, *, for_smtp: bool
) -> str:
    """Store a password; returns who it is for (``user@host``)."""
    if not secret:
        raise AuthError("The password is empty.", hint="Type it again (nothing was stored).")
    if for_smtp:
        user = smtp_username(imap, smtp, user_email)
        keychain.save_secret(smtp_secret_name(smtp.host, user), secret, "the SMTP password")
        return f"{user}@{smtp.host}"
    user = imap_username(imap, user_email)
    keychain.save_secret(imap_secret_name(imap.host, user), secret, "the IMAP password")
    return f"{user}@{imap.host}"


def forget_passwords(imap: ImapConfig, smtp: SmtpConfig, user_email: str) -> bool:
    user = imap_username(imap, user_email)
    removed = keychain.delete_secret(imap_secret_name(imap.host, user), "the IMAP password")
    other = smtp_username(imap, smtp, user_email)
    smtp_removed = keychain.delete_secret(smtp_secret_name(smtp.host, other), "the SMTP password")
    return removed or smtp_removed


def stored(imap: ImapConfig, smtp: SmtpConfig, user_email: str) -> dict[str, object]:
    """Which passwords the keyring holds (never the passwords), for `auth status`."""
    user = imap_username(imap, user_email)
    found: dict[str, object] = {
        "account": f"{user}@{imap.host}",
        "connected": keychain.load_secret(imap_secret_name(imap.host, user), "the IMAP password")
        is not None,
    }
    if smtp_needs_own_password(imap, smtp, user_email):
        other = smtp_username(imap, smtp, user_email)
        found["smtp_account"] = f"{other}@{smtp.host}"
        found["smtp_connected"] = (
            keychain.load_secret(smtp_secret_name(smtp.host, other), "the SMTP password")
            is not None
        )
    return found


def load_credentials(
    imap: ImapConfig, smtp: SmtpConfig, user_email: str
) -> tuple[Credentials, Credentials]:
    """(IMAP, SMTP) credentials from the keyring; an AuthError says how to store them."""
    xoauth2 = imap.auth == "xoauth2"
    user = imap_username(imap, user_email)
    secret = keychain.load_secret(imap_secret_name(imap.host, user), "the IMAP password")
    if secret is None:
        raise AuthError(
            f"No IMAP password for {user} at {imap.host} in the keyring.",
            hint="Run `outreach auth login --imap` (or pipe it in with --password-stdin).",
        )
    imap_credentials = Credentials(user, secret, xoauth2)
    if not smtp_needs_own_password(imap, smtp, user_email):
        return imap_credentials, imap_credentials
    other = smtp_username(imap, smtp, user_email)
    smtp_secret = keychain.load_secret(smtp_secret_name(smtp.host, other), "the SMTP password")
    if smtp_secret is None:
        raise AuthError(
            f"No SMTP password for {other} at {smtp.host} in the keyring ([smtp] username "
            "differs from the IMAP one).",
            hint="Run `outreach auth login --imap --smtp`.",
        )
    return imap_credentials, Credentials(other, smtp_secret, xoauth2)
