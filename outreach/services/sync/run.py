"""`outreach sync` and `outreach watch`: what happened in each contact's thread, recorded.

Sync asks the mailbox what changed since the stored cursor, through one interface
(:class:`~outreach.mail.sync_reader.SyncReader`, built by the factory for the configured
kind): Gmail's history ids (:mod:`outreach.mail.gmail_changes`), Graph's delta links
(:mod:`outreach.mail.graph_changes`), IMAP's UIDVALIDITY and UIDNEXT
(:mod:`outreach.mail.imap_changes`). Each answers with the same records: the messages that may
concern a contact, each either placed by the server in a conversation or to be placed here by
its Message-ID, In-Reply-To and References (:class:`~outreach.services.sync.threads.Threads`),
and the new cursor. The local Maildirs have no cursor: their files are indexed here
(:mod:`outreach.services.sync.local`).

Everything is read first and then applied in ONE transaction, with the new cursor: an error
or a dry run writes nothing. Each message is recorded once (its id is unique in
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

from datetime import datetime, timedelta

from outreach.app import AppContext
from outreach.clock import iso
from outreach.mail.sync_reader import FolderMessage, Found, Interest, MailChanges, SyncReader
from outreach.progress import NO_PROGRESS, Progress
from outreach.services.sync.local import sync_local
from outreach.services.sync.record import (
    Change,
    Recorder,
    Seen,
    SyncReport,
    apply_all,
)
from outreach.services.sync.threads import Threads
from outreach.store.events import TrackedMessage
from outreach.track.meta import MessageMeta

__all__ = ["Change", "SyncReport", "remember_mailbox_position", "sync"]


def sync(
    app: AppContext,
    *,
    full: bool = False,
    dry_run: bool = False,
    progress: Progress = NO_PROGRESS,
) -> SyncReport:
    """Sync the configured mailbox; see the module docstring. ``progress`` counts the
    tracked threads read by a full Gmail resync (the slow case)."""
    from outreach.services.sending.ledger import record_unknown_sends
    from outreach.services.sync.prior import read_prior_contact

    store = app.store
    reader = app.sync_reader()
    first = store.sync.get(reader.account).last_sync is None
    if reader.files is not None:
        report = sync_local(app, reader.files, reader.account, dry_run=dry_run)
    else:
        report = _sync_changes(app, reader, full=full, dry_run=dry_run, progress=progress)
    report.recorded += record_unknown_sends(app, full=full or first, dry_run=dry_run)
    read_prior_contact(app, dry_run=dry_run)  # once per workspace, headers only
    return report


def remember_mailbox_position(app: AppContext) -> None:
    """Before the first draft: note the mailbox's position (Gmail's history id: one
    getProfile call; Outlook's: the moment), so the first sync reads everything from then on
    (a contact may answer in a thread of their own, which a resync of our threads would not
    find). Once per workspace; nothing for a mailbox whose first sync needs no position."""
    reader = app.sync_reader()
    if reader.files is not None:
        return
    if app.store.sync.get(reader.account).history_id is not None:
        return
    position = reader.baseline(app.now())
    if position is None:
        return
    with app.store.transaction():
        app.store.sync.set_baseline(reader.account, position)


def _since(app: AppContext) -> datetime | None:
    """The day before our first message: where a read from the start begins."""
    first = app.store.messages.first_created_at()
    if first is None:
        return None
    return datetime.fromisoformat(first) - timedelta(days=1)


def _interest(
    app: AppContext, recorder: Recorder, *, never_synced: bool, progress: Progress
) -> Interest:
    since = _since(app)

    def contacts_mail(meta: MessageMeta) -> bool:
        return recorder.contact_for_mail(meta) is not None

    return Interest(
        owner=recorder.owner,
        threads=recorder.threads,
        drafted=recorder.drafted_gmail_ids(),
        ours={mid: row.thread_id or "" for mid, row in recorder.by_message_id.items()},
        addresses=recorder.by_address,
        known=app.store.events.known_ids,
        contacts_mail=contacts_mail,
        now=app.now(),
        never_synced=never_synced,
        since=since.date() if since is not None else None,
        progress=progress,
    )


def _sync_changes(
    app: AppContext, reader: SyncReader, *, full: bool, dry_run: bool, progress: Progress
) -> SyncReport:
    store = app.store
    account = reader.account
    kind = app.mail_kind()
    before = reader.requests
    state = store.sync.get(account)
    recorder = Recorder(app, gmail=kind.ids_in_history)
    interest = _interest(app, recorder, never_synced=state.last_sync is None, progress=progress)
    changes = reader.changes(state.history_id, interest, full=full)
    report = SyncReport(backend=kind.name, mode=changes.mode, dry_run=dry_run)
    report.reason = changes.reason
    report.history_id = changes.cursor
    items = _placed(app, recorder, changes)
    report.examined = len(items)
    stamp = iso(app.now())

    def draft_gone(row: TrackedMessage, event_id: str) -> bool:
        return changes.draft_gone(row.draft_id, row.gmail_id, event_id)

    apply_all(
        app,
        recorder,
        items,
        draft_gone,
        lambda: store.sync.save(account, changes.cursor, stamp, full=changes.mode == "full"),
        dry_run,
    )
    report.recorded = recorder.recorded
    report.changes = recorder.changes
    report.requests = reader.requests - before
    _read_calendar(app, report, full=full, dry_run=dry_run)
    return report


def _placed(app: AppContext, recorder: Recorder, changes: MailChanges) -> list[Seen]:
    """Each message found in its conversation: the one the server filed it in when it is
    ours, else the contact's whose mail it is (a thread of their own); a message from a
    folder by its headers. Messages in no conversation of a contact are left out."""
    items: list[Seen] = []
    by_headers: list[FolderMessage] = []
    for found in changes.found:
        if found.headers is not None:
            by_headers.append(found.headers)
        elif found.ours:
            items.append(Seen(found.event_id, _thread_of(found), found.meta))
        else:
            contact_id = recorder.contact_for_mail(found.meta)
            if contact_id is not None:
                items.append(Seen(found.event_id, _thread_of(found), found.meta, contact_id))
    if by_headers:
        threads = Threads(app.store, recorder, prefix=changes.key_prefix)
        placed = _place_all(threads, by_headers)
        known = app.store.events.known_ids(message.key for message, _, _ in placed)
        items += [
            Seen(message.key, thread, message.meta, contact_id=contact_id)
            for message, thread, contact_id in placed
            if message.key not in known
        ]
    return items


def _thread_of(found: Found) -> str:
    return found.thread or found.meta.thread_id or found.event_id


def _place_all(
    threads: Threads, messages: list[FolderMessage]
) -> list[tuple[FolderMessage, str, int | None]]:
    """Place every message; one not placed is tried again once the others are (it may answer
    a message that came later in the listing)."""
    placed: list[tuple[FolderMessage, str, int | None]] = []
    waiting = list(messages)
    progress = True
    while progress and waiting:
        progress = False
        for message in list(waiting):
            thread, contact_id = threads.place(message)
            if thread is not None:
                placed.append((message, thread, contact_id))
                waiting.remove(message)
                progress = True
    return placed


def _read_calendar(app: AppContext, report: SyncReport, *, full: bool, dry_run: bool) -> None:
    """Answers given on the user's calendar (:mod:`outreach.services.meetings.calendar_answers`),
    and events left out of step put in step; nothing for a mailbox without a calendar."""
    from outreach.services.meetings.calendar_answers import read_answers

    found = read_answers(app, full=full, dry_run=dry_run)
    report.calendar_requests = found.requests
    report.notes.extend(found.notes)
    for contact_id, kind, at, text in found.changes:
        report.changes.append(Change(app.store.contacts.get(contact_id).label(), kind, at, text))
        if kind == "rsvp":
            report.recorded += 1
