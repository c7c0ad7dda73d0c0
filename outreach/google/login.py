"""`outreach auth login`: Google's installed-app flow on a loopback port, asking for the
scopes config.toml needs, and the token stored in the keyring with what Google granted.

Every way the flow can fail (the consent screen cancelled, a deleted OAuth client, no answer
from the browser, a box unticked on Google's granular consent screen) ends in a clear
:class:`~outreach.errors.AuthError` or a named warning, never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach import clock
from outreach.errors import AuthError
from outreach.google import keychain
from outreach.google.auth import SCOPES, token_summary

__all__ = ["LoginResult", "login"]


@contextlib.contextmanager
def _partial_consent_allowed() -> Iterator[None]:
    """Let the token exchange succeed when the user unticked a box on the consent screen
    (oauthlib raises a bare Warning otherwise); the granted scopes are checked after."""
    name = "OAUTHLIB_RELAX_TOKEN_SCOPE"
    previous = os.environ.get(name)
    os.environ[name] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def _flow_error(exc: Exception) -> AuthError:
    from google_auth_oauthlib.flow import WSGITimeoutError
    from oauthlib.oauth2.rfc6749 import errors

    if isinstance(exc, errors.AccessDeniedError):
        return AuthError(
            "Google says access was denied: the consent screen was cancelled.",
            hint="Run `outreach auth login` again and choose Continue/Allow; if Google says "
            "the app is only for test users, add your address under Test users, or publish "
            "the app (README 'Connect your Gmail').",
        )
    if isinstance(exc, errors.InvalidClientError):
        return AuthError(
            f"Google does not know this OAuth client ({exc.error}): it was deleted, or the "
            "file is not the Desktop client's.",
            hint="Download the Desktop client's JSON again (README 'Connect your Gmail' step 4).",
        )
    if isinstance(exc, errors.OAuth2Error):
        return AuthError(
            f"Google refused the login: {exc.error}: {exc.description or exc}.",
            hint="Run `outreach auth login` again; `outreach doctor` checks the setup.",
        )
    if isinstance(exc, WSGITimeoutError):
        return AuthError(
            "No answer came back from the browser in time, so nothing was saved.",
            hint="Run `outreach auth login` again and finish the consent screen; with "
            "--no-browser, open the printed URL on this machine.",
        )
    return AuthError(
        f"The login could not finish: {type(exc).__name__}: {exc}.",
        hint="Run `outreach auth login` again; `outreach doctor` checks the setup.",
    )


@dataclass(frozen=True)
class LoginResult:
    summary: dict[str, Any]
    missing: list[str]  # scopes asked for but not granted (unticked on the consent screen)


def login(
    client_secrets: Path,
    account: str,
    open_browser: bool,
    scopes: Sequence[str] = tuple(SCOPES),
    timeout: float | None = 300,
) -> LoginResult:
    """Run the loopback installed-app flow, asking for ``scopes``, and store the token in
    the keyring with the scopes Google actually granted."""
    if not client_secrets.exists():
        raise AuthError(
            f"No OAuth client file at {client_secrets}.",
            hint="Create a Desktop OAuth client in Google Cloud, download its JSON there (or set "
            "google.client_secrets_file); README section 'Connect your Gmail' walks through it.",
        )
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=list(scopes))
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        raise AuthError(
            f"{client_secrets} is not a Desktop OAuth client file: {exc}.",
            hint="Download the JSON of an OAuth client of type 'Desktop app'.",
        ) from None
    try:
        with _partial_consent_allowed():
            creds = flow.run_local_server(
                port=0,
                open_browser=open_browser,
                timeout_seconds=None if timeout is None else int(timeout),
                authorization_prompt_message="Open this URL in your browser to connect "
                "outreach:\n{url}",
                success_message="outreach is connected. You can close this tab.",
                prompt="consent",  # a refresh token every time, not only at the first login
            )
    except Exception as exc:  # every failure of the flow becomes a clear AuthError
        raise _flow_error(exc) from None
    if not creds.refresh_token:
        raise AuthError(
            "Google gave no refresh token, so outreach could not stay connected.",
            hint="Run `outreach auth login` again; if it persists, remove outreach's access "
            "in your Google Account (Security > Third-party access) and log in again.",
        )
    granted = list(creds.granted_scopes or scopes)
    info = json.loads(creds.to_json())
    info["scopes"] = granted  # what refreshes may ask for: what the user consented to
    info["login_at"] = clock.iso(clock.now())
    keychain.save_token(account, json.dumps(info))
    missing = [scope for scope in scopes if scope not in granted]
    return LoginResult(token_summary(info, account), missing)
