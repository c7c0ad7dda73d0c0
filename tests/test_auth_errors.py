"""Every way Google access can be missing or broken ends in a message naming the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Invoke


@pytest.fixture
def gmail_config(workspace: Path) -> Path:
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('backend = "local"', 'backend = "gmail"'))
    return workspace


def test_login_without_a_client_file_points_to_the_setup_steps(
    gmail_config: Path, run: Invoke
) -> None:
    result = run("auth", "login", "--no-browser")
    assert result.exit_code == 1
    assert str(gmail_config / "client_secret.json") in result.output
    assert "Connect your Gmail" in result.output
    assert "Traceback" not in result.output


def test_no_keyring_backend_is_a_clear_error(
    gmail_config: Path, run: Invoke, tmp_path: Path
) -> None:
    token = tmp_path / "token.json"
    token.write_text(json.dumps({"refresh_token": "r", "client_id": "c", "client_secret": "s"}))
    result = run("auth", "import", str(token))
    assert result.exit_code == 1
    assert "keyring" in result.output.lower() and "Hint:" in result.output


def test_a_file_that_is_not_a_token_is_refused(
    gmail_config: Path, run: Invoke, tmp_path: Path
) -> None:
    bogus = tmp_path / "client_secret.json"
    bogus.write_text(json.dumps({"installed": {"client_id": "x"}}))
    result = run("auth", "import", str(bogus))
    assert result.exit_code == 1
    assert "refresh_token" in result.output and "auth login" in result.output


def test_drafting_without_a_token_says_to_log_in(
    gmail_config: Path, run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring

    from tests.keyrings import FileKeyring

    monkeypatch.setenv("OUTREACH_TEST_KEYRING", str(tmp_path / "empty-keyring.json"))
    keyring.set_keyring(FileKeyring())
    assert run("contacts", "add", "ada@example.org", "--name", "Ada").exit_code == 0
    result = run("draft", "outreach", "ada@example.org")
    assert result.exit_code == 1
    assert "outreach auth login" in result.output


def test_doctor_names_the_missing_step(gmail_config: Path, run: Invoke) -> None:
    result = run("doctor")
    assert result.exit_code == 1
    assert "FAIL keyring" in result.output
