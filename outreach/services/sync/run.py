"""`outreach sync` and `outreach watch`: what happened in each contact's thread, recorded.

Gmail, like lieer:

- **incremental** (a history id is stored): ``history.list`` from that id, every page, asking
  only for added messages (and SENT labels). Messages in *tracked* threads (threads holding a
  message of ours) that sync has not seen are fetched with ``format=metadata`` in batches. A
  sync with nothing new is that one request, whatever the number of tracked threads.
  New mail outside them is read as metadata to see who wrote it; under ``read_scope =
  "readonly"`` what a contact (or their side) wrote there, e.g. an out-of-office note or a
  calendar's answer in a thread of its own, is read again in full (one more batch), so it is
  read exactly as in our threads.
- **full** (first sync, ``--full``, or Gmail answering 404 because the stored id is too old):
  read the profile's history id *first*, then every tracked thread (``threads.get``,
  batched), then store that id. Whatever arrives meanwhile is after the stored id, so the
  next incremental sync sees it; nothing is lost.

Local backend: every file in the workspace's ``inbox/`` and ``sent/`` Maildirs, threaded to
our messages by In-Reply-To/References; a file already read (same name, size and mtime, kept
in ``maildir_seen``) is not read again.

IMAP backend (:mod:`outreach.services.sync.imap`): Sent and INBOX read from their stored
UIDVALIDITY/UIDNEXT, threaded exactly as the local Maildirs are.

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

from typing import TYPE_CHECKING

from outreach.app import AppContext
from outreach.clock import iso
from outreach.progress import NO_PROGRESS, Progress
from outreach.services.sync.local import sync_local
from outreach.services.sync.record import (
    Change,
    DraftGone,
    Recorder,
    Seen,
    SyncReport,
    apply_all,
)
from outreach.store.events import TrackedMessage
from outreach.track.meta import MessageMeta

if TYPE_CHECKING:
    from outreach.mail.gmail_sync import GmailSync

__all__ = ["Change", "SyncReport", "remember_mailbox_position", "sync"]

# Labels of messages outside our threads that are not a person writing: drafts, spam, chat,
# and Gmail's bulk categories. Their headers are never fetched, so a busy inbox of
# newsletters costs nothing beyond the history page that lists them.
_NOT_A_PERSON = frozenset(
    {"DRAFT", "SPAM", "TRASH", "CHAT", "CATEGORY_PROMOTIONS", "CATEGORY_SOCIAL", "CATEGORY_FORUMS"}
)



def sync(
    app: AppContext,
    *,
    full: bool = False,
    dry_run: bool = False,
    progress: Progress = NO_PROGRESS,
) -> SyncReport:
    """Sync the configured backend; see the module docstring. ``progress`` counts the
    tracked threads read by a full Gmail resync (the slow case)."""
    from outreach.services.sending.ledger import record_unknown_sends
    from outreach.services.sync.prior import read_prior_contact

    first = app.store.sync.get(_account(app)).last_sync is None
    if app.config.mail.backend == "gmail":
        report = _sync_gmail(app, full=full, dry_run=dry_run, progress=progress)
    elif app.config.mail.backend == "imap":
        from outreach.services.sync.imap import sync_imap

        report = sync_imap(app, full=full, dry_run=dry_run)
    elif app.config.mail.backend == "microsoft":
        from outreach.services.sync.graph import sync_microsoft

        report = sync_microsoft(app, full=full, dry_run=dry_run)
    else:
        report = sync_local(app, dry_run=dry_run)
    report.recorded += record_unknown_sends(app, full=full or first, dry_run=dry_run)
    read_prior_contact(app, dry_run=dry_run)  # once per workspace, headers only
    return report


def _account(app: AppContext) -> str:
    backend = app.config.mail.backend
    if backend == "imap":
        from outreach.services.sync.imap import imap_account

        return imap_account(app)
    return app.config.user.email if backend in ("gmail", "microsoft") else "local"


def remember_mailbox_position(app: AppContext) -> None:
    """Before the first draft in Gmail: note the mailbox's history id, so the first sync reads
    everything from then on (a contact may answer in a thread of their own, which a resync of
    our threads would not find). One getProfile call, once per workspace."""
    if app.config.mail.backend not in ("gmail", "microsoft"):
        return
    account = app.config.user.email
    if app.store.sync.get(account).history_id is not None:
        return
    if app.config.mail.backend == "microsoft":  # no request: delta reads from this moment
        from outreach.services.sync.graph import mailbox_position

        position = mailbox_position(app.now())
    else:
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
    recorder = Recorder(app, gmail=True)
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
    items: list[Seen] = []
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
        fetched = reader.messages(fetch, bodies_of=set(wanted))  # bodies: our threads only
        if reader.read_bodies:
            fetched = _with_their_bodies(reader, recorder, fetched, outside)
        for meta in fetched:
            thread = meta.thread_id or wanted.get(meta.id) or outside[meta.id]
            if meta.id in wanted or thread in recorder.threads:
                items.append(Seen(meta.id, thread, meta))
                continue
            contact_id = recorder.contact_for_mail(meta)
            if contact_id is not None:
                items.append(Seen(meta.id, thread, meta, contact_id=contact_id))
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
        items = [Seen(meta.id, tid, meta) for tid, meta in metas if meta.id not in known]
    report.examined = len(items)
    history_id = report.history_id
    stamp = iso(app.now())
    apply_all(
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


def _with_their_bodies(
    reader: GmailSync, recorder: Recorder, metas: list[MessageMeta], outside: dict[str, str]
) -> list[MessageMeta]:
    """Under gmail.readonly: the messages outside our threads that a contact (or their side)
    wrote, read again in full (one more batch), so an out-of-office note or a calendar's
    answer in a thread of its own gives its return date, its UID and its words like one in
    our thread. Everyone else's mail stays headers only; nothing of a body is stored."""
    owner = recorder.owner.casefold()
    theirs = [
        meta.id
        for meta in metas
        if meta.id in outside
        and meta.thread_id not in recorder.threads
        and meta.sender != owner
        and recorder.contact_for_mail(meta) is not None
    ]
    if not theirs:
        return metas
    read = {meta.id: meta for meta in reader.messages(theirs, bodies_of=set(theirs))}
    return [read.get(meta.id, meta) for meta in metas]


def _read_calendar(app: AppContext, report: SyncReport, *, full: bool, dry_run: bool) -> None:
    """Answers given on the user's calendar (:mod:`outreach.services.meetings.calendar_answers`)."""
    from outreach.services.meetings.calendar_answers import read_answers

    found = read_answers(app, full=full, dry_run=dry_run)
    report.calendar_requests = found.requests
    report.notes.extend(found.notes)
    for contact_id, kind, at, text in found.changes:
        report.changes.append(Change(app.store.contacts.get(contact_id).label(), kind, at, text))
        if kind == "rsvp":
            report.recorded += 1
