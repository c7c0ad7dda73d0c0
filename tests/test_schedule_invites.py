"""Invites: every required property, checked by parsing the bytes back with two independent
parsers (icalendar and vobject), never by comparing strings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.errors import ScheduleError
from outreach.schedule.invites import PRODID, build_invite, new_uid

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")
START = datetime(2025, 12, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York
END = START + timedelta(minutes=20)
STAMP = datetime(2025, 11, 28, 12, 0, tzinfo=NEW_YORK)
JOIN = "https://meet.example.com/abc-defg-hij"


def invite(**changes: Any) -> bytes:
    arguments: dict[str, Any] = {
        "uid": "3f1c7a52-1b0e-4c55-9d0b-1f2e3d4c5b6a@outreach.example",
        "sequence": 0,
        "method": "REQUEST",
        "start": START,
        "end": END,
        "tz": NEW_YORK,
        "organizer_name": "Zoë Ørsted-Núñez",
        "organizer_email": "zoe@example.com",
        "attendee_name": "Ada Lovelace",
        "attendee_email": "ada@example.org",
        "summary": "Informational interview: Zoë and Ada",
        "description": "Agenda:\n- your path into analytics\n- advice, tips; anything else",
        "location_or_join": JOIN,
        "dtstamp": STAMP,
    }
    arguments.update(changes)
    return build_invite(**arguments)


def parse_icalendar(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def parse_vobject(data: bytes) -> Any:
    return vobject.readOne(data.decode("utf-8"))


def rfc6868_decode(value: str) -> str:
    """vobject predates RFC 6868 (^' ^n ^^ in parameter values); decode it here."""
    return re.sub(r"\^(['n^])", lambda m: {"'": '"', "n": "\n", "^": "^"}[m.group(1)], value)


class TestRequestWithIcalendar:
    def test_calendar_properties(self) -> None:
        calendar, _ = parse_icalendar(invite())
        assert calendar["PRODID"] == PRODID
        assert calendar["VERSION"] == "2.0"
        assert calendar["CALSCALE"] == "GREGORIAN"
        assert calendar["METHOD"] == "REQUEST"

    def test_vtimezone_for_the_organizers_zone(self) -> None:
        calendar, event = parse_icalendar(invite())
        zones = calendar.walk("VTIMEZONE")
        assert [str(z["TZID"]) for z in zones] == ["America/New_York"]
        assert event["DTSTART"].params["TZID"] == "America/New_York"
        assert event["DTEND"].params["TZID"] == "America/New_York"
        # The VTIMEZONE's own rules (not a lookup of its TZID) give the right offsets.
        tz = zones[0].to_tz(lookup_tzid=False)
        assert tz.utcoffset(datetime(2025, 12, 2, 10)) == timedelta(hours=-5)
        assert tz.utcoffset(datetime(2026, 7, 1, 10)) == timedelta(hours=-4)

    def test_event_times_and_identity(self) -> None:
        _, event = parse_icalendar(invite())
        assert event["UID"] == "3f1c7a52-1b0e-4c55-9d0b-1f2e3d4c5b6a@outreach.example"
        assert event["SEQUENCE"] == 0
        assert event["DTSTART"].dt == START
        assert event["DTSTART"].dt.replace(tzinfo=None) == datetime(2025, 12, 2, 10, 0)
        assert event["DTEND"].dt == END
        stamp = event["DTSTAMP"].dt
        assert stamp == STAMP and stamp.utcoffset() == timedelta(0)

    def test_text_properties(self) -> None:
        _, event = parse_icalendar(invite())
        assert str(event["SUMMARY"]) == "Informational interview: Zoë and Ada"
        description = str(event["DESCRIPTION"])
        assert description.startswith(
            "Agenda:\n- your path into analytics\n- advice, tips; anything else"
        )
        assert JOIN in description
        assert str(event["LOCATION"]) == JOIN
        assert event["STATUS"] == "CONFIRMED"

    def test_organizer_and_attendee(self) -> None:
        _, event = parse_icalendar(invite())
        organizer = event["ORGANIZER"]
        assert str(organizer) == "mailto:zoe@example.com"
        assert organizer.params["CN"] == "Zoë Ørsted-Núñez"
        attendee = event["ATTENDEE"]
        assert str(attendee) == "mailto:ada@example.org"
        assert attendee.params["CN"] == "Ada Lovelace"
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "TRUE"

    def test_alarm(self) -> None:
        _, event = parse_icalendar(invite())
        alarms = event.walk("VALARM")
        assert len(alarms) == 1
        assert alarms[0]["ACTION"] == "DISPLAY"
        assert alarms[0]["TRIGGER"].dt == timedelta(minutes=-10)
        assert str(alarms[0]["DESCRIPTION"])
        _, event = parse_icalendar(invite(alarm_minutes=30))
        assert event.walk("VALARM")[0]["TRIGGER"].dt == timedelta(minutes=-30)
        _, event = parse_icalendar(invite(alarm_minutes=None))
        assert event.walk("VALARM") == []

    def test_zones_without_dst_and_with_half_hour_offsets(self) -> None:
        calendar, event = parse_icalendar(invite(tz=KOLKATA))
        assert event["DTSTART"].dt.replace(tzinfo=None) == datetime(2025, 12, 2, 20, 30)
        assert calendar.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False).utcoffset(
            datetime(2025, 12, 2, 20, 30)
        ) == timedelta(hours=5, minutes=30)

    def test_utc_organizer_writes_utc_times(self) -> None:
        _, event = parse_icalendar(invite(tz=ZoneInfo("UTC")))
        assert event["DTSTART"].dt == START
        assert event["DTSTART"].dt.utcoffset() == timedelta(0)


class TestRequestWithVobject:
    def test_every_required_property(self) -> None:
        calendar = parse_vobject(invite())
        assert calendar.method.value == "REQUEST"
        assert calendar.prodid.value == PRODID
        assert calendar.version.value == "2.0"
        assert calendar.vtimezone.tzid.value == "America/New_York"
        event = calendar.vevent
        assert event.uid.value == "3f1c7a52-1b0e-4c55-9d0b-1f2e3d4c5b6a@outreach.example"
        assert event.sequence.value == "0"
        assert event.dtstart.value == START  # resolved through the file's own VTIMEZONE
        assert event.dtstart.value.utcoffset() == timedelta(hours=-5)
        assert event.dtend.value == END
        assert event.dtstamp.value == STAMP
        assert event.summary.value == "Informational interview: Zoë and Ada"
        assert "advice, tips; anything else" in event.description.value
        assert event.location.value == JOIN
        assert event.status.value == "CONFIRMED"
        assert event.organizer.value == "mailto:zoe@example.com"
        assert event.organizer.params["CN"] == ["Zoë Ørsted-Núñez"]
        attendee = event.attendee
        assert attendee.value == "mailto:ada@example.org"
        assert attendee.params["CN"] == ["Ada Lovelace"]
        assert attendee.params["ROLE"] == ["REQ-PARTICIPANT"]
        assert attendee.params["PARTSTAT"] == ["NEEDS-ACTION"]
        assert attendee.params["RSVP"] == ["TRUE"]
        assert event.valarm.action.value == "DISPLAY"
        assert event.valarm.trigger.value == timedelta(minutes=-10)

    @pytest.mark.parametrize(
        "moment",
        [
            datetime(2025, 12, 2, 15, 0, tzinfo=UTC),  # 10:00 EST
            datetime(2026, 7, 14, 14, 0, tzinfo=UTC),  # 10:00 EDT
            datetime(2027, 7, 14, 14, 0, tzinfo=UTC),  # 10:00 EDT, the year after
            datetime(2026, 11, 1, 7, 30, tzinfo=UTC),  # 02:30 EST, just after the change
            datetime(2026, 3, 8, 7, 30, tzinfo=UTC),  # 03:30 EDT, just after the spring change
        ],
    )
    def test_times_resolve_through_the_files_own_vtimezone(self, moment: datetime) -> None:
        # vobject keeps a process-wide TZID registry, so read the file's VTIMEZONE explicitly.
        calendar = parse_vobject(invite(start=moment, end=moment + timedelta(minutes=20)))
        zone = calendar.vtimezone.gettzinfo()
        wall = calendar.vevent.dtstart.value.replace(tzinfo=None)
        assert wall == moment.astimezone(NEW_YORK).replace(tzinfo=None)
        assert wall.replace(tzinfo=zone) == moment

    @pytest.mark.parametrize("hour", [5, 6])  # 01:30 EDT and 01:30 EST on 1 Nov 2026
    def test_a_wall_time_that_happens_twice_is_written_in_utc(self, hour: int) -> None:
        # RFC 5545 reads an ambiguous TZID'd time as the first occurrence, dateutil (and so
        # vobject) as the second: only UTC means the same to every reader.
        moment = datetime(2026, 11, 1, hour, 30, tzinfo=UTC)
        data = invite(start=moment, end=moment + timedelta(minutes=20))
        _, event = parse_icalendar(data)
        assert "TZID" not in event["DTSTART"].params
        assert event["DTSTART"].dt == moment
        assert event["DTEND"].dt == moment + timedelta(minutes=20)
        assert parse_vobject(data).vevent.dtstart.value == moment


class TestCancelAndReschedule:
    def test_cancel(self) -> None:
        data = invite(method="CANCEL", sequence=1)
        calendar, event = parse_icalendar(data)
        assert calendar["METHOD"] == "CANCEL"
        assert event["STATUS"] == "CANCELLED"
        assert event["SEQUENCE"] == 1
        assert event["UID"] == "3f1c7a52-1b0e-4c55-9d0b-1f2e3d4c5b6a@outreach.example"
        assert event.walk("VALARM") == []
        assert event["ATTENDEE"].params["RSVP"] == "FALSE"
        assert str(event["ORGANIZER"]) == "mailto:zoe@example.com"
        other = parse_vobject(data)
        assert other.method.value == "CANCEL"
        assert other.vevent.status.value == "CANCELLED"
        assert other.vevent.sequence.value == "1"
        assert other.vevent.uid.value == event["UID"]
        assert other.vevent.dtstart.value == START

    def test_reschedule_is_same_uid_next_sequence(self) -> None:
        uid = new_uid("outreach.example")
        first = parse_vobject(invite(uid=uid, sequence=0)).vevent
        later = START + timedelta(days=1, hours=2)
        moved = parse_vobject(
            invite(uid=uid, sequence=1, start=later, end=later + timedelta(minutes=20))
        ).vevent
        assert moved.uid.value == first.uid.value == uid
        assert int(moved.sequence.value) == int(first.sequence.value) + 1
        assert moved.dtstart.value == later


NAMES = (
    "Lovelace, Ada",
    'Robert "Bob" Smith',
    "O'Brien; Siobhán",
    "李小龙",
    "Zoë Ørsted-Núñez: Ph.D., M.Sc.",
    "Ελένη Παπαδοπούλου, Αθήνα",
    "Jean-Luc d'Artagnan-Picard",
)


class TestEscaping:
    @pytest.mark.parametrize("name", NAMES)
    def test_names_round_trip_through_both_parsers(self, name: str) -> None:
        data = invite(attendee_name=name, organizer_name=name)
        _, event = parse_icalendar(data)
        assert event["ATTENDEE"].params["CN"] == name
        assert event["ORGANIZER"].params["CN"] == name
        other = parse_vobject(data).vevent
        assert rfc6868_decode(other.attendee.params["CN"][0]) == name
        assert rfc6868_decode(other.organizer.params["CN"][0]) == name

    @pytest.mark.parametrize("name", ["\\", "Ada\\", "Ada\\, Countess", "A\\;B", "A\\:B"])
    def test_backslashes_in_names_become_slashes_that_both_parsers_agree_on(
        self, name: str
    ) -> None:
        # Parameter values have no escapes in RFC 5545, yet icalendar's parser reads "\\," as one.
        data = invite(attendee_name=name)
        expected = name.replace("\\", "/")
        assert parse_icalendar(data)[1]["ATTENDEE"].params["CN"] == expected
        assert rfc6868_decode(parse_vobject(data).vevent.attendee.params["CN"][0]) == expected

    def test_text_with_commas_semicolons_backslashes_and_newlines(self) -> None:
        summary = "Coffee, chat; and \\ questions"
        description = "Line one, with comma\nLine two; with semicolon\n\nÜmlauts: äöü"
        data = invite(summary=summary, description=description, location_or_join="Café, Room 3")
        _, event = parse_icalendar(data)
        assert str(event["SUMMARY"]) == summary
        assert str(event["DESCRIPTION"]).startswith(description)
        assert str(event["LOCATION"]) == "Café, Room 3"
        other = parse_vobject(data).vevent
        assert other.summary.value == summary
        assert other.description.value.startswith(description)
        assert other.location.value == "Café, Room 3"

    def test_newlines_in_names_and_summary_are_collapsed(self) -> None:
        _, event = parse_icalendar(invite(attendee_name="Ada\r\nLovelace", summary="a\nb"))
        assert event["ATTENDEE"].params["CN"] == "Ada Lovelace"
        assert str(event["SUMMARY"]) == "a b"

    def test_long_non_ascii_lines_are_folded_at_75_octets_without_breaking_characters(
        self,
    ) -> None:
        summary = "Informationsgespräch über Datenanalyse — 日本語のテキスト " * 6
        data = invite(summary=summary.strip(), attendee_name="Łukasz Żółć-Ñandú " * 5)
        assert data.endswith(b"\r\n")
        for line in data.split(b"\r\n"):
            assert len(line) <= 75
            line.decode("utf-8")  # no line ends in the middle of a character
        assert str(parse_icalendar(data)[1]["SUMMARY"]) == summary.strip()
        assert parse_vobject(data).vevent.summary.value == summary.strip()

    @settings(max_examples=60, deadline=None)
    @given(
        name=st.text(
            alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
            min_size=1,
            max_size=60,
        ).filter(lambda s: " ".join(s.split()) == s and s.strip() == s and s),
        summary=st.text(
            alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
            min_size=1,
            max_size=80,
        ).filter(lambda s: " ".join(s.split()) == s and s),
    )
    def test_any_printable_name_and_summary_round_trip(self, name: str, summary: str) -> None:
        data = invite(attendee_name=name, summary=summary)
        _, event = parse_icalendar(data)
        expected = name.replace("\\", "/")
        assert event["ATTENDEE"].params["CN"] == expected
        assert str(event["SUMMARY"]) == summary
        other = parse_vobject(data).vevent
        assert rfc6868_decode(other.attendee.params["CN"][0]) == expected
        assert other.summary.value == summary


class TestValidation:
    def test_output_is_deterministic_crlf_utf8(self) -> None:
        assert invite() == invite()
        assert b"\r\n" in invite() and b"\n" not in invite().replace(b"\r\n", b"")
        invite().decode("utf-8")

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"start": datetime(2025, 12, 2, 15)}, "aware"),
            ({"dtstamp": datetime(2025, 12, 2, 15)}, "aware"),
            ({"end": START}, "before"),
            ({"attendee_email": "not an address"}, "attendee"),
            ({"organizer_email": "zoe@example.com\r\nBcc: x@y"}, "organizer"),
            ({"sequence": -1}, "SEQUENCE"),
            ({"method": "PUBLISH"}, "method"),
            ({"uid": " "}, "UID"),
            ({"uid": "a\r\nb"}, "UID"),
            ({"alarm_minutes": -5}, "alarm"),
        ],
    )
    def test_bad_arguments_are_schedule_errors(self, changes: dict[str, Any], message: str) -> None:
        with pytest.raises(ScheduleError, match=message):
            invite(**changes)


def test_new_uid() -> None:
    first, second = new_uid("Outreach.Example"), new_uid("outreach.example")
    assert first != second
    assert first.endswith("@outreach.example")
    assert re.fullmatch(r"[0-9a-f-]{36}@outreach\.example", first)
    assert new_uid("bücher.example").endswith("@bücher.example")
    for bad in ("not a domain", "", "a@b", "x\r\ny"):
        with pytest.raises(ValueError):
            new_uid(bad)
