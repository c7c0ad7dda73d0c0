"""Booking a time sends one real invite in the contact's thread that calendars understand;
moving it keeps the UID with SEQUENCE + 1; cancelling sends METHOD:CANCEL.

Invites are checked by parsing them back with two independent parsers (icalendar, vobject)
and the MIME with the standard library, never by comparing strings.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest
import vobject

from tests.conftest import Invoke

NOW = "2026-03-02T09:00:00-05:00"


@pytest.fixture
def drafted(workspace: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OUTREACH_NOW", NOW)
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    assert (
        run(
            "contacts",
            "add",
            "ada@example.org",
            "--name",
            "Ada Lovelace, PhD",
            "--org",
            "Analytical Engines",
            "--tz",
            "Europe/London",
        ).exit_code
        == 0
    )
    result = run("draft", "outreach", "ada@example.org")
    assert result.exit_code == 0, result.output
    return workspace


def outbox(workspace: Path) -> list[EmailMessage]:
    found = []
    for path in sorted((workspace / "outbox" / "cur").iterdir()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def invites(workspace: Path) -> list[EmailMessage]:
    return [m for m in outbox(workspace) if m.get_content_type() == "multipart/mixed"]


def calendar_parts(message: EmailMessage) -> tuple[bytes, bytes]:
    """(the text/calendar alternative, the .ics attachment)."""
    alternative = next(
        p for p in message.iter_parts() if p.get_content_type() == "multipart/alternative"
    )
    assert isinstance(alternative, EmailMessage)
    inline = next(p for p in alternative.iter_parts() if p.get_content_type() == "text/calendar")
    attachment = next(p for p in message.iter_attachments())
    inline_bytes = inline.get_payload(decode=True)
    attached_bytes = attachment.get_payload(decode=True)
    assert isinstance(inline_bytes, bytes) and isinstance(attached_bytes, bytes)
    return inline_bytes, attached_bytes


def test_book_a_proposed_slot_drafts_an_invite_in_the_thread(drafted: Path, run: Invoke) -> None:
    shown = run("contacts", "show", "ada@example.org", "--json").output
    assert '"state": "held"' in shown
    result = run("book", "ada@example.org", "--slot", "2")
    assert result.exit_code == 0, result.output

    first = outbox(drafted)
    outreach_message = next(m for m in first if m.get_content_type() == "text/plain")
    [invite] = invites(drafted)
    assert invite["In-Reply-To"] == outreach_message["Message-ID"]
    assert str(invite["Subject"]).startswith("Re: ")
    inline, attached = calendar_parts(invite)
    assert inline == attached
    alternative = next(
        p for p in invite.iter_parts() if p.get_content_type() == "multipart/alternative"
    )
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    calendar_part = next(
        p for p in alternative.iter_parts() if p.get_content_type() == "text/calendar"
    )
    assert calendar_part.get_param("method") == "REQUEST"

    parsed = icalendar.Calendar.from_ical(inline)
    assert str(parsed["METHOD"]) == "REQUEST"
    [event] = parsed.walk("VEVENT")
    assert parsed.walk("VTIMEZONE"), "a VTIMEZONE for the organiser's zone"
    assert int(event["SEQUENCE"]) == 0
    assert "mailto:sam@example.edu" in str(event["ORGANIZER"]).lower()
    attendee = event["ATTENDEE"]
    assert str(attendee).lower() == "mailto:ada@example.org"
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["CN"] == "Ada Lovelace, PhD"
    assert event.walk("VALARM")
    start = event.decoded("DTSTART")
    assert (start.year, start.month, start.day, start.hour, start.minute) == (2026, 3, 4, 9, 30)

    other = vobject.readOne(inline.decode("utf-8"))
    assert other.method.value == "REQUEST"
    assert other.vevent.uid.value == str(event["UID"])
    assert other.vevent.dtstart.value.utcoffset().total_seconds() == -5 * 3600

    proposals = run("contacts", "show", "ada@example.org", "--json").output
    assert '"state": "booked"' in proposals and '"state": "held"' not in proposals
    assert run("contacts", "list", "--json").output.count('"stage": "scheduled"') == 1


def sent_invites(workspace: Path) -> list[EmailMessage]:
    found = []
    for path in sorted((workspace / "sent" / "cur").iterdir()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if message.get_content_type() == "multipart/mixed":
            found.append(message)
    return found


def invite_event(message: EmailMessage) -> tuple[str, str, int, str]:
    inline, _ = calendar_parts(message)
    calendar = icalendar.Calendar.from_ical(inline)
    [event] = calendar.walk("VEVENT")
    return (
        str(calendar["METHOD"]),
        str(event["UID"]),
        int(event["SEQUENCE"]),
        str(event.get("STATUS", "")),
    )


def test_each_sent_invite_keeps_the_uid_and_bumps_the_sequence(
    drafted: Path, run: Invoke
) -> None:
    assert run("send", "--yes").exit_code == 0  # the outreach itself
    assert run("book", "ada@example.org", "--slot", "1", "--send").exit_code == 0
    moved = run("reschedule", "ada@example.org", "--at", "2026-03-06T11:00-05:00", "--send")
    assert moved.exit_code == 0, moved.output
    cancelled = run("cancel", "ada@example.org", "--send")
    assert cancelled.exit_code == 0, cancelled.output

    events = sorted((invite_event(m) for m in sent_invites(drafted)), key=lambda e: e[2])
    assert [e[2] for e in events] == [0, 1, 2]
    assert len({e[1] for e in events}) == 1
    assert [e[0] for e in events] == ["REQUEST", "REQUEST", "CANCEL"]
    assert events[2][3] == "CANCELLED"
    assert invites(drafted) == []  # nothing left waiting in the outbox


def test_moving_an_unsent_invite_rewrites_its_draft(drafted: Path, run: Invoke) -> None:
    """Two reschedules before sending: the contact must receive one invite, for the last
    time, as the first version they ever see (SEQUENCE 0)."""
    assert run("book", "ada@example.org", "--slot", "1").exit_code == 0
    for when in ("2026-03-05T10:00-05:00", "2026-03-06T11:00-05:00"):
        moved = run("reschedule", "ada@example.org", "--at", when)
        assert moved.exit_code == 0, moved.output
    [invite] = invites(drafted)
    method, _, sequence, _ = invite_event(invite)
    assert (method, sequence) == ("REQUEST", 0)
    assert "Confirmed:" in invite.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    sent = run("send", "--yes")
    assert sent.exit_code == 0, sent.output
    [received] = sent_invites(drafted)
    inline, _ = calendar_parts(received)
    [event] = icalendar.Calendar.from_ical(inline).walk("VEVENT")
    start = event.decoded("DTSTART")
    assert (start.month, start.day, start.hour) == (3, 6, 11)


def test_cancelling_a_booking_never_sent_sends_nothing(drafted: Path, run: Invoke) -> None:
    assert run("book", "ada@example.org", "--slot", "1").exit_code == 0
    cancelled = run("cancel", "ada@example.org")
    assert cancelled.exit_code == 0, cancelled.output
    assert "nothing goes out" in cancelled.output
    assert invites(drafted) == []
    assert run("send", "--yes").exit_code == 0  # only the outreach
    assert sent_invites(drafted) == []


def test_booking_a_time_that_is_no_longer_free_asks_first(drafted: Path, run: Invoke) -> None:
    assert run("contacts", "add", "grace@example.com", "--name", "Grace Hopper").exit_code == 0
    assert run("draft", "outreach", "grace@example.com").exit_code == 0
    grace = run("contacts", "show", "grace@example.com", "--json").output
    import json

    taken = json.loads(grace)["proposals"][0]["start"]
    declined = run("book", "ada@example.org", "--at", taken, input="n\n")
    assert declined.exit_code == 1
    assert "no longer free" in declined.output
    assert invites(drafted) == []
    accepted = run("book", "ada@example.org", "--at", taken, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert len(invites(drafted)) == 1


def test_book_needs_exactly_one_of_slot_or_at(drafted: Path, run: Invoke) -> None:
    assert run("book", "ada@example.org").exit_code == 2
    bad = run("book", "ada@example.org", "--slot", "9")
    assert bad.exit_code == 1 and "offered slots 1, 2, 3" in bad.output
    nonsense = run("book", "ada@example.org", "--at", "next tuesday")
    assert nonsense.exit_code == 1 and "--at 2026-03-04T15:00" in nonsense.output


def test_rerunning_book_finishes_rather_than_doubles(drafted: Path, run: Invoke) -> None:
    assert run("book", "ada@example.org", "--slot", "1").exit_code == 0
    again = run("book", "ada@example.org", "--slot", "1")
    assert again.exit_code == 0, again.output
    assert len(invites(drafted)) == 1
