"""OAuth for the installed app: scopes, import, status, logout, the token check, and
credentials for API calls (the login flow is :mod:`outreach.google.login`).

Scopes are the least that does the job:
- gmail.compose: create, update and send drafts (never read mail bodies);
- gmail.metadata: read headers and labels of messages in our threads, and history, for sync;
  or, as an opt-in (``[google] read_scope = "readonly"``), gmail.readonly *instead*, to read
  the text of messages in our threads (holding both would not help: Gmail lets a token that
  holds gmail.metadata read no bodies, whatever else it holds);
- calendar.freebusy: read only busy/free times, never event details;
- calendar.events: keep the user's own copy of each booked meeting on their calendar (made,
  moved, removed with the invite) and read the contact's answer on it.
Refreshed tokens are written back to the keyring, never to disk.

Google expires the refresh tokens of an OAuth app in Testing mode 7 days after login; when a
token dies (``invalid_grant``) the error says so and how to stop it for good.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials

from outreach import clock
from outreach.errors import AuthError, TokenRevokedError
from outreach.google import keychain
from outreach.google.services import token_uri

SCOPE_PREFIX = "https://www.googleapis.com/auth/"
COMPOSE_SCOPE = f"{SCOPE_PREFIX}gmail.compose"
METADATA_SCOPE = f"{SCOPE_PREFIX}gmail.metadata"
READONLY_SCOPE = f"{SCOPE_PREFIX}gmail.readonly"
FREEBUSY_SCOPE = f"{SCOPE_PREFIX}calendar.freebusy"
EVENTS_SCOPE = f"{SCOPE_PREFIX}calendar.events"

SCOPES = [COMPOSE_SCOPE, METADATA_SCOPE, FREEBUSY_SCOPE, EVENTS_SCOPE]

# What each scope is for, as `auth login` explains it.
SCOPE_PURPOSES = {
    COMPOSE_SCOPE: "create, update and send drafts",
    METADATA_SCOPE: "sync: headers and labels of messages in your contacts' threads",
    READONLY_SCOPE: "sync: messages in your contacts' threads, their text included",
    FREEBUSY_SCOPE: "your busy times, to propose free ones",
    EVENTS_SCOPE: "your booked meetings on your calendar, and the contacts' answers on them",
}

TESTING_LIFETIME = timedelta(days=7)
LOGIN_HINT = "Run `outreach auth login` (or `outreach auth import FILE` on a server)."
PUBLISH_HINT = (
    "Run `outreach auth login` to reconnect. To stop this for good, publish the OAuth app: "
    "in the Google Cloud console open Google Auth Platform > Audience and press \"Publish "
    "app\" (status \"In production\"). Your next login then shows Google's \"Google hasn't "
    "verified this app\" screen: choose Advanced, then \"Go to outreach (unsafe)\"; it is "
    "your own app (README, 'Connect your Gmail')."
)
TESTING_EXPLANATION = (
    "An OAuth app in Testing mode gets refresh tokens that expire 7 days after login, so "
    "this comes back every week until the app is published (it also happens when access is "
    "removed in your Google Account, or after a password change)."
)


def scopes_for(read_scope: str = "metadata") -> list[str]:
    """The scopes `auth login` asks for: gmail.readonly *instead of* gmail.metadata when
    ``read_scope`` is "readonly" (a token holding gmail.metadata could not read bodies)."""
    if read_scope == "readonly":
        return [READONLY_SCOPE if scope == METADATA_SCOPE else scope for scope in SCOPES]
    return list(SCOPES)


def short(scope: str) -> str:
    return scope.rsplit("/", 1)[-1]


def read_access(scopes: Sequence[str]) -> str:
    """What sync may read with these scopes, in a few words."""
    held = set(scopes)
    if METADATA_SCOPE in held:
        extra = " (gmail.readonly is held too, but Gmail reads no text for a token with " \
            "gmail.metadata)" if READONLY_SCOPE in held else ""
        return f"gmail.metadata: headers and labels, no message text{extra}"
    if READONLY_SCOPE in held:
        return "gmail.readonly: messages in tracked threads, text included"
    if not held:
        return "as granted at login (unknown)"
    return "none: sync cannot read your mail"


def _refusal(exc: RefreshError, account: str) -> AuthError:
    data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
    code = str(data.get("error") or "")
    description = str(data.get("error_description") or (exc.args[0] if exc.args else exc))
    if code == "invalid_grant":
        return TokenRevokedError(
            f"Google refused the saved token for {account}: invalid_grant ({description}). "
            + TESTING_EXPLANATION,
            hint=PUBLISH_HINT,
        )
    if code in ("invalid_client", "unauthorized_client"):
        return AuthError(
            f"Google no longer accepts the OAuth client of the saved token for {account} "
            f"({code}: {description}): the client was deleted or its secret was reset.",
            hint="Download the Desktop client's JSON again (README 'Connect your Gmail' step "
            "4) and run `outreach auth login`.",
        )
    if code == "invalid_scope":
        return AuthError(
            f"The saved token for {account} does not hold the scopes outreach asks for "
            f"(invalid_scope: {description}).",
            hint="Run `outreach auth login` again and leave every box ticked.",
        )
    return AuthError(
        f"Google refused the saved token for {account}: {code or 'error'} ({description}).",
        hint="Run `outreach auth login` again to reconnect your account.",
    )


class KeyringCredentials(Credentials):
    """Credentials that save themselves back to the keyring whenever they refresh."""

    keyring_account: str = ""

    def refresh(self, request: Any) -> None:
        try:
            super().refresh(request)
        except RefreshError as exc:
            if getattr(exc, "retryable", False):  # Google's token endpoint failed: try later
                raise TransportError(f"Google's token endpoint failed: {exc}") from None
            raise _refusal(exc, self.keyring_account) from None
        _save_refreshed(self.keyring_account, self.to_json())


def _save_refreshed(account: str, token_json: str) -> None:
    """Write a refreshed token back, keeping what outreach recorded at login."""
    info = json.loads(token_json)
    saved = keychain.load_token(account)
    if saved:
        with contextlib.suppress(ValueError, TypeError):
            before = json.loads(saved)
            for key in ("login_at",):
                if key in before and key not in info:
                    info[key] = before[key]
    keychain.save_token(account, json.dumps(info))


def _parse_token(raw: str, origin: str) -> dict[str, Any]:
    try:
        info = json.loads(raw)
    except json.JSONDecodeError:
        info = None
    if not isinstance(info, dict):
        raise AuthError(
            f"{origin} is not a Google token file (authorized_user JSON).", hint=LOGIN_HINT
        )
    missing = [k for k in ("refresh_token", "client_id", "client_secret") if not info.get(k)]
    if missing:
        raise AuthError(
            f"{origin} lacks {', '.join(missing)}: it is not a Google token file.",
            hint="Export it with Credentials.to_json(), or use `outreach auth login`.",
        )
    return info


def credentials_from_info(info: dict[str, Any], account: str, api_root: str) -> KeyringCredentials:
    base = Credentials.from_authorized_user_info(info)
    creds = KeyringCredentials(
        token=base.token,
        refresh_token=base.refresh_token,
        token_uri=token_uri(api_root) if api_root else base.token_uri,
        client_id=base.client_id,
        client_secret=base.client_secret,
        scopes=base.scopes,
        expiry=base.expiry,
    )
    creds.keyring_account = account
    return creds


def load_credentials(account: str, api_root: str) -> KeyringCredentials:
    """The account's credentials from the keyring; a clear error when there are none."""
    raw = keychain.load_token(account)
    if raw is None:
        raise AuthError(f"No Google token for {account} in the keyring.", hint=LOGIN_HINT)
    return credentials_from_info(_parse_token(raw, "The saved token"), account, api_root)


def token_fingerprint(account: str) -> str | None:
    """A short digest of the saved refresh token (never the token): it changes when the user
    logs in again, so a waiting `watch` knows to try again. None when there is no token."""
    raw = keychain.load_token(account)
    if raw is None:
        return None
    try:
        refresh = str(json.loads(raw).get("refresh_token") or "")
    except (ValueError, AttributeError):
        refresh = raw
    return hashlib.sha256(refresh.encode()).hexdigest()[:16]


def import_token(path: Path, account: str) -> dict[str, Any]:
    """Store an authorized-user JSON file's token in the keyring (for servers and tests)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthError(f"Cannot read {path}: {exc}.", hint="Check the path.") from None
    info = _parse_token(raw, str(path))
    keychain.save_token(account, json.dumps(info))
    return token_summary(info, account)


def token_summary(
    info: dict[str, Any], account: str, now: datetime | None = None
) -> dict[str, Any]:
    """What `auth status` shows: never the token itself."""
    moment = now or clock.now()
    expiry_text = info.get("expiry")
    state = "no access token yet (refreshed on first use)"
    if expiry_text:
        expiry = datetime.fromisoformat(str(expiry_text).replace("Z", "+00:00"))
        if expiry.tzinfo is None:
            expiry = expiry.replace(tzinfo=UTC)
        state = (
            f"access token valid until {expiry.isoformat(timespec='seconds')}"
            if expiry > moment
            else "access token expired (refreshed automatically on next use)"
        )
    scopes = list(info.get("scopes") or [])
    summary: dict[str, Any] = {
        "account": account,
        "scopes": scopes,
        "mail_read": read_access(scopes),
        "token": state,
        "has_refresh_token": bool(info.get("refresh_token")),
    }
    login_at = info.get("login_at")
    if login_at:
        logged_in = datetime.fromisoformat(str(login_at))
        summary["login_at"] = logged_in.isoformat(timespec="seconds")
        summary["testing_expiry"] = (logged_in + TESTING_LIFETIME).isoformat(timespec="seconds")
    return summary


@dataclass(frozen=True)
class AuthStatus:
    account: str
    connected: bool
    summary: dict[str, Any]


def status(account: str) -> AuthStatus:
    raw = keychain.load_token(account)
    if raw is None:
        return AuthStatus(account, False, {"account": account, "token": "not connected"})
    info = _parse_token(raw, "The saved token")
    return AuthStatus(account, True, token_summary(info, account))


@dataclass(frozen=True)
class TokenCheck:
    """The saved token as Google sees it now (one refresh at the token endpoint)."""

    ok: bool
    detail: str
    fix: str = ""
    granted: tuple[str, ...] = ()


def check_token(account: str, api_root: str, wanted: Sequence[str]) -> TokenCheck:
    """Refresh the saved token once, asking for ``wanted``: alive (holding them) or not, and
    why (revoked or expired, a missing scope, Google unreachable)."""
    from outreach.google.services import authorized_http

    raw = keychain.load_token(account)
    if raw is None:
        return TokenCheck(False, f"no token for {account}", LOGIN_HINT)
    try:
        info = {**_parse_token(raw, "The saved token"), "scopes": list(wanted)}
    except AuthError as exc:
        return TokenCheck(False, exc.message, exc.hint or LOGIN_HINT)
    creds = credentials_from_info(info, account, api_root)
    import google_auth_httplib2  # type: ignore[import-untyped]

    try:
        creds.refresh(google_auth_httplib2.Request(authorized_http(None)))
    except TokenRevokedError as exc:
        return TokenCheck(False, exc.message, exc.hint or LOGIN_HINT)
    except AuthError as exc:
        saved = list(_parse_token(raw, "The saved token").get("scopes") or [])
        lacking = [short(scope) for scope in wanted if saved and scope not in saved]
        needs = f" (config.toml needs {', '.join(lacking)})" if lacking else ""
        return TokenCheck(
            False,
            f"{exc.message}{needs} It holds, as granted at login: {read_access(saved)}.",
            "Run `outreach auth login` again (it asks for what config.toml needs), or set "
            "[google] read_scope back to match the token.",
        )
    except TransportError as exc:
        return TokenCheck(
            False,
            f"Google's token endpoint could not be reached: {exc}",
            "Check your connection and run `outreach doctor` again.",
        )
    granted = tuple(creds.granted_scopes or wanted)
    return TokenCheck(True, f"valid; mail read access: {read_access(granted)}", granted=granted)


def logout(account: str) -> bool:
    return keychain.delete_token(account)
