"""The meeting on the user's Outlook calendar, through the fake Graph: made when booked,
moved, removed when cancelled, never with attendees (so Outlook mails nothing: the one
invitation per change is the tool's own, in the thread); busy times from getSchedule."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.conversation_world import invite_of, parse
from tests.fakemicrosoft.server import FakeMicrosoft
from tests.microsoft_env import MicrosoftWorkspace, microsoft_workspace

pytest_plugins = ["tests.fakemicrosoft.fixtures"]


@pytest.fixture
def outlook(
    tmp_path: Path, fake_microsoft: FakeMicrosoft, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> MicrosoftWorkspace:
    ws = microsoft_workspace(tmp_path, fake_microsoft, run, monkeypatch)
    config = ws.root / "config.toml"
    config.write_text(config.read_text().replace("busy = []", 'busy = ["microsoft"]'))
    result = run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace")
    assert result.exit_code == 0, result.output
    return ws


def _event(fake: FakeMicrosoft) -> dict[str, object]:
    [event] = fake.calendar.events.values()
    return event.resource()


def _invites_sent(fake: FakeMicrosoft) -> list[tuple[str, int]]:
    found = []
    for raw in fake.delivered():
        event = invite_of(parse(raw))
        if event is not None:
            found.append((str(event["X-TEST-METHOD"]), int(event["SEQUENCE"])))
    return found


def test_book_reschedule_cancel_keep_one_outlook_event_and_one_invitation_per_change(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    result = run("book", "ada@example.org", "--at", "2026-03-04T10:00", "--send")
    assert result.exit_code == 0, result.output
    event = _event(fake)
    assert event["start"] == {"dateTime": "2026-03-04T15:00:00.0000000", "timeZone": "UTC"}
    assert event["attendees"] == []
    assert "Ada Lovelace" in str(event["subject"])

    result = run("reschedule", "ada@example.org", "--at", "2026-03-05T11:00", "--send")
    assert result.exit_code == 0, result.output
    moved = _event(fake)
    assert moved["id"] == event["id"]
    assert moved["start"] == {"dateTime": "2026-03-05T16:00:00.0000000", "timeZone": "UTC"}

    result = run("cancel", "ada@example.org", "--send")
    assert result.exit_code == 0, result.output
    assert fake.calendar.events == {}
    assert fake.calendar.invitations == []  # Outlook mailed nothing of its own
    assert _invites_sent(fake) == [("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2)]


def test_an_event_lost_in_transit_is_found_again_by_its_uid_never_made_twice(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    fake.drop_answer("POST /me/events")
    result = run("book", "ada@example.org", "--at", "2026-03-04T10:00")
    assert result.exit_code == 0, result.output
    run("sync")  # what the booking could not finish, the next sync catches up
    result = run("reschedule", "ada@example.org", "--at", "2026-03-05T11:00")
    assert result.exit_code == 0, result.output
    [event] = fake.calendar.events.values()
    assert event.start == datetime(2026, 3, 5, 16, 0, tzinfo=UTC)


def test_a_teams_link_goes_into_the_invite_when_asked_for(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    result = run("book", "ada@example.org", "--at", "2026-03-04T10:00", "--video", "--send")
    assert result.exit_code == 0, result.output
    event = _event(fake)
    assert event["isOnlineMeeting"] is True
    join = str(event["onlineMeeting"]["joinUrl"])  # type: ignore[index]
    [sent] = [parse(m) for m in fake.delivered()]
    assert join in str(invite_of(sent)["DESCRIPTION"]) or join in str(
        invite_of(sent).get("LOCATION", "")
    )


def test_busy_times_on_the_outlook_calendar_are_never_offered(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    before = json.loads(run("slots", "--json").output)
    first = datetime.fromisoformat(before[0]["start"])
    fake.calendar.busy.append((first.astimezone(UTC), first.astimezone(UTC).replace(hour=23)))
    after = json.loads(run("slots", "--json").output)
    assert all(
        datetime.fromisoformat(s["start"]).date() != first.date() for s in after
    ), after
    assert any(e.path == "/me/calendar/getSchedule" for e in fake.log)


def test_doctor_takes_microsoft_as_a_busy_source_not_a_file(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    result = run("doctor")
    assert result.exit_code == 0, result.output
    assert "calendar file not found" not in result.output
