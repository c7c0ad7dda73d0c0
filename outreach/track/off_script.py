"""Pipeline rules for when the other person steps off the script. Pure: ``now`` is a parameter.

- **confirm_meeting**, a scheduled meeting that ended with nothing recorded (no ``met``, no
  thank-you sent or drafted): from the start of the next business day after its local day,
  `due` asks "did it happen?" instead of offering a thank-you (``met`` records it, ``met
  --missed`` marks it missed). On the day itself the thank-you is offered as before.
- **missed**: a meeting marked missed is never thanked; like a declined or cancelled one it
  leads to new times (see ``pipeline._propose_or_book``).
- **add_their_side**, someone never seen wrote in the contact's thread (or wrote copying
  them): due at their first message, until the user records them as a colleague who takes
  over (a new contact, referred by this one, who inherits the thread) or as an assistant.
  A contact whose conversation was handed to a colleague has nothing due but promises.
  While it is due, nothing that writes to the contact or books them is (a colleague who
  proposed a time is booked once added, never the contact they took over from).
- **read_reply**, a written message from their side (not an answer to the invite) later than
  anything the user did since (a send, ``met``, or dismissing it with ``outreach reply
  --seen``) that no other action of the contact's answers (book, new times, close, a
  follow-up, a reschedule, people to add), nor the people it named all added since: due at
  the message.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from outreach.track.answers import is_waiting, settled_by_people
from outreach.track.days import local_date, next_business_day, overdue_by_business_days, start_of
from outreach.track.model import Action, ContactFacts, DueAction

# Actions that already answer the latest reply: with one of them, no separate read_reply.
ANSWERS_A_REPLY = frozenset(
    {
        Action.BOOK,
        Action.PROPOSE_TIMES,
        Action.CLOSE,
        Action.FOLLOW_UP,
        Action.RESCHEDULE,
        Action.ADD_REFERRAL,
        Action.ADD_THEIR_SIDE,
    }
)
# ... and one that answers only a reply written after the meeting began: whether it happened
# comes first (a move they ask for then is a new request); one written before stays to read.
ANSWERS_A_LATER_REPLY = frozenset({Action.CONFIRM_MEETING})

# Held back while someone new who wrote for the contact is not yet recorded as a colleague
# or an assistant: each would go to the wrong person if the newcomer takes over.
WAITS_FOR_THEIR_SIDE = frozenset(
    {Action.BOOK, Action.PROPOSE_TIMES, Action.RESCHEDULE, Action.FOLLOW_UP}
)


def unconfirmed_since(facts: ContactFacts, zone: ZoneInfo) -> datetime | None:
    """When a scheduled meeting that passed unrecorded starts to ask "did it happen?"."""
    end = facts.meeting_end
    if facts.meeting_state != "scheduled" or end is None or facts.met_at is not None:
        return None
    if facts.thankyou_sent_at is not None or facts.thankyou_drafted:
        return None
    return start_of(next_business_day(local_date(end, zone)), zone)


def confirm_meeting(facts: ContactFacts, now: datetime, zone: ZoneInfo) -> DueAction | None:
    due = unconfirmed_since(facts, zone)
    if due is None or now < due or facts.meeting_start is None:
        return None
    day = local_date(facts.meeting_start, zone)
    return DueAction(
        facts.contact_id,
        Action.CONFIRM_MEETING,
        due,
        overdue_by_business_days(due, now, zone),
        f"the meeting on {day} has passed and nothing is recorded: did it happen?",
    )


def read_reply(
    facts: ContactFacts, found: list[DueAction | None], now: datetime, zone: ZoneInfo
) -> DueAction | None:
    """Their latest written message, when nothing done since answers it."""
    message = facts.last_message_at
    if message is None or now < message:
        return None
    handled = [
        moment
        for moment in (facts.last_sent_at, facts.met_at, facts.replies_seen_at)
        if moment is not None
    ]
    if handled and max(handled) >= message:
        return None
    if any(a is not None and a.action in ANSWERS_A_REPLY for a in found):
        return None
    began = facts.meeting_start
    if began is not None and message >= began and any(
        a is not None and a.action in ANSWERS_A_LATER_REPLY for a in found
    ):
        return None
    if settled_by_people(facts) or is_waiting(facts):
        return None  # it only named people, now contacts; or it asked the user to wait
    return DueAction(
        facts.contact_id,
        Action.READ_REPLY,
        message,
        overdue_by_business_days(message, now, zone),
        f"they wrote on {local_date(message, zone)} after your last step; read their reply",
    )


def their_side(facts: ContactFacts, now: datetime, zone: ZoneInfo) -> list[DueAction]:
    """Someone new wrote for the contact: a colleague taking over, or an assistant. The user
    says which (`contacts add ... --takes-over-from` or `--assistant-of`)."""
    return [
        DueAction(
            facts.contact_id,
            Action.ADD_THEIR_SIDE,
            at,
            overdue_by_business_days(at, now, zone),
            f"{name or address} wrote for them ({local_date(at, zone)}): a colleague taking "
            "over, or their assistant?",
            details=(("email", address), ("name", name)),
        )
        for address, name, at in facts.their_side_new
        if at <= now
    ]
