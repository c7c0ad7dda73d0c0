"""`outreach doctor`'s checks of the Gmail backend, in setup order: the OAuth client file, the
keyring, the token and its scopes, the Gmail API, and the calendar."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta

from outreach.errors import OutreachError
from outreach.mail.health import Check, Diagnosis, fail, ok

_SETUP = "README 'Connect your Gmail'"


def _stored_token(doc: Diagnosis) -> bool:
    from outreach.google import keychain

    try:
        return keychain.load_token(doc.config.user.email) is not None
    except OutreachError:
        return False


def check_gmail_client(doc: Diagnosis) -> Iterable[Check]:
    config = doc.config
    path = doc.workspace.resolve(config.google.client_secrets_file)
    fix = (
        f"{_SETUP} steps 1-5: create an OAuth client of type Desktop app and save its JSON as "
        f"{path} (or set [google] client_secrets_file)."
    )
    if not path.exists():
        if _stored_token(doc):
            yield ok("oauth client", f"no file at {path}; not needed while a token is stored")
        else:
            yield fail("oauth client", f"no OAuth client file at {path}", fix)
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield fail("oauth client", f"{path} is not a JSON file: {exc}", fix)
        return
    if isinstance(data, dict) and "web" in data:
        yield fail("oauth client", f"{path} is a Web application client", fix)
        return
    installed = data.get("installed") if isinstance(data, dict) else None
    if not isinstance(installed, dict) or not installed.get("client_id"):
        yield fail("oauth client", f"{path} is not an OAuth client file (no 'installed')", fix)
        return
    yield ok("oauth client", f"{path} (Desktop app client)")


def check_keyring(doc: Diagnosis) -> Iterable[Check]:
    from outreach.google import keychain

    usable, name = keychain.usable()
    if usable:
        yield ok("keyring", name)
    else:
        yield fail(
            "keyring",
            name,
            "Install or unlock an OS keyring (Secret Service, Keychain, Credential Locker); on a "
            "headless Linux server, run gnome-keyring-daemon or use a keyring backend that "
            "encrypts its file.",
        )


def check_token(doc: Diagnosis) -> Iterable[Check]:
    """The saved token, as Google sees it now: one refresh at the token endpoint, asking for
    exactly the scopes config.toml needs. A dead token (``invalid_grant``: a Testing-mode
    app's 7-day expiry, or revoked access) or a missing scope shows here, with its fix,
    before a sync or a send meets it."""
    doc.needs("keyring")
    from outreach.google.auth import check_token as refresh_once
    from outreach.google.auth import scopes_for, status

    config = doc.config
    email = config.user.email
    try:
        saved = status(email)
    except OutreachError as exc:
        yield fail("token", exc.message, exc.hint or "Run `outreach auth login`.")
        return
    if not saved.connected:
        yield fail(
            "token",
            f"no token for {email} in the keyring",
            f"{_SETUP} step 6: run `outreach auth login` (or `outreach auth import FILE`).",
        )
        return
    found = refresh_once(email, config.google.api_root, scopes_for(config.google.read_scope))
    detail = f"{email}: {found.detail}"
    login_at = saved.summary.get("login_at")
    if login_at:
        detail += (
            f"; logged in {login_at[:10]} (an app in Testing mode must log in again by "
            f"{saved.summary['testing_expiry'][:10]})"
        )
    yield Check("token", found.ok, detail, found.fix)


def check_gmail_api(doc: Diagnosis) -> Iterable[Check]:
    doc.needs("token")
    from outreach.mail.gmail import GmailBackend

    config = doc.config
    try:
        backend = doc.mail()
        assert isinstance(backend, GmailBackend)
        profile = backend.profile()
    except OutreachError as exc:
        yield fail("gmail api", exc.message, exc.hint or "")
        return
    except Exception as exc:  # any transport or HTTP failure is the finding itself
        yield fail(
            "gmail api",
            f"{config.google.api_root or 'Gmail'} did not answer: {type(exc).__name__}: {exc}",
            "Check your connection; if Google says the API is disabled, enable the Gmail API "
            f"({_SETUP} step 2).",
        )
        return
    address = str(profile.get("emailAddress", "?"))
    if address.casefold() != config.user.email.casefold():
        yield fail(
            "gmail api",
            f"the token belongs to {address}, but [user] email is {config.user.email}",
            f"Set [user] email to the authorised address (`outreach init --email {address}`), "
            f"or log in as {config.user.email}.",
        )
        return
    yield ok("gmail api", f"Gmail answers for {address}")


def check_calendar(doc: Diagnosis) -> Iterable[Check]:
    if "google" not in doc.config.schedule.busy:
        return
    doc.needs("token")
    from outreach.google.calendar import fetch_busy

    now = doc.now()
    try:
        busy = fetch_busy(
            doc.config.user.email, doc.config.google.api_root, now, now + timedelta(days=1)
        )
    except OutreachError as exc:
        yield fail("calendar", exc.message, exc.hint or "")
        return
    except Exception as exc:  # any transport or HTTP failure is the finding itself
        yield fail(
            "calendar",
            f"Google Calendar did not answer: {type(exc).__name__}: {exc}",
            f"Enable the Google Calendar API ({_SETUP} step 2), or remove \"google\" from "
            "[schedule] busy.",
        )
        return
    yield ok("calendar", f"free/busy answers ({len(busy)} busy in the next 24 hours)")


STEPS = [check_gmail_client, check_keyring, check_token, check_gmail_api, check_calendar]
