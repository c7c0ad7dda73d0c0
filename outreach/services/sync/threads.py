"""Placing mail read from folders (the local Maildirs, an IMAP account) in our conversations:
by its own Message-ID, the Message-IDs it answers (In-Reply-To, References, a bounce's returned
original), else by sender (a contact writing in a thread of their own). Shared by the local and
IMAP syncs, so both thread exactly alike."""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

from outreach.mail.sync_reader import FolderMessage
from outreach.services.sync.record import Recorder, bare
from outreach.store import Store


class Threads:
    """Message-ID (bare) -> thread: our messages, then messages sync already placed."""

    def __init__(self, store: Store, recorder: Recorder, prefix: str = "local:") -> None:
        self.recorder = recorder
        self.store = store
        self._added: dict[int, datetime | None] = {}
        self.thread_of: dict[str, str] = {
            bare(mid): tid for mid, tid in store.events.threads_by_message_id(prefix).items()
        }
        for row in recorder.by_message_id.values():
            self.thread_of[bare(row.message_id)] = row.thread_id or row.message_id

    def answers_ours(self, referenced: tuple[str, ...]) -> bool:
        return any(bare(ref) in self.thread_of for ref in referenced)

    def place(self, message: FolderMessage) -> tuple[str | None, int | None]:
        """The thread a message belongs to, and its contact when matched by address."""
        own = bare(message.message_id)
        thread = self.thread_of.get(own) if own else None
        if thread is None:
            thread = next(
                (
                    self.thread_of[bare(ref)]
                    for ref in message.referenced
                    if bare(ref) in self.thread_of
                ),
                None,
            )
        contact_id: int | None = None
        if thread is None:
            # Not in a conversation of ours: theirs only if a contact wrote it (or the user
            # wrote to one), in a thread of its own.
            contact_id = self.recorder.contact_for_mail(message.meta)
            if contact_id is None or self._before_added(contact_id, message):
                return None, None
            thread = message.root or message.message_id or message.key
        if own:
            self.thread_of.setdefault(own, thread)
        return thread, contact_id

    def _before_added(self, contact_id: int, message: FolderMessage) -> bool:
        """Mail from before the contact was added is prior contact (services/sync/prior.py),
        not a step of a conversation of ours: a first sync reads whole folders."""
        if contact_id not in self._added:
            created = self.store.contacts.by_id(contact_id).created_at
            try:
                self._added[contact_id] = datetime.fromisoformat(created) if created else None
            except ValueError:
                self._added[contact_id] = None
        added = self._added[contact_id]
        try:  # when it was written: a file's time is when it was copied in
            when: datetime | None = parsedate_to_datetime(message.meta.header("Date") or "")
        except (TypeError, ValueError, IndexError):
            when = message.meta.internal_date
        if added is None or when is None:
            return False
        if added.tzinfo is None or when.tzinfo is None:
            return False
        return when < added
