"""Working with templates: the built-in beside your override, starting a new one, and field
names checked with a "did you mean"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Invoke

NOW = {"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}


@pytest.fixture
def home(workspace: Path, run: Invoke) -> Path:
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    added = run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace", "--org",
                "Analytical Engines", "--tz", "Europe/London", env=NOW)
    assert added.exit_code == 0, added.output
    return workspace


def test_show_builtin_prints_the_built_in_even_when_overridden(home: Path, run: Invoke) -> None:
    (home / "templates" / "outreach.txt").write_text("Subject: Mine\n\nHi {{ contact.name }}\n")
    mine = run("templates", "show", "outreach")
    assert mine.output.startswith("(your ") and "Subject: Mine" in mine.output
    builtin = run("templates", "show", "outreach", "--builtin")
    assert builtin.exit_code == 0
    assert "Subject: Mine" not in builtin.output
    assert "Could I ask you about your work" in builtin.output


def test_new_starts_a_template_from_a_built_in(home: Path, run: Invoke) -> None:
    result = run("templates", "new", "alumni", "--from", "outreach")
    assert result.exit_code == 0, result.output
    path = home / "templates" / "alumni.txt"
    assert f"Created {path} from the built-in outreach template" in result.output
    assert "Kind: outreach" in path.read_text()
    listing = json.loads(run("templates", "list", "--json").output)
    alumni = next(row for row in listing if row["name"] == "alumni")
    assert alumni == {"name": "alumni", "kind": "outreach", "description": alumni["description"],
                      "builtin": False, "overrides_builtin": False, "path": str(path)}
    assert run("templates", "lint", "alumni").exit_code == 0
    again = run("templates", "new", "alumni", "--from", "outreach")
    assert again.exit_code == 1 and "already exists; nothing was changed" in again.output


def test_new_with_a_built_in_name_makes_an_override(home: Path, run: Invoke) -> None:
    assert run("templates", "new", "thankyou").exit_code == 0
    listing = json.loads(run("templates", "list", "--json").output)
    assert next(r for r in listing if r["name"] == "thankyou")["overrides_builtin"] is True
    unknown = run("templates", "new", "alumni")
    assert unknown.exit_code == 1 and "--from TEMPLATE" in unknown.output


def test_a_misspelt_field_is_an_error_with_a_suggestion(home: Path, run: Invoke) -> None:
    run("templates", "new", "typo", "--from", "outreach")
    path = home / "templates" / "typo.txt"
    path.write_text(path.read_text().replace("{{ contact.first_name }},",
                                             "{{ contact.first_name }} at {{ contact.compnay }},"))
    result = run("templates", "lint", "typo")
    assert result.exit_code == 1
    assert "contact.compnay is not a field of any contact; did you mean contact.org?" in (
        result.output
    )
    findings = json.loads(run("templates", "lint", "typo", "--json").output)
    [entry] = findings
    assert entry["ok"] is False
    assert {"rule", "severity", "line", "message"} == set(entry["findings"][0])
    draft = run("draft", "typo", "ada@example.org", env=NOW)
    assert draft.exit_code == 1
    assert "did you mean contact.org?" in draft.output


def test_an_optional_field_tested_with_if_is_fine(home: Path, run: Invoke) -> None:
    run("templates", "new", "short", "--from", "outreach")
    path = home / "templates" / "short.txt"
    path.write_text(path.read_text().replace(
        "Hi {{ contact.first_name }},",
        "Hi {{ contact.first_name }},\n{% if contact.connection %}"
        "We met at {{ contact.connection }}.{% endif %}"))
    lint = run("templates", "lint", "short")
    assert lint.exit_code == 0, lint.output
    assert "connection" not in lint.output
    draft = run("draft", "short", "ada@example.org", env=NOW)
    assert draft.exit_code == 0, draft.output
    [eml] = list((home / "outbox" / "cur").iterdir())
    assert b"We met at" not in eml.read_bytes()


def test_a_misspelt_optional_field_is_a_warning(home: Path, run: Invoke) -> None:
    run("templates", "new", "short", "--from", "outreach")
    path = home / "templates" / "short.txt"
    path.write_text(path.read_text().replace(
        "Hi {{ contact.first_name }},",
        "Hi {{ contact.first_name }},{% if contact.tittle %} ({{ contact.tittle }}){% endif %}"))
    result = run("templates", "lint", "short")
    assert result.exit_code == 0
    assert "did you mean contact.title?" in result.output and "warning" in result.output
