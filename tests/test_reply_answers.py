"""`due` acts on what a reply said, as pure rules: the slot picked, a time or a range proposed,
a deferral (the conversation waits), a no, people named. The user is in New York; Ada was
offered three times on Monday 2 March and answered at 14:00."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from outreach.config import FollowupConfig
from outreach.track.model import Action, ContactFacts, DueAction, Stage
from outreach.track.pipeline import due_actions, stage
from outreach.track.reader import (
    Decline,
    Deferral,
    Finding,
    Handoff,
    ProposedRange,
    ProposedTime,
    Reading,
    Referral,
    SlotPick,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
CONFIG = FollowupConfig()


def at(text: str, zone: ZoneInfo = NY) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def replied(*findings: Finding, **fields: object) -> ContactFacts:
    base = ContactFacts(
        contact_id=1,
        email="ada@example.org",
        name="Ada Lovelace",
        first_sent_at=at("2026-03-02 09:00"),
        last_sent_at=at("2026-03-02 09:00"),
        last_reply_at=at("2026-03-02 14:00"),
        last_message_at=at("2026-03-02 14:00"),
        offered_until=at("2026-03-06 15:20"),
        reading=Reading(tuple(findings)),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def due(contact: ContactFacts, now: datetime) -> list[DueAction]:
    return due_actions([contact], CONFIG, now, NY)


def one(contact: ContactFacts, now: datetime) -> DueAction:
    [item] = due(contact, now)
    return item


# --- what they picked or proposed -----------------------------------------------------------


def test_the_slot_they_picked_is_the_one_to_book_with_their_sentence() -> None:
    item = one(replied(SlotPick(2, "The second one works.")), at("2026-03-02 15:00"))
    assert item.action is Action.BOOK
    assert item.detail("slot") == 2 and item.detail("evidence") == "The second one works."


def test_a_counter_proposal_books_their_time_never_an_offered_slot() -> None:
    tuesday = ProposedTime(at("2026-03-10 10:00", BERLIN), "how about next Tuesday 10:00?", False)
    item = one(replied(tuesday), at("2026-03-02 15:00"))
    assert item.action is Action.BOOK
    assert item.detail("proposed") == "2026-03-10T10:00+01:00"
    assert item.detail("slot") is None


def test_a_time_proposed_that_has_passed_leads_to_no_booking() -> None:
    gone = ProposedTime(at("2026-03-03 10:00"), "Tuesday at 10?", False)
    assert one(replied(gone), at("2026-03-04 09:00")).detail("proposed") is None


def test_a_range_leads_to_fresh_times_inside_it_not_one_time_picked() -> None:
    mornings = ProposedRange(
        at("2026-03-09 09:00"), at("2026-03-13 12:00"), "Any morning next week.", False
    )
    item = one(replied(mornings), at("2026-03-02 15:00"))
    assert item.action is Action.PROPOSE_TIMES
    assert item.detail("proposed_range") == {
        "start": "2026-03-09T09:00-04:00",
        "end": "2026-03-13T12:00-04:00",
    }


def test_a_no_suggests_closing_as_declined() -> None:
    item = one(replied(Decline("I'm not able to help.")), at("2026-03-02 15:00"))
    assert item.action is Action.CLOSE and item.detail("close_reason") == "declined"


# --- waiting is a state ---------------------------------------------------------------------


def test_a_deferral_without_a_date_waits_five_business_days_then_one_gentle_follow_up() -> None:
    later = replied(Deferral(None, "Let me check my calendar and get back to you."))
    assert stage(later) is Stage.REPLIED
    assert due(later, at("2026-03-03 09:00")) == []  # no "propose new times", no book
    assert due(later, at("2026-03-06 17:00")) == []
    item = one(later, at("2026-03-09 09:00"))  # five business days after Monday
    assert item.action is Action.FOLLOW_UP and item.due == at("2026-03-09 00:00")
    assert item.detail("evidence") == "Let me check my calendar and get back to you."


def test_a_deferral_to_a_date_waits_until_the_business_day_after_it() -> None:
    later = replied(Deferral(date(2026, 3, 16), "I'll know more after the 15th."))
    assert due(later, at("2026-03-16 12:00")) == []
    assert one(later, at("2026-03-17 09:00")).action is Action.FOLLOW_UP


def test_after_the_follow_up_goes_unanswered_close_is_suggested() -> None:
    later = replied(
        Deferral(None, "Let me get back to you."), last_sent_at=at("2026-03-09 10:00")
    )
    assert due(later, at("2026-03-20 09:00")) == []
    assert one(later, at("2026-03-23 09:00")).action is Action.CLOSE


def test_a_deferral_with_a_time_proposed_is_not_a_wait() -> None:
    both = replied(
        Deferral(None, "I'll confirm later,"),
        ProposedTime(at("2026-03-05 11:00"), "but Thursday 11 should work.", False),
    )
    assert one(both, at("2026-03-02 15:00")).action is Action.BOOK


# --- after the booking, after the thank-you -------------------------------------------------


def test_a_new_time_proposed_after_the_booking_is_a_reschedule() -> None:
    friday = ProposedTime(at("2026-03-06 11:00", ZoneInfo("America/Los_Angeles")),
                          "Could we do Friday at 11 Pacific instead?", False)
    booked = replied(
        friday,
        meeting_state="scheduled",
        meeting_start=at("2026-03-05 10:00"),
        meeting_end=at("2026-03-05 10:20"),
        meeting_changed_at=at("2026-03-02 15:00"),
        meeting_prepared_at=at("2026-03-02 15:00"),
        last_sent_at=at("2026-03-02 15:00"),
        last_reply_at=at("2026-03-03 09:00"),
        last_message_at=at("2026-03-03 09:00"),
    )
    item = one(booked, at("2026-03-03 10:00"))
    assert item.action is Action.RESCHEDULE
    assert item.detail("proposed") == "2026-03-06T11:00-08:00"


def test_people_named_after_the_thank_you_are_offered_as_referrals() -> None:
    grace = Referral("Grace", "grace@x.com", "Also talk to Grace <grace@x.com>.")
    thanked = replied(
        meeting_state="held",
        met_at=at("2026-03-05 11:00"),
        thankyou_sent_at=at("2026-03-05 12:00"),
        last_sent_at=at("2026-03-05 12:00"),
        last_reply_at=at("2026-03-05 16:00"),
        last_message_at=at("2026-03-05 16:00"),
        reading=Reading((grace,)),
        people_to_add=(grace,),
    )
    item = one(thanked, at("2026-03-05 17:00"))
    assert item.action is Action.ADD_REFERRAL
    assert (item.detail("name"), item.detail("email")) == ("Grace", "grace@x.com")
    # Once Grace is a contact, nothing is left to read.
    assert due(replace(thanked, people_to_add=()), at("2026-03-05 17:00")) == []


def test_a_handoff_asks_to_add_the_colleague_not_to_book() -> None:
    bob = Handoff("Bob Smith", "bob@example.org", "Please reach out to my colleague Bob.")
    item = one(replied(bob, people_to_add=(bob,)), at("2026-03-02 15:00"))
    assert item.action is Action.ADD_REFERRAL and item.detail("handoff") is True


def test_a_picked_time_that_has_passed_since_leads_to_new_times_not_a_booking() -> None:
    picked = replied(SlotPick(1, "The first one works."), picked_start=at("2026-03-03 10:00"))
    assert one(picked, at("2026-03-02 15:00")).action is Action.BOOK
    late = one(picked, at("2026-03-03 11:00"))  # the user comes back to it too late
    assert late.action is Action.PROPOSE_TIMES and "has passed" in late.reason


def test_a_time_read_without_confidence_is_never_turned_into_a_slot() -> None:
    unsure = replace(
        replied(),
        reading=Reading((), ("None of those work, how about next Tuesday 16:00 my time?",)),
    )
    item = one(unsure, at("2026-03-02 15:00"))
    assert item.action is Action.BOOK and item.detail("unsure") is True
    assert item.detail("slot") is None and item.detail("proposed") is None
    assert item.detail("evidence") == "None of those work, how about next Tuesday 16:00 my time?"
