"""OAuth for the installed app: login, import, status, logout, and credentials for API calls.

Scopes are the least that does the job:
- gmail.compose: create, update and send drafts (never read mail bodies);
- gmail.metadata: read headers and labels of messages in our threads, and history, for sync;
- calendar.freebusy: read only busy/free times, never event details;
- calendar.events: keep the user's own copy of each booked meeting on their calendar (made,
  moved, removed with the invite) and read the contact's answer on it.
Refreshed tokens are written back to the keyring, never to disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials

from outreach import clock
from outreach.errors import AuthError
from outreach.google import keychain
from outreach.google.services import token_uri

SCOPES = [
    "https://www.googleapis.com/auth/gmail.compose",
    "https://www.googleapis.com/auth/gmail.metadata",
    "https://www.googleapis.com/auth/calendar.freebusy",
    "https://www.googleapis.com/auth/calendar.events",
]

LOGIN_HINT = "Run `outreach auth login` (or `outreach auth import FILE` on a server)."


class KeyringCredentials(Credentials):
    """Credentials that save themselves back to the keyring whenever they refresh."""

    keyring_account: str = ""

    def refresh(self, request: Any) -> None:
        try:
            super().refresh(request)
        except RefreshError as exc:
            raise AuthError(
                f"Google refused the saved token for {self.keyring_account} "
                f"(expired or revoked): {exc.args[0] if exc.args else exc}.",
                hint="Run `outreach auth login` again to reconnect your account.",
            ) from None
        keychain.save_token(self.keyring_account, self.to_json())


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


def import_token(path: Path, account: str) -> dict[str, Any]:
    """Store an authorized-user JSON file's token in the keyring (for servers and tests)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthError(f"Cannot read {path}: {exc}.", hint="Check the path.") from None
    info = _parse_token(raw, str(path))
    keychain.save_token(account, json.dumps(info))
    return token_summary(info, account)


def login(client_secrets: Path, account: str, open_browser: bool) -> dict[str, Any]:
    """Run the loopback installed-app flow and store the token in the keyring."""
    if not client_secrets.exists():
        raise AuthError(
            f"No OAuth client file at {client_secrets}.",
            hint="Create a Desktop OAuth client in Google Cloud, download its JSON there (or set "
            "google.client_secrets_file); README section 'Connect your Gmail' walks through it.",
        )
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=SCOPES)
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        raise AuthError(
            f"{client_secrets} is not a Desktop OAuth client file: {exc}.",
            hint="Download the JSON of an OAuth client of type 'Desktop app'.",
        ) from None
    creds = flow.run_local_server(
        port=0,
        open_browser=open_browser,
        authorization_prompt_message="Open this URL in your browser to connect outreach:\n{url}",
        success_message="outreach is connected. You can close this tab.",
    )
    info = json.loads(creds.to_json())
    keychain.save_token(account, json.dumps(info))
    return token_summary(info, account)


def token_summary(
    info: dict[str, Any], account: str, now: datetime | None = None
) -> dict[str, Any]:
    """What `auth status` shows: never the token itself."""
    expiry_text = info.get("expiry")
    state = "no access token yet (refreshed on first use)"
    if expiry_text:
        expiry = datetime.fromisoformat(str(expiry_text).replace("Z", "+00:00"))
        if expiry.tzinfo is None:
            expiry = expiry.replace(tzinfo=UTC)
        moment = now or clock.now()
        state = (
            f"access token valid until {expiry.isoformat(timespec='seconds')}"
            if expiry > moment
            else "access token expired (refreshed automatically on next use)"
        )
    return {
        "account": account,
        "scopes": list(info.get("scopes") or []),
        "token": state,
        "has_refresh_token": bool(info.get("refresh_token")),
    }


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


def logout(account: str) -> bool:
    return keychain.delete_token(account)
