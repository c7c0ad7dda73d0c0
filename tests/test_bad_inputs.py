"""Broken files, used the way a user would use them: a clear error, never a traceback.

The corpus is tests/data/bad/:

- config/: config.toml files with bad syntax, an unknown section or key, a wrong type, a bad
  time zone, working hours or days, backend, cap, api_root, ...; each is copied into a
  workspace and `outreach status` (and `outreach slots`) run;
- contacts/: CSV and vCard files that cannot be read at all, or have bad rows, given to
  `outreach contacts import`;
- templates/: malformed templates put in the workspace's templates/ and run through
  `outreach templates lint` and `outreach draft`;
- ics/: broken calendars named in ``[schedule] busy``, then `outreach slots`.

A file that cannot be used at all exits 1 with ``Error: <file> ...`` (the line where there is
one) and a ``Hint:`` line; a contacts file with some bad rows imports the good ones and names
each skipped row by file and line. A few cases run in a real subprocess, to prove no traceback
reaches a terminal.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import Invoke

BAD = Path(__file__).parent / "data" / "bad"
ROOT = Path(__file__).resolve().parents[1]

# config file -> what the message must name (the key, or the TOML line)
CONFIGS: dict[str, str] = {
    "bad_toml_syntax.toml": "line 2",
    "duplicate_key.toml": "line 3",
    "duplicate_section.toml": "line 3",
    "unknown_section.toml": "smtp_relay",  # [smtp] is a section now (IMAP backend)
    "top_level_key.toml": "backend",
    "unknown_key.toml": "bakend",
    "wrong_type.toml": "daily_send_cap",
    "negative_cap.toml": "daily_send_cap",
    "bool_as_number.toml": "meeting_minutes",
    "out_of_range.toml": "horizon_days",
    "bad_timezone.toml": "timezone",
    "bad_working_hours.toml": "working_hours",
    "bad_working_days.toml": "working_days",
    "busy_not_a_list.toml": "busy",
    "bad_backend.toml": "backend",
    "bad_api_root.toml": "api_root",
    "not_utf8.toml": "utf-8",
}
# contacts files that cannot be imported at all
UNREADABLE_CONTACTS = [
    "binary_junk.csv",
    "empty.csv",
    "header_only.csv",
    "no_header.csv",
    "not_a_vcard.vcf",
    "spreadsheet.csv",
    "utf16_no_bom.csv",
    "whitespace_only.csv",
]
# contacts files with some bad rows: file -> (line named in the skip message, rows imported)
PARTLY_BAD_CONTACTS = {
    "malformed_card.vcf": (6, 2),
    "missing_end.vcf": (6, 1),
    "unterminated_quote.csv": (2, 2),
}
TEMPLATES = sorted(path.name for path in (BAD / "templates").glob("*.txt"))
CALENDARS = sorted(path.name for path in (BAD / "ics").glob("*.ics"))


def test_the_corpus_is_complete() -> None:
    assert sorted(CONFIGS) == sorted(p.name for p in (BAD / "config").iterdir())
    listed = {*UNREADABLE_CONTACTS, *PARTLY_BAD_CONTACTS}
    assert sorted(listed) == sorted(p.name for p in (BAD / "contacts").iterdir())
    assert TEMPLATES and CALENDARS


def assert_clear_error(result: Result, *names: str) -> None:
    """Exit 1, an Error line naming each of ``names``, a Hint line, no traceback."""
    text = result.output
    assert result.exit_code == 1, text
    assert "Traceback" not in text and "Unexpected error" not in text, text
    error = next((line for line in text.splitlines() if line.startswith("Error: ")), None)
    assert error is not None, text
    for name in names:
        assert name in error, (name, error)
    assert re.search(r"^Hint: \S", text, re.MULTILINE), text


@pytest.fixture
def contact(workspace: Path, run: Invoke) -> str:
    result = run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace",
                 "--org", "Analytical Engines", "--tz", "Europe/London")
    assert result.exit_code == 0, result.output
    return "ada@example.org"


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_a_bad_config_names_the_file_and_the_problem(
    workspace: Path, run: Invoke, name: str
) -> None:
    shutil.copyfile(BAD / "config" / name, workspace / "config.toml")
    for command in (("status",), ("slots",)):
        result = run(*command)
        assert_clear_error(result, str(workspace / "config.toml"), CONFIGS[name])


@pytest.mark.parametrize("name", UNREADABLE_CONTACTS)
def test_an_unreadable_contacts_file_is_refused_with_a_reason(
    workspace: Path, run: Invoke, name: str
) -> None:
    result = run("contacts", "import", str(BAD / "contacts" / name))
    assert_clear_error(result, name)
    assert "0 contact" in run("status").output


@pytest.mark.parametrize("name", sorted(PARTLY_BAD_CONTACTS))
def test_bad_rows_are_skipped_and_named_by_line(
    workspace: Path, run: Invoke, name: str
) -> None:
    line, imported = PARTLY_BAD_CONTACTS[name]
    result = run("contacts", "import", str(BAD / "contacts" / name))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert f"skipped: {name} line {line}: " in result.output, result.output
    assert f"imported {imported} new" in result.output
    assert f"{imported} contact{'' if imported == 1 else 's'};" in run("status").output


@pytest.mark.parametrize("name", TEMPLATES)
def test_a_bad_template_is_reported_by_lint_and_stops_drafting(
    workspace: Path, run: Invoke, contact: str, name: str
) -> None:
    shutil.copyfile(BAD / "templates" / name, workspace / "templates" / name)
    template, path = name.removesuffix(".txt"), str(workspace / "templates" / name)
    lint = run("templates", "lint", template)
    assert lint.exit_code == 1, lint.output
    assert "Traceback" not in lint.output
    assert re.search(rf"^{re.escape(path)} line \d+: error: ", lint.output, re.MULTILINE), (
        lint.output
    )
    drafted = run("draft", template, contact)
    assert_clear_error(drafted, path, "line ")
    assert not list((workspace / "outbox" / "cur").glob("*")) if (
        workspace / "outbox"
    ).exists() else True


@pytest.mark.parametrize("name", CALENDARS)
def test_a_bad_calendar_stops_slot_proposals_with_a_reason(
    workspace: Path, run: Invoke, contact: str, name: str
) -> None:
    config = workspace / "config.toml"
    text = config.read_text()
    config.write_text(re.sub(r'(?m)^busy = .*$', 'busy = ["calendar.ics"]', text, count=1))
    shutil.copyfile(BAD / "ics" / name, workspace / "calendar.ics")
    for command in (("slots",), ("slots", "--contact", contact), ("draft", "outreach", contact)):
        assert_clear_error(run(*command), str(workspace / "calendar.ics"))


def test_usage_errors_exit_2_without_a_traceback(workspace: Path, run: Invoke) -> None:
    for args in (("contacts", "import"), ("draft",), ("slots", "--count", "many"),
                 ("contacts", "list", "--stage", "nowhere"), ("no-such-command",)):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert "Usage:" in result.output or "Error:" in result.output


# --- the same, in a real terminal process -----------------------------------------------


def real_run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
    env["OUTREACH_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "outreach", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_in_a_real_process_no_traceback_reaches_the_terminal(
    workspace: Path, contact: str
) -> None:
    def refused(args: tuple[str, ...], *names: str) -> None:
        done = real_run(workspace, *args)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout
        assert done.stderr.startswith("Error: "), done.stderr
        for name in names:
            assert name in done.stderr, (name, done.stderr)
        assert "\nHint: " in done.stderr

    refused(("contacts", "import", str(BAD / "contacts" / "binary_junk.csv")), "binary_junk.csv")
    shutil.copyfile(BAD / "templates" / "unclosed_tag.txt", workspace / "templates" / "x.txt")
    refused(("templates", "preview", "x", contact), "x.txt line 5")
    config = workspace / "config.toml"
    text = config.read_text()
    config.write_text(re.sub(r'(?m)^busy = .*$', 'busy = ["calendar.ics"]', text, count=1))
    shutil.copyfile(BAD / "ics" / "truncated.ics", workspace / "calendar.ics")
    refused(("slots",), "calendar.ics")
    shutil.copyfile(BAD / "config" / "bad_toml_syntax.toml", config)
    refused(("status",), f"{config}: not valid TOML", "line 2")
