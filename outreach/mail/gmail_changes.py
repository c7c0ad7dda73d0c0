"""Gmail's answer to "what changed since this cursor" (:mod:`outreach.mail.sync_reader`), like
lieer:

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
"""

from __future__ import annotations

from datetime import datetime

from outreach.mail.gmail_sync import GmailSync, HistoryChanges, HistoryExpired
from outreach.mail.sync_reader import FolderFiles, Found, Interest, MailChanges
from outreach.track.meta import MessageMeta

__all__ = ["GmailChanges"]

# Labels of messages outside our threads that are not a person writing: drafts, spam, chat,
# and Gmail's bulk categories. Their headers are never fetched, so a busy inbox of
# newsletters costs nothing beyond the history page that lists them.
_NOT_A_PERSON = frozenset(
    {"DRAFT", "SPAM", "TRASH", "CHAT", "CATEGORY_PROMOTIONS", "CATEGORY_SOCIAL", "CATEGORY_FORUMS"}
)


class GmailChanges:
    """The :class:`~outreach.mail.sync_reader.SyncReader` of a Gmail mailbox."""

    files: FolderFiles | None = None

    def __init__(self, reader: GmailSync, account: str) -> None:
        self.reader = reader
        self.account = account

    @property
    def requests(self) -> int:
        return self.reader.requests

    def baseline(self, now: datetime) -> str | None:
        """The mailbox's history id now (one getProfile call)."""
        return self.reader.current_history_id()

    def changes(self, cursor: str | None, interest: Interest, *, full: bool) -> MailChanges:
        history: HistoryChanges | None = None
        reason = ""
        if full:
            reason = "asked for with --full"
        elif cursor is None:
            reason = "first sync"
        else:
            if interest.never_synced:
                reason = "first sync, from the first draft on"
            try:
                history = self.reader.changes_since(cursor)
            except HistoryExpired:
                reason = f"Gmail no longer has history from id {cursor}"
        if history is None:
            found = self._everything(interest, reason)
        else:
            found = self._since(history, interest, reason)
        return found

    def _since(self, changes: HistoryChanges, interest: Interest, reason: str) -> MailChanges:
        deleted = changes.deleted

        def draft_gone(_draft_id: str | None, gmail_id: str | None, event_id: str) -> bool:
            return gmail_id is None or gmail_id in deleted or gmail_id == event_id

        tracked = interest.threads
        ours = interest.drafted
        wanted: dict[str, str] = {
            mid: tid for mid, tid in changes.added.items() if tid in tracked and mid not in ours
        }
        wanted.update({m: t for m, t in changes.sent.items() if t in tracked})
        # Mail outside our threads: its headers say whether a contact wrote it (an answer in
        # a thread of their own, an answer to an invite) or the user wrote to one.
        outside: dict[str, str] = {
            mid: tid
            for mid, tid in {**changes.added, **changes.sent}.items()
            if tid not in tracked
            and mid not in ours
            and not (changes.labels.get(mid, frozenset()) & _NOT_A_PERSON)
        }
        known = interest.known([*wanted, *outside])
        fetch = [mid for mid in [*wanted, *outside] if mid not in known]
        fetched = self.reader.messages(fetch, bodies_of=set(wanted))  # bodies: our threads only
        if self.reader.read_bodies:
            fetched = self._with_their_bodies(interest, fetched, outside)
        found: list[Found] = []
        for meta in fetched:
            thread = meta.thread_id or wanted.get(meta.id) or outside[meta.id]
            found.append(
                Found(meta.id, meta, thread, ours=meta.id in wanted or thread in tracked)
            )
        return MailChanges(found, changes.history_id, "incremental", draft_gone, reason)

    def _everything(self, interest: Interest, reason: str) -> MailChanges:
        history_id = self.reader.current_history_id()  # first: nothing after it is missed
        interest.progress.expect(len(interest.threads))
        threads = self.reader.threads(list(interest.threads), progress=interest.progress)
        metas = [(tid, meta) for tid, messages in threads.items() for meta in messages]
        in_view = {meta.id for _, meta in metas if "DRAFT" in meta.label_ids}

        def draft_gone(_draft_id: str | None, gmail_id: str | None, _event_id: str) -> bool:
            return gmail_id is None or gmail_id not in in_view

        known = interest.known(meta.id for _, meta in metas)
        found = [
            Found(meta.id, meta, tid, ours=True) for tid, meta in metas if meta.id not in known
        ]
        return MailChanges(found, history_id, "full", draft_gone, reason)

    def _with_their_bodies(
        self, interest: Interest, metas: list[MessageMeta], outside: dict[str, str]
    ) -> list[MessageMeta]:
        """Under gmail.readonly: the messages outside our threads that a contact (or their
        side) wrote, read again in full (one more batch), so an out-of-office note or a
        calendar's answer in a thread of its own gives its return date, its UID and its words
        like one in our thread. Everyone else's mail stays headers only; nothing of a body is
        stored."""
        owner = interest.owner.casefold()
        theirs = [
            meta.id
            for meta in metas
            if meta.id in outside
            and meta.thread_id not in interest.threads
            and meta.sender != owner
            and interest.contacts_mail(meta)
        ]
        if not theirs:
            return metas
        read = {meta.id: meta for meta in self.reader.messages(theirs, bodies_of=set(theirs))}
        return [read.get(meta.id, meta) for meta in metas]
