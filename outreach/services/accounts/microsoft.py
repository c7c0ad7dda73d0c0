"""Signing in to Microsoft 365 / Outlook.com: the CLI's one door to :mod:`outreach.microsoft.auth`
(the faces never import an adapter)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from outreach.app import AppContext
from outreach.microsoft.auth import SCOPE_PURPOSES, SCOPES, MicrosoftSettings, is_token_cache_file
from outreach.microsoft.auth import import_cache as _import_cache
from outreach.microsoft.auth import login as _login
from outreach.microsoft.auth import logout as _logout
from outreach.microsoft.auth import status as _status

__all__ = [
    "import_microsoft_cache",
    "microsoft_logout",
    "microsoft_status",
    "scopes_asked",
    "sign_in",
]


def scopes_asked() -> list[tuple[str, str]]:
    """(scope, why) for every permission the sign-in asks for."""
    return [(scope, SCOPE_PURPOSES.get(scope, "")) for scope in (*SCOPES, "offline_access")]


def purpose(scope: str) -> str:
    return SCOPE_PURPOSES.get(scope, "")


def sign_in(app: AppContext, *, device_code: bool, say: Callable[[str], None]) -> Any:
    """Sign in (browser with PKCE, or a device code); the token cache goes to the keyring."""
    config = app.config
    settings = MicrosoftSettings(
        config.microsoft.client_id, config.microsoft.authority, config.user.email
    )
    return _login(settings, device_code=device_code, say=say)


def import_microsoft_cache(app: AppContext, file: Path) -> dict[str, Any] | None:
    """Store an msal token cache file in the keyring; None when the file is not one."""
    if not is_token_cache_file(file):
        return None
    found: dict[str, Any] = _import_cache(file, app.config.user.email)
    return found


def microsoft_status(app: AppContext) -> dict[str, Any]:
    found: dict[str, Any] = _status(app.config.user.email)
    return found


def microsoft_logout(app: AppContext) -> bool:
    return bool(_logout(app.config.user.email))
