"""Pipeline rules that act on what a reply said (the reader's findings, or what `outreach
reply` recorded for a reply that could not be read). Pure: ``now`` is a parameter.

Stage replied, the latest written reply read:
- **a deferral** alone ("let me check and get back to you next week") makes the conversation
  wait: nothing is due (no book, no new times) until ``after_deferral_business_days`` after
  the date they named, or ``deferral_wait_business_days`` after the reply when they named
  none; then one gentle **follow_up**; once that went unanswered for
  ``close_after_business_days``, **close**.
- **a no** (and nothing else to act on): **close**, with their sentence.
- **a slot picked**, still ahead: **book** with ``slot``; **a time proposed**, ahead: **book**
  with ``proposed`` (never an offered slot); **a range proposed**, not over: **propose_times**
  inside it (``proposed_range``); **a time the reader was unsure of**: **book** with
  ``unsure`` and the sentence, never a slot number guessed for them.
Stage replied, new times sent and silence since: one **follow_up**, then **close**.
Stage scheduled, a reply after the booking that proposes a time: **reschedule** to it.
Any stage but new, sent and closed: each person a reply named (a handoff or a referral) who is
not a contact yet is an **add_referral**.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from outreach.config import FollowupConfig
from outreach.track.days import (
    business_days_after,
    local_date,
    overdue_by_business_days,
    start_of,
)
from outreach.track.model import Action, ContactFacts, DueAction
from outreach.track.reader.findings import (
    Decline,
    Deferral,
    Handoff,
    ProposedRange,
    ProposedTime,
    Reading,
    Referral,
    SlotPick,
    TimesWanted,
)

__all__ = [
    "act_on_reading",
    "add_referrals",
    "after_new_times",
    "asks_for_a_time",
    "is_waiting",
    "proposed_move",
    "settled_by_people",
]


def _at(moment: datetime) -> str:
    """A time as `book --at` takes it and ``due --json`` shows it: ISO 8601 with offset."""
    return moment.isoformat(timespec="minutes")


def _unanswered(facts: ContactFacts) -> Reading | None:
    """The reading of their latest reply, when nothing of ours went after it."""
    replied = facts.last_message_at
    if facts.reading is None or replied is None:
        return None
    if facts.last_sent_at is not None and facts.last_sent_at >= replied:
        return None  # ours went after (in the same second counts: it answered the reply)
    return facts.reading


def _item(
    facts: ContactFacts,
    action: Action,
    due: datetime,
    now: datetime,
    zone: ZoneInfo,
    reason: str,
    *details: tuple[str, object],
    drafted: bool = False,
) -> DueAction:
    return DueAction(
        facts.contact_id,
        action,
        due,
        overdue_by_business_days(due, now, zone),
        reason,
        drafted=drafted,
        details=details,
    )


def _waiting(
    facts: ContactFacts,
    deferral: Deferral,
    config: FollowupConfig,
    now: datetime,
    zone: ZoneInfo,
) -> DueAction | None:
    replied = facts.last_message_at
    assert replied is not None
    evidence = ("evidence", deferral.evidence)
    if facts.last_sent_at is not None and facts.last_sent_at > replied:
        sent_day = local_date(facts.last_sent_at, zone)
        due = start_of(business_days_after(sent_day, config.close_after_business_days), zone)
        if now < due:
            return None
        return _item(
            facts, Action.CLOSE, due, now, zone,
            f"they said they would get back to you; your follow-up of {sent_day} went "
            "unanswered: close them, or keep them for later",
            evidence,
        )
    if deferral.until is not None:
        day = business_days_after(deferral.until, config.after_deferral_business_days)
        why = f"they said they would get back to you by {deferral.until}"
    else:
        day = business_days_after(local_date(replied, zone), config.deferral_wait_business_days)
        why = f"they said they would get back to you ({local_date(replied, zone)})"
    due = start_of(day, zone)
    if now < due:
        return None  # waiting: nothing to do before the time they named
    if facts.followup_drafted:
        why = "the gentle follow-up is drafted: send it"
    else:
        why += "; nothing since: one gentle follow-up"
    return _item(
        facts, Action.FOLLOW_UP, due, now, zone, why, evidence,
        ("waiting_until", (deferral.until or day).isoformat()),
        drafted=facts.followup_drafted,
    )


def asks_for_a_time(facts: ContactFacts, now: datetime) -> bool:
    """Their reply after our last message proposes a time still ahead: book it (no new
    times) even when the meeting before it was missed, declined or cancelled."""
    proposed = facts.reading.first(ProposedTime) if facts.reading else None
    sent, replied = facts.last_sent_at, facts.last_message_at  # written, not an RSVP
    return proposed is not None and proposed.at > now and (
        sent is None or (replied is not None and replied > sent))


def act_on_reading(
    facts: ContactFacts, config: FollowupConfig, now: datetime, zone: ZoneInfo
) -> tuple[bool, DueAction | None]:
    """Stage replied: (whether the reading decides what is due, what is due)."""
    reading = facts.reading
    replied = facts.last_message_at
    if reading is None or replied is None or now < replied:
        return False, None
    pick = reading.first(SlotPick)
    proposed = reading.first(ProposedTime)
    window = reading.first(ProposedRange)
    deferral = reading.first(Deferral)
    if deferral is not None and is_waiting(facts):
        return True, _waiting(facts, deferral, config, now, zone)
    if _unanswered(facts) is None:
        return False, None
    if reading.first(Handoff) is not None and pick is None and proposed is None:
        return True, None  # someone else takes it from here: see add_referrals
    decline = reading.first(Decline)
    if decline is not None and pick is None and proposed is None and window is None:
        return True, _item(
            facts, Action.CLOSE, replied, now, zone,
            f"they said no ({local_date(replied, zone)}); close them as declined",
            ("evidence", decline.evidence), ("close_reason", "declined"),
        )
    offer_open = facts.offered_until is None or facts.offered_until > now
    if pick is not None and facts.picked_start is not None and facts.picked_start <= now:
        return True, _item(
            facts, Action.PROPOSE_TIMES, replied, now, zone,
            f"they picked time {pick.slot} ({local_date(facts.picked_start, zone)}), which has "
            "passed; propose new times",
            ("evidence", pick.evidence),
        )
    if pick is not None and offer_open:
        return True, _item(
            facts, Action.BOOK, replied, now, zone,
            f"replied {local_date(replied, zone)}: they picked time {pick.slot}",
            ("slot", pick.slot), ("evidence", pick.evidence),
        )
    if proposed is not None and proposed.at > now:
        return True, _item(
            facts, Action.BOOK, replied, now, zone,
            f"replied {local_date(replied, zone)}: they proposed a time of their own"
            + (" (their zone assumed: check it)" if proposed.zone_assumed else ""),
            ("proposed", _at(proposed.at)), ("evidence", proposed.evidence),
            ("zone_assumed", proposed.zone_assumed),
        )
    if window is not None and window.end > now:
        return True, _item(
            facts, Action.PROPOSE_TIMES, replied, now, zone,
            f"replied {local_date(replied, zone)}: they proposed a range; offer times "
            "inside it",
            ("proposed_range", {"start": _at(window.start), "end": _at(window.end)}),
            ("evidence", window.evidence),
        )
    asked = reading.first(TimesWanted)
    if asked is not None and pick is None and proposed is None and window is None:
        return True, _item(
            facts, Action.PROPOSE_TIMES, replied, now, zone,
            f"replied {local_date(replied, zone)}: they asked for times; propose new times",
            ("evidence", asked.evidence),
        )
    if reading.unsure and pick is None and proposed is None and offer_open:
        return True, _item(  # a time outreach could not read with confidence: never a guess
            facts, Action.BOOK, replied, now, zone,
            f"replied {local_date(replied, zone)}: a time outreach could not read with "
            "confidence; read it and book the time they mean",
            ("evidence", reading.unsure[0]), ("unsure", True),
        )
    return False, None


def after_new_times(
    facts: ContactFacts, config: FollowupConfig, now: datetime, zone: ZoneInfo
) -> DueAction | None:
    """Stage replied, new times sent after their last reply and silence since: like a first
    message, one nudge ``nudge_after_business_days`` after them, then **close** (never months
    of nothing followed by a keep-in-touch note to someone never met)."""
    replied, sent = facts.last_message_at or facts.last_reply_at, facts.newtimes_sent_at
    if sent is None or replied is None or sent <= replied or facts.last_sent_at is None:
        return None
    sent_day = local_date(sent, zone)
    if facts.last_sent_at > sent:  # the nudge after them went too
        nudged = local_date(facts.last_sent_at, zone)
        due = start_of(business_days_after(nudged, config.close_after_business_days), zone)
        if now < due:
            return None
        return _item(
            facts, Action.CLOSE, due, now, zone,
            f"no reply to the new times of {sent_day} nor to the nudge of {nudged}: close "
            "them, or keep them for later",
        )
    nudge_day = business_days_after(sent_day, config.nudge_after_business_days)
    stale_day = business_days_after(nudge_day, config.close_after_business_days)
    if local_date(now, zone) >= stale_day:
        due = start_of(stale_day, zone)
        return _item(
            facts, Action.CLOSE, due, now, zone,
            f"no reply to the new times of {sent_day}; a nudge was due {nudge_day} and is no "
            "longer timely: close them, or keep them for later",
        )
    due = start_of(nudge_day, zone)
    if now < due:
        return None
    return _item(
        facts, Action.FOLLOW_UP, due, now, zone,
        "the nudge is drafted: send it while it is timely"
        if facts.followup_drafted
        else f"no reply {config.nudge_after_business_days} business days after the new times "
        f"(sent {sent_day})",
        drafted=facts.followup_drafted,
    )


def proposed_move(facts: ContactFacts, now: datetime, zone: ZoneInfo) -> DueAction | None:
    """Stage scheduled: a reply after the booking proposing another time."""
    reading = _unanswered(facts)
    replied = facts.last_message_at
    if reading is None or replied is None or now < replied:
        return None
    if facts.meeting_changed_at is not None and facts.meeting_changed_at >= replied:
        return None
    proposed = reading.first(ProposedTime)
    if proposed is None or proposed.at <= now:
        return None
    return _item(
        facts, Action.RESCHEDULE, replied, now, zone,
        f"after the booking they asked for another time ({local_date(replied, zone)})",
        ("proposed", _at(proposed.at)), ("evidence", proposed.evidence),
        ("zone_assumed", proposed.zone_assumed),
    )


def add_referrals(facts: ContactFacts, now: datetime, zone: ZoneInfo) -> list[DueAction]:
    """Each person their latest reply named who is not a contact yet."""
    replied = facts.last_message_at
    if replied is None or now < replied:
        return []
    return [
        _item(
            facts, Action.ADD_REFERRAL, replied, now, zone,
            "their reply hands you to someone else"
            if isinstance(person, Handoff)
            else "their reply names someone to talk to",
            ("name", person.name or ""), ("email", person.email),
            ("handoff", isinstance(person, Handoff)), ("evidence", person.evidence),
        )
        for person in facts.people_to_add
    ]


def is_waiting(facts: ContactFacts) -> bool:
    """Their latest reply defers and proposes nothing: the conversation waits on them."""
    reading = facts.reading
    if reading is None or reading.first(Deferral) is None:
        return False
    return not any(reading.first(kind) for kind in (SlotPick, ProposedTime, ProposedRange))


def settled_by_people(facts: ContactFacts) -> bool:
    """Their reply only named people, and every one of them is a contact now."""
    reading = facts.reading
    if reading is None or not reading.findings or facts.people_to_add:
        return False
    return all(isinstance(f, Referral | Handoff) for f in reading.findings)
