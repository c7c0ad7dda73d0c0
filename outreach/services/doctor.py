"""`outreach doctor`: check each step a working setup needs, and name the one missing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from outreach.app import AppContext
from outreach.errors import OutreachError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(app: AppContext) -> list[Check]:
    checks: list[Check] = []

    def attempt(name: str, body: Callable[[], str], fix: str) -> bool:
        try:
            checks.append(Check(name, True, body()))
            return True
        except OutreachError as exc:
            checks.append(Check(name, False, exc.message, exc.hint or fix))
            return False

    if not attempt("workspace", lambda: str(app.workspace.root), "Run `outreach init`."):
        return checks
    if not app.workspace.config_file.exists():
        checks.append(Check("config", False, "no config.toml", "Run `outreach init`."))
        return checks
    if not attempt("config", lambda: f"{app.workspace.config_file} is valid", ""):
        return checks
    if not attempt("database", lambda: f"{app.store.contacts.count()} contacts", ""):
        return checks
    config = app.config
    if config.mail.backend != "gmail":
        checks.append(Check("mail", True, "local backend: drafts go to the outbox Maildir"))
        return checks

    from outreach.google import keychain

    usable, name = keychain.usable()
    checks.append(
        Check(
            "keyring",
            usable,
            name,
            ""
            if usable
            else "Install or unlock an OS keyring (Secret Service, Keychain, "
            "Credential Locker); on a headless Linux server, run gnome-keyring-daemon or use "
            "a keyring backend that encrypts its file.",
        )
    )
    if not usable:
        return checks

    from outreach.services.token_check import google_token_check

    token = google_token_check(app)
    checks.append(token)
    has_token = token.ok
    secrets = app.workspace.resolve(config.google.client_secrets_file)
    if secrets.exists():
        checks.append(Check("oauth client", True, str(secrets)))
    elif has_token:
        checks.append(Check("oauth client", True, "not needed: a token is stored"))
    else:
        checks.append(
            Check(
                "oauth client",
                False,
                f"no OAuth client file at {secrets}",
                "README 'Connect your Gmail' steps 1-5: create a Desktop OAuth client and save "
                "its JSON there, then run `outreach auth login`.",
            )
        )
    if not has_token:
        return checks

    def reachable() -> str:
        from outreach.mail.gmail import GmailBackend

        backend = GmailBackend.from_app(app)
        try:
            profile = backend.profile()
        except Exception as exc:  # any transport or HTTP failure is the finding itself
            raise OutreachError(
                f"{config.google.api_root or 'Gmail'} did not answer: {type(exc).__name__}: {exc}",
                hint="Check your connection; if Google says the API is disabled, enable the "
                "Gmail API (README step 2).",
            ) from None
        address = profile.get("emailAddress", "?")
        if str(address).lower() != config.user.email.lower():
            raise OutreachError(
                f"the token belongs to {address}, but [user] email is {config.user.email}",
                hint="Set [user] email to the authorised address, or log in as "
                f"{config.user.email}.",
            )
        return f"Gmail answers for {address}"

    attempt("gmail api", reachable, "")
    return checks
