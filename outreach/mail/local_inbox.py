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
changes the Maildirs.
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
from outreach.track.classify import MessageMeta

__all__ = ["LocalInbox", "LocalMessage", "local_id"]

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
    path: Path
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


class LocalInbox:
    """The workspace's ``inbox/`` and ``sent/`` Maildirs, read-only."""

    def __init__(self, workspace: Workspace) -> None:
        self.inbox = workspace.inbox_dir
        self.sent = workspace.root / "sent"

    def _files(self, root: Path) -> list[Path]:
        found: list[Path] = []
        for sub in ("new", "cur"):
            folder = root / sub
            if folder.is_dir():
                found += [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
        return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))

    def scan(self) -> Iterator[LocalMessage]:
        """Every message in ``sent/`` then ``inbox/``, oldest file first within each."""
        for root, labels in ((self.sent, ("SENT",)), (self.inbox, ("INBOX",))):
            for path in self._files(root):
                parsed = self._read(path)
                if parsed is not None:
                    yield self._message(path, parsed, labels)

    @staticmethod
    def _read(path: Path) -> Message | None:
        try:
            with open(path, "rb") as handle:
                return email.message_from_binary_file(handle, policy=email.policy.default)
        except OSError:
            return None  # vanished while we looked (a mail client moved it): next sync

    @staticmethod
    def _message(path: Path, msg: Message, labels: tuple[str, ...]) -> LocalMessage:
        message_ids = _ids(_header(msg, "Message-ID"))
        message_id = message_ids[0] if message_ids else ""
        base = path.name.split(":", 1)[0]
        key = local_id(message_id) if message_id else f"local:file:{base}"
        chain = _ids(_header(msg, "References"))
        replied_to = _ids(_header(msg, "In-Reply-To"))
        root = chain[0] if chain else (replied_to[0] if replied_to else "")
        referenced = replied_to + list(reversed(chain)) + _returned_originals(msg)
        received: datetime | None = None
        if not _header(msg, "Date"):
            received = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        meta = MessageMeta.from_email(
            msg, labels, received_at=received, message_id=key, thread_id=None
        )
        if received is None and meta.header_date is None:  # a Date header that cannot parse
            received = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            meta = MessageMeta.from_email(
                msg, labels, received_at=received, message_id=key, thread_id=None
            )
        return LocalMessage(
            key=key,
            message_id=message_id,
            referenced=tuple(dict.fromkeys(referenced)),
            meta=meta,
            path=path,
            root=root,
        )
