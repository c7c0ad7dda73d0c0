"""docs/json.md is the contract for scripts: each documented table lists exactly the keys the
command prints, and --json output is JSON alone (no progress, no notes)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
CONNECTIONS = ROOT / "examples" / "Connections.csv"
NOW = {"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}


def documented() -> dict[str, set[str]]:
    """Heading (``draft TEMPLATE ... --json`` or ``drafts[]``) -> the keys its table lists."""
    tables: dict[str, set[str]] = {}
    heading = ""
    for line in DOC.splitlines():
        match = re.match(r"^#{3,4} `([^`]+)`", line)
        if match:
            heading = match.group(1)
            continue
        key = re.match(r"^\| `([a-z_]+)` \|", line)
        if key and heading:
            tables.setdefault(heading, set()).add(key.group(1))
    return tables


@pytest.fixture
def scene(workspace: Path, run: Invoke) -> Path:
    """Contacts imported, one reachable contact with a guessed zone, a draft sent and a
    conversation recorded: every command has something to say."""
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    assert run("contacts", "import", str(CONNECTIONS), "--tag", "alumni").exit_code == 0
    assert run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace", "--tz",
               "Europe/London", "--tag", "alumni", env=NOW).exit_code == 0
    return workspace


def output(run: Invoke, *args: str) -> Any:
    result = run(*args, env=NOW)
    assert result.exit_code in (0, 1), result.output
    assert result.stderr == "", result.stderr  # --json prints JSON and nothing else
    return json.loads(result.stdout)


def first(data: Any) -> dict[str, Any]:
    item = data[0] if isinstance(data, list) else data
    assert isinstance(item, dict)
    return item


def test_every_documented_table_matches_the_output(scene: Path, run: Invoke) -> None:
    tables = documented()
    seen: dict[str, dict[str, Any]] = {}
    seen["contacts import FILE --json"] = output(
        run, "contacts", "import", str(CONNECTIONS), "--json"
    )
    seen["contacts list --json"] = first(output(run, "contacts", "list", "--json"))
    seen["slots --json"] = first(output(run, "slots", "--contact", "ada@example.org", "--json"))
    drafted = output(run, "draft", "outreach", "--tag", "alumni", "--json")
    seen["draft TEMPLATE ... --json"] = drafted
    seen["drafts[]"] = first(drafted["drafts"])
    seen["send --yes --json"] = output(run, "send", "--yes", "--json")
    seen["sync --json"] = output(run, "sync", "--json")
    shown = output(run, "contacts", "show", "ada@example.org", "--json")
    seen["messages[]"] = first(shown["messages"])
    assert run("contacts", "add", "kj@example.net", "--name", "Kat J", env=NOW).exit_code == 0
    seen["contacts merge KEEP OTHER --yes --json"] = output(
        run, "contacts", "merge", "kj@example.net", "grace@example.com", "--yes", "--json"
    )
    seen["contacts delete CONTACT... --yes --json"] = output(
        run, "contacts", "delete", "kj@example.net", "--yes", "--json"
    )
    seen["doctor --json"] = output(run, "doctor", "--json")
    seen["restore --list --json"] = first(output(run, "restore", "--list", "--json"))
    seen["status --json"] = first(output(run, "status", "--json")["by_tag"])
    later = {"OUTREACH_NOW": "2026-03-10T09:00:00-04:00"}  # a week on, nudges are due
    due = run("due", "--json", env=later)
    assert due.exit_code == 0 and due.stderr == ""
    seen["due --json"] = first(json.loads(due.stdout))
    for heading, keys in tables.items():
        if heading == "events[]":
            continue  # needs a reply in the inbox: test_events_use_backend_neutral_keys
        assert heading in seen, f"docs/json.md documents {heading!r}: add it to this test"
        assert set(seen[heading]) == keys, heading


def test_events_use_backend_neutral_keys(scene: Path, run: Invoke) -> None:
    from outreach.app import AppContext
    from outreach.config import Workspace
    from tests.helpers_sync import at, reply
    from tests.test_sync_local import drop

    assert run("draft", "outreach", "ada@example.org", env=NOW).exit_code == 0
    assert run("send", "--yes", env=NOW).exit_code == 0
    app = AppContext(workspace=Workspace(scene))
    ada = app.store.contacts.get("ada@example.org")
    [row] = app.store.messages.for_contact(ada.id)
    drop(app, reply(row, "Ada <ada@example.org>", at("2026-03-02 12:00")))
    synced = output(run, "sync", "--json")
    assert synced["counts"]["reply"] == 1
    assert synced["changes"][0]["contact"] == "ada@example.org"
    event = first(output(run, "contacts", "show", "ada@example.org", "--json")["events"])
    assert set(event) == documented()["events[]"]
    assert "gmail_id" not in json.dumps(event)
    assert event["backend_message_id"].startswith("local:")


def test_slots_json_gives_both_zones(scene: Path, run: Invoke) -> None:
    [slot, *_] = output(run, "slots", "--contact", "ada@example.org", "--json")
    assert slot["start"].endswith("-05:00")  # New York, the user's zone
    assert slot["contact_start"].endswith("+00:00")  # London in March
    assert slot["contact_timezone"] == "Europe/London"
    assert slot["contact_timezone_guessed"] is False


def test_json_never_asks(scene: Path, run: Invoke) -> None:
    result = run("send", "--json", env=NOW)
    assert result.exit_code == 2
    assert "add --yes" in result.output
