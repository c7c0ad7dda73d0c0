"""A contact's conversation as the store knows it: what our next message answers, and the
identity (idempotency key) of each message we write.

Threading rules are pure (:mod:`outreach.compose.threading`); this module only gathers the
contact's messages and the events sync recorded into the values those rules read.
"""

from __future__ import annotations

from datetime import datetime

from outreach.compose.threading import ReplyPoint, ThreadMessage, reply_point
from outreach.contacts.model import Contact
from outreach.store import Store
from outreach.store.meetings import MeetingRow
from outreach.track.model import ContactFacts

__all__ = ["conversation_messages", "idempotency_key", "next_reply_point"]

# Events that are a person writing to us, and so carry the conversation on.
_PERSON_EVENTS = frozenset({"reply", "own_send"})
# Message rows that are part of no conversation: replaced before sending, or sent to an
# address that bounced and was later corrected.
_GONE_STATES = frozenset({"discarded", "bounced"})


def conversation_messages(store: Store, contact: Contact) -> list[ThreadMessage]:
    """Our messages to the contact's current address and what sync saw from them; for a
    colleague who took a conversation over, that conversation too (they inherit its thread)."""
    inherited = [
        message
        for origin in store.contacts.handed_from(contact.id)
        for message in _own_conversation(store, store.contacts.get(origin))
        if message.sent
    ]
    return inherited + _own_conversation(store, contact)


def _own_conversation(store: Store, contact: Contact) -> list[ThreadMessage]:
    address = (contact.email or "").casefold()
    ours: list[ThreadMessage] = []
    own_ids: set[str] = set()
    for row in store.messages.for_contact(contact.id):
        if row.state in _GONE_STATES or row.state not in ("drafted", "sent") or not row.message_id:
            continue
        if row.recipient and address and row.recipient != address:
            continue
        own_ids.add(row.message_id)
        moment = row.sent_at or row.updated_at
        ours.append(
            ThreadMessage(
                message_id=row.message_id,
                thread_id=row.thread_id,
                at=datetime.fromisoformat(moment),
                subject=row.subject,
                ours=True,
                sent=row.state == "sent",
                answers=row.in_reply_to,
            )
        )
    theirs: list[ThreadMessage] = []
    for event in store.events.for_contact(contact.id):
        if event.kind == "own_send" and event.message_id in own_ids:
            continue  # the sync record of one of our own messages, already above
        theirs.append(
            ThreadMessage(
                message_id=event.message_id,
                thread_id=event.thread_id,
                at=datetime.fromisoformat(event.occurred_at),
                subject=event.subject,
                ours=event.kind == "own_send",
                moves_thread=event.kind in _PERSON_EVENTS,
                references=tuple(event.refs.split()),
            )
        )
    return ours + theirs


def next_reply_point(store: Store, contact: Contact) -> ReplyPoint | None:
    """Where the contact's next message goes (None: nothing was written yet)."""
    return reply_point(conversation_messages(store, contact))


def idempotency_key(
    store: Store,
    kind: str,
    contact: Contact,
    facts: ContactFacts,
    meeting: MeetingRow | None,
) -> str:
    """The identity of "this message to this contact": a re-run maps to the same key.

    A first message is written once per address: after a bounce and a corrected address it
    gets a new key (the old one stays with the bounced message). Invites are keyed by
    :func:`outreach.services.meetings.invites.invite_key`, not here.
    """
    if kind == "outreach":
        restarts = store.messages.count_for(contact.id, kind="outreach", state="bounced")
        return f"outreach:{contact.id}" + (f":{restarts + 1}" if restarts else "")
    if kind == "followup":
        return f"followup:{contact.id}:{facts.followups_sent + 1}"
    if kind == "newtimes":
        sent = store.messages.count_for(contact.id, kind="newtimes", state="sent")
        return f"newtimes:{contact.id}:{sent + 1}"
    if kind == "thankyou" and meeting is not None:
        return f"thankyou:{meeting.id}"
    if kind in ("confirm", "cancel") and meeting is not None:
        return f"{kind}:{meeting.id}:{meeting.sequence}"
    if kind == "congratulate":
        seen = facts.job_changed_at.date().isoformat() if facts.job_changed_at else "never"
        return f"congratulate:{contact.id}:{seen}"
    if kind == "keepintouch":
        since = facts.last_exchange_at.date().isoformat() if facts.last_exchange_at else "never"
        return f"keepintouch:{contact.id}:{since}"
    return f"{kind}:{contact.id}"
