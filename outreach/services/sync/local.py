"""Local sync: the workspace's ``inbox/`` and ``sent/`` Maildirs, read incrementally. They have
no cursor: the files read are indexed in the database (``maildir_seen``), and the mailbox's
reader offers the files themselves (:class:`~outreach.mail.sync_reader.FolderFiles`)."""

from __future__ import annotations

from email.utils import getaddresses
from pathlib import Path

from outreach.app import AppContext
from outreach.clock import iso
from outreach.mail.sync_reader import FolderFiles, FolderMessage, ListedFile
from outreach.services.sync.record import Recorder, Seen, SyncReport, apply_all
from outreach.services.sync.threads import Threads
from outreach.track.classify import MessageMeta


def sync_local(app: AppContext, files: FolderFiles, account: str, *, dry_run: bool) -> SyncReport:
    """Local sync reads only files it has not seen (the ``maildir_seen`` index): with nothing
    new it lists the folders, compares names, sizes and mtimes, and reads no message file.

    A file seen before that was in no conversation of ours is read again only when it may now
    be in one: a new message it answers arrived, or the contacts' addresses changed (it may be
    a contact's mail, in a thread of its own).
    """
    from outreach.store.maildir_seen import SeenFile

    store = app.store
    inbox = files
    report = SyncReport(backend="local", mode="local", dry_run=dry_run)
    quiet = _quiet_state(app, inbox)
    if quiet is not None and _QUIET.get(app.workspace.root) == quiet:
        # Nothing changed since this process's last sync: no folder, no other writer to the
        # database (its data_version), the same address book. An idle `watch` cycle.
        if not dry_run:
            with store.transaction():
                store.sync.save(account, None, iso(app.now()), full=True)
        return report
    listing = inbox.listing()
    stamps = store.seen_files.stamps()
    by_rel = {item.rel: item for item in listing}
    fresh = [
        item
        for item in listing
        if stamps.get(item.rel) != (item.size, item.mtime_ns)
    ]
    gone = [path for path in stamps if path not in by_rel]
    book = store.seen_files.address_book()
    owner = app.config.user.email.casefold()
    book_changed = store.seen_files.seen_address_book() != (book, owner)
    stamp = iso(app.now())
    if not fresh and not gone and not book_changed:
        if not dry_run:
            with store.transaction():
                store.sync.save(account, None, stamp, full=True)
            _remember_quiet(app, inbox)
        return report
    seen = store.seen_files.all()

    recorder = Recorder(app, gmail=False)
    threads = Threads(store, recorder)
    place = threads.place

    placed: list[tuple[ListedFile, FolderMessage, str | None, int | None]] = []
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
            answers = threads.answers_ours(old.referenced)
            theirs = book_changed and any(a in recorder.by_address for a in old.addresses)
            if answers or theirs:
                waiting.remove(old)
                message = inbox.read(by_rel[old.path])
                if message is not None:
                    placed.append((by_rel[old.path], message, *place(message)))
                    progress = True

    known = store.events.known_ids(message.key for _, message, _, _ in placed)
    items = [
        Seen(message.key, thread, message.meta, contact_id=contact_id)
        for _, message, thread, contact_id in placed
        if thread is not None and message.key not in known
    ]
    index = [
        SeenFile(
            path=item.rel,
            size=item.size,
            mtime_ns=item.mtime_ns,
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
        store.sync.save(account, None, stamp, full=True)
        store.seen_files.save(index)
        store.seen_files.forget(gone)
        store.seen_files.saw_address_book(book, owner)

    apply_all(
        app,
        recorder,
        items,
        lambda row, _event_id: inbox.draft_gone(row.draft_id),
        save,
        dry_run,
    )
    if not dry_run:
        _remember_quiet(app, inbox)
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


# The state the last sync of this process left (see _quiet_state), per workspace.
_QUIET: dict[Path, tuple[object, ...]] = {}


def _quiet_state(app: AppContext, inbox: FolderFiles) -> tuple[object, ...] | None:
    """What must be unchanged for a sync to have nothing to do: the Maildir folders (their
    listings settled and unchanged), the database as this process left it (``data_version``
    moves when another connection commits), the address book and the user's address."""
    folders = inbox.settled()
    if folders is None:
        return None
    store = app.store
    return (
        folders,
        store.data_version(),
        store.seen_files.address_book(),
        app.config.user.email.casefold(),
    )


def _remember_quiet(app: AppContext, inbox: FolderFiles) -> None:
    state = _quiet_state(app, inbox)
    if state is None:
        _QUIET.pop(app.workspace.root, None)
    else:
        _QUIET[app.workspace.root] = state
