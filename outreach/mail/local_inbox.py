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
from outreach.track.classify import MessageMeta

__all__ = ["Listed", "LocalInbox", "LocalMessage", "describe", "local_id"]

_MSGID = re.compile(r"<[^<>\s]+>")
_ORIGINAL_TYPES = ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers")


def local_id(message_id: str) -> str:
    """The event id of a local message with this Message-ID."""
    return f"local:{message_id}"


@dataclass(frozen=True)
class LocalMessage:
    key: str  # the event id: local:<Message-ID>, or local:file:<maildir base name>
    message_id: str  # its Message-ID header, "<...>", or ""
    referenced: tuple[str, ...]  # Message-IDs it answers or returns, nearest first
    meta: MessageMeta
    path: Path | None  # the Maildir file (None for a message read over IMAP)
    root: str = ""  # the thread's first Message-ID (References' first, else In-Reply-To)


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
class Listed:
    """A message file found by listing, not yet read."""

    entry: Entry
    rel: str  # its path relative to the workspace, e.g. "inbox/new/NAME"
    labels: tuple[str, ...]  # ("SENT",) or ("INBOX",)


class LocalInbox:
    """The workspace's ``inbox/`` and ``sent/`` Maildirs, read-only."""

    def __init__(self, workspace: Workspace, listings: ListingCache | None = None) -> None:
        self.root = workspace.root
        self.inbox = workspace.inbox_dir
        self.sent = workspace.root / "sent"
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
                found.append(Listed(entry, f"{prefix}/{entry.name}", labels))
        return found

    def read(self, listed: Listed) -> LocalMessage | None:
        """Read and parse one listed file; None when it vanished or cannot be read."""
        data = read_bytes(listed.entry.path)
        if data is None:
            return None
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        return self._message(listed.entry, parsed, listed.labels)

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
