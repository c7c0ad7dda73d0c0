"""What is due now, each with the exact command that does it.

Kept apart from drafting so `outreach due` loads no template engine. The rules are pure
(:mod:`outreach.track.pipeline`); this module adds what a person (or a script reading
``due --json``) needs to act: who, what, why, and the command to run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from outreach.app import AppContext
from outreach.store import stages
from outreach.track.model import Action, DueAction
from outreach.track.pipeline import due_actions

__all__ = ["DueItem", "due_items", "due_now"]

# What each action means, as a short phrase (drafted: the message only waits to be sent).
ACTION_TEXT = {
    Action.FOLLOW_UP: ("nudge (no reply)", "send the drafted nudge"),
    Action.BOOK: ("book a time", "send the drafted invite"),
    Action.PROPOSE_TIMES: ("propose new times", "send the drafted new times"),
    Action.THANK_YOU: ("thank them", "send the drafted thank-you"),
    Action.REACH_REFERRAL: ("write to referral", "send the drafted referral note"),
    Action.KEEP_IN_TOUCH: ("keep in touch", "send the drafted keep-in-touch note"),
    Action.CLOSE: ("close (no reply)", "close (no reply)"),
    Action.PREPARE: ("prepare for the call", "prepare for the call"),
    Action.PROMISE: ("keep a promise", "keep a promise"),
    Action.CONGRATULATE: ("congratulate them", "send the drafted congratulations"),
    Action.RESCHEDULE: ("move the meeting", "send the drafted update"),
    Action.CONFIRM_MEETING: ("did it happen?", "did it happen?"),
    Action.READ_REPLY: ("read their reply", "read their reply"),
    Action.ADD_REFERRAL: ("add their referral", "add their referral"),
    Action.ADD_THEIR_SIDE: ("someone new writes for them", "someone new writes for them"),
}
_TEMPLATE = {
    Action.FOLLOW_UP: "followup",
    Action.PROPOSE_TIMES: "newtimes",
    Action.THANK_YOU: "thankyou",
    Action.REACH_REFERRAL: "referral",
    Action.KEEP_IN_TOUCH: "keepintouch",
    Action.CONGRATULATE: "congratulate",
}


@dataclass(frozen=True)
class DueItem:
    """A due action with the words and the command to act on it."""

    action: DueAction
    name: str
    ref: str  # the contact as a command takes it: email, else id
    text: str  # e.g. "thank them", "send the drafted thank-you"
    command: str
    # Other commands that also do it (e.g. "did it happen?": met, or met --missed).
    alternatives: tuple[str, ...] = ()
    # What the reply said, for "read their reply": subject, first line, link to the thread.
    reply: dict[str, str] | None = None

    def to_json(self, zone: Any) -> dict[str, Any]:
        """The stable shape of ``due --json`` (documented in the README)."""
        shape: dict[str, Any] = {
            "contact": self.ref,
            "name": self.name,
            "action": self.action.action.value,
            "text": self.text,
            "due": self.action.due.astimezone(zone).isoformat(timespec="seconds"),
            "overdue": self.action.overdue,
            "drafted": self.action.drafted,
            "reason": self.action.reason,
            "command": self.command,
        }
        if self.action.action is Action.PROMISE:
            shape["promise"] = self.action.item_id
        if self.alternatives:
            shape["commands"] = [self.command, *self.alternatives]
        if self.reply is not None:
            shape.update(self.reply)
        for key, value in self.action.details:
            shape[key] = value
        return shape


def due_now(app: AppContext) -> list[DueAction]:
    """What is due at ``app.now()``, overdue first (closed contacts, and open ones for whom
    nothing can be due, are left out before their facts are built)."""
    config = app.config
    now = app.now()
    followup = config.followup
    shortest = min([followup.keep_in_touch_days, *(d for _, d in followup.keep_in_touch_by_tag)])
    facts = app.store.facts(
        open_only=True, due_only=True, quiet_after=stages.keep_in_touch_cutoff(now, shortest)
    )
    return due_actions(facts.values(), followup, now, config.user.zone)


def _future_slots(app: AppContext, contact_id: int, now: datetime) -> list[int]:
    """Numbers of the latest offer's slots that have not started yet."""
    rows = app.store.proposals.for_contact(contact_id)
    if not rows:
        return []
    latest = max(rows, key=lambda p: (p.created_at, p.id))
    return sorted(
        p.slot_index
        for p in rows
        if p.message_idem_key == latest.message_idem_key
        and datetime.fromisoformat(p.start) > now
    )


def _command(app: AppContext, action: DueAction, ref: str) -> str:
    if action.drafted:
        return f"outreach send {ref}"
    picked, proposed = action.detail("slot"), action.detail("proposed")
    if action.action is Action.BOOK and picked is not None:
        return f"outreach book {ref} --slot {picked}"
    if action.action is Action.BOOK and proposed is not None:
        return f"outreach book {ref} --at {proposed}"
    if action.action is Action.RESCHEDULE:
        return f"outreach reschedule {ref} --at {proposed}"
    if action.action is Action.ADD_REFERRAL:
        return _add_referral_command(action, ref)
    if action.action is Action.ADD_THEIR_SIDE:
        return _their_side_command(action, "--takes-over-from", ref)
    window = action.detail("proposed_range")
    if action.action is Action.PROPOSE_TIMES and isinstance(window, dict):
        return f"outreach draft newtimes {ref} --between {window['start']} {window['end']}"
    if action.action is Action.BOOK and action.detail("unsure"):
        return f"outreach book {ref} --at DATETIME"
    if action.action is Action.BOOK:
        slots = _future_slots(app, action.contact_id, app.now())
        if slots:  # which one they meant is read by the user: never a guess, even of one
            return f"outreach book {ref} --slot N (N = {', '.join(map(str, slots))})"
        return f"outreach book {ref} --at DATETIME"
    if action.action is Action.CLOSE:
        why = action.detail("close_reason") or "no reply"
        return f'outreach contacts close {ref} --reason "{why}"'
    if action.action is Action.PREPARE:
        return f"outreach prep {ref}"
    if action.action is Action.PROMISE:
        return f"outreach promises --done {action.item_id}"
    if action.action is Action.CONFIRM_MEETING:
        return f'outreach met {ref} --notes "..."'
    if action.action is Action.READ_REPLY:
        return f"outreach reply {ref} --seen"
    if action.action is Action.REACH_REFERRAL and _referrer_unnamed(app, action.contact_id):
        return f"outreach draft outreach {ref}"
    if action.action is Action.THANK_YOU:
        meeting = app.store.meetings.latest(action.contact_id)
        if meeting is None or not (meeting.notes.strip() or meeting.takeaways.strip()):
            return f'outreach met {ref} --notes "..." (then outreach draft thankyou {ref})'
    return f"outreach draft {_TEMPLATE[action.action]} {ref}"


def _add_referral_command(action: DueAction, ref: str) -> str:
    """`contacts add` for someone a reply named, referred by the contact who named them (a
    colleague they handed the conversation to takes it over)."""
    name = str(action.detail("name") or "NAME").replace('"', "'")
    email = action.detail("email") or "EMAIL"
    how = "--takes-over-from" if action.detail("handoff") and email != "EMAIL" else "--referred-by"
    return f'outreach contacts add {email} --name "{name}" {how} {ref}'


def _referrer_unnamed(app: AppContext, contact_id: int) -> bool:
    return app.store.contacts.get(contact_id).mention_referrer is False


def _alternatives(action: DueAction, ref: str) -> tuple[str, ...]:
    if action.action is Action.CONFIRM_MEETING:
        return (f"outreach met {ref} --missed",)
    if action.action is Action.ADD_THEIR_SIDE:
        return (_their_side_command(action, "--assistant-of", ref),)
    return ()


def _their_side_command(action: DueAction, how: str, ref: str) -> str:
    name = str(action.detail("name") or "NAME").replace('"', "'")
    return f'outreach contacts add {action.detail("email")} --name "{name}" {how} {ref}'




def _reply_shown(app: AppContext, action: DueAction) -> dict[str, str] | None:
    """Subject, first line (when the body could be read) and, on Gmail, a link to the
    thread: what "read their reply" shows."""
    if action.action is not Action.READ_REPLY:
        return None
    event = app.store.events.latest_reply(action.contact_id)
    if event is None:
        return None
    shown = {"subject": event.subject, "from": event.sender}
    if event.first_line:
        shown["first_line"] = event.first_line
    link = app.mail_kind().thread_link
    if link and event.thread_id:
        shown["link"] = link.format(thread=event.thread_id)
    return shown


def _text(action: DueAction) -> str:
    """The action in words; a follow-up after a deferral and a close after a no say so."""
    if action.action is Action.FOLLOW_UP and action.detail("waiting_until"):
        return "send the drafted follow-up" if action.drafted else "follow up gently"
    if action.action is Action.CLOSE and action.detail("close_reason") == "declined":
        return "close (they said no)"
    idle, drafted = ACTION_TEXT[action.action]
    return drafted if action.drafted else idle


def due_items(app: AppContext) -> list[DueItem]:
    """What is due now, overdue first, each with the command that does it."""
    actions = due_now(app)
    names = stages.contact_names(app.store.conn, (action.contact_id for action in actions))
    items = []
    for action in actions:
        name, ref = names[action.contact_id]
        items.append(
            DueItem(
                action,
                name,
                ref,
                _text(action),
                _command(app, action, ref),
                _alternatives(action, ref),
                _reply_shown(app, action),
            )
        )
    return items
