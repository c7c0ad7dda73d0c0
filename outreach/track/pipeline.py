"""Pipeline rules: a contact's stage and what is due, from its facts. Pure: ``now`` is a parameter.

Stage (first match wins): closed; bounced (a bounce with no reply and no send of ours after
it); thanked (a thank-you sent); met (``met_at`` recorded, or the meeting is ``held``);
scheduled (a meeting in state ``scheduled``); replied; sent; drafted; new.

Due actions (none for closed contacts; for bounced ones and contacts without an email address,
only their promises).
An action whose message is already drafted stays due with ``drafted=True`` until it is sent
("send the drafted thank-you"): a draft nobody sends helps nobody.

- **follow_up**, stage sent, fewer than ``max_followups`` nudges sent: due at the start (local
  midnight, in the user's zone) of the ``nudge_after_business_days``-th business day after the
  local date of the latest send (the first outreach, or the previous nudge). An auto-reply
  received since that send with a stated return date moves it to the start of the
  ``after_return_business_days``-th business day after the return date, when that is later;
  one whose return date is unknown (the date was only in the body, which sync may not read)
  moves it to the ``unknown_return_business_days``-th business day after the auto-reply.
  A nudge is timely for ``close_after_business_days``; after that it becomes **close**.
- **close**, stage sent: no reply ``close_after_business_days`` after the last nudge (or, when
  no more nudges are allowed, after the last send; or, when an auto-reply to it gave a return
  date, after that date), or a nudge that fell due and was left too long: suggest closing
  the contact as "no reply".
- **book**, stage replied, their reply after our last send, some offered time still ahead
  (or none offered): due at the latest reply. Stage scheduled with the invite only drafted:
  **book** with ``drafted`` ("send the drafted invite").
- **propose_times**, stage replied: every time offered has passed, or the latest meeting was
  declined or cancelled (and no new times were sent since): due at the reply or the change.
- **thank_you**, a scheduled or held meeting (never a declined, cancelled or missed one; a
  scheduled one only until the business day after it, see ``off_script``), no thank-you
  sent: due when the meeting ends, or when ``outreach met`` was recorded if that is earlier
  (or there is no meeting end); not due before the end unless ``met`` was recorded. Overdue
  once ``thankyou_window_hours`` have passed since it became due.
- **reach_referral**, stage new with ``referred_by`` (or drafted, the note unsent): due when
  the contact was added (``created_at``; now when unknown or later than now). When the
  referrer may not be named (``mention_referrer`` false), the note is a plain first message
  (the outreach template).
- **keep_in_touch**, stage replied, met or thanked: due at the start of the local day
  ``keep_in_touch_days`` after the last exchange (any send, reply, meeting or congratulation,
  in any thread, resets it). The interval is the shortest ``keep_in_touch_by_tag`` override
  among the contact's tags, else ``keep_in_touch_days``.
- **prepare**, a scheduled meeting not yet started, no brief printed for it (``outreach prep``
  records that): due at the start of the business day before the meeting's local day (from
  the booking if that is later); overdue on the day itself.
- **promise**, each promise made in a conversation and not marked done, whatever the stage
  (closed contacts excepted, with or without an address): due when it was made.
- **congratulate**, a new organisation or title seen on a re-import, in the last
  ``congratulate_within_days``, not yet congratulated since: due when the change was seen.
  Not while the first message waits for an answer (stage sent): a note then would read as a
  nudge.

Off the script (a meeting nobody recorded, a reply nobody asked for): see ``off_script``;
what a reply said (a pick, a proposal, a deferral, a no, people named): see ``answers``.

Business days are Monday to Friday (no holidays). Every action but thank_you and prepare is
overdue when today (local) is more than 2 business days after the day they became due: due
on a Monday, overdue from Thursday. Times due at local midnight make ``outreach due`` show
the action all day, whenever it is run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from outreach.config import FollowupConfig
from outreach.track.aftercare import congratulate, prepare, promises
from outreach.track.answers import (
    act_on_reading,
    add_referrals,
    after_new_times,
    asks_for_a_time,
    proposed_move,
)
from outreach.track.days import (
    OVERDUE_AFTER_BUSINESS_DAYS,
    business_days_after,
    business_days_between,
    is_business_day,
    next_business_day,
    previous_business_day,
)
from outreach.track.days import local_date as _local_date
from outreach.track.days import overdue_by_business_days as _overdue_by_business_days
from outreach.track.days import start_of as _start_of
from outreach.track.model import Action, ContactFacts, DueAction, Stage
from outreach.track.network import keep_in_touch, reach_referral
from outreach.track.off_script import (
    WAITS_FOR_THEIR_SIDE,
    confirm_meeting,
    read_reply,
    their_side,
    unconfirmed_since,
)

__all__ = [
    "OVERDUE_AFTER_BUSINESS_DAYS",
    "business_days_after",
    "business_days_between",
    "contact_due_actions",
    "due_actions",
    "is_business_day",
    "next_business_day",
    "previous_business_day",
    "stage",
]

# --- stage ---------------------------------------------------------------------------------


def _bounce_stands(facts: ContactFacts) -> bool:
    """A bounce not answered by a later reply nor superseded by a later send of ours."""
    bounced = facts.bounced_at
    if bounced is None:
        return False
    replied_after = facts.last_reply_at is not None and facts.last_reply_at > bounced
    sent_after = facts.last_sent_at is not None and facts.last_sent_at > bounced
    return not (replied_after or sent_after)


def stage(facts: ContactFacts) -> Stage:
    """The contact's stage, derived from its facts (never stored)."""
    if facts.closed:
        return Stage.CLOSED
    if _bounce_stands(facts):
        return Stage.BOUNCED
    if facts.thankyou_sent_at is not None:
        return Stage.THANKED
    if facts.met_at is not None or facts.meeting_state == "held":
        return Stage.MET
    if facts.meeting_state == "scheduled":
        return Stage.SCHEDULED
    if facts.last_reply_at is not None:
        return Stage.REPLIED
    if facts.first_sent_at is not None or facts.last_sent_at is not None:
        return Stage.SENT
    if facts.drafted > 0:
        return Stage.DRAFTED
    return Stage.NEW


# --- due actions ---------------------------------------------------------------------------


def _nudge_base(facts: ContactFacts) -> datetime | None:
    """The send a nudge follows: the previous nudge, or the send that replaced a bounce, or
    the first message."""
    if facts.followups_sent > 0 or (
        facts.bounced_at is not None and facts.last_sent_at is not None
    ):
        return facts.last_sent_at
    return facts.first_sent_at or facts.last_sent_at


def _close(
    facts: ContactFacts, day: date, since: date, why: str, now: datetime, zone: ZoneInfo
) -> DueAction | None:
    due = _start_of(day, zone)
    if now < due:
        return None
    return DueAction(
        facts.contact_id,
        Action.CLOSE,
        due,
        _overdue_by_business_days(due, now, zone),
        f"no reply since {since}: {why}; close them as no reply, or keep them for later",
    )


def _follow_up(
    facts: ContactFacts, config: FollowupConfig, now: datetime, zone: ZoneInfo
) -> DueAction | None:
    """Stage sent: the one nudge while it is timely, then a suggestion to close."""
    base = _nudge_base(facts)
    if base is None:
        return None
    sent_day = _local_date(base, zone)
    if facts.followups_sent >= config.max_followups:
        close_day = business_days_after(sent_day, config.close_after_business_days)
        what = "the nudge" if facts.followups_sent else "the first message"
        why = f"{what} went unanswered"
        back = facts.auto_reply_return
        away = facts.auto_reply_at
        if away is not None and away >= base and back is not None:
            # Away when it arrived: they read it on their return, so the silence counts
            # from then (never "close" on the day they come back).
            after_return = business_days_after(back, config.close_after_business_days)
            if after_return > close_day:
                close_day = after_return
                why = f"{what} went unanswered since their return on {back}"
        return _close(facts, close_day, sent_day, why, now, zone)
    due_day = business_days_after(sent_day, config.nudge_after_business_days)
    ordinal = facts.followups_sent + 1
    reason = (
        f"no reply {config.nudge_after_business_days} business days after "
        f"{'the first message' if ordinal == 1 else 'the last nudge'} (sent {sent_day})"
    )
    away = facts.auto_reply_at
    back = facts.auto_reply_return
    if away is not None and away >= base:
        if back is not None:
            later = business_days_after(back, config.after_return_business_days)
            why = (
                f"out of office until {back}; nudge {config.after_return_business_days} "
                f"business days after their return"
            )
        else:  # an absence of unknown length is not ignored: wait the configured default
            away_day = _local_date(away, zone)
            later = business_days_after(away_day, config.unknown_return_business_days)
            why = (
                f"out of office since {away_day}, return date unknown; nudge "
                f"{config.unknown_return_business_days} business days after the auto-reply"
            )
        if later > due_day:
            due_day, reason = later, why
    stale_day = business_days_after(due_day, config.close_after_business_days)
    if _local_date(now, zone) >= stale_day:
        return _close(
            facts, stale_day, sent_day, f"a nudge was due {due_day} and is no longer timely",
            now, zone,
        )
    due = _start_of(due_day, zone)
    if now < due:
        return None
    if facts.followup_drafted:
        reason = "the nudge is drafted: send it while it is timely"
    return DueAction(
        facts.contact_id,
        Action.FOLLOW_UP,
        due,
        _overdue_by_business_days(due, now, zone),
        reason,
        drafted=facts.followup_drafted,
    )


def _propose_or_book(
    facts: ContactFacts, config: FollowupConfig, now: datetime, zone: ZoneInfo
) -> DueAction | None:
    """Stage replied: book the time they chose, or propose new times when none can be."""
    replied = facts.last_reply_at
    if replied is None or now < replied:
        return None
    changed = facts.meeting_changed_at
    if facts.newtimes_drafted:
        return DueAction(
            facts.contact_id,
            Action.PROPOSE_TIMES,
            replied if changed is None else max(replied, changed),
            False,
            "new times are drafted: send them",
            drafted=True,
        )
    if facts.meeting_state in ("cancelled", "declined", "missed") and changed is not None:
        answered = facts.newtimes_sent_at is not None and facts.newtimes_sent_at >= changed
        if not answered and not asks_for_a_time(facts, now):
            why = {
                "declined": "they declined the invite",
                "missed": "the meeting did not happen: marked missed",
            }.get(facts.meeting_state or "", "the meeting was cancelled")
            return DueAction(
                facts.contact_id,
                Action.PROPOSE_TIMES,
                changed,
                _overdue_by_business_days(changed, now, zone),
                f"{why} ({_local_date(changed, zone)}); propose new times",
            )
    decided, acted = act_on_reading(facts, config, now, zone)
    if decided:
        return acted
    if facts.last_sent_at is not None and facts.last_sent_at > (facts.last_message_at or replied):
        # We wrote last (a calendar's RSVP since answers nothing): their answer comes next.
        return after_new_times(facts, config, now, zone)
    if (
        facts.first_sent_at is None
        and facts.last_sent_at is None
        and facts.meeting_state is None
        and facts.congratulate_sent_at is not None
    ):
        return None  # they answered congratulations, which asked for nothing
    if facts.offered_until is not None and facts.offered_until <= now:
        return DueAction(
            facts.contact_id,
            Action.PROPOSE_TIMES,
            replied,
            _overdue_by_business_days(replied, now, zone),
            f"replied {_local_date(replied, zone)}, but every time offered has passed; "
            "propose new times",
        )
    return DueAction(
        facts.contact_id,
        Action.BOOK,
        replied,
        _overdue_by_business_days(replied, now, zone),
        f"replied {_local_date(replied, zone)}; no meeting booked yet",
    )


def _send_invite(facts: ContactFacts, now: datetime, zone: ZoneInfo) -> DueAction | None:
    """Stage scheduled with the invite still a draft: they do not know yet."""
    if not facts.invite_drafted:
        return None
    due = facts.meeting_changed_at or now
    return DueAction(
        facts.contact_id,
        Action.BOOK,
        due,
        _overdue_by_business_days(due, now, zone),
        "the invite is drafted but not sent: they do not know the time yet",
        drafted=True,
    )


def _thank_you(
    facts: ContactFacts, config: FollowupConfig, now: datetime, zone: ZoneInfo
) -> DueAction | None:
    if facts.thankyou_sent_at is not None:
        return None
    unconfirmed = unconfirmed_since(facts, zone)
    if unconfirmed is not None and now >= unconfirmed:
        return None  # the day after, ask whether it happened before thanking anyone
    end = facts.meeting_end if facts.meeting_state in ("scheduled", "held") else None
    if facts.met_at is not None:
        due = facts.met_at if end is None else min(facts.met_at, end)
    elif end is not None and now >= end:
        due = end
    else:
        return None
    if now < due:
        return None
    window = timedelta(hours=config.thankyou_window_hours)
    reason = f"met; send a thank-you within {config.thankyou_window_hours} hours"
    if facts.thankyou_drafted:
        reason = f"the thank-you is drafted: send it within {config.thankyou_window_hours} hours"
    return DueAction(
        facts.contact_id,
        Action.THANK_YOU,
        due,
        now > due + window,
        reason,
        drafted=facts.thankyou_drafted,
    )


def contact_due_actions(
    facts: ContactFacts, config: FollowupConfig, now: datetime, user_tz: ZoneInfo
) -> list[DueAction]:
    """What is due for one contact at ``now`` (unsorted)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if facts.closed:
        return []
    promised = promises(facts, now, user_tz)  # kept even to someone without an address
    if not facts.email or facts.handed_to is not None:
        return promised  # (a colleague took the conversation over: it goes on with them)
    current = stage(facts)
    found: list[DueAction | None] = [*promised]
    if current is Stage.SENT:
        found.append(_follow_up(facts, config, now, user_tz))
    if current is Stage.REPLIED:
        found.append(_propose_or_book(facts, config, now, user_tz))
    if current is Stage.SCHEDULED:
        found.append(_send_invite(facts, now, user_tz))
        found.append(proposed_move(facts, now, user_tz))
    if current in (Stage.SCHEDULED, Stage.MET):
        found.append(_thank_you(facts, config, now, user_tz))
        asked = confirm_meeting(facts, now, user_tz)  # passed: that first, a move is then new
        found = [a for a in found if not (asked and a and a.action is Action.RESCHEDULE)]
        found.append(asked)
    if facts.referred_by is not None and (
        current is Stage.NEW or (current is Stage.DRAFTED and facts.outreach_drafted)
    ):
        found.append(reach_referral(facts, now, user_tz))
    closing = any(a is not None and a.action is Action.CLOSE for a in found)
    if current in (Stage.REPLIED, Stage.MET, Stage.THANKED) and not closing:
        found.append(keep_in_touch(facts, config, now, user_tz))  # not while closing is due
    if current is Stage.SCHEDULED:
        found.append(prepare(facts, now, user_tz))
    if current not in (Stage.SENT, Stage.BOUNCED):
        found.append(congratulate(facts, config, now, user_tz))
    if current in (Stage.REPLIED, Stage.SCHEDULED, Stage.MET, Stage.THANKED):
        found.extend(add_referrals(facts, now, user_tz))
        newcomers = their_side(facts, now, user_tz)
        if newcomers:  # who they are decides who is booked or written to: that first
            found = [a for a in found if a is None or a.action not in WAITS_FOR_THEIR_SIDE]
        found.extend(newcomers)
        found.append(read_reply(facts, found, now, user_tz))
    return [action for action in found if action is not None]


def due_actions(
    facts: Iterable[ContactFacts], config: FollowupConfig, now: datetime, user_tz: ZoneInfo
) -> list[DueAction]:
    """Everything due at ``now``: overdue first, then by due time (then contact, action)."""
    actions = [
        action for contact in facts for action in contact_due_actions(contact, config, now, user_tz)
    ]
    return sorted(
        actions, key=lambda a: (not a.overdue, a.due, a.contact_id, a.action.value, a.item_id or 0)
    )
