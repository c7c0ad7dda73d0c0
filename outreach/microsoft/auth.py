"""Signing in to Microsoft with msal, the token cache kept in the OS keyring only.

A public client (the user's own app registration, ``[microsoft] client_id``) signs in with the
authorization code flow and PKCE in the browser (msal's ``acquire_token_interactive``), or
with the device-code flow where there is no browser. msal's serialisable token cache holds the
refresh token; it lives in the keyring entry ``microsoft:<email>`` and is written back
whenever msal changes it (a refreshed token). ``[microsoft] authority`` points sign-in at
another server; instance discovery is then off, since only Microsoft's own hosts answer it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msal

from outreach.errors import AuthError, TokenRevokedError
from outreach.google import keychain

DEFAULT_AUTHORITY = "https://login.microsoftonline.com/common"
DEFAULT_API_ROOT = "https://graph.microsoft.com"
# The least the tool needs; msal adds offline_access (the refresh token), openid and profile
# itself and refuses them when asked for explicitly.
SCOPES = ("Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite")
SCOPE_PURPOSES = {
    "Mail.ReadWrite": "drafts in your Outlook Drafts; sync reads Inbox and Sent Items",
    "Mail.Send": "send drafts when you ask (`outreach send`)",
    "Calendars.ReadWrite": "free/busy for slots; the meeting on your calendar",
    "offline_access": "stay signed in (a refresh token, kept in your OS keyring)",
}
_LOGIN_HINT = "Run `outreach auth login --microsoft` (or `--device-code` without a browser)."


@dataclass(frozen=True)
class MicrosoftSettings:
    """What sign-in needs from ``[microsoft]`` and ``[user]``."""

    client_id: str
    authority: str
    account: str  # the user's address ([user] email)


def _need_client_id(settings: MicrosoftSettings) -> None:
    if not settings.client_id:
        raise AuthError(
            "No [microsoft] client_id in config.toml.",
            hint="Register an app (README, 'Connect Microsoft 365 or Outlook.com') and put "
            "its Application (client) ID in [microsoft] client_id.",
        )


def _application(
    settings: MicrosoftSettings, cache: msal.SerializableTokenCache
) -> msal.PublicClientApplication:
    _need_client_id(settings)
    custom = settings.authority.rstrip("/") != DEFAULT_AUTHORITY
    try:
        return msal.PublicClientApplication(
            settings.client_id,
            authority=settings.authority,
            token_cache=cache,
            instance_discovery=not custom,
        )
    except ValueError as exc:
        raise AuthError(
            f"Microsoft sign-in cannot use [microsoft] authority = {settings.authority!r}: {exc}",
            hint='Use the full authority with its tenant, e.g. "https://login.microsoftonline'
            '.com/common" (or organizations, consumers, or your tenant id).',
        ) from None
    except Exception as exc:  # msal reaches the authority while building; say which failed
        raise AuthError(
            f"Could not reach the Microsoft sign-in server {settings.authority}: {exc}",
            hint="Check your connection and [microsoft] authority, then try again.",
        ) from None


def _load_cache(account: str) -> msal.SerializableTokenCache:
    cache = msal.SerializableTokenCache()
    raw = keychain.load_token(keychain.microsoft_entry(account))
    if raw:
        cache.deserialize(raw)
    return cache


def _save_cache(account: str, cache: msal.SerializableTokenCache) -> None:
    if cache.has_state_changed:
        keychain.save_token(keychain.microsoft_entry(account), cache.serialize())
        cache.has_state_changed = False


def _refusal(result: dict[str, Any], doing: str, *, renewing: bool = False) -> AuthError:
    """Microsoft's refusal in words. When renewing the saved sign-in, an ``invalid_grant``
    (revoked: AADSTS50173; expired: AADSTS700082; ...) means only a new sign-in helps: a
    :class:`TokenRevokedError`, which `watch` waits out instead of stopping."""
    code = str(result.get("error") or "unknown_error")
    text = str(result.get("error_description") or "").splitlines()
    first = text[0] if text else ""
    message = f"Microsoft refused {doing}: {code}: {first}".rstrip(": ")
    if "AADSTS65001" in first or code == "consent_required":
        return AuthError(
            message,
            hint="Your organisation may require an administrator's consent for third-party "
            "apps: see README, 'When your organisation blocks the app'.",
        )
    if renewing and code in ("invalid_grant", "interaction_required"):
        return TokenRevokedError(message, hint=_LOGIN_HINT)
    return AuthError(message, hint=_LOGIN_HINT)


def token_fingerprint(account: str) -> str | None:
    """A short digest of the saved sign-in's refresh tokens (never the tokens): it changes
    when the user signs in again, not when an access token is renewed, so a waiting `watch`
    knows when to try again. None when there is no sign-in."""
    raw = keychain.load_token(keychain.microsoft_entry(account))
    if not raw:
        return None
    try:
        tokens = json.loads(raw).get("RefreshToken") or {}
        secrets = sorted(str(entry.get("secret", "")) for entry in tokens.values())
    except (ValueError, AttributeError):
        secrets = [raw]
    return hashlib.sha256("\n".join(secrets).encode()).hexdigest()[:16]


class TokenSource:
    """Access tokens for Graph from the keyring's token cache, refreshed by msal when due;
    the refreshed cache is written back to the keyring. Safe across threads."""

    def __init__(self, settings: MicrosoftSettings) -> None:
        _need_client_id(settings)
        self.settings = settings
        self._lock = threading.Lock()
        self._cache = _load_cache(settings.account)
        self._app: msal.PublicClientApplication | None = None

    def _account(self, app: msal.PublicClientApplication) -> dict[str, Any]:
        accounts = app.get_accounts()
        wanted = self.settings.account.casefold()
        for account in accounts:
            if str(account.get("username", "")).casefold() == wanted:
                return dict(account)
        if len(accounts) == 1:
            return dict(accounts[0])
        raise AuthError(
            f"No Microsoft sign-in for {self.settings.account} in the OS keyring.",
            hint=_LOGIN_HINT,
        )

    def __call__(self, force_refresh: bool = False) -> str:
        with self._lock:
            if self._app is None:
                self._app = _application(self.settings, self._cache)
            app = self._app
            result = app.acquire_token_silent_with_error(
                list(SCOPES), self._account(app), force_refresh=force_refresh
            )
            if not result or "access_token" not in result:
                raise _refusal(
                    result or {"error": "no_token"}, "to renew the sign-in", renewing=True
                )
            _save_cache(self.settings.account, self._cache)
            return str(result["access_token"])

    def granted(self) -> frozenset[str]:
        """The scopes of the cached access tokens (as Microsoft granted them)."""
        data = json.loads(self._cache.serialize() or "{}")
        scopes: set[str] = set()
        for entry in (data.get("AccessToken") or {}).values():
            scopes.update(str(entry.get("target", "")).split())
        return frozenset(scopes)


@dataclass(frozen=True)
class LoginResult:
    account: str  # the address Microsoft signed in
    scopes: tuple[str, ...]
    missing: tuple[str, ...]  # asked for, not granted


def login(
    settings: MicrosoftSettings, *, device_code: bool, say: Callable[[str], None]
) -> LoginResult:
    """Sign in (browser with PKCE, or device code) and keep the token cache in the keyring."""
    cache = msal.SerializableTokenCache()
    app = _application(settings, cache)
    if device_code:
        flow = app.initiate_device_flow(scopes=list(SCOPES))
        if "user_code" not in flow:
            raise _refusal(flow, "to start the device-code sign-in")
        say(str(flow.get("message") or f"Open {flow['verification_uri']}: {flow['user_code']}"))
        result = app.acquire_token_by_device_flow(flow)
    else:
        say("Opening your browser to sign in to Microsoft ...")
        result = app.acquire_token_interactive(
            list(SCOPES), login_hint=settings.account, timeout=600
        )
    if "access_token" not in result:
        raise _refusal(result, "the sign-in")
    claims = result.get("id_token_claims") or {}
    who = str(claims.get("preferred_username") or settings.account)
    cache.has_state_changed = True
    _save_cache(settings.account, cache)
    granted = tuple(str(result.get("scope", "")).split())
    short = {s.rsplit("/", 1)[-1].casefold() for s in granted}
    missing = tuple(s for s in SCOPES if s.casefold() not in short)
    return LoginResult(who, granted, missing)


def looks_like_token_cache(data: object) -> bool:
    """Whether a parsed JSON file is an msal token cache (its serialised form)."""
    return isinstance(data, dict) and any(
        key in data for key in ("RefreshToken", "AccessToken", "Account")
    )


def is_token_cache_file(path: Path) -> bool:
    """Whether the file holds an msal token cache (else it may be Google's token JSON)."""
    try:
        return looks_like_token_cache(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return False


def import_cache(path: Path, account: str) -> dict[str, Any]:
    """Store an msal token cache file (``SerializableTokenCache.serialize()``) in the keyring,
    for servers and tests; it must hold a refresh token for an account."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AuthError(
            f"{path}: not a readable msal token cache ({exc}).", hint=_LOGIN_HINT
        ) from None
    if not looks_like_token_cache(data) or not data.get("RefreshToken"):
        raise AuthError(
            f"{path}: an msal token cache needs a RefreshToken entry (sign in with "
            "offline_access).",
            hint=_LOGIN_HINT,
        )
    accounts = [str(a.get("username", "")) for a in (data.get("Account") or {}).values()]
    keychain.save_token(keychain.microsoft_entry(account), json.dumps(data))
    return {"account": accounts[0] if accounts else account}


def status(account: str) -> dict[str, Any]:
    """What the keyring holds for the account (never a token)."""
    raw = keychain.load_token(keychain.microsoft_entry(account))
    if not raw:
        return {"connected": False, "account": account}
    data = json.loads(raw)
    users = [str(a.get("username", "")) for a in (data.get("Account") or {}).values()]
    scopes: set[str] = set()
    for entry in (data.get("AccessToken") or {}).values():
        scopes.update(str(entry.get("target", "")).split())
    return {
        "connected": True,
        "account": users[0] if users else account,
        "scopes": sorted(scopes),
        "token": "refresh token present" if data.get("RefreshToken") else "no refresh token",
    }


def logout(account: str) -> bool:
    return keychain.delete_token(keychain.microsoft_entry(account))
