"""`outreach auth login` without a browser: a stand-in browser visits the URL the flow opens,
Google's consent screen (the fake's ``/o/oauth2/auth``) answers as the user would, and the
flow's own loopback server receives the code, which is exchanged at the fake's token endpoint.
Everything but the user's clicks is real: google-auth-oauthlib, oauthlib, requests."""

from __future__ import annotations

import json
import threading
import urllib.request
import webbrowser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from outreach.errors import AuthError
from outreach.google import keychain
from outreach.google.auth import (
    COMPOSE_SCOPE,
    EVENTS_SCOPE,
    FREEBUSY_SCOPE,
    METADATA_SCOPE,
    READONLY_SCOPE,
)
from outreach.google.login import login as run_login
from tests.conftest import Invoke
from tests.fakegoogle import FakeGoogle
from tests.helpers_sync import (
    USER,
    configure,
    fake_gmail,  # noqa: F401
    file_keyring,  # noqa: F401
    gmail_workspace,
)


class StandInBrowser:
    """Opens a URL the way a browser would: in the background, following redirects."""

    def __init__(self, visit: bool = True) -> None:
        self.visit = visit
        self.urls: list[str] = []
        self.errors: list[Exception] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.urls.append(url)
        if self.visit:
            threading.Thread(target=self._go, args=(url,), daemon=True).start()
        return True

    def _go(self, url: str) -> None:
        try:
            with urllib.request.urlopen(url, timeout=10) as page:  # noqa: S310
                page.read()
        except Exception as exc:  # a refused consent page is an HTTPError: the flow times out
            self.errors.append(exc)

    def asked(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.urls[0]).query).items()}


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> StandInBrowser:
    stand_in = StandInBrowser()
    monkeypatch.setattr(webbrowser, "get", lambda using=None: stand_in)
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake's token endpoint is http
    return stand_in


@pytest.fixture
def home(
    workspace: Path, fake_gmail: FakeGoogle, file_keyring: None  # noqa: F811
) -> Path:
    gmail_workspace(workspace, fake_gmail)
    (workspace / "client_secret.json").write_text(json.dumps(fake_gmail.client_secrets()))
    return workspace


def saved() -> dict[str, Any]:
    raw = keychain.load_token(USER)
    assert raw is not None
    token: dict[str, Any] = json.loads(raw)
    return token


def test_login_asks_for_exactly_the_tools_scopes_and_stores_what_was_granted(
    home: Path, browser: StandInBrowser, run: Invoke, fake_gmail: FakeGoogle  # noqa: F811
) -> None:
    result = run("auth", "login")
    assert result.exit_code == 0, result.output
    asked = browser.asked()
    tools = {COMPOSE_SCOPE, METADATA_SCOPE, FREEBUSY_SCOPE, EVENTS_SCOPE}
    assert set(asked["scope"].split()) == tools
    assert asked["access_type"] == "offline" and asked["prompt"] == "consent"
    assert asked["code_challenge_method"] == "S256"
    assert urlsplit(asked["redirect_uri"]).hostname == "localhost"
    assert "Mail read access: gmail.metadata" in result.output
    token = saved()
    assert set(token["scopes"]) == tools
    assert token["refresh_token"].startswith("1//") and token["login_at"]
    assert run("sync").exit_code == 0  # the stored token works
    status = run("auth", "status")
    assert "must" not in status.output and "expires this login at" in status.output


def test_the_readonly_opt_in_asks_for_gmail_readonly_instead_of_metadata(
    home: Path, browser: StandInBrowser, run: Invoke
) -> None:
    configure(home, google={"read_scope": "readonly"})
    result = run("auth", "login")
    assert result.exit_code == 0, result.output
    scopes = set(browser.asked()["scope"].split())
    assert READONLY_SCOPE in scopes and METADATA_SCOPE not in scopes
    assert "Mail read access: gmail.readonly" in result.output
    assert "gmail.readonly" in run("doctor").output


def test_an_unticked_box_is_named_not_a_crash(
    home: Path, browser: StandInBrowser, run: Invoke, fake_gmail: FakeGoogle  # noqa: F811
) -> None:
    fake_gmail.set_consent(withhold=[FREEBUSY_SCOPE])
    result = run("auth", "login")
    assert result.exit_code == 0, result.output
    assert "did not grant calendar.freebusy" in result.output
    assert FREEBUSY_SCOPE not in saved()["scopes"]


def test_a_cancelled_consent_screen_is_a_clear_error(
    home: Path, browser: StandInBrowser, run: Invoke, fake_gmail: FakeGoogle  # noqa: F811
) -> None:
    fake_gmail.set_consent(deny=True)
    result = run("auth", "login")
    assert result.exit_code == 1
    assert "access was denied" in result.output and "Hint:" in result.output
    assert keychain.load_token(USER) is None


def test_a_deleted_oauth_client_is_a_clear_error(
    home: Path, browser: StandInBrowser, run: Invoke, fake_gmail: FakeGoogle  # noqa: F811
) -> None:
    secrets = fake_gmail.client_secrets()
    secrets["installed"]["client_secret"] = "reset-in-the-console"
    (home / "client_secret.json").write_text(json.dumps(secrets))
    result = run("auth", "login")
    assert result.exit_code == 1
    assert "does not know this OAuth client" in result.output
    assert "Traceback" not in result.output


def test_a_file_that_is_not_a_desktop_client_is_refused(
    home: Path, browser: StandInBrowser, run: Invoke
) -> None:
    (home / "client_secret.json").write_text(json.dumps({"web": {"client_id": "x"}}))
    result = run("auth", "login")
    assert result.exit_code == 1 and "Desktop" in result.output


def test_no_answer_from_the_browser_times_out_with_a_clear_error(
    home: Path, monkeypatch: pytest.MonkeyPatch, fake_gmail: FakeGoogle  # noqa: F811
) -> None:
    idle = StandInBrowser(visit=False)  # the user never finishes the consent screen
    monkeypatch.setattr(webbrowser, "get", lambda using=None: idle)
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    with pytest.raises(AuthError, match="No answer came back from the browser"):
        run_login(home / "client_secret.json", USER, open_browser=True, timeout=1)
    assert keychain.load_token(USER) is None
