"""Times that make sense: a past time is refused for what it is, an odd one is asked about
(``--yes`` answers; with nothing to read an answer from, the error names the flag), a slot
that is over cannot be booked, and times are always shown in both people's zones."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.config import ScheduleConfig
from outreach.schedule.checks import past_reason, time_concerns
from tests.conftest import Invoke

NOW = "2026-12-01T09:00:00-05:00"  # a Tuesday morning in New York
NY = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def ada(workspace: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OUTREACH_NOW", NOW)
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    assert run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace",
               "--tz", "Europe/London").exit_code == 0
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    return workspace


def test_a_time_in_the_past_is_refused_as_such(ada: Path, run: Invoke) -> None:
    result = run("book", "ada@example.org", "--at", "2026-11-30T10:00-05:00")
    assert result.exit_code == 1
    assert "Mon 30 Nov, 10:00-10:20 EST / 15:00-15:20 GMT is in the past" in result.output
    assert "you are busy" not in result.output
    assert "Traceback" not in result.output


def test_rescheduling_into_the_past_is_refused_and_changes_nothing(
    ada: Path, run: Invoke
) -> None:
    assert run("book", "ada@example.org", "--at", "2026-12-03T10:00-05:00").exit_code == 0
    result = run("reschedule", "ada@example.org", "--at", "2026-11-30T10:00-05:00")
    assert result.exit_code == 1 and "is in the past" in result.output
    shown = run("contacts", "show", "ada@example.org").output
    assert "Thu 3 Dec, 10:00-10:20 EST / 15:00-15:20 GMT" in shown  # in the user's zone


def test_three_in_the_morning_on_a_saturday_is_asked_about(ada: Path, run: Invoke) -> None:
    no = run("book", "ada@example.org", "--at", "2026-12-05T03:00-05:00", input="n\n")
    assert no.exit_code == 1
    assert "outside your working hours" in no.output
    assert "Book it anyway?" in no.output
    yes = run("book", "ada@example.org", "--at", "2026-12-05T03:00-05:00", "--yes")
    assert yes.exit_code == 0, yes.output
    assert "Booked Sat 5 Dec, 03:00-03:20 EST / 08:00-08:20 GMT" in yes.output


def test_without_a_terminal_the_question_becomes_an_error_naming_the_flag(
    ada: Path, run: Invoke
) -> None:
    result = run("book", "ada@example.org", "--at", "2026-12-05T03:00-05:00")  # no input at all
    assert result.exit_code == 1
    assert "Aborted!" not in result.output
    assert "add --yes" in result.output


def test_the_contacts_night_is_named(ada: Path, run: Invoke) -> None:
    result = run("book", "ada@example.org", "--at", "2026-12-03T16:30-05:00", input="n\n")
    assert "the middle of the night for Ada" not in result.output  # 21:30 in London: evening
    assert "outside Ada's working hours" in result.output
    late = run("book", "ada@example.org", "--at", "2026-12-03T18:00-05:00", input="n\n")
    assert "the middle of the night for Ada (Thu 23:00 GMT)" in late.output


def test_a_slot_that_is_over_cannot_be_booked(ada: Path, run: Invoke) -> None:
    later = {"OUTREACH_NOW": "2026-12-20T09:00:00-05:00"}
    result = run("book", "ada@example.org", "--slot", "1", env=later)
    assert result.exit_code == 1
    assert "Slot 1 (" in result.output and "is already over" in result.output
    assert "outreach draft newtimes ada@example.org" in result.output


def test_contacts_show_lists_the_offered_slots_with_numbers_in_both_zones(
    ada: Path, run: Invoke
) -> None:
    shown = run("contacts", "show", "ada@example.org").output
    assert "Offered times (book with --slot N)" in shown
    for number in (1, 2, 3):
        line = next(line for line in shown.splitlines() if line.startswith(f"  {number}. "))
        assert "EST / " in line and "GMT" in line


def test_time_concerns_as_values() -> None:
    schedule = ScheduleConfig()
    tuesday_ten = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 New York
    end = datetime(2026, 12, 1, 15, 20, tzinfo=UTC)
    assert time_concerns(tuesday_ten, end, schedule, NY, None, "Ada") == []
    [night] = time_concerns(tuesday_ten, end, schedule, NY, TOKYO, "Ken")
    assert night == "the middle of the night for Ken (Wed 00:00 JST)"
    assert past_reason(tuesday_ten, datetime(2026, 12, 3, 15, 0, tzinfo=UTC)) == (
        "it started 2 days ago"
    )
    assert past_reason(end, tuesday_ten) is None
