"""IMAP sync: the account's Sent and INBOX read incrementally (:mod:`outreach.mail.imap_read`),
threaded to our conversations exactly as the local backend's Maildirs are
(:class:`~outreach.services.sync.threads.Threads`), classified and recorded by the same
:mod:`~outreach.services.sync.record` path, in one transaction with the new folder positions."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from imapclient.exceptions import IMAPClientError

from outreach.app import AppContext
from outreach.clock import iso
from outreach.errors import MailUnreachable, SyncError
from outreach.mail.imap import ImapBackend, parse_draft_id
from outreach.mail.imap_read import PREFIX, FolderRead, SyncPoint, read_folder
from outreach.mail.local_inbox import LocalMessage
from outreach.services.sync.record import Recorder, Seen, SyncReport, apply_all
from outreach.services.sync.threads import Threads
from outreach.store.events import TrackedMessage


def imap_account(app: AppContext) -> str:
    imap = app.config.imap
    return f"imap:{imap.username or app.config.user.email}@{imap.host}"


def _since(app: AppContext) -> date | None:
    """The day before our first message: where a read from the start begins."""
    first = app.store.messages.first_created_at()
    if first is None:
        return None
    return (datetime.fromisoformat(first) - timedelta(days=1)).date()


def _read(backend: ImapBackend, point: SyncPoint, since: date | None) -> list[FolderRead]:
    session = backend.session
    if point.folders is not None:
        session.assume_folders(point.folders)
    reads: list[FolderRead] = []
    try:
        for folder, label in ((session.folders().sent, "SENT"), ("INBOX", "INBOX")):
            reads.append(
                read_folder(session, folder, label, point.positions.get(folder), since)
            )
    except IMAPClientError as exc:
        session.broken()
        if point.folders is not None:  # a folder renamed since: find them again, once
            session.relist()
            return _read(backend, SyncPoint(point.positions), since)
        raise SyncError(
            f"The IMAP server {backend.imap.host} failed during sync: {exc}.",
            hint="Run `outreach sync` again; `outreach sync --full` reads everything again.",
        ) from None
    except OSError as exc:
        session.broken()
        raise MailUnreachable(
            f"The connection to {backend.imap.host} broke during sync: {exc}.",
            hint="Run `outreach sync` again when the network is back.",
        ) from None
    return reads


def sync_imap(app: AppContext, *, full: bool, dry_run: bool) -> SyncReport:
    """See the module docstring; ``full`` reads both folders again from the start."""
    backend = app.mail()
    assert isinstance(backend, ImapBackend)
    store = app.store
    account = imap_account(app)
    point = SyncPoint.decode(store.sync.get(account).history_id)
    if full:
        point = SyncPoint({}, point.folders)
    reads = _read(backend, point, _since(app))
    reread = any(read.reread for read in reads)
    report = SyncReport(backend="imap", mode="full" if reread else "incremental", dry_run=dry_run)
    if full:
        report.reason = "asked for with --full"
    elif reread and point.positions:
        report.reason = "the server renumbered a folder (UIDVALIDITY changed)"
    recorder = Recorder(app, gmail=False)
    threads = Threads(store, recorder, prefix=PREFIX)
    messages = [message for read in reads for message in read.messages]
    placed = _place_all(threads, messages)
    known = store.events.known_ids(message.key for message, _, _ in placed)
    items = [
        Seen(message.key, thread, message.meta, contact_id=contact_id)
        for message, thread, contact_id in placed
        if message.key not in known
    ]
    report.examined = len(items)
    new_point = SyncPoint(
        {read.folder: read.position for read in reads}, backend.session.folders()
    )
    stamp = iso(app.now())
    drafts_now: set[int] | None = None
    drafts_validity: int | None = None

    def draft_gone(row: TrackedMessage, _event_id: str) -> bool:
        nonlocal drafts_now, drafts_validity
        parsed = parse_draft_id(row.draft_id or "")
        if parsed is None:
            return True
        if drafts_now is None:
            drafts_now = backend.draft_uids()
            drafts_validity = backend.session.validity.get(backend.session.folders().drafts)
        if parsed[0] == drafts_validity and parsed[1] in drafts_now:
            return False
        # A mail app saves an edited draft as a new message with the same Message-ID.
        return not backend.draft_exists(row.draft_id or "")

    apply_all(
        app,
        recorder,
        items,
        draft_gone,
        lambda: store.sync.save(account, new_point.encode(), stamp, full=reread),
        dry_run,
    )
    report.recorded = recorder.recorded
    report.changes = recorder.changes
    return report


def _place_all(
    threads: Threads, messages: list[LocalMessage]
) -> list[tuple[LocalMessage, str, int | None]]:
    """Place every message; one not placed is tried again once the others are (it may answer
    a message that came later in the listing)."""
    placed: list[tuple[LocalMessage, str, int | None]] = []
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
