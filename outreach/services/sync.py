"""`outreach sync` and `outreach watch`: what happened in each contact's thread, recorded.

Gmail, like lieer:

- **incremental** (a history id is stored): ``history.list`` from that id, every page, asking
  only for added messages (and SENT labels). Messages in *tracked* threads (threads holding a
  message of ours) that sync has not seen are fetched with ``format=metadata`` in batches. A
  sync with nothing new is that one request, whatever the number of tracked threads.
- **full** (first sync, ``--full``, or Gmail answering 404 because the stored id is too old):
  read the profile's history id *first*, then every tracked thread (``threads.get``,
  batched), then store that id. Whatever arrives meanwhile is after the stored id, so the
  next incremental sync sees it; nothing is lost.

Local backend: every file in the workspace's ``inbox/`` and ``sent/`` Maildirs, threaded to
our messages by In-Reply-To/References; a file already read (same name, size and mtime, kept
in ``maildir_seen``) is not read again.

Both read everything first and then apply it in ONE transaction, with the new history id:
an error or a dry run writes nothing. Each message is recorded once (its id is unique in
``thread_events``), so re-running, or a full resync after an incremental one, neither loses
nor doubles an event.

What a message means comes from :func:`outreach.track.classify.classify`:

- our send (label SENT, or from the user's address): the matching message row (by
  Message-ID, else by Gmail id, else the oldest drafted-unsent message of the thread whose
  draft is gone, so a message the user wrote by hand does not take a waiting draft's place) is
  marked sent at the message's real time: that is how a draft sent from Gmail's own interface moves
  the contact from drafted to sent;
- a reply (from the contact or anyone else in the thread, e.g. an assistant), an auto-reply
  (with its return date), a bounce (the failed recipient in ``detail``);
- anything else (a newsletter, a read receipt, a delay notice) is recorded as ``other``, which
  no rule reads. Drafts in the thread are not events.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import getaddresses
from typing import TYPE_CHECKING

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.mail.maildir import ListingCache
from outreach.progress import NO_PROGRESS, Progress
from outreach.services.rsvps import record_answer
from outreach.store.events import TrackedMessage
from outreach.track.classify import Classification, MessageMeta, classify
from outreach.track.model import EventKind

if TYPE_CHECKING:
    from outreach.mail.gmail_sync import GmailSync

# Whether the draft of a drafted message row is gone (given the id of a send seen in its
# thread): only then may that send be taken for it when its Message-ID says nothing.
DraftGone = Callable[[TrackedMessage, str], bool]

__all__ = ["Change", "SyncReport", "remember_mailbox_position", "sync", "watch"]

LOCAL_ACCOUNT = "local"
# Labels of messages outside our threads that are not a person writing: drafts, spam, chat,
# and Gmail's bulk categories. Their headers are never fetched, so a busy inbox of
# newsletters costs nothing beyond the history page that lists them.
_NOT_A_PERSON = frozenset(
    {"DRAFT", "SPAM", "TRASH", "CHAT", "CATEGORY_PROMOTIONS", "CATEGORY_SOCIAL", "CATEGORY_FORUMS"}
)
BACKOFF_CAP_SECONDS = 600.0


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


class _DryRun(Exception):
    """Raised inside the sync transaction to roll a dry run back."""


def _bare(message_id: str) -> str:
    return message_id.strip().strip("<>").strip()


def _angled(message_id: str | None) -> str:
    """A Message-ID header as "<...>" ("" when there is none)."""
    bare = _bare(message_id or "")
    return f"<{bare}>" if bare else ""


@dataclass
class _Seen:
    """A message to apply: its event id, thread and metadata; ``contact_id`` when it was
    matched to a contact by address (a thread of their own) rather than by thread."""

    event_id: str
    thread_id: str
    meta: MessageMeta
    contact_id: int | None = None


class _Recorder:
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
            return self.by_address.get(sender)
        for _, address in getaddresses([meta.header("To") or "", meta.header("Cc") or ""]):
            found = self.by_address.get(address.casefold())
            if found is not None:
                return found
        return None

    def _index(self, row: TrackedMessage) -> None:
        self.by_message_id[_bare(row.message_id)] = row
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
            row = self.by_message_id.get(_bare(header))
            if row is not None:
                return row
        if self.gmail and event_id in self.by_gmail_id:
            return self.by_gmail_id[event_id]
        for row in self.by_thread.get(thread_id, []):
            if row.state == "drafted" and draft_gone(row, event_id):
                return row
        return None

    def apply(self, seen: _Seen, draft_gone: DraftGone) -> None:
        meta = seen.meta
        if "DRAFT" in meta.label_ids:
            return  # a draft in the thread is not an event (it may be sent later)
        contact_id = seen.contact_id or self.threads.get(seen.thread_id)
        if contact_id is None:
            return
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
        about = _address_concerned(kind, found, meta, contact)
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
            message_id=_angled(meta.header("Message-ID")),
            address=about or "",
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
            self.changes.append(
                Change(label, "reply", found.occurred_at, f"replied{who}: {meta.subject}")
            )
        elif kind is EventKind.AUTO_REPLY:
            back = f", back {found.return_date.isoformat()}" if found.return_date else ""
            self.changes.append(
                Change(label, "auto_reply", found.occurred_at, f"auto-reply{back}")
            )
        elif kind is EventKind.BOUNCE:
            self.changes.append(Change(label, "bounce", found.occurred_at, f"bounced: {detail}"))
        elif kind is EventKind.RSVP:
            self.changes.append(
                Change(label, "rsvp", found.occurred_at, self._apply_rsvp(contact, found))
            )

    def _apply_rsvp(self, contact: Contact, found: Classification) -> str:
        """Record an answer to an invite on the meeting it answers; the change's text."""
        answer = found.rsvp or "unknown"
        store = self.store
        meeting = None
        if found.rsvp_uid:
            meeting = next(
                (m for m in store.meetings.for_contact(contact.id) if m.uid == found.rsvp_uid),
                None,
            )
        if meeting is None:
            meeting = store.meetings.latest(contact.id)
        if answer == "unknown" or meeting is None or meeting.state not in (
            "scheduled",
            "declined",
        ):
            return "answered the invite" + ("" if answer == "unknown" else f": {answer}")
        sent_times = [
            r.sent_at for r in store.messages.invites_for(meeting.id) if r.sent_at is not None
        ]
        stale = (
            found.rsvp_sequence < meeting.sequence
            if found.rsvp_sequence is not None
            else bool(sent_times) and iso(found.occurred_at) < max(sent_times)
        )
        if stale:
            return f"{answer} an earlier version of the invite (the meeting has moved since)"
        record_answer(store, meeting, answer, iso(found.occurred_at), iso(self.app.now()))
        return f"{answer} the invite"

    @staticmethod
    def _bounce_is_theirs(found: Classification, contact: Contact) -> bool:
        failed = found.failed_recipient
        return failed is None or not contact.email or failed.lower() == contact.email.lower()


def _address_concerned(
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


def _apply_all(
    app: AppContext,
    recorder: _Recorder,
    items: Iterable[_Seen],
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
                raise _DryRun
    except _DryRun:
        pass


def sync(
    app: AppContext,
    *,
    full: bool = False,
    dry_run: bool = False,
    progress: Progress = NO_PROGRESS,
) -> SyncReport:
    """Sync the configured backend; see the module docstring. ``progress`` counts the
    tracked threads read by a full Gmail resync (the slow case)."""
    if app.config.mail.backend == "gmail":
        return _sync_gmail(app, full=full, dry_run=dry_run, progress=progress)
    return _sync_local(app, dry_run=dry_run)


def remember_mailbox_position(app: AppContext) -> None:
    """Before the first draft in Gmail: note the mailbox's history id, so the first sync reads
    everything from then on (a contact may answer in a thread of their own, which a resync of
    our threads would not find). One getProfile call, once per workspace."""
    if app.config.mail.backend != "gmail":
        return
    account = app.config.user.email
    if app.store.sync.get(account).history_id is not None:
        return
    position = _gmail_reader(app).current_history_id()
    with app.store.transaction():
        app.store.sync.set_baseline(account, position)


def _gmail_reader(app: AppContext) -> GmailSync:
    from outreach.mail.gmail import GmailBackend
    from outreach.mail.gmail_sync import GmailSync

    backend = app.mail()
    assert isinstance(backend, GmailBackend)
    return GmailSync(backend, read_bodies=app.config.google.reads_bodies)


def _sync_gmail(
    app: AppContext, *, full: bool, dry_run: bool, progress: Progress = NO_PROGRESS
) -> SyncReport:
    from outreach.mail.gmail_sync import HistoryChanges, HistoryExpired

    reader = _gmail_reader(app)
    store = app.store
    account = app.config.user.email
    before = reader.requests
    state = store.sync.get(account)
    recorder = _Recorder(app, gmail=True)
    report = SyncReport(backend="gmail", mode="incremental", dry_run=dry_run)
    changes: HistoryChanges | None = None
    if full:
        report.reason = "asked for with --full"
    elif state.history_id is None:
        report.reason = "first sync"
    else:
        if state.last_sync is None:
            report.reason = "first sync, from the first draft on"
        try:
            changes = reader.changes_since(state.history_id)
        except HistoryExpired:
            report.reason = f"Gmail no longer has history from id {state.history_id}"
    items: list[_Seen] = []
    draft_gone: DraftGone
    if changes is not None:
        deleted = changes.deleted

        def draft_gone(row: TrackedMessage, event_id: str) -> bool:
            return row.gmail_id is None or row.gmail_id in deleted or row.gmail_id == event_id

        ours = recorder.drafted_gmail_ids()
        wanted: dict[str, str] = {
            mid: tid
            for mid, tid in changes.added.items()
            if tid in recorder.threads and mid not in ours
        }
        wanted.update({m: t for m, t in changes.sent.items() if t in recorder.threads})
        # Mail outside our threads: its headers say whether a contact wrote it (an answer in
        # a thread of their own, an answer to an invite) or the user wrote to one.
        outside: dict[str, str] = {
            mid: tid
            for mid, tid in {**changes.added, **changes.sent}.items()
            if tid not in recorder.threads
            and mid not in ours
            and not (changes.labels.get(mid, frozenset()) & _NOT_A_PERSON)
        }
        known = store.events.known_ids([*wanted, *outside])
        fetch = [mid for mid in [*wanted, *outside] if mid not in known]
        for meta in reader.messages(fetch, bodies_of=set(wanted)):  # bodies: our threads only
            thread = meta.thread_id or wanted.get(meta.id) or outside[meta.id]
            if meta.id in wanted or thread in recorder.threads:
                items.append(_Seen(meta.id, thread, meta))
                continue
            contact_id = recorder.contact_for_mail(meta)
            if contact_id is not None:
                items.append(_Seen(meta.id, thread, meta, contact_id=contact_id))
        report.history_id = changes.history_id
    else:
        report.mode = "full"
        report.history_id = reader.current_history_id()  # first: nothing after it is missed
        progress.expect(len(recorder.threads))
        threads = reader.threads(list(recorder.threads), progress=progress)
        metas = [(tid, meta) for tid, messages in threads.items() for meta in messages]
        in_view = {meta.id for _, meta in metas if "DRAFT" in meta.label_ids}

        def draft_gone(row: TrackedMessage, event_id: str) -> bool:
            return row.gmail_id is None or row.gmail_id not in in_view

        known = store.events.known_ids(meta.id for _, meta in metas)
        items = [_Seen(meta.id, tid, meta) for tid, meta in metas if meta.id not in known]
    report.examined = len(items)
    history_id = report.history_id
    stamp = iso(app.now())
    _apply_all(
        app,
        recorder,
        items,
        draft_gone,
        lambda: store.sync.save(account, history_id, stamp, full=report.mode == "full"),
        dry_run,
    )
    report.recorded = recorder.recorded
    report.changes = recorder.changes
    report.requests = reader.requests - before
    _read_calendar(app, report, full=full, dry_run=dry_run)
    return report


def _read_calendar(app: AppContext, report: SyncReport, *, full: bool, dry_run: bool) -> None:
    """Answers given on the user's calendar (:mod:`outreach.services.calendar_answers`)."""
    from outreach.services.calendar_answers import read_answers

    found = read_answers(app, full=full, dry_run=dry_run)
    report.calendar_requests = found.requests
    report.notes.extend(found.notes)
    for contact_id, kind, at, text in found.changes:
        report.changes.append(Change(app.store.contacts.get(contact_id).label(), kind, at, text))
        if kind == "rsvp":
            report.recorded += 1


def _sync_local(app: AppContext, *, dry_run: bool) -> SyncReport:
    """Local sync reads only files it has not seen (the ``maildir_seen`` index): with nothing
    new it lists the folders, compares names, sizes and mtimes, and reads no message file.

    A file seen before that was in no conversation of ours is read again only when it may now
    be in one: a new message it answers arrived, or the contacts' addresses changed (it may be
    a contact's mail, in a thread of its own).
    """
    from outreach.mail.local_inbox import Listed, LocalInbox, LocalMessage
    from outreach.store.maildir_seen import SeenFile

    store = app.store
    inbox = LocalInbox(app.workspace, _LISTINGS)
    report = SyncReport(backend="local", mode="local", dry_run=dry_run)
    listing = inbox.listing()
    stamps = store.seen_files.stamps()
    by_rel = {item.rel: item for item in listing}
    fresh = [
        item
        for item in listing
        if stamps.get(item.rel) != (item.entry.size, item.entry.mtime_ns)
    ]
    gone = [path for path in stamps if path not in by_rel]
    book = store.seen_files.address_book()
    owner = app.config.user.email.casefold()
    book_changed = store.seen_files.seen_address_book() != (book, owner)
    stamp = iso(app.now())
    if not fresh and not gone and not book_changed:
        if not dry_run:
            with store.transaction():
                store.sync.save(LOCAL_ACCOUNT, None, stamp, full=True)
        return report
    seen = store.seen_files.all()

    recorder = _Recorder(app, gmail=False)
    # Message-ID (bare) -> thread: our messages, then messages sync already placed.
    thread_of: dict[str, str] = {
        _bare(mid): tid for mid, tid in store.events.local_threads().items()
    }
    for row in recorder.by_message_id.values():
        thread_of[_bare(row.message_id)] = row.thread_id or row.message_id

    def place(message: LocalMessage) -> tuple[str | None, int | None]:
        """The thread a message belongs to, and its contact when matched by address."""
        own = _bare(message.message_id)
        thread = thread_of.get(own) if own else None
        if thread is None:
            thread = next(
                (thread_of[_bare(ref)] for ref in message.referenced if _bare(ref) in thread_of),
                None,
            )
        contact_id: int | None = None
        if thread is None:
            # Not in a conversation of ours: theirs only if a contact wrote it (or the user
            # wrote to one), in a thread of its own.
            contact_id = recorder.contact_for_mail(message.meta)
            if contact_id is None:
                return None, None
            thread = message.root or message.message_id or message.key
        if own:
            thread_of.setdefault(own, thread)
        return thread, contact_id

    placed: list[tuple[Listed, LocalMessage, str | None, int | None]] = []
    for item in fresh:
        message = inbox.read(item)
        if message is not None:  # unreadable or gone: not indexed, so tried again next time
            placed.append((item, message, *place(message)))
    # Files seen before outside any conversation of ours that may be in one now: they answer a
    # message placed just now (an answer to an answer), or come from (or go to) a contact.
    fresh_paths = {item.rel for item in fresh}
    waiting = [
        old
        for old in seen.values()
        if old.thread_id is None and old.path in by_rel and old.path not in fresh_paths
    ]
    progress = True
    while progress and waiting:
        progress = False
        for old in list(waiting):
            answers = any(_bare(ref) in thread_of for ref in old.referenced)
            theirs = book_changed and any(a in recorder.by_address for a in old.addresses)
            if answers or theirs:
                waiting.remove(old)
                message = inbox.read(by_rel[old.path])
                if message is not None:
                    placed.append((by_rel[old.path], message, *place(message)))
                    progress = True

    known = store.events.known_ids(message.key for _, message, _, _ in placed)
    items = [
        _Seen(message.key, thread, message.meta, contact_id=contact_id)
        for _, message, thread, contact_id in placed
        if thread is not None and message.key not in known
    ]
    index = [
        SeenFile(
            path=item.rel,
            size=item.entry.size,
            mtime_ns=item.entry.mtime_ns,
            message_key=message.key,
            message_id=message.message_id,
            referenced=message.referenced,
            addresses=_addresses(message.meta, owner),
            thread_id=thread,
        )
        for item, message, thread, _ in placed
    ]
    report.examined = len(items)

    def save() -> None:
        store.sync.save(LOCAL_ACCOUNT, None, stamp, full=True)
        store.seen_files.save(index)
        store.seen_files.forget(gone)
        store.seen_files.saw_address_book(book, owner)

    _apply_all(
        app,
        recorder,
        items,
        lambda row, _event_id: _local_draft_gone(app, row),
        save,
        dry_run,
    )
    report.recorded = recorder.recorded
    report.changes = recorder.changes
    return report


def _addresses(meta: MessageMeta, owner: str) -> tuple[str, ...]:
    """The addresses that could make a message a contact's (see ``contact_for_mail``): its
    sender, or for the user's own mail, its recipients."""
    sender = meta.sender
    if sender and sender != owner:
        return (sender,)
    pairs = getaddresses([meta.header("To") or "", meta.header("Cc") or ""])
    return tuple(dict.fromkeys(address.casefold() for _, address in pairs if address))


_LISTINGS = ListingCache()  # kept across the syncs of one process (watch)


def _local_draft_gone(app: AppContext, row: TrackedMessage) -> bool:
    if not row.draft_id:
        return True
    drafts = app.workspace.outbox_dir / "cur"
    return not any(drafts.glob(f"{row.draft_id}:*")) and not (drafts / row.draft_id).exists()


# --- watch ------------------------------------------------------------------------------


def _transient_errors(app: AppContext) -> tuple[type[Exception], ...]:
    """What `watch` waits out: the network, and a database another program holds locked."""
    from outreach.store.trouble import DatabaseLocked

    if app.config.mail.backend == "gmail":
        from outreach.mail.gmail_sync import TransientSyncError

        return (TransientSyncError, DatabaseLocked)
    return (OSError, DatabaseLocked)


def _saved_token(app: AppContext) -> str | None:
    """A fingerprint of the saved Google token (changes with every new login)."""
    from outreach.google.auth import token_fingerprint

    return token_fingerprint(app.config.user.email)


def watch(
    app: AppContext,
    interval: float,
    *,
    on_report: Callable[[SyncReport], None],
    on_error: Callable[[str, float], None],
    on_token_dead: Callable[[str, str | None], None] | None = None,
    on_reconnected: Callable[[], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_cycles: int | None = None,
    backoff_cap: float = BACKOFF_CAP_SECONDS,
) -> int:
    """Sync every ``interval`` seconds until interrupted (or ``max_cycles`` cycles); return the
    number of cycles.

    A transient failure (network, Gmail 5xx after the retries, the database locked by another
    program) is reported through ``on_error(message, retry_in)`` and retried after an
    exponentially growing pause, capped at ``backoff_cap``; the first success goes back to
    ``interval``. Each sync holds the workspace's writer lock, waiting its turn (and saying so)
    while another outreach command holds it; between syncs it holds nothing. A dead token
    (Google said ``invalid_grant``: a Testing-mode app's weekly expiry, or revoked access) is
    reported once through ``on_token_dead(message, hint)``; then each cycle only re-reads the
    keyring, without calling Google, until a new login is there (``on_reconnected``), and
    syncing resumes.
    Other errors (a broken workspace, no token at all) propagate: waiting will not fix them.
    """
    from outreach.errors import TokenRevokedError

    transient = _transient_errors(app)
    failures = 0
    cycles = 0
    dead_token: str | None = None
    waiting = False
    while True:
        cycles += 1
        delay = interval
        if waiting and _saved_token(app) != dead_token:
            waiting = False
            app.reset_mail()
            if on_reconnected is not None:
                on_reconnected()
        if not waiting:
            try:
                with app.writing():
                    report = sync(app)
            except TokenRevokedError as exc:
                waiting, dead_token = True, _saved_token(app)
                app.reset_mail()
                if on_token_dead is None:
                    raise
                on_token_dead(exc.message, exc.hint)
            except transient as exc:
                failures += 1
                delay = min(max(backoff_cap, interval), max(interval, 1.0) * 2**failures)
                message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
                on_error(message, delay)
            else:
                failures = 0
                on_report(report)
        if max_cycles is not None and cycles >= max_cycles:
            return cycles
        sleep(delay)
