"""What sync asks of a mailbox: what changed since this cursor.

Each backend has its own incremental mechanism (Gmail's history ids, IMAP's UIDVALIDITY and
UIDNEXT, Graph's delta links, the local Maildirs' listing); behind :class:`SyncReader` they
answer one question, :meth:`SyncReader.changes`, with the same records: the messages that may
concern a contact (:class:`Found`), the cursor to store with them, and how to tell that a
draft is gone. What sync cares about comes in as values (:class:`Interest`), so a reader
fetches only what may matter and never touches the store; placing, classifying and recording
are the service's (outreach.services.sync).

The local Maildirs have no cursor: sync keeps an index of the files it has read in the
database. Their reader offers the files themselves (:class:`FolderFiles`) instead.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from outreach.progress import NO_PROGRESS, Progress
from outreach.track.meta import MessageMeta

__all__ = [
    "DraftGone",
    "FolderFiles",
    "FolderMessage",
    "Found",
    "Interest",
    "ListedFile",
    "MailChanges",
    "SyncReader",
]


@dataclass(frozen=True)
class FolderMessage:
    """A message read from a folder (a Maildir file, an IMAP message), with what placing it
    in a conversation by its headers needs."""

    key: str  # the event id: <prefix><Message-ID>, or a fallback for a message without one
    message_id: str  # its Message-ID header, "<...>", or ""
    referenced: tuple[str, ...]  # Message-IDs it answers or returns, nearest first
    meta: MessageMeta
    path: Path | None  # the Maildir file (None for a message read over IMAP)
    root: str = ""  # the thread's first Message-ID (References' first, else In-Reply-To)


@dataclass(frozen=True)
class Found:
    """One message sync may record."""

    event_id: str
    meta: MessageMeta
    # The conversation the server filed it in (Gmail's thread, Outlook's conversation, or a
    # tracked one it names in In-Reply-To/References); None: place it by its headers.
    thread: str | None = None
    ours: bool = False  # in a conversation of ours: recorded without asking whose it is
    headers: FolderMessage | None = None  # for placing by Message-ID (folders)


# (draft id, the draft's message id in the mailbox's history, the event's id) -> whether the
# draft is gone from the drafts (sent, or deleted).
DraftGone = Callable[[str | None, str | None, str], bool]


@dataclass
class MailChanges:
    found: list[Found]
    cursor: str | None  # where the next read starts; stored with what was found
    mode: str  # "incremental", or "full": read from the start
    draft_gone: DraftGone
    reason: str = ""  # why a read from the start
    key_prefix: str = ""  # folders: the prefix of their event ids (placing by Message-ID)


@dataclass(frozen=True)
class Interest:
    """What sync cares about, as values read from the store."""

    owner: str  # the user's address
    threads: Collection[str]  # the conversations of ours (thread ids)
    drafted: Collection[str]  # the history ids of our drafts' messages (not new mail)
    ours: Mapping[str, str]  # a message of ours: bare Message-ID -> its conversation
    addresses: Collection[str]  # the contacts' addresses, casefolded
    known: Callable[[Iterable[str]], set[str]]  # of these event ids, those already recorded
    # Whether a message outside our conversations is a contact's (they, or their side, wrote
    # it, or the user wrote to them).
    contacts_mail: Callable[[MessageMeta], bool]
    now: datetime
    never_synced: bool = False  # the mailbox was never synced (drafted into, at most)
    since: date | None = None  # a read from the start begins here (the day before our first)
    progress: Progress = field(default=NO_PROGRESS)


class SyncReader(Protocol):
    @property
    def account(self) -> str:
        """The mailbox's key in the sync state (its cursor is stored under it)."""
        ...

    @property
    def requests(self) -> int:
        """Requests made so far (for the figures sync prints)."""
        ...

    @property
    def files(self) -> FolderFiles | None:
        """The mailbox's folders as files on this machine (sync indexes them itself); None for
        a mailbox read through :meth:`changes`."""
        ...

    def baseline(self, now: datetime) -> str | None:
        """The cursor to note before the first draft, so the first sync reads everything from
        then on; None where a first sync needs none."""
        ...

    def changes(self, cursor: str | None, interest: Interest, *, full: bool) -> MailChanges:
        """What changed since ``cursor`` (everything, from the start, when ``full`` or when
        the cursor is None or no longer valid)."""
        ...


@dataclass(frozen=True)
class ListedFile:
    """A message file found by listing, not yet read."""

    rel: str  # its path relative to the workspace, e.g. "inbox/new/NAME"
    size: int
    mtime_ns: int


class FolderFiles(Protocol):
    """A mailbox that is folders of files on this machine (the local Maildirs)."""

    def settled(self) -> object | None:
        """The folders' state when their listing is settled and unchanged since the last
        listing (None: it may have changed)."""
        ...

    def listing(self) -> Sequence[ListedFile]: ...

    def read(self, listed: ListedFile) -> FolderMessage | None:
        """One listed file, parsed; None when it vanished or cannot be read."""
        ...

    def draft_gone(self, draft_id: str | None) -> bool: ...
