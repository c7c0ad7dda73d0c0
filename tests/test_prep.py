"""`outreach prep`: the one-page brief before a conversation, and the `prepare` step in `due`
the working day before it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.compose.brief import Brief, ThreadEntry, brief_markdown
from outreach.config import FollowupConfig
from outreach.track.model import Action, ContactFacts
from outreach.track.pipeline import contact_due_actions
from tests.conftest import Invoke
from tests.fakegoogle.server import FakeGoogle
from tests.gmail_env import gmail_workspace
from tests.helpers_network import (
    JOIN,
    PITCH,
    answer,
    app_for,
    network_workspace,
    now,
    ok,
    one_line,
    priya_met_and_referred_maya,
)
from tests.helpers_sync import configure

MAYA = "maya@example.org"


@pytest.fixture
def booked(workspace: Path, run: Invoke) -> Path:
    """Maya Chen, a data scientist in London whom Priya referred, answered the referral note
    and is booked for Tuesday 10 March, 10:00 New York time."""
    priya_met_and_referred_maya(workspace, run)
    ok(run("contacts", "edit", MAYA, "--org", "Northwind Health", "--title",
           "Senior Data Scientist", "--tz", "Europe/London", "--notes",
           "Leads the forecasting team; spoke at PyData about hospital demand models.",
           "--set", "interest=forecasting hospital demand", env=now("2026-03-04T13:00:00-05:00")))
    answer(workspace, MAYA, "2026-03-05 09:00", kind="outreach", body=(
        "Hi Sam,\n\nHappy to talk, any friend of Priya's. Tuesday morning suits me.\n\nMaya\n\n"
        "On Wed, 4 Mar 2026, Sam Rivera wrote:\n> Hi Maya,\n> Priya Raman suggested I get in touch"
    ))
    ok(run("sync", env=now("2026-03-05T10:00:00-05:00")))
    ok(run("book", MAYA, "--at", "2026-03-10T10:00-04:00", "--send", "--yes",
           env=now("2026-03-05T10:00:00-05:00")))
    return workspace


def test_a_booked_meeting_with_a_referrer_gets_a_brief(booked: Path, run: Invoke) -> None:
    """The brief names the referrer, shows the time in both zones, and asks at least six
    questions that fit a data scientist in healthcare; the terminal shows the same brief."""
    brief = booked / "brief.md"
    out = ok(run("prep", MAYA, "--output", str(brief), env=now("2026-03-09T08:00:00-04:00")))
    assert f"Brief written to {brief}." in out
    text = brief.read_text(encoding="utf-8")
    assert text.startswith("# Conversation with Maya Chen\n")
    assert "- **Role:** Senior Data Scientist at Northwind Health" in text
    assert "Leads the forecasting team; spoke at PyData about hospital demand models." in text
    # How they are connected: the referrer, and that Priya may be named.
    assert "- Referred by Priya Raman (Analytics Manager at Northwind Health)." in text
    assert "You may mention Priya" in text
    # The time in both zones, the length and how to join.
    assert "- **Your time:** Tue 10 Mar, 10:00-10:20 EDT" in text
    assert "- **Their time:** Tue 10 Mar, 14:00-14:20 GMT (Europe/London)" in text
    assert "- **Length:** 20 minutes" in text
    assert f"- **How to join:** {JOIN}" in text
    # The thread so far, with what she wrote (not the quoted history).
    assert "· You wrote: “Priya suggested I get in touch”" in text
    assert "· Maya replied: “Re: Priya suggested I get in touch”" in text
    assert "Happy to talk, any friend of Priya's. Tuesday morning suits me." in text
    assert "Priya Raman suggested I get in touch" not in text  # quoted history is cut
    # Questions: numbered, 6 to 10, fitted to her role, her organisation, the user's field and
    # her interest column.
    questions = [line for line in text.splitlines() if line[:2].rstrip(".").isdigit()]
    assert 6 <= len(questions) <= 10
    assert len(set(questions)) == len(questions)
    joined = "\n".join(questions)
    assert "your role as Senior Data Scientist at Northwind Health" in joined
    assert "getting data ready, the analysis itself" in joined  # a data role's typical day
    assert "healthcare analytics" in joined  # [user] field
    assert "to work in healthcare" in joined  # a health organisation
    assert "forecasting hospital demand" in joined  # her interest column
    # What to have ready.
    assert f"- **Your introduction:** {PITCH}" in text
    assert "“Who else should I talk to?”" in text
    assert "ask whether you may mention Maya when you write to them" in text
    assert "`outreach met maya@example.org`" in text

    # The same brief, as Markdown on standard output and rendered on the terminal.
    assert ok(run("prep", MAYA, "--output", "-", env=now("2026-03-09T08:00:00-04:00"))) == text
    shown = ok(run("prep", MAYA, env=now("2026-03-09T08:00:00-04:00")))
    assert "Conversation with Maya Chen" in shown and "**" not in shown
    assert "Referred by Priya Raman" in one_line(shown)
    assert "Tue 10 Mar, 14:00-14:20 GMT (Europe/London)" in one_line(shown)


def test_prepare_is_due_the_working_day_before_and_done_by_prep(
    booked: Path, run: Invoke
) -> None:
    def actions(moment: str) -> dict[str, dict[str, object]]:
        due = json.loads(ok(run("due", "--json", env=now(moment))))
        return {d["action"]: d for d in due if d["contact"] == MAYA}

    assert "prepare" not in actions("2026-03-06T17:00:00-05:00")  # Friday: too early
    monday = actions("2026-03-09T08:00:00-04:00")["prepare"]
    assert monday["due"] == "2026-03-09T00:00:00-04:00" and not monday["overdue"]
    assert monday["command"] == "outreach prep maya@example.org"
    assert monday["text"] == "prepare for the call"
    assert "meeting Tue 10 Mar 10:00" in str(monday["reason"])
    assert actions("2026-03-10T08:00:00-04:00")["prepare"]["overdue"]  # the day itself
    assert "prepare" not in actions("2026-03-10T10:05:00-04:00")  # the call has started

    ok(run("prep", MAYA, "--output", "-", env=now("2026-03-09T08:30:00-04:00")))
    assert "prepare" not in actions("2026-03-09T09:00:00-04:00")
    show = ok(run("contacts", "show", MAYA, env=now("2026-03-09T09:00:00-04:00")))
    assert "brief printed (outreach prep)" in show


def _facts(start: datetime, changed: datetime) -> ContactFacts:
    return ContactFacts(
        contact_id=1, email="a@example.org", name="A", first_sent_at=changed,
        last_sent_at=changed, last_reply_at=changed, meeting_state="scheduled",
        meeting_start=start, meeting_end=start.replace(minute=20), meeting_changed_at=changed,
    )


NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("meeting", "due"),
    [
        (datetime(2026, 3, 16, 9, 0, tzinfo=NY), datetime(2026, 3, 13, 0, 0, tzinfo=NY)),  # Mon
        (datetime(2026, 3, 18, 15, 0, tzinfo=NY), datetime(2026, 3, 17, 0, 0, tzinfo=NY)),
        (datetime(2026, 3, 15, 11, 0, tzinfo=NY), datetime(2026, 3, 13, 0, 0, tzinfo=NY)),  # Sun
    ],
)
def test_prepare_falls_on_the_business_day_before(meeting: datetime, due: datetime) -> None:
    facts = _facts(meeting, datetime(2026, 3, 2, 9, 0, tzinfo=NY))
    actions = contact_due_actions(facts, FollowupConfig(), meeting.replace(hour=8), NY)
    [prepare] = [a for a in actions if a.action is Action.PREPARE]
    assert prepare.due == due
    before = contact_due_actions(facts, FollowupConfig(), due.replace(day=due.day - 1), NY)
    assert Action.PREPARE not in {a.action for a in before}


def test_a_meeting_booked_at_short_notice_is_due_from_the_booking_and_not_overdue() -> None:
    """Reported: a same-day booking showed "prepare for the call ... OVERDUE" at once. Booked
    less than a working day ahead, there was no day before to prepare on: it is due from the
    booking, and never overdue (the call itself ends it)."""
    booked_at = datetime(2026, 3, 10, 9, 0, tzinfo=NY)
    facts = _facts(datetime(2026, 3, 10, 15, 0, tzinfo=NY), booked_at)
    for moment in (booked_at, datetime(2026, 3, 10, 14, 30, tzinfo=NY)):
        [prepare] = [
            a for a in contact_due_actions(facts, FollowupConfig(), moment, NY)
            if a.action is Action.PREPARE
        ]
        assert prepare.due == booked_at and not prepare.overdue
    # Booked the evening before (after the day-before start): due from the booking, overdue
    # on the day itself, as any prepare left undone.
    evening = datetime(2026, 3, 9, 19, 0, tzinfo=NY)
    facts = _facts(datetime(2026, 3, 10, 15, 0, tzinfo=NY), evening)
    [prepare] = [
        a for a in contact_due_actions(facts, FollowupConfig(), booked_at, NY)
        if a.action is Action.PREPARE
    ]
    assert prepare.due == evening and prepare.overdue


def test_a_same_day_booking_is_not_overdue_in_due(booked: Path, run: Invoke) -> None:
    ok(run("contacts", "add", "lin@example.org", "--name", "Lin Wu",
           env=now("2026-03-10T08:00:00-04:00")))
    ok(run("book", "lin@example.org", "--at", "2026-03-10T15:00", "--yes",
           env=now("2026-03-10T09:00:00-04:00")))
    out = ok(run("due", env=now("2026-03-10T09:05:00-04:00")))
    [line] = [line for line in out.splitlines() if "Lin Wu" in line and "prepare" in line]
    assert "OVERDUE" not in line


def test_with_gmail_the_thread_shows_subjects_and_dates_only(booked: Path, run: Invoke) -> None:
    """No body-reading scope: what they wrote is not shown, and the brief says why."""
    configure(booked, mail={"backend": "gmail"})
    text = ok(run("prep", MAYA, "--output", "-", env=now("2026-03-09T08:00:00-04:00")))
    assert "· Maya replied: “Re: Priya suggested I get in touch”" in text
    assert "Happy to talk" not in text
    assert "reads message headers only" in text


def test_a_brief_before_anything_is_booked(workspace: Path, run: Invoke) -> None:
    network_workspace(workspace)
    monday = now("2026-03-02T09:00:00-05:00")
    ok(run("contacts", "add", "jo@example.net", "--name", "Jo Park", env=monday))
    text = ok(run("prep", "jo@example.net", "--output", "-", env=monday))
    assert "Nothing is booked yet: `outreach book jo@example.net --slot N`" in text
    assert "- Nothing written yet." in text
    questions = [line for line in text.splitlines() if line[:2].rstrip(".").isdigit()]
    assert 6 <= len(questions) <= 10  # generic questions still cover every theme
    db = app_for(workspace).store
    assert db.meetings.for_contact(db.contacts.get("jo@example.net").id) == []


def test_their_unknown_time_zone_is_said_with_the_fix(booked: Path, run: Invoke) -> None:
    app = app_for(booked)
    with app.store.transaction():
        app.store.contacts.update(app.store.contacts.get(MAYA).id, "2026-03-06T00:00:00+00:00",
                                  timezone="")
    text = ok(run("prep", MAYA, "--output", "-", env=now("2026-03-09T08:00:00-04:00")))
    assert "- **Their time:** unknown: their time zone is not set (`outreach contacts edit " \
           "maya@example.org --tz Region/City`)" in text


def test_a_brief_that_cannot_be_written_says_so(booked: Path, run: Invoke) -> None:
    missing = booked / "no" / "such" / "folder" / "brief.md"
    result = run("prep", MAYA, "--output", str(missing), env=now("2026-03-09T08:00:00-04:00"))
    assert result.exit_code == 1
    assert f"Cannot write the brief to {missing}" in result.output
    assert "Traceback" not in result.output
    due = json.loads(ok(run("due", "--json", env=now("2026-03-09T08:00:00-04:00"))))
    assert "prepare" in {d["action"] for d in due}  # nothing printed: still to do


def test_what_people_typed_cannot_change_the_brief_s_structure() -> None:
    brief = Brief(
        name="*Ada* [x](http://evil.example)",
        first_name="Ada",
        notes="# not a heading\n- not a list",
        profile_url="javascript:alert(1)",
        thread=(ThreadEntry("Mon 2 Mar 10:00", "Ada", "replied", "<b>hi</b>", "> quoted\n1. x"),),
        questions=("What path led you here?",),
    )
    text = brief_markdown(brief)
    assert "# Conversation with \\*Ada\\* \\[x\\](http://evil.example)" in text
    assert "\n# not a heading" not in text and "\\# not a heading" in text
    assert "<javascript:" not in text and "javascript:alert(1)" in text
    assert "\\<b\\>hi\\</b\\>" in text
    assert "> \\> quoted" in text


def test_prep_for_an_unknown_contact(workspace: Path, run: Invoke) -> None:
    result = run("prep", "nobody@example.org", env=now("2026-03-02T09:00:00-05:00"))
    assert result.exit_code == 1
    assert "No contact nobody@example.org" in result.output


def test_the_first_line_gives_both_zones() -> None:
    text = brief_markdown(Brief(
        name="Maya Chen", first_name="Maya", when_yours="Tue 10 Mar, 10:00-10:20 EDT",
        when_theirs="Tue 10 Mar, 14:00-14:20 GMT (Europe/London)",
        when_theirs_short="Tue 10 Mar, 14:00-14:20 GMT", minutes=20,
    ))
    assert "**Tue 10 Mar, 10:00-10:20 EDT** (your time) · Tue 10 Mar, 14:00-14:20 GMT " \
           "(their time)" in text


def test_with_gmail_the_brief_goes_beside_the_meeting_on_the_users_calendar_only(
    tmp_path: Path, fake_google: FakeGoogle, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The brief goes into a private companion event at the same time, shown as free, and
    says truthfully who can open it (reported: "only you see it", false for a calendar shared
    with "make changes" access); a re-run replaces it."""
    gmail_workspace(tmp_path, fake_google, run, monkeypatch, contacts=3)
    fake_google.set_now(datetime(2026, 3, 2, 14, 0, tzinfo=ZoneInfo("UTC")))
    person = "person001@example.org"
    assert run("draft", "outreach", person).exit_code == 0
    assert run("send", "--yes").exit_code == 0
    assert run("book", person, "--slot", "1").exit_code == 0
    out = ok(run("prep", person, "--output", str(tmp_path / "brief.md")))
    assert "Also on your Google Calendar, as a private event beside the meeting" in out
    assert "only you see it" not in out
    assert "anyone you let make changes to your calendar" in out
    ok(run("prep", person, "--output", str(tmp_path / "brief.md")))  # once, not twice
    events = fake_google.calendar_events.all(deleted=False)
    [meeting, brief] = sorted(events, key=lambda e: "outreachBriefFor" in json.dumps(e))
    assert "Questions to ask" in brief["description"]
    assert brief["description"] == (tmp_path / "brief.md").read_text(encoding="utf-8")
    assert brief["visibility"] == "private" and not brief.get("attendees")
    assert brief["transparency"] == "transparent"
    assert "Questions to ask" not in meeting.get("description", "")
    skipped = ok(run("prep", person, "--output", "-", "--no-calendar"))
    assert "Google Calendar" not in skipped
