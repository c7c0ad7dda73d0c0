"""Pipeline rules for the user's network: a referral to write to, someone to keep in touch
with (see the rules in :mod:`outreach.track.pipeline`). Pure: ``now`` is a parameter."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from outreach.config import FollowupConfig
from outreach.track.days import local_date as _local_date
from outreach.track.days import overdue_by_business_days as _overdue_by_business_days
from outreach.track.days import start_of as _start_of
from outreach.track.model import Action, ContactFacts, DueAction

__all__ = ["keep_in_touch", "reach_referral"]


def reach_referral(facts: ContactFacts, now: datetime, zone: ZoneInfo) -> DueAction:
    added = facts.created_at
    due = now if added is None or added > now else added
    return DueAction(
        facts.contact_id,
        Action.REACH_REFERRAL,
        due,
        _overdue_by_business_days(due, now, zone),
        "the note is drafted: send it"
        if facts.outreach_drafted
        else "referred by a contact who would rather not be named; write with the outreach "
        "template"
        if facts.mention_referrer is False
        else "referred by a contact; write with the referral template",
        drafted=facts.outreach_drafted,
    )


def keep_in_touch(
    facts: ContactFacts, config: FollowupConfig, now: datetime, zone: ZoneInfo
) -> DueAction | None:
    last = facts.last_exchange_at
    if last is None:
        return None
    last_day = _local_date(last, zone)
    days = config.keep_in_touch_days_for(facts.tags)
    due = _start_of(last_day + timedelta(days=days), zone)
    if now < due:
        return None
    return DueAction(
        facts.contact_id,
        Action.KEEP_IN_TOUCH,
        due,
        _overdue_by_business_days(due, now, zone),
        "the note is drafted: send it"
        if facts.keepintouch_drafted
        else f"last exchange {last_day}, {days} days ago or more",
        drafted=facts.keepintouch_drafted,
    )
