"""`book --at` and `reschedule --at` understand zones: an offset, a zone name after the time,
or --their-time; a bare time that reads differently on the contact's clock is asked about on a
terminal (both readings named) and refused without one, and --yes does not choose a zone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.schedule.when import AtError, TwoReadings, read_at
from tests.conftest import Invoke

NOW = "2026-11-02T09:00:00-05:00"  # a Monday morning in New York
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
ADA = "ada@example.org"


@pytest.fixture
def ada(workspace: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OUTREACH_NOW", NOW)
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    added = run("contacts", "add", ADA, "--name", "Ada Lovelace", "--tz", "Europe/Berlin")
    assert added.exit_code == 0, added.output
    return workspace


# --- the pure reading --------------------------------------------------------------------


def test_an_offset_or_a_zone_name_says_the_instant() -> None:
    expected = datetime(2026, 11, 10, 10, 0, tzinfo=BERLIN)
    for text in ("2026-11-10T10:00+01:00", "2026-11-10 10:00 Europe/Berlin",
                 "2026-11-10T10:00 Europe/Berlin", "2026-11-10T09:00Z", "2026-11-10 09:00 UTC"):
        read = read_at(text, user_zone=NY, contact_zone=BERLIN)
        assert isinstance(read, datetime) and read == expected, text


def test_a_bare_time_is_yours_when_their_clock_is_the_same_or_unknown() -> None:
    same = read_at("2026-11-10T10:00", user_zone=NY, contact_zone=ZoneInfo("America/Toronto"))
    unknown = read_at("2026-11-10T10:00", user_zone=NY, contact_zone=None)
    assert same == unknown == datetime(2026, 11, 10, 10, 0, tzinfo=NY)


def test_a_bare_time_on_two_clocks_has_two_readings() -> None:
    read = read_at("2026-11-10 10:00", user_zone=NY, contact_zone=BERLIN)
    assert read == TwoReadings(
        datetime(2026, 11, 10, 10, 0, tzinfo=NY), datetime(2026, 11, 10, 10, 0, tzinfo=BERLIN)
    )
    theirs = read_at("2026-11-10 10:00", user_zone=NY, contact_zone=BERLIN, their_time=True)
    assert theirs == datetime(2026, 11, 10, 10, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("text", "their_time", "zone", "says"),
    [
        ("next tuesday", False, BERLIN, "not a date and time"),
        ("2026-11-10 10:00 Mars/Olympus", False, BERLIN, "not a time zone"),
        ("2026-11-10T10:00+01:00", True, BERLIN, "already names its zone"),
        ("2026-11-10T10:00", True, None, "their time zone is unknown"),
    ],
)
def test_what_cannot_be_read_says_why(
    text: str, their_time: bool, zone: ZoneInfo | None, says: str
) -> None:
    with pytest.raises(AtError, match=says):
        read_at(text, user_zone=NY, contact_zone=zone, their_time=their_time)


# --- through the command line ------------------------------------------------------------


def test_a_time_with_a_zone_name_is_booked_in_that_zone(ada: Path, run: Invoke) -> None:
    # Reported: "2026-11-10T10:00 Europe/Berlin" was refused as "not a date and time".
    result = run("book", ADA, "--at", "2026-11-10T16:00 Europe/Berlin")
    assert result.exit_code == 0, result.output
    assert "Booked Tue 10 Nov, 10:00-10:20 EST / 16:00-16:20 CET" in result.output


def test_an_offset_is_booked_as_given(ada: Path, run: Invoke) -> None:
    result = run("book", ADA, "--at", "2026-11-10T10:00+01:00", "--yes")
    assert result.exit_code == 0, result.output
    assert "Booked Tue 10 Nov, 04:00-04:20 EST / 10:00-10:20 CET" in result.output


def test_their_time_reads_a_bare_time_on_their_clock(ada: Path, run: Invoke) -> None:
    result = run("book", ADA, "--at", "2026-11-10 16:00", "--their-time")
    assert result.exit_code == 0, result.output
    assert "Booked Tue 10 Nov, 10:00-10:20 EST / 16:00-16:20 CET" in result.output


def test_a_bare_time_is_refused_without_a_terminal_naming_both_readings(
    ada: Path, run: Invoke
) -> None:
    # --yes answers "book it anyway?", never "which hour did you mean?".
    result = run("book", ADA, "--at", "2026-11-10T10:00", "--yes")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "10:00 your time (16:00 for Ada) or 10:00 Ada's time (04:00 yours)" in result.output
    assert '--at "2026-11-10 10:00 America/New_York"' in result.output
    assert "--their-time" in result.output
    assert "10:00-10:20" not in run("contacts", "show", ADA).output  # nothing was booked


def test_a_bare_time_is_asked_about_on_a_terminal(ada: Path, run: Invoke) -> None:
    theirs = run("book", ADA, "--at", "2026-11-10T16:00", input="2\n")
    assert theirs.exit_code == 0, theirs.output
    assert "16:00 your time (22:00 for Ada) or 16:00 Ada's time (10:00 yours)?" in theirs.output
    assert "Booked Tue 10 Nov, 10:00-10:20 EST / 16:00-16:20 CET" in theirs.output
    # Moving it: the same question, answered "mine".
    moved = run("reschedule", ADA, "--at", "2026-11-11T10:00", input="1\n")
    assert moved.exit_code == 0, moved.output
    assert "Moved to Wed 11 Nov, 10:00-10:20 EST / 16:00-16:20 CET" in moved.output


def test_a_day_that_differs_is_named(ada: Path, run: Invoke) -> None:
    result = run("book", ADA, "--at", "2026-11-10T20:00")
    assert result.exit_code == 1
    assert "20:00 your time (Wed 02:00 for Ada) or 20:00 Ada's time (14:00 yours)" in (
        result.output
    )


def test_their_time_needs_at(ada: Path, run: Invoke) -> None:
    result = run("book", ADA, "--slot", "1", "--their-time")
    assert result.exit_code == 2
    assert "--their-time goes with --at" in result.output
