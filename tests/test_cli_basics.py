"""What a new user meets first: help everywhere, a safe init, clear errors, no tracebacks."""

from __future__ import annotations

import email
import email.policy
import json
import os
import stat
from pathlib import Path

import click
import pytest

from outreach.cli import COMMANDS, cli
from tests.conftest import Invoke


def all_commands() -> list[list[str]]:
    paths: list[list[str]] = []
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        paths.append([name])
        if isinstance(command, click.Group):
            paths.extend([name, sub] for sub in command.list_commands(ctx))
    return paths


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_help(run: Invoke, path: list[str]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output
    command = cli.get_command(click.Context(cli), path[0])
    assert command is not None and (command.help or command.short_help)


def test_init_creates_a_private_workspace_and_a_second_run_changes_nothing(
    run: Invoke, isolated_environment: Path
) -> None:
    first = run("init")
    assert first.exit_code == 0 and "created" in first.output
    config = isolated_environment / "config.toml"
    database = isolated_environment / "outreach.db"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    before = {p: p.read_bytes() for p in isolated_environment.rglob("*") if p.is_file()}
    second = run("init")
    assert second.exit_code == 0
    assert "nothing changed" in second.output
    after = {p: p.read_bytes() for p in isolated_environment.rglob("*") if p.is_file()}
    assert before == after


def test_commands_before_init_say_to_run_init(run: Invoke) -> None:
    result = run("contacts", "list")
    assert result.exit_code == 1
    assert "outreach init" in result.output
    assert "Traceback" not in result.output


def test_unknown_contact_and_template_are_clear_errors(workspace: Path, run: Invoke) -> None:
    missing = run("contacts", "show", "nobody@example.org")
    assert missing.exit_code == 1
    assert "No contact nobody@example.org" in missing.output
    assert "Hint:" in missing.output
    assert run("contacts", "add", "ada@example.org", "--name", "Ada").exit_code == 0
    unknown = run("templates", "preview", "outreech", "ada@example.org")
    assert unknown.exit_code == 1
    assert "outreach" in unknown.output and "Hint:" in unknown.output


def test_a_bad_config_value_names_the_file_the_key_and_what_is_accepted(
    workspace: Path, run: Invoke
) -> None:
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('backend = "local"', 'backend = "smtp"'))
    result = run("status")
    assert result.exit_code == 1
    assert str(config) in result.output
    assert "[mail] backend" in result.output and '"local" or "gmail"' in result.output


def test_a_bad_outreach_now_is_explained(workspace: Path, run: Invoke) -> None:
    result = run("due", env={"OUTREACH_NOW": "next monday"})
    assert result.exit_code == 1
    assert "OUTREACH_NOW" in result.output


def test_the_same_address_in_another_case_is_one_contact(
    workspace: Path, run: Invoke, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text("Name,Email\nAda Lovelace,Ada@Example.org\nAda L.,ada@example.ORG\n")
    assert run("contacts", "import", str(people)).exit_code == 0
    again = run("contacts", "import", str(people))
    assert "0 new" in again.output
    listing = json.loads(run("contacts", "list", "--json").output)
    assert len(listing) == 1


def test_a_dry_run_import_counts_exactly_and_writes_nothing(
    workspace: Path, run: Invoke, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text("Name,Email\nAda,ada@example.org\nGrace,grace@example.com\n")
    dry = run("contacts", "import", str(people), "--dry-run")
    assert "would import 2 new" in dry.output and "nothing was written" in dry.output
    assert json.loads(run("contacts", "list", "--json").output) == []


def test_a_name_with_a_newline_and_bcc_cannot_add_a_header(
    workspace: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTREACH_NOW", "2026-03-02T09:00:00-05:00")
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    added = run("contacts", "add", "eve@example.org", "--name", "Eve\nBcc: mallory@example.net")
    assert added.exit_code == 0, added.output
    assert run("draft", "outreach", "eve@example.org").exit_code == 0
    [path] = (workspace / "outbox" / "cur").iterdir()
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Bcc"] is None
    assert [a.addr_spec for a in message["To"].addresses] == ["eve@example.org"]
    assert b"mallory" not in b"".join(
        line
        for line in path.read_bytes().split(b"\n\n", 1)[0].splitlines()
        if line.startswith(b"Bcc")
    )


def test_status_json_has_every_stage(workspace: Path, run: Invoke) -> None:
    report = json.loads(run("status", "--json").output)
    assert set(report["stages"]) == {
        "new",
        "drafted",
        "sent",
        "replied",
        "scheduled",
        "met",
        "thanked",
        "bounced",
        "closed",
    }
    assert report["templates"] == [] and report["contacts"] == 0


def test_help_does_not_import_the_google_client() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from outreach.cli import main; sys.argv=['outreach','--help'];\n"
        "try: main()\nexcept SystemExit: pass\n"
        "print('googleapiclient' in sys.modules, 'jinja2' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ}, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "False False"
