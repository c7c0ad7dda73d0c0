"""Pipeline rules as a specification: stages, due actions, business days. Every `now` is
explicit; the user is in New York unless a test says otherwise."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.config import FollowupConfig
from outreach.track.model import Action, ContactFacts, DueAction, Stage
from outreach.track.pipeline import (
    business_days_after,
    business_days_between,
    due_actions,
    is_business_day,
    next_business_day,
    stage,
)

NY = ZoneInfo("America/New_York")
CONFIG = FollowupConfig()


def at(text: str, zone: ZoneInfo = NY) -> datetime:
    """A local time in the user's zone: at("2026-03-02 10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def facts(**fields: object) -> ContactFacts:
    base = ContactFacts(contact_id=1, email="ada@example.org", name="Ada Lovelace")
    return replace(base, **fields)  # type: ignore[arg-type]


def sent(**fields: object) -> ContactFacts:
    """Outreach sent Monday 2 March 2026, 10:00 New York."""
    sent_at = at("2026-03-02 10:00")
    return facts(**{"first_sent_at": sent_at, "last_sent_at": sent_at, **fields})


def due(contact: ContactFacts, now: datetime, config: FollowupConfig = CONFIG) -> list[DueAction]:
    return due_actions([contact], config, now, NY)


def actions(contact: ContactFacts, now: datetime, config: FollowupConfig = CONFIG) -> list[Action]:
    return [a.action for a in due(contact, now, config)]


# --- business days ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 3, 2), 5, date(2026, 3, 9)),  # Mon + 5 = next Mon
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Fri + 1 = Mon
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # Sat + 1 = Mon
        (date(2026, 3, 8), 5, date(2026, 3, 13)),  # Sun + 5 = Fri
        (date(2026, 3, 4), 3, date(2026, 3, 9)),  # Wed + 3 crosses the weekend
        (date(2026, 1, 30), 1, date(2026, 2, 2)),  # month end, Fri
        (date(2026, 2, 27), 2, date(2026, 3, 3)),  # February end
        (date(2025, 12, 31), 3, date(2026, 1, 5)),  # year end
        (date(2026, 3, 2), 10, date(2026, 3, 16)),
        (date(2026, 3, 7), 0, date(2026, 3, 7)),  # zero days: unchanged
    ],
)
def test_business_days_after(start: date, n: int, expected: date) -> None:
    assert business_days_after(start, n) == expected


def test_business_days_after_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        business_days_after(date(2026, 3, 2), -1)


def test_next_business_day_and_is_business_day() -> None:
    assert next_business_day(date(2026, 3, 6)) == date(2026, 3, 9)
    assert is_business_day(date(2026, 3, 6))
    assert not is_business_day(date(2026, 3, 7))


def test_business_days_between_counts_the_half_open_interval() -> None:
    assert business_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1
    assert business_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert business_days_between(date(2026, 3, 9), date(2026, 3, 2)) == 0


def _weekdays_in(start: date, end: date) -> int:
    return sum(
        1 for k in range(1, (end - start).days + 1) if (start + timedelta(days=k)).weekday() < 5
    )


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(min_value=1, max_value=400),
)
def test_business_days_after_properties(start: date, n: int) -> None:
    result = business_days_after(start, n)
    assert result.weekday() < 5
    assert result > start
    assert _weekdays_in(start, result) == n
    assert business_days_between(start, result) == n


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(min_value=0, max_value=800),
)
def test_business_days_between_matches_counting(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    assert business_days_between(start, end) == _weekdays_in(start, end)


# --- stages -------------------------------------------------------------------------------

T = at("2026-03-02 10:00")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, Stage.NEW),
        ({"drafted": 1}, Stage.DRAFTED),
        ({"drafted": 1, "first_sent_at": T, "last_sent_at": T}, Stage.SENT),
        ({"last_sent_at": T}, Stage.SENT),
        ({"last_sent_at": T, "last_reply_at": T + timedelta(days=1)}, Stage.REPLIED),
        ({"last_reply_at": T, "meeting_state": "scheduled"}, Stage.SCHEDULED),
        ({"last_reply_at": T, "meeting_state": "cancelled"}, Stage.REPLIED),
        ({"meeting_state": "scheduled", "met_at": T}, Stage.MET),
        ({"meeting_state": "held"}, Stage.MET),
        ({"met_at": T, "thankyou_sent_at": T}, Stage.THANKED),
        ({"last_sent_at": T, "bounced_at": T + timedelta(minutes=1)}, Stage.BOUNCED),
        ({"thankyou_sent_at": T, "bounced_at": T + timedelta(days=100)}, Stage.BOUNCED),
        ({"bounced_at": T, "last_reply_at": T + timedelta(hours=1)}, Stage.REPLIED),
        ({"bounced_at": T, "last_sent_at": T + timedelta(days=1)}, Stage.SENT),
        ({"closed": True, "met_at": T, "bounced_at": T}, Stage.CLOSED),
    ],
)
def test_stage_precedence(fields: dict[str, object], expected: Stage) -> None:
    assert stage(facts(**fields)) is expected


# --- follow-up ----------------------------------------------------------------------------


def test_no_nudge_before_five_business_days() -> None:
    assert actions(sent(), at("2026-03-06 23:59")) == []  # Friday: 4 business days


def test_nudge_on_the_fifth_business_day() -> None:
    [nudge] = due(sent(), at("2026-03-09 08:00"))  # Monday, before the send's time of day
    assert nudge.action is Action.FOLLOW_UP
    assert nudge.due == at("2026-03-09 00:00")  # the start of that day, in the user's zone
    assert not nudge.overdue


def test_nudge_is_overdue_more_than_two_business_days_past_due() -> None:
    assert not due(sent(), at("2026-03-11 23:59"))[0].overdue  # Wednesday
    assert due(sent(), at("2026-03-12 00:00"))[0].overdue  # Thursday


def test_weekend_send_counts_from_the_next_business_day() -> None:
    saturday = at("2026-03-07 11:00")
    contact = facts(first_sent_at=saturday, last_sent_at=saturday)
    assert actions(contact, at("2026-03-12 23:00")) == []
    assert actions(contact, at("2026-03-13 00:00")) == [Action.FOLLOW_UP]  # Friday


def test_send_day_is_taken_in_the_users_time_zone() -> None:
    # Friday 23:30 in New York is already Saturday in UTC; the user's Friday counts.
    friday_night = at("2026-03-06 23:30")
    contact = facts(
        first_sent_at=friday_night.astimezone(UTC), last_sent_at=friday_night.astimezone(UTC)
    )
    assert actions(contact, at("2026-03-13 00:00")) == [Action.FOLLOW_UP]
    assert actions(contact, at("2026-03-12 23:59")) == []


def test_no_nudge_after_a_reply() -> None:
    contact = sent(last_reply_at=at("2026-03-03 09:00"))
    assert Action.FOLLOW_UP not in actions(contact, at("2026-03-20 09:00"))


def test_no_nudge_after_a_bounce() -> None:
    contact = sent(bounced_at=at("2026-03-02 10:01"))
    assert actions(contact, at("2026-03-20 09:00")) == []


def test_at_most_one_nudge_by_default() -> None:
    contact = sent(followups_sent=1, last_sent_at=at("2026-03-09 10:00"))
    assert Action.FOLLOW_UP not in actions(contact, at("2026-04-20 09:00"))


def test_silence_after_the_nudge_suggests_closing_as_no_reply() -> None:
    contact = sent(followups_sent=1, last_sent_at=at("2026-03-09 10:00"))
    # Ten business days after the nudge (Monday 23 March): close them, or keep for later.
    assert actions(contact, at("2026-03-20 23:00")) == []
    [close] = due(contact, at("2026-03-23 09:00"))
    assert close.action is Action.CLOSE
    assert "no reply since 2026-03-09" in close.reason


def test_a_nudge_is_timely_only_for_a_while_then_it_becomes_close() -> None:
    """Four months later a nudge "in case my earlier message slipped past" would embarrass;
    ten business days after it fell due, due offers to close the contact instead."""
    contact = sent()  # nudge due Monday 9 March
    assert actions(contact, at("2026-03-20 09:00")) == [Action.FOLLOW_UP]
    assert actions(contact, at("2026-03-23 09:00")) == [Action.CLOSE]
    [late] = due(contact, at("2026-07-01 09:00"))
    assert late.action is Action.CLOSE and late.overdue
    assert "no longer timely" in late.reason
    patient = FollowupConfig(close_after_business_days=20)
    assert actions(contact, at("2026-03-23 09:00"), patient) == [Action.FOLLOW_UP]


def test_a_drafted_nudge_stays_due_until_sent_while_it_is_timely() -> None:
    [nudge] = due(sent(followup_drafted=True), at("2026-03-09 08:00"))
    assert (nudge.action, nudge.drafted) == (Action.FOLLOW_UP, True)
    assert "drafted" in nudge.reason
    assert actions(sent(followup_drafted=True), at("2026-03-23 09:00")) == [Action.CLOSE]


def test_a_second_nudge_counts_from_the_first_when_allowed() -> None:
    config = FollowupConfig(max_followups=2)
    contact = sent(followups_sent=1, last_sent_at=at("2026-03-09 10:00"))
    assert actions(contact, at("2026-03-13 23:00"), config) == []
    assert actions(contact, at("2026-03-16 00:00"), config) == [Action.FOLLOW_UP]


def test_out_of_office_delays_the_nudge_to_two_business_days_after_return() -> None:
    contact = sent(auto_reply_at=at("2026-03-02 10:01"), auto_reply_return=date(2026, 3, 13))
    assert actions(contact, at("2026-03-16 23:59")) == []  # Monday after the return
    [nudge] = due(contact, at("2026-03-17 09:00"))  # Friday 13 + 2 business days = Tuesday
    assert nudge.due == at("2026-03-17 00:00")
    assert "out of office" in nudge.reason


def test_early_return_date_does_not_bring_the_nudge_forward() -> None:
    contact = sent(auto_reply_at=at("2026-03-02 10:01"), auto_reply_return=date(2026, 3, 3))
    assert actions(contact, at("2026-03-06 12:00")) == []
    assert due(contact, at("2026-03-09 00:00"))[0].due == at("2026-03-09 00:00")


def test_out_of_office_without_a_known_date_waits_the_default() -> None:
    # The date was only in the body, which sync does not read with gmail.metadata: the
    # absence is not ignored. Ten business days after Monday 2 March is Monday 16 March.
    contact = sent(auto_reply_at=at("2026-03-02 10:01"))
    assert actions(contact, at("2026-03-13 23:00")) == []
    [nudge] = due(contact, at("2026-03-16 00:00"))
    assert nudge.due == at("2026-03-16 00:00")
    assert "return date unknown" in nudge.reason


def test_the_unknown_return_default_is_configurable_and_never_shortens_the_wait() -> None:
    contact = sent(auto_reply_at=at("2026-03-02 10:01"))
    longer = FollowupConfig(unknown_return_business_days=15)
    assert actions(contact, at("2026-03-20 12:00"), longer) == []
    shorter = FollowupConfig(unknown_return_business_days=2)
    [nudge] = due(contact, at("2026-03-09 00:00"), shorter)
    assert nudge.due == at("2026-03-09 00:00")  # five business days after the send still hold


def test_away_when_the_nudge_came_close_waits_until_they_have_been_back_as_long() -> None:
    """Issue 18: the nudge (sent 10 March) met an out-of-office note, back 24 March; close is
    never offered on the day they return, only ten business days after it."""
    contact = sent(followups_sent=1, last_sent_at=at("2026-03-10 09:00"),
                   auto_reply_at=at("2026-03-10 09:05"), auto_reply_return=date(2026, 3, 24))
    assert actions(contact, at("2026-03-24 12:00")) == []  # without the note: close today
    assert actions(contact, at("2026-04-06 12:00")) == []
    [close] = due(contact, at("2026-04-07 09:00"))
    assert close.action is Action.CLOSE and "since their return on 2026-03-24" in close.reason
    without = sent(followups_sent=1, last_sent_at=at("2026-03-10 09:00"))
    assert actions(without, at("2026-03-24 12:00")) == [Action.CLOSE]


def test_old_out_of_office_from_before_the_send_is_ignored() -> None:
    contact = sent(auto_reply_at=at("2026-01-10 10:00"), auto_reply_return=date(2026, 6, 1))
    assert actions(contact, at("2026-03-09 00:00")) == [Action.FOLLOW_UP]


def test_resend_after_a_bounce_counts_from_the_new_send() -> None:
    resent = at("2026-03-04 10:00")
    contact = sent(bounced_at=at("2026-03-02 10:01"), last_sent_at=resent)
    assert stage(contact) is Stage.SENT
    assert actions(contact, at("2026-03-10 12:00")) == []
    assert actions(contact, at("2026-03-11 00:00")) == [Action.FOLLOW_UP]


# --- book ---------------------------------------------------------------------------------


def test_book_is_due_at_the_reply() -> None:
    replied = at("2026-03-03 14:00")
    [book] = due(sent(last_reply_at=replied), at("2026-03-03 14:05"))
    assert (book.action, book.due, book.overdue) == (Action.BOOK, replied, False)


def test_book_is_overdue_after_two_business_days() -> None:
    contact = sent(last_reply_at=at("2026-03-06 14:00"))  # Friday
    assert not due(contact, at("2026-03-10 23:59"))[0].overdue  # Tuesday
    assert due(contact, at("2026-03-11 00:00"))[0].overdue  # Wednesday


def test_no_book_once_a_meeting_is_scheduled() -> None:
    contact = sent(
        last_reply_at=at("2026-03-03 14:00"),
        meeting_state="scheduled",
        meeting_start=at("2026-03-10 15:00"),
        meeting_end=at("2026-03-10 15:20"),
    )
    assert actions(contact, at("2026-03-05 09:00")) == []


def test_book_again_after_a_cancelled_meeting() -> None:
    contact = sent(
        last_reply_at=at("2026-03-03 14:00"),
        meeting_state="cancelled",
        meeting_start=at("2026-03-10 15:00"),
        meeting_end=at("2026-03-10 15:20"),
    )
    assert actions(contact, at("2026-03-09 09:00")) == [Action.BOOK]


# --- thank-you ----------------------------------------------------------------------------

MEETING = {
    "last_reply_at": at("2026-03-03 14:00"),
    "meeting_state": "scheduled",
    "meeting_start": at("2026-03-10 15:00"),
    "meeting_end": at("2026-03-10 15:20"),
}


def test_thank_you_is_not_due_before_the_meeting_ends() -> None:
    assert actions(sent(**MEETING), at("2026-03-10 15:19")) == []


def test_thank_you_is_due_when_the_meeting_ends() -> None:
    [thanks] = due(sent(**MEETING), at("2026-03-10 15:20"))
    assert (thanks.action, thanks.due, thanks.overdue) == (
        Action.THANK_YOU,
        at("2026-03-10 15:20"),
        False,
    )


def test_thank_you_is_overdue_after_24_hours() -> None:
    held = sent(**MEETING, met_at=at("2026-03-10 15:30"))
    assert not due(held, at("2026-03-11 15:20"))[0].overdue
    assert due(held, at("2026-03-11 15:21"))[0].overdue
    # Unrecorded, the next day asks whether it happened instead (see test_off_script_rules).
    assert actions(sent(**MEETING), at("2026-03-11 15:21")) == [Action.CONFIRM_MEETING]


def test_thank_you_is_due_as_soon_as_met_is_recorded() -> None:
    contact = sent(**MEETING, met_at=at("2026-03-10 15:12"))
    [thanks] = due(contact, at("2026-03-10 15:13"))
    assert thanks.action is Action.THANK_YOU
    assert thanks.due == at("2026-03-10 15:12")


def test_thank_you_for_a_conversation_recorded_without_a_booked_meeting() -> None:
    contact = sent(last_reply_at=at("2026-03-03 14:00"), met_at=at("2026-03-05 12:00"))
    assert actions(contact, at("2026-03-05 12:30")) == [Action.THANK_YOU]


def test_a_drafted_thank_you_stays_due_until_sent_and_turns_overdue() -> None:
    [thanks] = due(sent(**MEETING, thankyou_drafted=True), at("2026-03-10 16:00"))
    assert (thanks.action, thanks.drafted, thanks.overdue) == (Action.THANK_YOU, True, False)
    [late] = due(sent(**MEETING, thankyou_drafted=True), at("2026-03-12 16:00"))
    assert late.overdue


def test_no_thank_you_once_sent() -> None:
    thanked = sent(
        **MEETING, thankyou_sent_at=at("2026-03-10 17:00"), last_sent_at=at("2026-03-10 17:00")
    )
    assert actions(thanked, at("2026-03-11 09:00")) == []


def test_no_thank_you_for_a_cancelled_meeting() -> None:
    contact = sent(**{**MEETING, "meeting_state": "cancelled"})
    assert Action.THANK_YOU not in actions(contact, at("2026-03-10 16:00"))


# --- keep in touch ------------------------------------------------------------------------


def thanked_on(day: str) -> ContactFacts:
    moment = at(f"{day} 17:00")
    return sent(
        **MEETING, met_at=at("2026-03-10 15:20"), thankyou_sent_at=moment, last_sent_at=moment
    )


def test_keep_in_touch_ninety_days_after_the_last_exchange() -> None:
    contact = thanked_on("2026-03-10")
    assert actions(contact, at("2026-06-07 23:59")) == []
    [keep] = due(contact, at("2026-06-08 08:00"))  # 10 March + 90 days
    assert keep.action is Action.KEEP_IN_TOUCH
    assert keep.due == at("2026-06-08 00:00")
    assert not keep.overdue


def test_keep_in_touch_is_reset_by_any_exchange() -> None:
    later_reply = replace(thanked_on("2026-03-10"), last_reply_at=at("2026-04-01 09:00"))
    assert actions(later_reply, at("2026-06-08 08:00")) == []
    assert actions(later_reply, at("2026-06-30 08:00")) == [Action.KEEP_IN_TOUCH]
    later_send = replace(
        thanked_on("2026-03-10"),
        last_keepintouch_at=at("2026-06-09 09:00"),
        last_sent_at=at("2026-06-09 09:00"),
    )
    assert actions(later_send, at("2026-06-10 08:00")) == []


def test_keep_in_touch_applies_to_replied_and_met_contacts() -> None:
    replied = sent(last_reply_at=at("2026-03-03 14:00"))
    assert Action.KEEP_IN_TOUCH in actions(replied, at("2026-06-02 00:00"))
    met = sent(met_at=at("2026-03-05 12:00"), thankyou_sent_at=at("2026-03-05 18:00"))
    assert actions(met, at("2026-06-04 00:00")) == [Action.KEEP_IN_TOUCH]


@pytest.mark.parametrize(
    "contact",
    [
        sent(followups_sent=1),  # never answered
        sent(bounced_at=at("2026-03-02 10:01")),
        replace(thanked_on("2026-03-10"), closed=True),
    ],
    ids=["never-answered", "bounced", "closed"],
)
def test_no_keep_in_touch_for_unanswered_bounced_or_closed(contact: ContactFacts) -> None:
    assert Action.KEEP_IN_TOUCH not in actions(contact, at("2027-01-01 09:00"))
    assert set(actions(contact, at("2027-01-01 09:00"))) <= {Action.CLOSE}


# --- referrals and contacts without email -------------------------------------------------


def test_referral_is_due_immediately() -> None:
    now = at("2026-03-02 09:00")
    [reach] = due(facts(referred_by=7), now)
    assert (reach.action, reach.due, reach.overdue) == (Action.REACH_REFERRAL, now, False)


def test_referral_not_due_once_drafted_or_sent() -> None:
    assert actions(facts(referred_by=7, drafted=1), at("2026-03-02 09:00")) == []
    assert Action.REACH_REFERRAL not in actions(sent(referred_by=7), at("2026-03-02 11:00"))


def test_referral_is_due_from_when_the_contact_was_added() -> None:
    added = at("2026-03-02 09:00")  # Monday
    contact = facts(referred_by=7, created_at=added)
    [reach] = due(contact, at("2026-03-04 12:00"))
    assert (reach.action, reach.due, reach.overdue) == (Action.REACH_REFERRAL, added, False)
    assert due(contact, at("2026-03-05 00:00"))[0].overdue  # Thursday: 2 business days later


def test_referral_added_in_the_future_is_due_now() -> None:
    now = at("2026-03-02 09:00")
    [reach] = due(facts(referred_by=7, created_at=at("2026-03-03 09:00")), now)
    assert reach.due == now


def test_a_drafted_keep_in_touch_note_stays_due_as_send_it() -> None:
    contact = replace(thanked_on("2026-03-10"), keepintouch_drafted=True)
    [note] = due(contact, at("2026-06-08 08:00"))
    assert (note.action, note.drafted) == (Action.KEEP_IN_TOUCH, True)


def test_contacts_without_email_never_get_actions() -> None:
    assert actions(facts(referred_by=7, email=None), at("2026-03-02 09:00")) == []
    assert actions(facts(referred_by=7, email=""), at("2026-03-02 09:00")) == []


def test_plain_new_contact_has_nothing_due() -> None:
    assert actions(facts(), at("2026-03-02 09:00")) == []


# --- the list -----------------------------------------------------------------------------


def test_due_actions_sorted_overdue_first_then_by_due_time() -> None:
    now = at("2026-03-20 09:00")
    late_nudge = replace(sent(), contact_id=1)  # due 9 March, overdue
    fresh_book = replace(sent(last_reply_at=at("2026-03-19 10:00")), contact_id=2)
    older_book = replace(sent(last_reply_at=at("2026-03-18 10:00")), contact_id=3)
    referral = facts(contact_id=4, referred_by=2)
    result = due_actions([referral, fresh_book, late_nudge, older_book], CONFIG, now, NY)
    assert [(a.contact_id, a.action, a.overdue) for a in result] == [
        (1, Action.FOLLOW_UP, True),
        (3, Action.BOOK, False),
        (2, Action.BOOK, False),
        (4, Action.REACH_REFERRAL, False),
    ]


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_actions([sent()], CONFIG, datetime(2026, 3, 9, 9, 0), NY)
