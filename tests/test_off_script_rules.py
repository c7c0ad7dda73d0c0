"""Off the script, as pure rules: a meeting nobody recorded, a missed meeting, a reply nobody
asked for. Every `now` is explicit; the user is in New York."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from outreach.config import FollowupConfig
from outreach.track.model import Action, ContactFacts, DueAction, Stage
from outreach.track.pipeline import due_actions, stage

NY = ZoneInfo("America/New_York")
CONFIG = FollowupConfig()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY)


def booked(**fields: object) -> ContactFacts:
    """Ada: asked Monday 2 March, answered the same day, booked for Thursday 5 March 10:00."""
    base = ContactFacts(
        contact_id=1,
        email="ada@example.org",
        name="Ada Lovelace",
        first_sent_at=at("2026-03-02 09:00"),
        last_sent_at=at("2026-03-02 15:00"),
        last_reply_at=at("2026-03-02 14:00"),
        last_message_at=at("2026-03-02 14:00"),
        meeting_state="scheduled",
        meeting_start=at("2026-03-05 10:00"),
        meeting_end=at("2026-03-05 10:20"),
        meeting_changed_at=at("2026-03-02 15:00"),
        meeting_prepared_at=at("2026-03-04 09:00"),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def due(contact: ContactFacts, now: datetime) -> list[DueAction]:
    return due_actions([contact], CONFIG, now, NY)


def actions(contact: ContactFacts, now: datetime) -> list[Action]:
    return [a.action for a in due(contact, now)]


# --- a meeting that passed with nothing recorded -------------------------------------------


def test_on_the_day_of_the_meeting_the_thank_you_is_offered() -> None:
    assert actions(booked(), at("2026-03-05 11:00")) == [Action.THANK_YOU]


def test_the_business_day_after_it_asks_whether_it_happened_and_thanks_nobody() -> None:
    [item] = due(booked(), at("2026-03-06 09:00"))
    assert item.action is Action.CONFIRM_MEETING
    assert item.due == at("2026-03-06 00:00")
    assert "did it happen?" in item.reason
    # Months later it still asks; it never turns into an overdue thank-you.
    assert actions(booked(), at("2026-06-01 09:00")) == [Action.CONFIRM_MEETING]


def test_a_meeting_on_friday_is_asked_about_on_monday() -> None:
    friday = booked(meeting_start=at("2026-03-06 10:00"), meeting_end=at("2026-03-06 10:20"))
    assert actions(friday, at("2026-03-07 10:00")) == [Action.THANK_YOU]  # Saturday
    assert actions(friday, at("2026-03-09 08:00")) == [Action.CONFIRM_MEETING]


def test_a_recorded_meeting_is_thanked_not_asked_about() -> None:
    held = booked(meeting_state="held", met_at=at("2026-03-05 11:00"))
    assert actions(held, at("2026-03-06 09:00")) == [Action.THANK_YOU]


def test_a_missed_meeting_is_never_thanked_and_new_times_are_proposed() -> None:
    missed = booked(meeting_state="missed", meeting_changed_at=at("2026-03-06 09:00"))
    assert stage(missed) is Stage.REPLIED
    [item] = due(missed, at("2026-03-06 09:30"))
    assert item.action is Action.PROPOSE_TIMES
    assert "did not happen" in item.reason
    assert Action.THANK_YOU not in actions(missed, at("2026-03-20 09:00"))
    answered = replace(missed, newtimes_sent_at=at("2026-03-06 10:00"),
                       last_sent_at=at("2026-03-06 10:00"))
    assert actions(answered, at("2026-03-06 11:00")) == []


# --- every reply is seen -------------------------------------------------------------------


def test_a_reply_after_the_booking_is_to_be_read() -> None:
    later = booked(last_reply_at=at("2026-03-03 09:00"), last_message_at=at("2026-03-03 09:00"))
    assert actions(later, at("2026-03-03 10:00")) == [Action.READ_REPLY]


def test_a_reply_before_a_meeting_that_passed_unrecorded_is_still_to_be_read() -> None:
    """"Should I bring anything?" the day before: "did it happen?" does not answer it, so
    both are due (only a reply after the meeting waits for "did it happen?")."""
    before = booked(last_reply_at=at("2026-03-04 09:00"), last_message_at=at("2026-03-04 09:00"))
    assert actions(before, at("2026-03-06 09:00")) == [  # the older first
        Action.READ_REPLY, Action.CONFIRM_MEETING
    ]
    after = booked(last_reply_at=at("2026-03-05 16:00"), last_message_at=at("2026-03-05 16:00"))
    assert actions(after, at("2026-03-06 09:00")) == [Action.CONFIRM_MEETING]


def test_a_reply_after_the_thank_you_is_to_be_read() -> None:
    thanked = booked(
        meeting_state="held",
        met_at=at("2026-03-05 11:00"),
        thankyou_sent_at=at("2026-03-05 12:00"),
        last_sent_at=at("2026-03-05 12:00"),
        last_reply_at=at("2026-03-05 16:00"),
        last_message_at=at("2026-03-05 16:00"),
    )
    assert stage(thanked) is Stage.THANKED
    [item] = due(thanked, at("2026-03-05 17:00"))
    assert item.action is Action.READ_REPLY and item.due == at("2026-03-05 16:00")


def test_a_reply_read_or_answered_is_no_longer_due() -> None:
    later = booked(last_reply_at=at("2026-03-03 09:00"), last_message_at=at("2026-03-03 09:00"))
    seen = replace(later, replies_seen_at=at("2026-03-03 09:30"))
    assert actions(seen, at("2026-03-03 10:00")) == []
    answered = replace(later, last_sent_at=at("2026-03-03 09:30"))
    assert actions(answered, at("2026-03-03 10:00")) == []


def test_an_answer_to_the_invite_alone_is_not_a_reply_to_read() -> None:
    accepted = booked(last_reply_at=at("2026-03-03 09:00"), meeting_rsvp="accepted")
    assert actions(accepted, at("2026-03-03 10:00")) == []


# --- new times that meet silence --------------------------------------------------------------


def test_new_times_met_by_silence_get_one_nudge_then_close_never_months_of_nothing() -> None:
    late = ContactFacts(
        contact_id=1,
        email="hedy@example.net",
        name="Hedy Lamarr",
        first_sent_at=at("2026-03-02 09:00"),
        last_reply_at=at("2026-03-16 10:00"),
        last_message_at=at("2026-03-16 10:00"),
        newtimes_sent_at=at("2026-03-16 11:00"),
        last_sent_at=at("2026-03-16 11:00"),
        offered_until=at("2026-03-27 15:20"),
    )
    assert actions(late, at("2026-03-20 09:00")) == []
    [nudge] = due(late, at("2026-03-23 09:00"))  # five business days after the new times
    assert nudge.action is Action.FOLLOW_UP
    nudged = replace(late, last_sent_at=at("2026-03-23 10:00"), followups_sent=1)
    assert actions(nudged, at("2026-04-03 09:00")) == []
    assert actions(nudged, at("2026-04-06 09:00")) == [Action.CLOSE]
    assert actions(late, at("2026-06-15 09:00")) == [Action.CLOSE]  # never "keep in touch"
