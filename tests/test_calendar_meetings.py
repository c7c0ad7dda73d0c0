"""The meeting on the user's own Google Calendar, in step with the invite, and RSVPs read back
from it: the whole flow through the real client against the fake Google.

A story per test: Sam books Person 001 (with a Meet link), moves the meeting, cancels it; the
contact declines on their calendar; a token without calendar access still books by email.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import icalendar
import pytest

from tests.conftest import Invoke
from tests.fakegoogle.server import FakeGoogle
from tests.gmail_env import ACCESS_TOKEN, REFRESH_TOKEN, GmailWorkspace, gmail_workspace

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
ADA = "person001@example.org"  # Person 001, America/Los_Angeles
EVENTS = "https://www.googleapis.com/auth/calendar.events"
WITHOUT_CALENDAR_EVENTS = [
    "https://www.googleapis.com/auth/gmail.compose",
    "https://www.googleapis.com/auth/gmail.metadata",
    "https://www.googleapis.com/auth/calendar.freebusy",
]


@pytest.fixture
def ws(
    tmp_path: Path, fake_google: FakeGoogle, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> GmailWorkspace:
    workspace = gmail_workspace(tmp_path, fake_google, run, monkeypatch, contacts=3)
    fake_google.set_now(NOW)
    assert run("draft", "outreach", ADA).exit_code == 0
    assert run("send", "--yes").exit_code == 0
    return workspace


def without_calendar(ws: GmailWorkspace, run: Invoke) -> None:
    """A saved token that does not say its scopes, which Google grants no calendar.events:
    only Google's answer tells (the access token is refreshed to learn)."""
    info = ws.fake.authorized_user_info(REFRESH_TOKEN)
    info.pop("scopes", None)
    (ws.root / "unscoped-token.json").write_text(json.dumps(info))
    assert run("auth", "import", str(ws.root / "unscoped-token.json")).exit_code == 0
    ws.fake.expire_tokens()
    ws.fake.set_refresh_token_scopes(REFRESH_TOKEN, WITHOUT_CALENDAR_EVENTS)


def meeting(run: Invoke, ref: str = ADA) -> dict[str, Any]:
    shown = json.loads(run("contacts", "show", ref, "--json").output)
    meetings: list[dict[str, Any]] = shown["meetings"]
    return meetings[-1]


def events(fake: FakeGoogle, deleted: bool = False) -> list[dict[str, Any]]:
    return fake.calendar_events.all(deleted=deleted)


def when(event: dict[str, Any], which: str) -> datetime:
    return datetime.fromisoformat(event[which]["dateTime"])


def invite_draft(fake: FakeGoogle) -> EmailMessage:
    [draft] = [d for d in fake.drafts() if method_of(d.message.email)]
    return draft.message.email


def ics_of(message: EmailMessage) -> icalendar.Event:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return next(iter(icalendar.Calendar.from_ical(payload).walk("VEVENT")))


def method_of(message: EmailMessage) -> str:
    """The iTIP METHOD of a message's calendar part ("" when it has none)."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return str(icalendar.Calendar.from_ical(payload)["METHOD"])
    return ""


def text_of(message: EmailMessage) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def test_book_puts_the_meeting_on_the_users_calendar_with_the_invites_uid_and_a_meet_link(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake
    result = run("book", ADA, "--slot", "1", "--video")
    assert result.exit_code == 0, result.output
    booked = meeting(run)
    [event] = events(fake)
    assert event["iCalUID"] == booked["uid"]
    assert when(event, "start") == datetime.fromisoformat(booked["start"])
    assert when(event, "end") == datetime.fromisoformat(booked["end"])
    assert event["start"]["timeZone"] == "America/New_York"
    guests = [a for a in event.get("attendees", []) if not a.get("organizer")]
    assert guests == []  # never a guest (see below)
    link = event["hangoutLink"]
    assert link.startswith("https://meet.google.com/")
    assert booked["join_url"] == link and booked["calendar_event_id"] == event["id"]
    assert f"On your Google Calendar, with a Google Meet link: {link}." in result.output
    # Google mailed nothing: every write said sendUpdates=none, and the link was asked for.
    assert fake.calendar_events.notifications == []
    assert fake.calendar_events.writes == [("insert", event["id"], "none", "1")]
    # The link is in the invite (LOCATION, DESCRIPTION, the attached .ics) and the message.
    invite = invite_draft(fake)
    vevent = ics_of(invite)
    assert str(vevent["UID"]) == event["iCalUID"]
    assert str(vevent["LOCATION"]) == link and link in str(vevent["DESCRIPTION"])
    attachment = next(iter(invite.iter_attachments()))
    assert link.encode() in attachment.get_payload(decode=True)
    assert f"you can join at {link}" in text_of(invite)
    # Once the invite is sent she is still no guest: a guest may get Google's own invitation
    # on top of ours ("some emails might still be sent"), so the only one she gets is ours.
    assert run("send", "--yes").exit_code == 0
    assert run("sync").exit_code == 0
    [sent_event] = events(fake)
    assert [a for a in sent_event.get("attendees", []) if not a.get("organizer")] == []
    assert fake.calendar_events.writes == [("insert", event["id"], "none", "1")]
    assert fake.calendar_events.notifications == []  # not even a possible one


def test_moves_before_the_invite_is_sent_are_never_seen_by_the_contact(
    ws: GmailWorkspace, run: Invoke
) -> None:
    """Booked and moved twice before sending: the event moves on the user's calendar with no
    guest on it, so a contact on Google Calendar sees nothing but the one invite, whose
    SEQUENCE (0) is the only one they ever see."""
    fake = ws.fake
    assert run("book", ADA, "--slot", "1").exit_code == 0
    [event] = events(fake)
    for days in (1, 2):
        later = when(event, "start") + timedelta(days=days)
        assert run("reschedule", ADA, "--at", later.isoformat(), "--yes").exit_code == 0
        [moved] = events(fake)
        assert [a for a in moved.get("attendees", []) if not a.get("organizer")] == []
    assert run("send", "--yes").exit_code == 0
    [final] = events(fake)
    assert [a for a in final.get("attendees", []) if not a.get("organizer")] == []
    assert final["sequence"] == 2  # Google's own count of moves: no copy of hers carries it
    assert when(final, "start") == when(event, "start") + timedelta(days=2)
    [invite] = [m for m in fake.messages("SENT") if method_of(m.email) == "REQUEST"]
    assert int(ics_of(invite.email)["SEQUENCE"]) == 0
    assert fake.calendar_events.notifications == []


def test_reschedule_moves_the_same_event_and_never_overwrites_a_guests_answer(
    ws: GmailWorkspace, run: Invoke
) -> None:
    """Reported: a reschedule reset the guest's "accepted" to needsAction. The tool makes
    nobody a guest; one the user added by hand keeps their answer when the event moves (and
    that answer, to the old time, is not taken for the new one)."""
    fake = ws.fake
    assert run("book", ADA, "--slot", "1", "--video", "--send").exit_code == 0
    [before] = events(fake)
    fake.calendar_events.add_guest_as_user(before["iCalUID"], ADA)
    fake.calendar_events.respond(before["iCalUID"], ADA, "accepted")
    assert "accepted the invite (on Google Calendar)" in run("sync").output
    mailed_by_the_user = len(fake.calendar_events.notifications)
    new_start = when(before, "start") + timedelta(days=1)
    result = run("reschedule", ADA, "--at", new_start.isoformat(), "--yes")
    assert result.exit_code == 0, result.output
    [after] = events(fake)
    assert (after["id"], after["iCalUID"]) == (before["id"], before["iCalUID"])
    assert when(after, "start") == new_start
    assert when(after, "end") - when(after, "start") == timedelta(minutes=20)
    assert after["hangoutLink"] == before["hangoutLink"]  # the link stays with the meeting
    guests = [a for a in after["attendees"] if not a.get("organizer")]
    assert [g["responseStatus"] for g in guests] == ["accepted"]  # never overwritten
    assert fake.calendar_events.writes[-1] == ("patch", after["id"], "none", "0")
    assert all(not n.certain for n in fake.calendar_events.notifications[mailed_by_the_user:])
    assert "accepted" not in run("sync").output  # her answer to the old time, not the new
    moved = meeting(run)
    assert moved["rsvp"] is None
    assert datetime.fromisoformat(moved["start"]) == new_start
    assert datetime.fromisoformat(str(ics_of(invite_draft(fake))["DTSTART"].dt)) == new_start


def test_cancel_removes_the_event_also_when_no_invite_was_sent(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake
    assert run("book", ADA, "--slot", "1").exit_code == 0
    [event] = events(fake)
    result = run("cancel", ADA)
    assert result.exit_code == 0, result.output
    assert "nothing goes out" in result.output
    assert "Removed from your Google Calendar." in result.output
    assert events(fake) == []
    [gone] = events(fake, deleted=True)
    assert (gone["id"], gone["status"]) == (event["id"], "cancelled")
    assert fake.calendar_events.writes[-1] == ("delete", event["id"], "none", None)
    assert run("cancel", ADA).exit_code == 0  # again: nothing to remove, no error
    assert fake.calendar_events.writes[-1][0] == "delete"
    assert len(fake.calendar_events.writes) == 2


def test_cancel_after_the_invite_was_sent_removes_the_event_and_sends_the_cancellation(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake
    assert run("book", ADA, "--slot", "1", "--send").exit_code == 0
    result = run("cancel", ADA, "--send")
    assert result.exit_code == 0, result.output
    assert "the cancellation" in result.output and "was sent" in result.output
    assert events(fake) == []
    methods = [method_of(m.email) for m in fake.messages("SENT")]
    assert methods.count("CANCEL") == 1 and methods.count("REQUEST") == 1
    assert fake.calendar_events.notifications == []


def test_a_decline_on_the_calendar_is_recorded_by_sync_and_due_proposes_new_times(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake
    assert run("book", ADA, "--slot", "1", "--send").exit_code == 0
    assert run("sync").exit_code == 0  # reads the calendar once: nothing to say yet
    [event] = events(fake)
    fake.calendar_events.add_guest_as_user(event["iCalUID"], ADA)  # by hand: see above
    fake.calendar_events.respond(event["iCalUID"], ADA, "declined")
    result = run("sync")
    assert result.exit_code == 0, result.output
    assert "<person001@example.org>: declined the invite (on Google Calendar)" in result.output
    assert "1 request + 2 to Google Calendar" in result.output  # the changes; freeing the time
    declined = meeting(run)
    assert (declined["state"], declined["rsvp"]) == ("declined", "declined")
    [kept] = events(fake)  # it stays, with their answer on it, but no longer blocks the time
    assert kept["transparency"] == "transparent"
    assert fake.calendar_events.writes[-1] == ("patch", kept["id"], "none", "0")
    due = json.loads(run("due", "--json").output)
    assert [(d["contact"], d["action"]) for d in due] == [(ADA, "propose_times")]
    assert "declined" in due[0]["reason"]
    later = (NOW + timedelta(days=10)).isoformat()
    followup = run("followup", "--dry-run", env={"OUTREACH_NOW": later})
    assert followup.exit_code == 0, followup.output
    assert "thank" not in followup.output.lower()
    assert run("sync").output.count("declined") == 0  # recorded once


def test_a_decline_then_a_change_of_mind_on_the_calendar(ws: GmailWorkspace, run: Invoke) -> None:
    fake = ws.fake
    assert run("book", ADA, "--slot", "1", "--send").exit_code == 0
    [event] = events(fake)
    fake.calendar_events.add_guest_as_user(event["iCalUID"], ADA)
    fake.calendar_events.respond(event["iCalUID"], ADA, "accepted")
    assert "accepted the invite (on Google Calendar)" in run("sync").output
    assert meeting(run)["rsvp"] == "accepted"
    fake.calendar_events.respond(event["iCalUID"], ADA, "declined")
    run("sync")
    assert meeting(run)["state"] == "declined"
    fake.calendar_events.respond(event["iCalUID"], ADA, "tentative")
    assert "tentative the invite" in run("sync").output
    assert (meeting(run)["rsvp"], meeting(run)["state"]) == ("tentative", "scheduled")
    [back] = events(fake)
    assert "transparency" not in back  # opaque again: the time is blocked once more
    # Nothing but reading the brief before tomorrow's call: no new times, no thank-you.
    assert [d["action"] for d in json.loads(run("due", "--json").output)] == ["prepare"]


def test_an_idle_sync_costs_one_gmail_and_one_calendar_request(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake
    assert "to Google Calendar" not in run("sync").output  # no meeting: no calendar request
    assert run("book", ADA, "--slot", "1", "--send").exit_code == 0
    run("sync")
    fake.reset_log()
    result = run("sync")
    assert "(incremental; 1 request + 1 to Google Calendar): nothing new." in result.output
    assert fake.count("/calendar/v3/calendars/primary/events") == 1
    assert len(fake.requests) == 2


def test_an_expired_sync_token_means_reading_the_calendar_afresh(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake
    assert run("book", ADA, "--slot", "1", "--send").exit_code == 0
    run("sync")
    [event] = events(fake)
    fake.calendar_events.add_guest_as_user(event["iCalUID"], ADA)
    fake.calendar_events.respond(event["iCalUID"], ADA, "declined")
    fake.calendar_events.expire_sync_tokens()
    result = run("sync")
    assert "declined the invite (on Google Calendar)" in result.output
    assert fake.count("/events$", status=410) == 1


def test_an_event_deleted_by_hand_is_not_put_back_and_the_meeting_stands(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake
    assert run("book", ADA, "--slot", "1").exit_code == 0
    [event] = events(fake)
    run("sync")
    fake.calendar_events.delete_as_user(event["iCalUID"])
    result = run("sync")
    assert "its event was deleted from your Google Calendar; the meeting still stands" in (
        result.output
    )
    assert meeting(run)["state"] == "scheduled"
    start = datetime.fromisoformat(meeting(run)["start"]) + timedelta(hours=2)
    moved = run("reschedule", ADA, "--at", start.isoformat(), "--yes")
    assert moved.exit_code == 0, moved.output
    assert events(fake) == []  # not re-created behind the user's back
    assert run("sync").exit_code == 0


def test_a_rerun_after_a_lost_answer_finds_the_event_instead_of_making_a_second(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake
    # Google makes the event, but its answer never arrives: the client's retry meets 409.
    fake.inject(
        lose_response=True, path_pattern=r"/calendars/primary/events$", method="POST", times=1
    )
    result = run("book", ADA, "--slot", "1")
    assert result.exit_code == 0, result.output
    [event] = events(fake)
    assert meeting(run)["calendar_event_id"] == event["id"]
    assert fake.count(r"/events$", method="POST", status=409) == 1


def test_a_booking_interrupted_before_its_event_was_recorded_finishes_with_the_same_event(
    ws: GmailWorkspace, run: Invoke
) -> None:
    import sqlite3

    fake = ws.fake
    assert run("book", ADA, "--slot", "1").exit_code == 0
    [event] = events(fake)
    # As if the run had stopped between Google's answer and the database write.
    with sqlite3.connect(ws.root / "outreach.db") as conn:
        conn.execute("UPDATE meetings SET calendar_event_id = NULL, calendar_synced = ''")
    assert run("book", ADA, "--slot", "1").exit_code == 0
    assert [e["id"] for e in events(fake)] == [event["id"]]
    assert meeting(run)["calendar_event_id"] == event["id"]
    fake.reset_log()
    assert run("book", ADA, "--slot", "1").exit_code == 0  # in step: no calendar call at all
    assert fake.count("/calendar/") == 0


def test_the_own_meeting_counts_as_busy_once_and_never_clashes_with_itself(
    ws: GmailWorkspace, run: Invoke
) -> None:
    from outreach.app import AppContext
    from outreach.config import Workspace
    from outreach.services.meetings.availability import gather_busy

    fake = ws.fake
    config = ws.root / "config.toml"
    config.write_text(config.read_text().replace("busy = []", 'busy = ["google"]'))
    assert run("book", ADA, "--slot", "1").exit_code == 0
    booked = meeting(run)
    start, end = datetime.fromisoformat(booked["start"]), datetime.fromisoformat(booked["end"])
    app = AppContext(workspace=Workspace(ws.root))
    busy = gather_busy(app, start - timedelta(hours=3), end + timedelta(hours=3))
    app.close()
    assert [(b.start, b.end) for b in busy] == [(start, end)]
    slots = json.loads(run("slots", "--json", "--count", "10").output)
    assert all(
        datetime.fromisoformat(s["end"]) <= start or datetime.fromisoformat(s["start"]) >= end
        for s in slots
    )
    # Moving it by ten minutes overlaps only its own event: no "you are busy then" question.
    result = run("reschedule", ADA, "--at", (start + timedelta(minutes=10)).isoformat())
    assert result.exit_code == 0, result.output
    assert "no longer free" not in result.output
    assert [when(e, "start") for e in events(fake)] == [start + timedelta(minutes=10)]


def test_a_token_without_calendar_access_books_by_email_and_says_so_once(
    tmp_path: Path, fake_google: FakeGoogle, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    gmail_workspace(tmp_path, fake_google, run, monkeypatch, contacts=3)
    fake_google.set_now(NOW)
    info = fake_google.authorized_user_info(scopes=WITHOUT_CALENDAR_EVENTS)
    info["token"] = ACCESS_TOKEN
    (tmp_path / "old-token.json").write_text(json.dumps(info))
    assert run("auth", "import", str(tmp_path / "old-token.json")).exit_code == 0
    fake_google.set_access_token(ACCESS_TOKEN, scopes=WITHOUT_CALENDAR_EVENTS)
    assert run("draft", "outreach", ADA, "person002@example.org").exit_code == 0
    first = run("book", ADA, "--slot", "1")
    assert first.exit_code == 0, first.output
    assert first.output.count("calendar.events") == 1
    assert "`outreach auth login` again" in first.output
    assert "is drafted in the thread" in first.output
    second = run("book", "person002@example.org", "--slot", "2", "--yes")
    assert second.exit_code == 0, second.output
    assert "calendar.events" not in second.output
    assert "calendar.events" not in run("cancel", ADA).output
    assert "calendar.events" not in run("sync").output
    assert events(fake_google, deleted=True) == []
    assert fake_google.count("/calendar/v3/calendars/") == 0  # known from the token: no call
    assert 403 not in fake_google.status_counts


def test_a_server_refusing_the_calendar_scope_is_told_once_too(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake  # the saved token does not say its scopes; only Google's answer does
    without_calendar(ws, run)
    first = run("book", ADA, "--slot", "1")
    assert first.exit_code == 0, first.output
    assert first.output.count("lacks the calendar.events scope") == 1
    assert fake.count("/calendar/v3/calendars/primary/events", status=403) == 1
    again = run("reschedule", ADA, "--at", "2026-03-05T11:00-05:00", "--yes")
    assert again.exit_code == 0, again.output
    assert "calendar.events" not in again.output
    assert "calendar.events" not in run("sync").output


def test_after_logging_in_again_sync_puts_the_meetings_on_the_calendar(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake
    without_calendar(ws, run)
    assert run("book", ADA, "--slot", "1").exit_code == 0
    assert events(fake) == []
    # The user logs in again and allows the calendar: the new token says its scopes.
    fake.set_refresh_token_scopes(REFRESH_TOKEN, [*WITHOUT_CALENDAR_EVENTS, EVENTS])
    info = fake.authorized_user_info(REFRESH_TOKEN, scopes=[*WITHOUT_CALENDAR_EVENTS, EVENTS])
    (ws.root / "new-token.json").write_text(json.dumps(info))
    assert run("auth", "import", str(ws.root / "new-token.json")).exit_code == 0
    result = run("sync")
    assert result.exit_code == 0, result.output
    [event] = events(fake)
    assert event["iCalUID"] == meeting(run)["uid"]


def test_a_meet_link_still_being_made_is_waited_for_before_the_invite_is_drafted(
    ws: GmailWorkspace, run: Invoke
) -> None:
    ws.fake.calendar_events.meet_pending_reads = 1
    result = run("book", ADA, "--slot", "1", "--video")
    assert result.exit_code == 0, result.output
    link = meeting(run)["join_url"]
    assert link.startswith("https://meet.google.com/")
    assert str(ics_of(invite_draft(ws.fake))["LOCATION"]) == link
    assert ws.fake.method_counts["calendar.events.get"] == 1  # looked again once


def test_no_meet_link_means_no_invite_until_the_user_decides(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake
    fake.calendar_events.meet_fails = True
    failed = run("book", ADA, "--slot", "1", "--video")
    assert failed.exit_code == 1
    assert "could not create a Google Meet link" in failed.output
    assert "--no-video" in failed.output
    assert [d for d in fake.drafts() if method_of(d.message.email)] == []
    result = run("book", ADA, "--slot", "1", "--no-video")
    assert result.exit_code == 0, result.output
    assert len(events(fake)) == 1 and meeting(run)["join_url"] == ""
    assert "By phone or video" in str(ics_of(invite_draft(fake))["LOCATION"])


def test_meet_links_need_the_gmail_backend(workspace: Path, run: Invoke) -> None:
    assert run("contacts", "add", "ada@example.org", "--name", "Ada").exit_code == 0
    result = run(
        "book",
        "ada@example.org",
        "--at",
        "2026-12-08T11:00",
        "--video",
        "--yes",
        env={"OUTREACH_NOW": "2026-12-01T09:00:00-05:00"},
    )
    assert result.exit_code == 1
    assert "needs the Gmail backend" in result.output
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace("meet_link = false", "meet_link = true"))
    refused = run("status")
    assert refused.exit_code == 1
    assert "meet_link = true needs [mail] backend" in refused.output


def test_a_decline_by_email_frees_the_time_on_the_calendar_too(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake
    assert run("book", ADA, "--slot", "1", "--send").exit_code == 0
    run("sync")
    answer = EmailMessage()
    answer["From"] = f"Person 001 <{ADA}>"
    answer["To"] = fake.email
    answer["Subject"] = "Declined: Informational conversation, Sam Rivera / Person 001"
    answer["Date"] = "Mon, 02 Mar 2026 10:00:00 -0500"
    answer["Message-ID"] = "<decline-1@example.org>"
    answer.set_content("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n", subtype="calendar")
    fake.deliver(answer)
    result = run("sync")
    assert result.exit_code == 0, result.output
    assert meeting(run)["state"] == "declined"
    [kept] = events(fake)
    assert kept["transparency"] == "transparent"


def test_a_meet_link_not_ready_in_time_drafts_nothing_and_a_rerun_finishes(
    ws: GmailWorkspace, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("outreach.google.calendar_events.MEET_WAITS", (0.0, 0.0))
    fake = ws.fake
    fake.calendar_events.meet_pending_reads = 3  # the insert's answer and two looks: pending
    first = run("book", ADA, "--slot", "1", "--video")
    assert first.exit_code == 1
    assert "still creating the Google Meet link" in first.output
    assert "Run the same command again" in first.output
    assert [d for d in fake.drafts() if method_of(d.message.email)] == []
    again = run("book", ADA, "--slot", "1")  # the meeting remembers that it wants a link
    assert again.exit_code == 0, again.output
    [event] = events(fake)
    assert meeting(run)["join_url"] == event["hangoutLink"]
    assert str(ics_of(invite_draft(fake))["LOCATION"]) == event["hangoutLink"]
    assert [w[0] for w in fake.calendar_events.writes] == ["insert"]  # one event, one request


def test_google_calendar_down_still_books_by_email_and_sync_catches_up(
    ws: GmailWorkspace, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("outreach.google.calendar_events.NUM_RETRIES", 0)
    fake = ws.fake
    fake.inject(503, path_pattern=r"/calendar/v3/calendars/primary/events", times=1)
    result = run("book", ADA, "--slot", "1")
    assert result.exit_code == 0, result.output
    assert "Google Calendar refused adding the meeting to your calendar: HTTP 503" in result.output
    assert "put right by the next `outreach sync`" in result.output
    assert "is drafted in the thread" in result.output
    assert events(fake) == []
    synced = run("sync")
    assert synced.exit_code == 0, synced.output
    [event] = events(fake)
    assert event["iCalUID"] == meeting(run)["uid"]


def test_a_private_brief_is_on_the_users_calendar_only_and_moves_with_the_meeting(
    ws: GmailWorkspace, run: Invoke
) -> None:
    from outreach.app import AppContext
    from outreach.config import Workspace
    from outreach.services.meetings.calendar_brief import set_private_brief

    fake = ws.fake
    assert run("book", ADA, "--slot", "1").exit_code == 0

    def brief(text: str) -> str:
        app = AppContext(workspace=Workspace(ws.root))
        try:
            contact = app.store.contacts.get(ADA)
            latest = app.store.meetings.latest(contact.id)
            assert latest is not None
            return set_private_brief(app, latest, text)
        finally:
            app.close()

    assert brief("Ask about the move from research into product.") == ""
    assert brief("Ask about the move from research into product; mention Grace.") == ""
    [main, prep] = events(fake)
    assert "Grace" not in main.get("description", "")  # the contact sees the meeting's event
    assert prep["description"].endswith("mention Grace.")
    assert (prep["visibility"], prep["transparency"]) == ("private", "transparent")
    assert "attendees" not in prep or prep["attendees"] == []
    assert (prep["start"], prep["end"]) == (main["start"], main["end"])
    new_start = when(main, "start") + timedelta(hours=1)
    assert run("reschedule", ADA, "--at", new_start.isoformat(), "--yes").exit_code == 0
    assert [when(e, "start") for e in events(fake)] == [new_start, new_start]
    assert run("cancel", ADA).exit_code == 0
    assert events(fake) == []


def test_an_event_moved_by_hand_is_reported_not_moved_back(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake
    assert run("book", ADA, "--slot", "1").exit_code == 0
    run("sync")
    [event] = events(fake)
    later = when(event, "start") + timedelta(hours=3)
    fake.calendar_events.move_as_user(event["iCalUID"], later, later + timedelta(minutes=20))
    result = run("sync")
    assert "its event was moved on your Google Calendar to" in result.output
    assert f"outreach reschedule {ADA} --at ..." in result.output
    assert [when(e, "start") for e in events(fake)] == [later]  # the user's choice stands
    assert "moved on your Google Calendar" not in run("sync").output  # said once


def test_a_move_google_missed_is_made_by_the_next_sync_without_a_false_alarm(
    ws: GmailWorkspace, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("outreach.google.calendar_events.NUM_RETRIES", 0)
    fake = ws.fake
    assert run("book", ADA, "--slot", "1", "--send").exit_code == 0
    run("sync")
    [event] = events(fake)
    fake.calendar_events.add_guest_as_user(event["iCalUID"], ADA)  # the user, by hand
    new_start = when(event, "start") + timedelta(days=1)
    fake.inject(503, path_pattern=r"/events/", method="PATCH", times=1)
    moved = run("reschedule", ADA, "--at", new_start.isoformat(), "--yes")
    assert moved.exit_code == 0, moved.output
    assert "HTTP 503" in moved.output and "put right by the next `outreach sync`" in moved.output
    fake.calendar_events.respond(event["iCalUID"], ADA, "accepted")  # to the old time
    result = run("sync")
    assert "moved on your Google Calendar" not in result.output
    assert "accepted" not in result.output  # an answer to the old time is not taken
    assert [when(e, "start") for e in events(fake)] == [new_start]
    assert "accepted" not in run("sync").output  # nor once the event is at the new time
    assert meeting(run)["rsvp"] is None


def test_an_invite_sent_from_gmail_never_makes_the_contact_a_guest(
    ws: GmailWorkspace, run: Invoke
) -> None:
    fake = ws.fake
    assert run("book", ADA, "--slot", "1").exit_code == 0
    invite = next(d for d in fake.drafts() if b"invite.ics" in d.message.raw)
    fake.send_draft_as_user(invite.id)
    assert run("sync").exit_code == 0
    [event] = events(fake)
    assert [a for a in event.get("attendees", []) if not a.get("organizer")] == []
    assert fake.calendar_events.notifications == []


def test_an_event_deleted_before_the_first_calendar_read_is_noticed(
    ws: GmailWorkspace, run: Invoke
) -> None:
    """Reported: the first read listed the calendar without ``showDeleted``, so an event the
    user deleted before it was never noticed (and later reads start from its sync token)."""
    fake = ws.fake
    assert run("book", ADA, "--slot", "1", "--send").exit_code == 0
    [event] = events(fake)
    fake.calendar_events.delete_as_user(event["iCalUID"])
    first = run("sync")
    assert first.exit_code == 0, first.output
    assert "its event was deleted from your Google Calendar" in first.output
    assert meeting(run)["state"] == "scheduled"  # the meeting itself still stands
    assert "deleted" not in run("sync").output  # said once
