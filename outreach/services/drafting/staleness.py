"""Nothing stale is ever sent: why a drafted message should no longer go out.

A draft waits in the outbox (or in Gmail) until the user sends it, and the conversation moves
on meanwhile: they reply, a meeting is booked or declined, the times it proposes pass, a nudge
stops being timely. `send` asks :func:`stale_reason` before each message and leaves a stale one
unsent, saying why and what to do.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from outreach.app import AppContext
from outreach.store import MessageRow
from outreach.track.model import Action, ContactFacts, Stage
from outreach.track.pipeline import contact_due_actions, stage

__all__ = ["stale_instruction", "stale_reason", "times_too_close"]

# What each kind of message is called in what we print.
WHAT = {
    "outreach": "first message",
    "followup": "nudge",
    "newtimes": "new times",
    "thankyou": "thank-you",
    "keepintouch": "keep-in-touch note",
    "congratulate": "congratulations",
    "confirm": "invite",
    "cancel": "cancellation",
}
_PLURAL = frozenset({"new times", "congratulations"})
_TIMES = "some of the times it proposes"

_FIRST_CONTACT_LIVE = frozenset({Stage.NEW, Stage.DRAFTED})


def times_too_close(
    app: AppContext, row: MessageRow, now: datetime, *, lead: bool = True
) -> bool:
    """Whether a time the draft proposes has passed or (``lead``) is now sooner than
    ``lead_hours`` (a re-draft releases the times of the version before)."""
    earliest = now + timedelta(hours=app.config.schedule.lead_hours if lead else 0)
    offered = [
        p
        for p in app.store.proposals.for_contact(row.contact_id)
        if p.message_idem_key == row.idem_key and p.state != "released"
    ]
    return any(datetime.fromisoformat(p.start) <= earliest for p in offered)


def _invite_reason(app: AppContext, row: MessageRow, now: datetime) -> str | None:
    if row.meeting_id is None:
        return None
    live = [r for r in app.store.messages.invites_for(row.meeting_id) if r.state != "discarded"]
    if live and live[-1].id != row.id:
        return "a newer invite for the same meeting replaced it"
    meeting = app.store.meetings.by_id(row.meeting_id)
    if row.kind == "confirm" and meeting.state != "scheduled":
        return f"the meeting is {meeting.state}"
    if row.kind == "confirm" and datetime.fromisoformat(meeting.start) <= now:
        return "the meeting time has passed"
    return None


def _due(app: AppContext, facts: ContactFacts, now: datetime, action: Action) -> bool:
    config = app.config
    return any(
        a.action is action
        for a in contact_due_actions(facts, config.followup, now, config.user.zone)
    )


def stale_reason(
    app: AppContext, row: MessageRow, facts: ContactFacts, *, check_times: bool = True
) -> str | None:
    """Why this drafted message must not be sent now (None: it may go). ``check_times=False``
    leaves out the times it proposes (one query per message: `due` skips it)."""
    now = app.now()
    current = stage(facts)
    if current is Stage.CLOSED:
        return "the contact is closed"
    if current is Stage.BOUNCED:
        return "mail to this address bounced"
    if row.kind == "outreach" and current not in _FIRST_CONTACT_LIVE:
        return f"they are already at stage {current.value}"
    if row.kind == "followup" and not _due(app, facts, now, Action.FOLLOW_UP):
        if current is not Stage.SENT:
            return "they answered after this nudge was drafted"
        return "the nudge is no longer timely"
    if row.kind == "thankyou" and facts.meeting_state in ("cancelled", "declined", "missed"):
        return f"the meeting was {facts.meeting_state}"
    if row.kind == "newtimes" and current is not Stage.REPLIED:
        return f"they are at stage {current.value} now"
    if row.kind in ("confirm", "cancel"):
        reason = _invite_reason(app, row, now)
        if reason is not None:
            return reason
    if not check_times:
        return None
    if row.held_at is not None and times_too_close(app, row, now):
        # Held by the cap: re-planned before it goes, unless the user edited it.
        return (
            f"{_TIMES} have passed or are sooner than "
            f"{app.config.schedule.lead_hours} hours away"
        )
    if times_too_close(app, row, now, lead=False):
        return f"{_TIMES} have passed"
    return None


def stale_instruction(row: MessageRow, reason: str, ref: str) -> str:
    """The one thing to do about a stale draft, worded the same by `due`, `send` and
    `followup`: e.g. "the drafted nudge is stale (they answered after this nudge was
    drafted): `outreach discard ada@example.org` removes it; `outreach due` then says what
    is next"."""
    what = WHAT.get(row.kind, f"{row.kind} message")
    if reason.startswith(_TIMES):
        fix = (
            f"`outreach draft {row.template} {ref}` re-plans its times (add --force if you "
            "edited the draft: your edits are then replaced)"
        )
    elif row.kind in ("confirm", "cancel"):
        fix = f"`outreach contacts show {ref}` shows the meeting as it is now"
    else:
        fix = f"`outreach discard {ref}` removes it; `outreach due` then says what is next"
    verb = "are" if what in _PLURAL else "is"
    return f"the drafted {what} {verb} stale ({reason}): {fix}"
