"""Signing in to Microsoft: the real msal against the fake identity platform (authority
override, instance discovery off), the token cache only in the keyring."""

from __future__ import annotations

import html
import json
import re
import threading
import webbrowser
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import Invoke
from tests.fakemicrosoft.server import FakeMicrosoft
from tests.microsoft_env import configure, signed_in_cache

pytest_plugins = ["tests.fakemicrosoft.fixtures"]


@pytest.fixture
def signed_out(
    tmp_path: Path, fake_microsoft: FakeMicrosoft, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A Microsoft workspace with nothing in the (test) keyring yet."""
    import keyring

    from tests.keyrings import FileKeyring

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.keyrings.FileKeyring")
    monkeypatch.setenv("OUTREACH_TEST_KEYRING", str(tmp_path / "keyring.json"))
    monkeypatch.setenv("OUTREACH_NOW", "2026-03-02T09:00:00-05:00")
    keyring.set_keyring(FileKeyring())
    result = run("init", "--name", "Sam Rivera", "--email", fake_microsoft.user,
                 "--timezone", "America/New_York")
    assert result.exit_code == 0, result.output
    root = tmp_path / "workspace"
    configure(root, fake_microsoft)
    return root


def _keyring(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "keyring.json"
    return json.loads(path.read_text()) if path.exists() else {}


class ScriptedBrowser(webbrowser.BaseBrowser):
    """The user's browser: visits the sign-in page (the fake signs in and consents at once)
    and submits the page's form back to msal's local server (response_mode=form_post)."""

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        def visit() -> None:
            page = requests.get(url, allow_redirects=False, timeout=10).text
            [action] = re.findall(r'action="([^"]+)"', page)
            fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
            requests.post(html.unescape(action), data=fields, timeout=10)

        threading.Thread(target=visit, daemon=True).start()
        return True


@pytest.fixture
def browser() -> Iterator[None]:
    webbrowser.register("scripted", None, ScriptedBrowser("scripted"), preferred=True)
    yield
    webbrowser._tryorder.remove("scripted")  # type: ignore[attr-defined]


def test_login_in_the_browser_uses_pkce_and_keeps_the_cache_in_the_keyring(
    signed_out: Path, tmp_path: Path, fake_microsoft: FakeMicrosoft, run: Invoke, browser: None
) -> None:
    result = run("auth", "login", "--microsoft")
    assert result.exit_code == 0, result.output
    assert "Connected sam@example.edu" in result.output
    stored = _keyring(tmp_path)
    [entry] = [k for k in stored if k.endswith("microsoft:sam@example.edu")]
    assert "RefreshToken" in json.loads(stored[entry])
    assert not any(p.name.endswith(".json") for p in signed_out.iterdir())


def test_device_code_login_where_there_is_no_browser(
    signed_out: Path, tmp_path: Path, fake_microsoft: FakeMicrosoft, run: Invoke
) -> None:
    fake_microsoft.identity.pending_polls = 1  # the user types the code a moment later
    result = run("auth", "login", "--device-code")
    assert result.exit_code == 0, result.output
    assert "enter the code" in result.output
    status = json.loads(run("auth", "status", "--json").output)
    assert status["connected"] is True
    assert set(status["scopes"]) >= {"Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite"}


def test_an_organisation_that_blocks_the_app_is_explained(
    signed_out: Path, fake_microsoft: FakeMicrosoft, run: Invoke
) -> None:
    fake_microsoft.identity.blocked = True
    result = run("auth", "login", "--device-code")
    assert result.exit_code == 1
    assert "AADSTS65001" in result.output
    assert "organisation blocks" in result.output or "administrator" in result.output


def test_an_unregistered_client_id_is_refused_by_name(
    signed_out: Path, fake_microsoft: FakeMicrosoft, run: Invoke
) -> None:
    config = signed_out / "config.toml"
    config.write_text(config.read_text().replace(fake_microsoft.client_id, "not-registered"))
    result = run("auth", "login", "--device-code")
    assert result.exit_code == 1
    assert "AADSTS700016" in result.output


def test_auth_import_takes_an_msal_cache_and_logout_removes_it(
    signed_out: Path, tmp_path: Path, fake_microsoft: FakeMicrosoft, run: Invoke
) -> None:
    cache = tmp_path / "cache.json"
    cache.write_text(signed_in_cache(fake_microsoft))
    result = run("auth", "import", str(cache))
    assert result.exit_code == 0, result.output
    assert "Microsoft token cache for sam@example.edu" in result.output
    assert run("auth", "logout").exit_code == 0
    assert not [k for k in _keyring(tmp_path) if "microsoft:" in k]


def test_an_expired_access_token_is_renewed_with_the_refresh_token(
    signed_out: Path, tmp_path: Path, fake_microsoft: FakeMicrosoft, run: Invoke
) -> None:
    cache = tmp_path / "cache.json"
    cache.write_text(signed_in_cache(fake_microsoft))
    assert run("auth", "import", str(cache)).exit_code == 0
    before = _keyring(tmp_path)
    fake_microsoft.identity.expire_access_tokens()
    assert run("contacts", "add", "ada@example.org", "--name", "Ada").exit_code == 0
    result = run("draft", "outreach", "ada@example.org")
    assert result.exit_code == 0, result.output
    assert len(fake_microsoft.drafts()) == 1
    assert _keyring(tmp_path) != before  # the renewed cache went back to the keyring
