"""Due rules around the conversation itself: prepare for it, keep what was promised in it, and
congratulate on a new job. Pure: facts, config and ``now`` in, due actions out (the rules are
described in :mod:`outreach.track.pipeline`, which applies them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from outreach.config import FollowupConfig
from outreach.track.days import local_date, overdue_by_business_days, previous_business_day
from outreach.track.days import start_of as start_of_day
from outreach.track.model import Action, ContactFacts, DueAction

__all__ = ["congratulate", "prepare", "promises"]


def prepare(facts: ContactFacts, now: datetime, zone: ZoneInfo) -> DueAction | None:
    """The working day before a scheduled meeting: read the brief."""
    start = facts.meeting_start
    if facts.meeting_state != "scheduled" or start is None or now >= start:
        return None
    if facts.meeting_prepared_at is not None:
        return None
    meeting_day = local_date(start, zone)
    due = start_of_day(previous_business_day(meeting_day), zone)
    if facts.meeting_changed_at is not None and facts.meeting_changed_at > due:
        due = facts.meeting_changed_at  # booked at short notice: due from the booking
    if now < due:
        return None
    when = start.astimezone(zone)
    # Overdue on the day itself only when there was a day before to prepare on: a meeting
    # booked on its own day is due from the booking, never overdue at once.
    return DueAction(
        facts.contact_id,
        Action.PREPARE,
        due,
        local_date(now, zone) >= meeting_day and local_date(due, zone) < meeting_day,
        f"meeting {when:%a} {when.day} {when:%b} {when:%H:%M}; read the brief and the questions",
    )


def promises(facts: ContactFacts, now: datetime, zone: ZoneInfo) -> list[DueAction]:
    actions = []
    for promise in facts.open_promises:
        if now < promise.made_at:
            continue
        made = local_date(promise.made_at, zone)
        actions.append(
            DueAction(
                facts.contact_id,
                Action.PROMISE,
                promise.made_at,
                overdue_by_business_days(promise.made_at, now, zone),
                f'you promised on {made}: "{promise.text}"; mark it done once you have',
                item_id=promise.promise_id,
            )
        )
    return actions


def congratulate(
    facts: ContactFacts, config: FollowupConfig, now: datetime, zone: ZoneInfo
) -> DueAction | None:
    changed = facts.job_changed_at
    if changed is None or now < changed:
        return None
    sent = facts.congratulate_sent_at
    if sent is not None and sent >= changed:
        return None
    if now - changed > timedelta(days=config.congratulate_within_days):
        return None  # old news: a congratulation now would be late
    what = facts.job_change or "a new role"
    return DueAction(
        facts.contact_id,
        Action.CONGRATULATE,
        changed,
        overdue_by_business_days(changed, now, zone),
        "the congratulations are drafted: send them"
        if facts.congratulate_drafted
        else f"new role seen on {local_date(changed, zone)}: {what}",
        drafted=facts.congratulate_drafted,
    )
