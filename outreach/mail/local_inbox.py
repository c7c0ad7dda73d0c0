"""Reading the local backend's Maildirs for sync: ``inbox/`` (what came in) and ``sent/``.

With the local backend nothing leaves the machine, so replies arrive by someone (a test, the
demo, or the user saving a message from their mail client) dropping ``.eml`` files into the
workspace's ``inbox/`` Maildir (``new/`` or ``cur/``). ``sent/`` holds our local sends; a draft
moved there by hand counts as sent, like a draft sent from Gmail's own interface.

Each file becomes a :class:`LocalMessage`: its metadata as a
:class:`~outreach.track.classify.MessageMeta` (the same value Gmail's ``format=metadata`` gives),
a stable id (``local:<Message-ID>``, else ``local:file:<name>``) that keeps sync idempotent,
and every Message-ID it points at (In-Reply-To, References, and for a bounce the Message-ID of
the returned original), which sync matches to our messages to find the thread. Reading never
changes the Maildirs. :meth:`LocalInbox.listing` lists without reading, so sync can read only
the files it has not seen before.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

from outreach.config import Workspace
from outreach.mail.maildir import Entry, ListingCache, read_bytes
from outreach.mail.sync_reader import (
    FolderFiles,
    FolderMessage,
    Found,
    Interest,
    ListedFile,
    MailChanges,
)
from outreach.track.classify import MessageMeta

__all__ = ["LISTINGS", "Listed", "LocalInbox", "LocalMessage", "describe", "local_id"]

# The Maildir listings, kept across the syncs of one process (`watch`).
LISTINGS = ListingCache()

_MSGID = re.compile(r"<[^<>\s]+>")
_ORIGINAL_TYPES = ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers")


def local_id(message_id: str) -> str:
    """The event id of a local message with this Message-ID."""
    return f"local:{message_id}"


LocalMessage = FolderMessage  # what a Maildir file or an IMAP message becomes


def _ids(value: object) -> list[str]:
    return _MSGID.findall(str(value or ""))


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, IndexError, TypeError):  # a malformed header the policy cannot parse
        return ""
    return "" if value is None else str(value)


def _returned_originals(msg: Message) -> list[str]:
    """Message-IDs of the original message(s) a delivery report carries."""
    found: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype not in _ORIGINAL_TYPES:
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            for inner in payload:
                if isinstance(inner, Message):
                    found += _ids(_header(inner, "Message-ID"))
        else:
            text = part.get_payload(decode=True)
            if isinstance(text, bytes):
                parsed = email.message_from_bytes(text, policy=email.policy.default)
                found += _ids(_header(parsed, "Message-ID"))
    return found


@dataclass(frozen=True)
class Listed(ListedFile):
    """A message file found by listing, not yet read."""

    entry: Entry
    labels: tuple[str, ...]  # ("SENT",) or ("INBOX",)


class LocalInbox:
    """The workspace's ``inbox/`` and ``sent/`` Maildirs, read-only."""

    def __init__(self, workspace: Workspace, listings: ListingCache | None = None) -> None:
        self.root = workspace.root
        self.inbox = workspace.inbox_dir
        self.sent = workspace.root / "sent"
        self.outbox = workspace.outbox_dir
        self.listings = listings or ListingCache()

    def listing(self) -> list[Listed]:
        """Every message file in ``sent/`` then ``inbox/``, oldest first within each; nothing
        is read (junk is skipped with a warning, see :mod:`outreach.mail.maildir`)."""
        found: list[Listed] = []
        prefixes: dict[Path, str] = {}
        for root, labels in ((self.sent, ("SENT",)), (self.inbox, ("INBOX",))):
            for entry in self.listings.message_entries(root):
                prefix = prefixes.get(entry.folder)
                if prefix is None:
                    prefix = prefixes[entry.folder] = entry.folder.relative_to(self.root).as_posix()
                rel = f"{prefix}/{entry.name}"
                found.append(Listed(rel, entry.size, entry.mtime_ns, entry, labels))
        return found

    def read(self, listed: ListedFile) -> LocalMessage | None:
        """Read and parse one listed file; None when it vanished or cannot be read."""
        assert isinstance(listed, Listed)
        data = read_bytes(listed.entry.path)
        if data is None:
            return None
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        return self._message(listed.entry, parsed, listed.labels)

    def settled(self) -> object | None:
        """The folders' listings, when settled and unchanged (see ListingCache.settled)."""
        return self.listings.settled((self.sent, self.inbox))

    def draft_gone(self, draft_id: str | None) -> bool:
        """Whether a draft left the outbox (sent, or deleted)."""
        if not draft_id:
            return True
        drafts = self.outbox / "cur"
        return not any(drafts.glob(f"{draft_id}:*")) and not (drafts / draft_id).exists()

    def scan(self) -> Iterator[LocalMessage]:
        """Every message in ``sent/`` then ``inbox/``, oldest file first within each."""
        for listed in self.listing():
            message = self.read(listed)
            if message is not None:
                yield message

    @staticmethod
    def _message(entry: Entry, msg: Message, labels: tuple[str, ...]) -> LocalMessage:
        filed_at = datetime.fromtimestamp(entry.mtime_ns / 1e9, UTC)
        base = entry.path.name.split(":", 1)[0]
        return describe(msg, labels, filed_at, fallback_key=f"local:file:{base}", path=entry.path)


def describe(
    msg: Message,
    labels: tuple[str, ...],
    filed_at: datetime,
    *,
    fallback_key: str,
    prefix: str = "local:",
    path: Path | None = None,
) -> LocalMessage:
    """What sync needs of one message read from a folder (a Maildir file, an IMAP message):
    its key (``<prefix><Message-ID>``, else ``fallback_key``), the Message-IDs it answers or
    returns, and its metadata; ``filed_at`` stands in for a missing or unreadable Date."""
    message_ids = _ids(_header(msg, "Message-ID"))
    message_id = message_ids[0] if message_ids else ""
    key = f"{prefix}{message_id}" if message_id else fallback_key
    chain = _ids(_header(msg, "References"))
    replied_to = _ids(_header(msg, "In-Reply-To"))
    root = chain[0] if chain else (replied_to[0] if replied_to else "")
    referenced = replied_to + list(reversed(chain)) + _returned_originals(msg)
    received: datetime | None = None
    if not _header(msg, "Date"):
        received = filed_at
    meta = MessageMeta.from_email(msg, labels, received_at=received, message_id=key, thread_id=None)
    if received is None and meta.header_date is None:  # a Date header that cannot parse
        meta = MessageMeta.from_email(
            msg, labels, received_at=filed_at, message_id=key, thread_id=None
        )
    return LocalMessage(
        key=key,
        message_id=message_id,
        referenced=tuple(dict.fromkeys(referenced)),
        meta=meta,
        path=path,
        root=root,
    )


def local_changes(workspace: Workspace) -> LocalChanges:
    """The local Maildirs' sync reader (their listings kept across the syncs of a process)."""
    return LocalChanges(LocalInbox(workspace, LISTINGS))


class LocalChanges:
    """The :class:`~outreach.mail.sync_reader.SyncReader` of the local Maildirs: sync indexes
    their files itself (:attr:`files`); :meth:`changes` reads every file."""

    account = "local"
    requests = 0

    def __init__(self, inbox: LocalInbox) -> None:
        self.inbox = inbox

    @property
    def files(self) -> FolderFiles | None:
        return self.inbox

    def baseline(self, now: datetime) -> str | None:
        return None

    def changes(self, cursor: str | None, interest: Interest, *, full: bool) -> MailChanges:
        found = [Found(message.key, message.meta, headers=message) for message in self.inbox.scan()]

        def draft_gone(draft_id: str | None, _history_id: str | None, _event_id: str) -> bool:
            return self.inbox.draft_gone(draft_id)

        return MailChanges(found, None, "full", draft_gone, key_prefix="local:")
