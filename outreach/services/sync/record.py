"""Applying what sync saw to the store: classifying each message, matching our own sends to
their drafts, recording replies, answers to invites and bounces (one transaction per sync).

Shared by the Gmail and local syncs (:mod:`outreach.services.sync.run`,
:mod:`outreach.services.sync.local`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import getaddresses

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.services.meetings.rsvps import (
    ReplyMatch,
    apply_match,
    calendar_part_read,
    match_reply,
)
from outreach.services.sync.reading import read_text
from outreach.store.events import TrackedMessage
from outreach.track.classify import Classification, MessageMeta, classify
from outreach.track.model import EventKind
from outreach.track.reply_text import first_line

# Whether the draft of a drafted message row is gone (given the id of a send seen in its
# thread): only then may that send be taken for it when its Message-ID says nothing.
DraftGone = Callable[[TrackedMessage, str], bool]


@dataclass(frozen=True)
class Change:
    """One thing sync learnt, for printing: who, what, when."""

    contact: str  # the contact's label
    kind: str  # sent, reply, auto_reply, bounce
    at: datetime
    text: str


@dataclass
class SyncReport:
    backend: str  # gmail or local
    mode: str  # incremental, full, local
    reason: str = ""  # why a full resync
    history_id: str | None = None
    examined: int = 0  # messages looked at in tracked threads
    recorded: int = 0  # events written (including own sends and "other")
    changes: list[Change] = field(default_factory=list)
    requests: int = 0  # HTTP requests to Gmail (a batch counts once)
    dry_run: bool = False
    calendar_requests: int = 0  # requests to Google Calendar (answers, catching up)
    notes: list[str] = field(default_factory=list)  # what the user should read

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for change in self.changes:
            out[change.kind] = out.get(change.kind, 0) + 1
        return out



class DryRun(Exception):
    """Raised inside the sync transaction to roll a dry run back."""


def bare(message_id: str) -> str:
    return message_id.strip().strip("<>").strip()


def angled(message_id: str | None) -> str:
    """A Message-ID header as "<...>" ("" when there is none)."""
    inner = bare(message_id or "")
    return f"<{inner}>" if inner else ""


@dataclass
class Seen:
    """A message to apply: its event id, thread and metadata; ``contact_id`` when it was
    matched to a contact by address (a thread of their own) rather than by thread."""

    event_id: str
    thread_id: str
    meta: MessageMeta
    contact_id: int | None = None


class Recorder:
    """Applies classified messages to the store (inside the caller's transaction)."""

    def __init__(self, app: AppContext, *, gmail: bool) -> None:
        self.app = app
        self.store = app.store
        self.gmail = gmail
        self.owner = app.config.user.email
        self.threads = self.store.sync.tracked_threads()
        rows = self.store.sync.tracked_messages()
        self.by_message_id: dict[str, TrackedMessage] = {}
        self.by_gmail_id: dict[str, TrackedMessage] = {}
        self.by_thread: dict[str, list[TrackedMessage]] = {}
        for row in rows:
            self._index(row)
        self.contacts: dict[int, Contact] = {}
        self.recorded = 0
        self.changes: list[Change] = []
        self.by_address = self.store.contacts.ids_by_email()

    def contact_for_mail(self, meta: MessageMeta) -> int | None:
        """The contact a message outside our threads belongs to: the sender, or for the
        user's own mail, the first recipient who is a contact. None: not about a contact."""
        owner = self.owner.casefold()
        sender = meta.sender
        if sender and sender != owner:
            found = self.by_address.get(sender)
            if found is not None:
                return found
            # Someone new writing with a contact copied: their side (a colleague, an
            # assistant), recorded as the contact's so they are not nudged meanwhile.
            copied = getaddresses([meta.header("Cc") or "", meta.header("To") or ""])
            return next(
                (
                    self.by_address[address.casefold()]
                    for _, address in copied
                    if address.casefold() in self.by_address
                ),
                None,
            )
        for _, address in getaddresses([meta.header("To") or "", meta.header("Cc") or ""]):
            found = self.by_address.get(address.casefold())
            if found is not None:
                return found
        return None

    def _index(self, row: TrackedMessage) -> None:
        self.by_message_id[bare(row.message_id)] = row
        if row.gmail_id:
            self.by_gmail_id[row.gmail_id] = row
        if row.thread_id:
            bucket = self.by_thread.setdefault(row.thread_id, [])
            bucket[:] = [r for r in bucket if r.row_id != row.row_id] + [row]
            bucket.sort(key=lambda r: r.row_id)

    def drafted_gmail_ids(self) -> set[str]:
        """Gmail ids of our drafts' messages: their messageAdded needs no fetch."""
        rows = self.by_gmail_id.values()
        return {r.gmail_id for r in rows if r.state == "drafted" and r.gmail_id}

    def contact(self, contact_id: int) -> Contact:
        if contact_id not in self.contacts:
            self.contacts[contact_id] = self.store.contacts.get(contact_id)
        return self.contacts[contact_id]

    def _match_send(
        self, meta: MessageMeta, thread_id: str, event_id: str, draft_gone: DraftGone
    ) -> TrackedMessage | None:
        header = meta.header("Message-ID")
        if header:
            row = self.by_message_id.get(bare(header))
            if row is not None:
                return row
        if self.gmail and event_id in self.by_gmail_id:
            return self.by_gmail_id[event_id]
        for row in self.by_thread.get(thread_id, []):
            if row.state == "drafted" and draft_gone(row, event_id):
                return row
        return None

    def apply(self, seen: Seen, draft_gone: DraftGone) -> None:
        meta = seen.meta
        if "DRAFT" in meta.label_ids:
            return  # a draft in the thread is not an event (it may be sent later)
        contact_id = seen.contact_id or self.threads.get(seen.thread_id)
        if contact_id is None:
            return
        writer = self.by_address.get(meta.sender)
        if writer is not None and meta.sender != self.owner.casefold():
            contact_id = writer  # another contact writing in the thread (a colleague who
            # took it over): theirs
        contact = self.contact(contact_id)
        try:
            found = classify(meta, owner_email=self.owner, contact_email=contact.email)
        except ValueError:
            return  # no time at all (never from Gmail; a local file without Date or mtime)
        kind, detail = found.kind, found.reason
        if kind is EventKind.BOUNCE and not self._bounce_is_theirs(found, contact):
            kind = EventKind.OTHER
            detail = f"{found.reason} (not the contact's address)"
        occurred = iso(found.occurred_at.astimezone(UTC))
        answered: ReplyMatch | None = None
        if kind is EventKind.RSVP:  # only to the meeting it answers (rsvps.match_reply)
            answered = match_reply(
                self.store,
                contact,
                answer=found.rsvp or "unknown",
                uid=found.rsvp_uid,
                sequence=found.rsvp_sequence,
                calendar_read=calendar_part_read(meta.calendar),
                sender=found.sender,
                occurred_at=occurred,
            )
            if not answered.ours:
                kind, detail = EventKind.REPLY, answered.text
        about = address_concerned(kind, found, meta, contact)
        shown, reading = "", None
        if kind is EventKind.REPLY:
            shown = first_line(meta.written)
            reading = read_text(
                self.store, contact, meta.written, found.occurred_at, self.app.config.user.zone
            )
        stored = self.store.events.record(
            gmail_id=seen.event_id,
            thread_id=seen.thread_id,
            contact_id=contact_id,
            kind=kind.value,
            sender=found.sender,
            subject=meta.subject,
            occurred_at=occurred,
            return_date=None if found.return_date is None else found.return_date.isoformat(),
            detail=detail,
            message_id=angled(meta.header("Message-ID")),
            address=about or "",
            first_line=shown,
            reading=reading,
            sender_name=_display_name(meta.header("From") or ""),
            refs=" ".join(_MESSAGE_ID.findall(meta.header("References") or "")),
        )
        if not stored:
            return
        self.recorded += 1
        self.threads.setdefault(seen.thread_id, contact_id)  # later mail there is theirs too
        label = contact.label()
        if kind is EventKind.OWN_SEND:
            row = self._match_send(meta, seen.thread_id, seen.event_id, draft_gone)
            if row is None or row.state == "sent":
                return
            self.store.messages.mark_sent(
                row.row_id,
                gmail_id=seen.event_id if self.gmail else None,
                thread_id=seen.thread_id,
                sent_at=occurred,
            )
            self._index(
                replace(
                    row,
                    thread_id=row.thread_id or seen.thread_id,
                    gmail_id=row.gmail_id or (seen.event_id if self.gmail else None),
                    state="sent",
                )
            )
            self.changes.append(
                Change(label, "sent", found.occurred_at, f"sent: {meta.subject or '(no subject)'}")
            )
        elif kind is EventKind.REPLY:
            who = "" if contact.email and found.sender == contact.email.lower() else (
                f" (from {found.sender})"
            )
            other = "" if answered is None else f" ({answered.text})"  # not our invite's
            self.changes.append(
                Change(label, "reply", found.occurred_at, f"replied{who}: {meta.subject}{other}")
            )
        elif kind is EventKind.AUTO_REPLY:
            back = f", back {found.return_date.isoformat()}" if found.return_date else ""
            self.changes.append(
                Change(label, "auto_reply", found.occurred_at, f"auto-reply{back}")
            )
        elif kind is EventKind.BOUNCE:
            self.changes.append(Change(label, "bounce", found.occurred_at, f"bounced: {detail}"))
        elif kind is EventKind.RSVP:
            assert answered is not None
            text = apply_match(self.store, answered, occurred, iso(self.app.now()))
            self.changes.append(Change(label, "rsvp", found.occurred_at, text))

    @staticmethod
    def _bounce_is_theirs(found: Classification, contact: Contact) -> bool:
        failed = found.failed_recipient
        return failed is None or not contact.email or failed.lower() == contact.email.lower()


_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def _display_name(header: str) -> str:
    name, _ = getaddresses([header])[0] if header else ("", "")
    return name.strip()


def address_concerned(
    kind: EventKind, found: Classification, meta: MessageMeta, contact: Contact
) -> str:
    """The contact's address an event is about: a bounce's failed recipient, the recipient of
    our own send, else the sender."""
    own = (contact.email or "").casefold()
    if kind is EventKind.BOUNCE:
        return found.failed_recipient or own
    if kind is EventKind.OWN_SEND:
        recipients = [
            address.casefold()
            for _, address in getaddresses([meta.header("To") or "", meta.header("Cc") or ""])
        ]
        return own if own in recipients or not recipients else recipients[0]
    return found.sender


def apply_all(
    app: AppContext,
    recorder: Recorder,
    items: Iterable[Seen],
    draft_gone: DraftGone,
    save: Callable[[], None],
    dry_run: bool,
) -> None:
    store = app.store
    try:
        with store.transaction():
            for seen in items:
                recorder.apply(seen, draft_gone)
            save()
            if dry_run:
                raise DryRun
    except DryRun:
        pass
