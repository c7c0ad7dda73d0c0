"""The fake's Outlook mailbox: messages in well-known folders, conversations, delta state.

Messages keep the MIME they were made from (drafts uploaded as MIME, mail delivered to the
user), so ``$value`` gives it back and tests parse what was sent. Every change is numbered;
a delta token is a folder and a change number, and the whole folder's tokens expire together
(:meth:`Mailbox.expire_delta`), as Outlook's delta token cache drops old tokens.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from typing import Any

WELL_KNOWN = ("inbox", "drafts", "sentitems", "deleteditems")
MESSAGE_PROPERTIES = frozenset(
    {
        "id", "conversationId", "internetMessageId", "subject", "from", "sender",
        "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "isDraft", "isRead",
        "receivedDateTime", "sentDateTime", "createdDateTime", "lastModifiedDateTime",
        "parentFolderId", "internetMessageHeaders", "body", "bodyPreview", "changeKey",
        "hasAttachments", "importance", "conversationIndex", "categories", "flag",
    }
)
# Properties a delta query may $select (docs: delta supports $select; not the headers).
DELTA_PROPERTIES = MESSAGE_PROPERTIES - {"internetMessageHeaders", "body"}
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|antw)\s*:\s*)+", re.IGNORECASE)
_MSGID = re.compile(r"<[^<>\s]+>")


def folder_id(name: str) -> str:
    return f"AQMkADAwATM0MDAAfolder-{name}"


def parse_mime(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def base_subject(subject: str) -> str:
    return _SUBJECT_PREFIX.sub("", subject or "").strip().casefold()


def _recipient(value: str) -> dict[str, Any]:
    name, address = parseaddr(value)
    return {"emailAddress": {"name": name or address, "address": address}}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Item:
    id: str
    folder: str
    mime: bytes
    conversation_id: str
    internet_message_id: str
    is_draft: bool
    created: datetime
    received: datetime
    sent: datetime | None = None
    change: int = 0
    modified: datetime | None = None

    @property
    def message(self) -> EmailMessage:
        return parse_mime(self.mime)

    def resource(self, select: frozenset[str] | None) -> dict[str, Any]:
        """The message as Graph shows it, limited to ``select`` (id always)."""
        message = self.message
        full: dict[str, Any] = {
            "id": self.id,
            "createdDateTime": _stamp(self.created),
            "lastModifiedDateTime": _stamp(self.modified or self.received),
            "changeKey": f"CQAAAB{self.change}",
            "receivedDateTime": _stamp(self.received),
            "sentDateTime": _stamp(self.sent or self.received),
            "subject": str(message.get("Subject", "")),
            "conversationId": self.conversation_id,
            "internetMessageId": self.internet_message_id,
            "isDraft": self.is_draft,
            "isRead": self.folder != "inbox",
            "parentFolderId": folder_id(self.folder),
            "from": _recipient(str(message.get("From", ""))) if message.get("From") else None,
            "sender": _recipient(str(message.get("From", ""))) if message.get("From") else None,
            "toRecipients": [_recipient(v) for v in _addresses(message, "To")],
            "ccRecipients": [_recipient(v) for v in _addresses(message, "Cc")],
            "bccRecipients": [_recipient(v) for v in _addresses(message, "Bcc")],
            "replyTo": [],
            "hasAttachments": message.is_multipart(),
            "importance": "normal",
            "conversationIndex": "AQHZ",
            "categories": [],
            "flag": {"flagStatus": "notFlagged"},
            "bodyPreview": _preview(message),
            "body": {"contentType": "text", "content": _preview(message, 100_000)},
            # Drafts have no transport headers yet (Graph gives none until sent).
            "internetMessageHeaders": None
            if self.is_draft
            else [{"name": k, "value": str(v)} for k, v in message.items()],
        }
        if select is None:
            return {k: v for k, v in full.items() if k != "internetMessageHeaders"}
        return {k: v for k, v in full.items() if k in select or k == "id"}


def _addresses(message: EmailMessage, name: str) -> list[str]:
    values = [str(v) for v in message.get_all(name) or []]
    return [f"{n} <{a}>" if n else a for n, a in getaddresses(values) if a]


def _preview(message: EmailMessage, limit: int = 255) -> str:
    part = message.get_body(("plain",))
    if part is None:
        return ""
    text = part.get_content()
    return " ".join(str(text).split())[:limit]


@dataclass
class DeltaToken:
    folder: str
    change: int
    select: frozenset[str] | None
    generation: int


@dataclass
class DeltaPage:
    """What remains of a round (the next pages), and where the round ends."""

    folder: str
    items: list[dict[str, Any]]
    end_change: int
    select: frozenset[str] | None
    generation: int
    page_size: int


@dataclass
class Mailbox:
    """One user's mailbox."""

    address: str
    items: dict[str, Item] = field(default_factory=dict)
    removed: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> (folder, change)
    changes: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    last_change: int = 0
    generation: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WELL_KNOWN, 0))
    tokens: dict[str, DeltaToken] = field(default_factory=dict)
    pages: dict[str, DeltaPage] = field(default_factory=dict)
    delivered: list[bytes] = field(default_factory=list)  # what left the mailbox (sent)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def _next_change(self) -> int:
        self.last_change = next(self.changes)
        return self.last_change

    def _conversation_for(self, message: EmailMessage) -> str:
        """Outlook's conversation: the one of a message this answers (In-Reply-To or
        References) with the same subject, else a new one."""
        named = _MSGID.findall(
            f"{message.get('In-Reply-To', '')} {message.get('References', '')}"
        )
        subject = base_subject(str(message.get("Subject", "")))
        for item in self.items.values():
            if item.internet_message_id in named and base_subject(
                str(item.message.get("Subject", ""))
            ) == subject:
                return item.conversation_id
        return "AAQkADconv-" + secrets.token_hex(8)

    def add(
        self,
        folder: str,
        mime: bytes,
        *,
        draft: bool,
        now: datetime,
        sent: datetime | None = None,
        conversation: str | None = None,
    ) -> Item:
        with self.lock:
            message = parse_mime(mime)
            if not message.get("Message-ID"):
                del message["Message-ID"]
                message["Message-ID"] = make_msgid(domain="fake.outlook.com")
                mime = message.as_bytes()
            if not draft and not message.get("Date"):
                message["Date"] = format_datetime(now)
                mime = message.as_bytes()
            item = Item(
                id="AAMkAD" + secrets.token_hex(12),
                folder=folder,
                mime=mime,
                conversation_id=conversation or self._conversation_for(message),
                internet_message_id=str(message["Message-ID"]).strip(),
                is_draft=draft,
                created=now,
                received=now,
                sent=sent,
                change=self._next_change(),
            )
            self.items[item.id] = item
            return item

    def edit(self, item_id: str, mime: bytes, now: datetime) -> None:
        """An edit keeps the item's id; its changeKey and lastModifiedDateTime change."""
        with self.lock:
            item = self.items[item_id]
            item.mime = mime
            item.modified = now
            item.change = self._next_change()

    def remove(self, item_id: str) -> Item | None:
        with self.lock:
            item = self.items.pop(item_id, None)
            if item is not None:
                self.removed[item_id] = (item.folder, self._next_change())
            return item

    def in_folder(self, folder: str) -> list[Item]:
        return sorted(
            (i for i in self.items.values() if i.folder == folder), key=lambda i: i.change
        )

    def expire_delta(self, folder: str | None = None) -> None:
        """Every delta token of the folder (all folders: None) is forgotten."""
        with self.lock:
            for name in self.generation:
                if folder is None or name == folder:
                    self.generation[name] += 1

    def delta_changes(
        self, folder: str, since: int | None, select: frozenset[str] | None
    ) -> list[dict[str, Any]]:
        """Items of a round: everything in the folder (initial round), or what changed in it
        after change ``since`` (added, updated, or removed: ``@removed``)."""
        rows: list[dict[str, Any]] = []
        for item in self.in_folder(folder):
            if since is None or item.change > since:
                rows.append(item.resource(select))
        if since is not None:
            for item_id, (where, change) in self.removed.items():
                if where == folder and change > since:
                    rows.append({"id": item_id, "@removed": {"reason": "deleted"}})
        return rows

    def new_token(self, folder: str, select: frozenset[str] | None) -> str:
        token = secrets.token_urlsafe(24)
        self.tokens[token] = DeltaToken(folder, self.last_change, select, self.generation[folder])
        return token
