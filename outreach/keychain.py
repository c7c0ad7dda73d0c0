"""The only door to the OS keyring: every secret outreach keeps (Google's OAuth token, the IMAP
and SMTP passwords) lives here and nowhere else.

Entries are stored under service ``outreach``; the user name says whose secret it is: the
account's email for Google's authorized-user JSON, ``imap:USER@HOST`` and ``smtp:USER@HOST``
for the IMAP backend's passwords (or OAuth2 access tokens with ``auth = "xoauth2"``).
"""

from __future__ import annotations

import keyring
import keyring.errors

from outreach.errors import AuthError

SERVICE = "outreach"

_NO_KEYRING_HINT = (
    "Unlock or install an OS keyring (macOS Keychain, Windows Credential Locker, GNOME Keyring "
    "or KWallet via Secret Service). On a headless server, run `outreach doctor` for options."
)


def _fail(action: str, exc: Exception) -> AuthError:
    return AuthError(
        f"The OS keyring could not {action}: {type(exc).__name__}: {exc}",
        hint=_NO_KEYRING_HINT,
    )


def save_secret(name: str, value: str, what: str) -> None:
    """Store ``value`` under ``name``; ``what`` names it in errors ("the IMAP password")."""
    try:
        keyring.set_password(SERVICE, name, value)
    except (keyring.errors.KeyringError, RuntimeError) as exc:
        raise _fail(f"save {what}", exc) from None


def load_secret(name: str, what: str) -> str | None:
    try:
        value = keyring.get_password(SERVICE, name)
    except (keyring.errors.KeyringError, RuntimeError) as exc:
        raise _fail(f"read {what}", exc) from None
    return None if value is None else str(value)


def delete_secret(name: str, what: str) -> bool:
    """Remove a secret; False when there was none."""
    try:
        keyring.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        return False
    except (keyring.errors.KeyringError, RuntimeError) as exc:
        raise _fail(f"delete {what}", exc) from None
    return True


MICROSOFT_PREFIX = "microsoft:"


def microsoft_entry(account: str) -> str:
    """The keyring user name of an account's Microsoft token cache (beside Google's entry)."""
    return MICROSOFT_PREFIX + account


def save_token(account: str, token_json: str) -> None:
    save_secret(account, token_json, "the Google token")


def load_token(account: str) -> str | None:
    return load_secret(account, "the Google token")


def delete_token(account: str) -> bool:
    """Remove the account's Google token; False when there was none."""
    return delete_secret(account, "the Google token")


def backend_name() -> str:
    """A human name for the active keyring backend (for `doctor`)."""
    try:
        backend = keyring.get_keyring()
    except (keyring.errors.KeyringError, RuntimeError) as exc:  # pragma: no cover
        return f"unavailable ({exc})"
    return f"{type(backend).__module__}.{type(backend).__name__}"


def usable() -> tuple[bool, str]:
    """Whether the keyring can store secrets, and what it is."""
    name = backend_name()
    try:
        keyring.get_password(SERVICE, "outreach-doctor-probe")
    except (keyring.errors.KeyringError, RuntimeError) as exc:
        return False, f"{name}: {exc}"
    if "fail.Keyring" in name or "null.Keyring" in name:
        return False, f"{name}: no usable keyring backend"
    return True, name
