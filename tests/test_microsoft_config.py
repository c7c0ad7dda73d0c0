"""The [microsoft] settings are checked by name, and the local backend's Outlook drafts
(`[mail] outlook_drafts`) open in Outlook as drafts to send."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.conversation_world import parse


def _set(workspace: Path, old: str, new: str) -> None:
    config = workspace / "config.toml"
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new))


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ('api_root = "https://graph.microsoft.com"', 'api_root = "http://graph.example"',
         "[microsoft] api_root"),
        ('authority = "https://login.microsoftonline.com/common"',
         'authority = "https://login.microsoftonline.com"', "[microsoft] authority"),
        ('backend = "local"', 'backend = "outlook"', "[mail] backend"),
    ],
)
def test_bad_microsoft_settings_name_the_key(
    workspace: Path, run: Invoke, old: str, new: str, named: str
) -> None:
    _set(workspace, old, new)
    result = run("status")
    assert result.exit_code == 1
    assert named in result.output
    assert "Traceback" not in result.output


def test_the_microsoft_backend_without_a_client_id_says_how_to_get_one(
    workspace: Path, run: Invoke
) -> None:
    _set(workspace, 'backend = "local"', 'backend = "microsoft"')
    _set(workspace, 'busy = ["google"]', "busy = []")
    assert run("contacts", "add", "ada@example.org", "--name", "Ada").exit_code == 0
    result = run("draft", "outreach", "ada@example.org")
    assert result.exit_code == 1
    assert "client_id" in result.output and "README" in result.output


def test_outlook_drafts_are_marked_unsent_and_lose_nothing(workspace: Path, run: Invoke) -> None:
    _set(workspace, "outlook_drafts = false", "outlook_drafts = true")
    _set(workspace, 'busy = ["google"]', "busy = []")
    assert run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace").exit_code == 0
    result = run("draft", "outreach", "ada@example.org")
    assert result.exit_code == 0, result.output
    [path] = (workspace / "outbox" / "cur").iterdir()
    draft = parse(path.read_bytes())
    assert draft["X-Unsent"] == "1"
    assert str(draft["To"]) == "Ada Lovelace <ada@example.org>"
    assert draft.get_body(("plain",)) is not None
    result = run("send", "ada@example.org", "--yes")
    assert result.exit_code == 0, result.output


def test_without_the_option_drafts_carry_no_mark(workspace: Path, run: Invoke) -> None:
    _set(workspace, 'busy = ["google"]', "busy = []")
    assert run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace").exit_code == 0
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    [path] = (workspace / "outbox" / "cur").iterdir()
    assert parse(path.read_bytes())["X-Unsent"] is None
