"""`outreach init` as a new user meets it: every value checked before anything is written,
questions on a terminal, no silent placeholders, and updates to an existing workspace."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from outreach.errors import WorkspaceError
from tests.conftest import Invoke


def user_table(home: Path) -> dict[str, object]:
    data = tomllib.loads((home / "config.toml").read_text())
    user = data["user"]
    assert isinstance(user, dict)
    return user


def test_a_bad_time_zone_is_refused_before_anything_is_written(
    run: Invoke, isolated_environment: Path
) -> None:
    result = run("init", "--timezone", "Mars/Base")
    assert result.exit_code == 1
    assert "--timezone 'Mars/Base' is not an IANA time zone" in result.output
    assert "America/New_York" in result.output  # an example of what is accepted
    assert "config.toml" not in result.output  # no talk of a file that does not exist
    assert not isolated_environment.exists()


def test_a_misspelt_zone_gets_a_suggestion(run: Invoke) -> None:
    result = run("init", "--timezone", "America/NewYork")
    assert result.exit_code == 1
    assert "Did you mean America/New_York" in result.output


def test_a_bad_email_is_refused_and_nothing_is_written(
    run: Invoke, isolated_environment: Path
) -> None:
    result = run("init", "--name", "Sam Rivera", "--email", "notanemail")
    assert result.exit_code == 1
    assert "--email 'notanemail' is not a valid email address" in result.output
    assert not isolated_environment.exists()


def test_a_failure_part_way_leaves_no_empty_folder(
    run: Invoke, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outreach.services.workspace import setup as service

    def broken(path: Path) -> None:
        raise WorkspaceError(f"Cannot open the database {path}: disk full.")

    monkeypatch.setattr(service.Store, "open", broken)
    result = run("init", "--name", "Sam Rivera", "--email", "sam@example.edu")
    assert result.exit_code == 1
    assert "disk full" in result.output and "nothing was left behind" in result.output
    assert not isolated_environment.exists()


def test_init_without_a_terminal_says_which_placeholders_are_left(
    run: Invoke, isolated_environment: Path
) -> None:
    result = run("init")
    assert result.exit_code == 0
    assert "[user] name and email are still the example's placeholders" in result.output
    assert "outreach init --name" in result.output


def test_draft_refuses_to_sign_a_placeholder_name(
    run: Invoke, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTREACH_NOW", "2026-03-02T09:00:00-05:00")
    assert run("init", "--email", "sam@example.edu").exit_code == 0
    assert run("contacts", "add", "ada@example.org", "--name", "Ada").exit_code == 0
    result = run("draft", "outreach", "ada@example.org")
    assert result.exit_code == 1
    assert '[user] name is still "Your Name"' in result.output
    assert 'outreach init --name "First Last"' in result.output
    assert not list((isolated_environment / "outbox").rglob("*.eml"))
    fixed = run("init", "--name", "Sam Rivera")
    assert "updated [user] name: \"Your Name\" -> \"Sam Rivera\"" in fixed.output


def test_init_on_an_existing_workspace_updates_the_keys_given_and_says_so(
    workspace: Path, run: Invoke
) -> None:
    before = (workspace / "config.toml").read_text()
    result = run("init", "--timezone", "europe/paris", "--school", "State University")
    assert result.exit_code == 0, result.output
    assert 'updated [user] timezone: "America/New_York" -> "Europe/Paris"' in result.output
    assert 'updated [user] school: (not set) -> "State University"' in result.output
    user = user_table(workspace)
    assert user["timezone"] == "Europe/Paris" and user["school"] == "State University"
    assert user["name"] == "Sam Rivera" and user["email"] == "sam@example.edu"
    after = (workspace / "config.toml").read_text()
    # Only those lines changed: comments and every other key are as they were.
    assert len(after.splitlines()) == len(before.splitlines()) + 1
    assert stat.S_IMODE((workspace / "config.toml").stat().st_mode) == 0o600
    again = run("init", "--timezone", "Europe/Paris")
    assert "nothing changed" in again.output


def test_a_bad_value_on_an_existing_workspace_changes_nothing(
    workspace: Path, run: Invoke
) -> None:
    before = (workspace / "config.toml").read_bytes()
    result = run("init", "--timezone", "Europe/Pariss", "--name", "Someone Else")
    assert result.exit_code == 1
    assert (workspace / "config.toml").read_bytes() == before


def test_init_asks_for_what_is_missing_on_a_terminal(
    run: Invoke, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import outreach.cli.workspace as cli_workspace

    monkeypatch.setattr(cli_workspace, "interactive", lambda: True)
    monkeypatch.setattr(
        "outreach.services.workspace.setup.system_timezone", lambda: "Asia/Tokyo"
    )
    answers = [
        "Sam Rivera",  # name
        "sam at example",  # a bad address: asked again
        "sam@example.edu",
        "",  # time zone: the default, this computer's
        "a data science student at State",  # intro
        "",  # field: skipped
        "State University",  # school
        r"Sam Rivera\nState University",  # signature
    ]
    result = run("init", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "not a valid email address" in result.output
    assert "[Asia/Tokyo]" in result.output
    user = user_table(isolated_environment)
    assert user == {
        "name": "Sam Rivera",
        "email": "sam@example.edu",
        "signature": "Sam Rivera\nState University",
        "timezone": "Asia/Tokyo",
        "intro": "a data science student at State",
        "school": "State University",
    }
    assert "placeholder" not in result.output


def test_no_questions_with_no_input(
    run: Invoke, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import outreach.cli.workspace as cli_workspace

    monkeypatch.setattr(cli_workspace, "interactive", lambda: True)
    result = run("init", "--no-input", "--name", "Sam", "--email", "sam@example.edu")
    assert result.exit_code == 0, result.output
    assert user_table(isolated_environment)["timezone"] == "UTC"
