"""`outreach auth` for Google, as the faces need it: the scopes asked for and why, the browser
sign-in, importing a token, status and logout (:mod:`outreach.google` does the work)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from outreach.app import AppContext
from outreach.google.auth import READONLY_SCOPE, SCOPE_PURPOSES, AuthStatus, scopes_for, short
from outreach.google.auth import import_token as _import_token
from outreach.google.auth import logout as _logout
from outreach.google.auth import status as _status
from outreach.google.login import LoginResult
from outreach.google.login import login as _login

__all__ = ["purpose", "requested_scopes", "short", "sign_in"]


def requested_scopes(app: AppContext) -> list[str]:
    return scopes_for(app.config.google.read_scope)


def purpose(scope: str, default: str = "") -> str:
    return SCOPE_PURPOSES.get(scope, default)


def sign_in(app: AppContext, *, open_browser: bool) -> LoginResult:
    config = app.config
    secrets = app.workspace.resolve(config.google.client_secrets_file)
    return _login(
        secrets, config.user.email, open_browser=open_browser, scopes=requested_scopes(app)
    )


def import_google_token(app: AppContext, file: Path) -> dict[str, Any]:
    return _import_token(file, app.config.user.email)


def google_status(app: AppContext) -> AuthStatus:
    return _status(app.config.user.email)


def read_scope_mismatch(app: AppContext, granted: list[str]) -> bool:
    """The token was granted otherwise than [google] read_scope asks (login again)."""
    return bool(granted) and app.config.google.reads_bodies != (READONLY_SCOPE in granted)


def google_logout(app: AppContext) -> bool:
    return _logout(app.config.user.email)
