"""The only door to the OS keyring: OAuth tokens live here and nowhere else.

Entries are stored under service ``outreach`` with the account's email as the user name; the
value is Google's authorized-user JSON (``Credentials.to_json()``).
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


MICROSOFT_PREFIX = "microsoft:"


def microsoft_entry(account: str) -> str:
    """The keyring user name of an account's Microsoft token cache (beside Google's entry)."""
    return MICROSOFT_PREFIX + account


def save_token(account: str, token_json: str) -> None:
    try:
        keyring.set_password(SERVICE, account, token_json)
    except (keyring.errors.KeyringError, RuntimeError) as exc:
        raise _fail("save the Google token", exc) from None


def load_token(account: str) -> str | None:
    try:
        value = keyring.get_password(SERVICE, account)
    except (keyring.errors.KeyringError, RuntimeError) as exc:
        raise _fail("read the Google token", exc) from None
    return None if value is None else str(value)


def delete_token(account: str) -> bool:
    """Remove the account's token; False when there was none."""
    try:
        keyring.delete_password(SERVICE, account)
    except keyring.errors.PasswordDeleteError:
        return False
    except (keyring.errors.KeyringError, RuntimeError) as exc:
        raise _fail("delete the Google token", exc) from None
    return True


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
