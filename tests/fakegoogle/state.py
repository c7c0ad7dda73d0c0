"""The fake's mailbox and calendars: messages, drafts, threads, history and busy times.

Plain data and operations, no HTTP and no locking: :class:`tests.fakegoogle.server.FakeGoogle`
holds the lock around every use. Gmail's rules are followed where a client can observe them:
- a message id is 16 hex digits; a thread's id is the id of its first message;
- a draft id is stable, but every drafts.update gives the draft a new message id;
- threading: the requested threadId, else In-Reply-To/References naming a message of a thread
  whose subject matches ignoring Re:/Fwd: prefixes (a delivery-status report needs no subject
  match); otherwise a new thread;
- every change appends a history record and bumps the mailbox's historyId;
- raw messages are stored with CRLF line ends (what Gmail returns for format=raw).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakegoogle.wire import ApiError

SYSTEM_LABELS = (
    "INBOX",
    "SENT",
    "DRAFT",
    "UNREAD",
    "STARRED",
    "IMPORTANT",
    "TRASH",
    "SPAM",
    "CATEGORY_PERSONAL",
    "CATEGORY_SOCIAL",
    "CATEGORY_PROMOTIONS",
    "CATEGORY_UPDATES",
    "CATEGORY_FORUMS",
    "CHAT",
)
HISTORY_TYPES = ("messageAdded", "messageDeleted", "labelAdded", "labelRemoved")
FORMATS = ("minimal", "metadata", "full", "raw")

_RAW_REQUIRED = (
    "'raw' RFC822 payload message string or uploading message via /upload/* URL required"
)
_BASE64URL = re.compile(rb"^[A-Za-z0-9_\-]*={0,2}$")
# Reply and forward prefixes in the languages Gmail users commonly see, and auto-reply
# prefixes, which Gmail also threads ("Automatic reply: <subject>").
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|antw|tr|rif|automatic reply|auto(?:matic)?[ -]?reply|"
    r"out of (?:the )?office(?: reply)?)\s*(?:\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)
_MSGID = re.compile(r"<([^<>\s]+)>")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def b64url_decode(text: str | bytes, what: str = "raw") -> bytes:
    """Decode base64url like Gmail: padding optional, the standard alphabet's + and / refused."""
    data = text.encode("ascii", "replace") if isinstance(text, str) else text
    data = b"".join(data.split())
    if not _BASE64URL.match(data):
        raise ApiError(
            400,
            f"Invalid value for ByteString: {data[:40].decode('ascii', 'replace')}",
            "invalidArgument",
        )
    try:
        return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ApiError(400, f"Invalid value for ByteString: {what}", "invalidArgument") from exc


def normalize_subject(subject: str) -> str:
    return " ".join(_SUBJECT_PREFIX.sub("", subject or "").split()).casefold()


def strip_msgid(value: str) -> str:
    return value.strip().strip("<>").strip()


def msgids_in(value: str | None) -> list[str]:
    if not value:
        return []
    found = _MSGID.findall(value)
    return found or [strip_msgid(token) for token in value.split() if token.strip("<>")]


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def parse_message(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def _header_text(message: Message, name: str) -> str | None:
    try:
        value = message.get(name)
    except Exception:  # a malformed header the default policy cannot parse
        value = None
    return None if value is None else str(value)


def _headers_of(message: Message) -> list[tuple[str, str]]:
    """Every header in order, decoded the way Gmail shows them (RFC 2047 words decoded)."""
    out: list[tuple[str, str]] = []
    for name, value in message.raw_items():
        try:
            text = str(message.policy.header_fetch_parse(name, value))
        except Exception:  # a malformed header: show it as it is
            text = value
        out.append((name, re.sub(r"\r?\n(?=[ \t])", "", text)))
    return out


def _plain_text(message: Message) -> str:
    html: str | None = None
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() == "message":
            continue
        if part.get_filename():
            continue
        kind = part.get_content_type()
        if kind not in ("text/plain", "text/html"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset() or "utf-8"
        try:
            text = payload.decode(charset, "replace")
        except LookupError:
            text = payload.decode("utf-8", "replace")
        if kind == "text/plain":
            return text
        if html is None:
            html = re.sub(r"<[^>]+>", " ", text)
    return html or ""


def _escape_snippet(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


@dataclass
class StoredMessage:
    """A message as the fake stores it. Inspection helpers return copies of these."""

    id: str
    thread_id: str
    label_ids: list[str]
    raw: bytes
    internal_date: int  # epoch milliseconds, from the fake's clock
    history_id: int
    seq: int = 0
    _parsed: EmailMessage | None = field(default=None, repr=False, compare=False)

    @property
    def email(self) -> EmailMessage:
        """The parsed message (email.policy.default)."""
        if self._parsed is None:
            self._parsed = parse_message(self.raw)
        return self._parsed

    def header(self, name: str) -> str | None:
        return _header_text(self.email, name)

    @property
    def headers(self) -> list[tuple[str, str]]:
        return _headers_of(self.email)

    @property
    def subject(self) -> str:
        return self.header("Subject") or ""

    @property
    def message_id(self) -> str:
        """The Message-ID header without angle brackets ("" if none)."""
        return strip_msgid(self.header("Message-ID") or "")

    @property
    def text(self) -> str:
        """The text/plain body (or text/html with tags removed)."""
        return _plain_text(self.email)

    @property
    def snippet(self) -> str:
        return _escape_snippet(" ".join(self.text.split())[:200])

    @property
    def internal_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.internal_date / 1000, UTC)

    def ref(self) -> dict[str, Any]:
        return {"id": self.id, "threadId": self.thread_id}

    def snapshot(self) -> dict[str, Any]:
        return {"id": self.id, "threadId": self.thread_id, "labelIds": list(self.label_ids)}

    def copy(self) -> StoredMessage:
        return StoredMessage(
            self.id,
            self.thread_id,
            list(self.label_ids),
            self.raw,
            self.internal_date,
            self.history_id,
            self.seq,
        )


@dataclass(frozen=True)
class DraftView:
    id: str
    message: StoredMessage


@dataclass
class HistoryRecord:
    id: int
    # (history type, message snapshot, labels for label changes)
    events: list[tuple[str, dict[str, Any], list[str]]]

    def resource(self, types: Sequence[str], label_id: str | None) -> dict[str, Any] | None:
        chosen = [
            event
            for event in self.events
            if event[0] in types and (label_id is None or label_id in event[1]["labelIds"])
        ]
        if not chosen:
            return None
        out: dict[str, Any] = {"id": str(self.id), "messages": []}
        seen: set[str] = set()
        for kind, snap, labels in chosen:
            if snap["id"] not in seen:
                seen.add(snap["id"])
                out["messages"].append({"id": snap["id"], "threadId": snap["threadId"]})
            key = {
                "messageAdded": "messagesAdded",
                "messageDeleted": "messagesDeleted",
                "labelAdded": "labelsAdded",
                "labelRemoved": "labelsRemoved",
            }[kind]
            item: dict[str, Any] = {"message": dict(snap, labelIds=list(snap["labelIds"]))}
            if kind in ("labelAdded", "labelRemoved"):
                item["labelIds"] = list(labels)
            out.setdefault(key, []).append(item)
        return out


class Clock:
    """The fake's notion of now: real time until a test sets it, then frozen until moved."""

    def __init__(self) -> None:
        self._fixed: datetime | None = None

    def now(self) -> datetime:
        return self._fixed if self._fixed is not None else datetime.now(UTC)

    def set(self, moment: datetime | None) -> None:
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        self._fixed = moment

    def advance(self, delta: timedelta) -> None:
        self._fixed = self.now() + delta

    def now_ms(self) -> int:
        return int(self.now().timestamp() * 1000)


class Mailbox:
    """One Gmail user's mailbox."""

    def __init__(
        self,
        email: str,
        clock: Clock,
        *,
        new_id_on_send: bool = True,
        strict_threading: bool = True,
        first_history_id: int = 1000,
    ) -> None:
        self.email = email
        self.clock = clock
        self.new_id_on_send = new_id_on_send
        self.strict_threading = strict_threading
        self.messages: dict[str, StoredMessage] = {}
        self.drafts: dict[str, str] = {}  # draft id -> message id
        self.threads: dict[str, list[str]] = {}  # thread id -> message ids, oldest first
        self.history: list[HistoryRecord] = []
        self.history_id = first_history_id
        self.oldest_history_id = first_history_id  # start ids below this are gone (404)
        self._counter = 0
        self._draft_counter = 0
        self._seq = 0

    # ---------------------------------------------------------------- ids and history

    def _new_message_id(self) -> str:
        self._counter += 1
        return f"{0x18E2A0C000000000 + self._counter * 0x1F3:016x}"

    def _new_draft_id(self) -> str:
        self._draft_counter += 1
        return f"r-{4419158225469786000 + self._draft_counter * 7}"

    def _record(self, events: list[tuple[str, StoredMessage, list[str]]]) -> int:
        self.history_id += 1
        snaps = [(kind, message.snapshot(), list(labels)) for kind, message, labels in events]
        self.history.append(HistoryRecord(self.history_id, snaps))
        for kind, message, _ in events:
            if kind != "messageDeleted":
                message.history_id = self.history_id
        return self.history_id

    def expire_history_before(self, history_id: int) -> None:
        self.oldest_history_id = max(self.oldest_history_id, history_id)
        self.history = [record for record in self.history if record.id >= history_id]

    # ---------------------------------------------------------------- lookups

    def get_message(self, message_id: str) -> StoredMessage:
        message = self.messages.get(message_id)
        if message is None:
            raise ApiError(404)
        return message

    def get_draft(self, draft_id: str) -> tuple[str, StoredMessage]:
        message_id = self.drafts.get(draft_id)
        if message_id is None:
            raise ApiError(404)
        return draft_id, self.messages[message_id]

    def thread_messages(self, thread_id: str) -> list[StoredMessage]:
        ids = self.threads.get(thread_id)
        if not ids:
            raise ApiError(404)
        return [self.messages[i] for i in ids]

    def draft_id_of(self, message_id: str) -> str | None:
        for draft_id, mid in self.drafts.items():
            if mid == message_id:
                return draft_id
        return None

    # ---------------------------------------------------------------- threading

    def _choose_thread(self, raw: bytes, requested: str | None, new_id: str) -> str:
        parsed = parse_message(raw)
        subject = normalize_subject(_header_text(parsed, "Subject") or "")
        referenced = set(msgids_in(_header_text(parsed, "In-Reply-To")))
        referenced.update(msgids_in(_header_text(parsed, "References")))
        is_report = parsed.get_content_type() == "multipart/report"

        def matches(thread_id: str) -> bool:
            for other in self.thread_messages(thread_id):
                if (
                    other.message_id
                    and other.message_id in referenced
                    and (is_report or normalize_subject(other.subject) == subject)
                ):
                    return True
            return False

        if requested:
            if requested not in self.threads:
                raise ApiError(400, "Invalid thread_id value", "invalidArgument")
            if not self.strict_threading or matches(requested):
                return requested
            return new_id
        if referenced:
            candidates = sorted(
                (m for m in self.messages.values() if m.message_id in referenced),
                key=lambda m: (m.internal_date, m.seq),
                reverse=True,
            )
            for candidate in candidates:
                if is_report or normalize_subject(candidate.subject) == subject:
                    return candidate.thread_id
        return new_id

    # ---------------------------------------------------------------- changes

    def _store(
        self,
        raw: bytes,
        labels: Iterable[str],
        thread_id: str | None,
        internal_date: int | None = None,
        message_id: str | None = None,
        chosen_thread: str | None = None,
    ) -> StoredMessage:
        raw = crlf(raw)
        new_id = message_id or self._new_message_id()
        chosen = chosen_thread or self._choose_thread(raw, thread_id, new_id)
        self._seq += 1
        message = StoredMessage(
            id=new_id,
            thread_id=chosen,
            label_ids=list(dict.fromkeys(labels)),
            raw=raw,
            internal_date=self.clock.now_ms() if internal_date is None else internal_date,
            history_id=self.history_id,
            seq=self._seq,
        )
        self.messages[new_id] = message
        self.threads.setdefault(chosen, []).append(new_id)
        return message

    def _unstore(self, message: StoredMessage) -> None:
        self.messages.pop(message.id, None)
        ids = self.threads.get(message.thread_id, [])
        if message.id in ids:
            ids.remove(message.id)
        if not ids:
            self.threads.pop(message.thread_id, None)

    def add_message(
        self,
        raw: bytes,
        labels: Iterable[str],
        thread_id: str | None = None,
        internal_date: int | None = None,
    ) -> StoredMessage:
        message = self._store(raw, labels, thread_id, internal_date)
        self._record([("messageAdded", message, [])])
        return message

    def create_draft(self, raw: bytes, thread_id: str | None) -> tuple[str, StoredMessage]:
        message = self.add_message(raw, ["DRAFT"], thread_id)
        draft_id = self._new_draft_id()
        self.drafts[draft_id] = message.id
        return draft_id, message

    def update_draft(self, draft_id: str, raw: bytes, thread_id: str | None) -> StoredMessage:
        _, old = self.get_draft(draft_id)
        raw = crlf(raw)
        new_id = self._new_message_id()
        chosen = self._choose_thread(raw, thread_id, new_id)  # while the old draft is there
        self._unstore(old)
        message = self._store(raw, ["DRAFT"], None, message_id=new_id, chosen_thread=chosen)
        self.drafts[draft_id] = message.id
        self._record([("messageDeleted", old, []), ("messageAdded", message, [])])
        return message

    def delete_draft(self, draft_id: str) -> None:
        _, message = self.get_draft(draft_id)
        del self.drafts[draft_id]
        self._unstore(message)
        self._record([("messageDeleted", message, [])])

    def _prepare_send(self, raw: bytes, message_id_hint: str) -> bytes:
        parsed = parse_message(raw)
        recipients = getaddresses(
            [str(v) for name in ("To", "Cc", "Bcc") for v in (parsed.get_all(name) or [])]
        )
        if not any(address for _, address in recipients):
            raise ApiError(400, "Invalid To header", "invalidArgument")
        extra: list[bytes] = []
        if parsed.get("From") is None:
            extra.append(f"From: {self.email}".encode())
        if parsed.get("Date") is None:
            extra.append(f"Date: {format_datetime(self.clock.now())}".encode())
        if parsed.get("Message-ID") is None:
            extra.append(f"Message-ID: <fake.{message_id_hint}@mail.gmail.com>".encode())
        return b"".join(line + b"\r\n" for line in extra) + raw

    def send_message(self, raw: bytes, thread_id: str | None) -> StoredMessage:
        prepared = self._prepare_send(crlf(raw), f"{self._counter + 1:x}")
        return self.add_message(prepared, ["SENT"], thread_id)

    def send_draft(self, draft_id: str) -> StoredMessage:
        _, draft_message = self.get_draft(draft_id)
        prepared = self._prepare_send(draft_message.raw, draft_message.id)
        del self.drafts[draft_id]
        if not self.new_id_on_send:
            draft_message.raw = prepared
            draft_message._parsed = None
            draft_message.label_ids = [lab for lab in draft_message.label_ids if lab != "DRAFT"]
            draft_message.label_ids.append("SENT")
            draft_message.internal_date = self.clock.now_ms()
            self._record(
                [
                    ("labelRemoved", draft_message, ["DRAFT"]),
                    ("labelAdded", draft_message, ["SENT"]),
                ]
            )
            return draft_message
        self._unstore(draft_message)
        self._seq += 1
        sent = StoredMessage(
            id=self._new_message_id(),
            thread_id=draft_message.thread_id,
            label_ids=["SENT"],
            raw=prepared,
            internal_date=self.clock.now_ms(),
            history_id=self.history_id,
            seq=self._seq,
        )
        self.messages[sent.id] = sent
        self.threads.setdefault(sent.thread_id, []).append(sent.id)
        self._record([("messageDeleted", draft_message, []), ("messageAdded", sent, [])])
        return sent

    def modify(
        self, message_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> StoredMessage:
        message = self.get_message(message_id)
        added = [label for label in dict.fromkeys(add) if label not in message.label_ids]
        removed = [label for label in dict.fromkeys(remove) if label in message.label_ids]
        message.label_ids = [lab for lab in message.label_ids if lab not in removed] + added
        events: list[tuple[str, StoredMessage, list[str]]] = []
        if removed:
            events.append(("labelRemoved", message, removed))
        if added:
            events.append(("labelAdded", message, added))
        if events:
            self._record(events)
        return message

    def delete_message(self, message_id: str) -> None:
        message = self.get_message(message_id)
        draft_id = self.draft_id_of(message_id)
        if draft_id:
            del self.drafts[draft_id]
        self._unstore(message)
        self._record([("messageDeleted", message, [])])

    # ---------------------------------------------------------------- history

    def history_since(
        self,
        start: int,
        types: Sequence[str],
        label_id: str | None,
        after_record: int | None,
        limit: int,
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Records after ``start`` (and after the page token's record); the next page's token."""
        if start < self.oldest_history_id:
            raise ApiError(404)
        out: list[dict[str, Any]] = []
        floor = max(start, after_record or 0)
        for record in self.history:
            if record.id <= floor:
                continue
            resource = record.resource(types, label_id)
            if resource is None:
                continue
            if len(out) == limit:
                return out, int(out[-1]["id"])
            out.append(resource)
        return out, None

    # ---------------------------------------------------------------- search

    def search(
        self,
        query: str | None,
        label_ids: Sequence[str] = (),
        include_spam_trash: bool = False,
        pool: Iterable[StoredMessage] | None = None,
    ) -> list[StoredMessage]:
        terms = parse_query(query or "")
        wants_hidden = include_spam_trash or any(
            op == "in" and value in ("trash", "spam", "anywhere") and not negated
            for negated, op, value in terms
        )
        candidates = self.messages.values() if pool is None else pool
        now_ms = self.clock.now_ms()
        found = []
        for message in candidates:
            if not wants_hidden and ({"TRASH", "SPAM"} & set(message.label_ids)):
                continue
            if any(label not in message.label_ids for label in label_ids):
                continue
            if all(
                _term_matches(message, op, value, now_ms) != negated for negated, op, value in terms
            ):
                found.append(message)
        found.sort(key=lambda m: (m.internal_date, m.seq), reverse=True)
        return found


# ------------------------------------------------------------------------------------ queries

_TERM = re.compile(r'(-?)(?:([A-Za-z0-9_]+):)?("[^"]*"|\([^)]*\)|\S+)')


def parse_query(query: str) -> list[tuple[bool, str, str]]:
    """Gmail search terms as (negated, operator or "", value); quotes and parentheses kept whole."""
    terms = []
    for negation, operator, value in _TERM.findall(query):
        value = value.strip('"')
        if value.startswith("(") and value.endswith(")"):
            value = value[1:-1]
        if not operator and value.upper() in ("AND",):
            continue
        terms.append((bool(negation), operator.lower(), value))
    return terms


def _address_field(message: StoredMessage, *names: str) -> str:
    return " ".join((message.header(name) or "") for name in names).casefold()


def _parse_date(value: str) -> int | None:
    if value.isdigit():
        return int(value) * 1000
    for fmt in ("%Y/%m/%d", "%Y-%m-%d", "%m/%d/%Y"):
        try:
            moment = datetime.strptime(value, fmt).replace(tzinfo=ZoneInfo("UTC"))
        except ValueError:
            continue
        return int(moment.timestamp() * 1000)
    return None


def _age_ms(value: str) -> int | None:
    match = re.fullmatch(r"(\d+)([dmy])", value.lower())
    if not match:
        return None
    days = {"d": 1, "m": 30, "y": 365}[match.group(2)] * int(match.group(1))
    return days * 86_400_000


def _term_matches(message: StoredMessage, op: str, value: str, now_ms: int) -> bool:
    lowered = value.casefold()
    labels = set(message.label_ids)
    if op == "rfc822msgid":
        return message.message_id == strip_msgid(value)
    if op == "in":
        mapping = {
            "sent": "SENT",
            "inbox": "INBOX",
            "drafts": "DRAFT",
            "draft": "DRAFT",
            "trash": "TRASH",
            "spam": "SPAM",
            "starred": "STARRED",
            "important": "IMPORTANT",
        }
        if lowered in ("anywhere", "all"):
            return True
        return mapping.get(lowered, value.upper()) in labels
    if op == "label":
        return value.upper() in labels or value in labels
    if op == "is":
        if lowered == "unread":
            return "UNREAD" in labels
        if lowered == "read":
            return "UNREAD" not in labels
        return lowered.upper() in labels
    if op == "from":
        return lowered in _address_field(message, "From")
    if op == "to":
        return lowered in _address_field(message, "To", "Cc", "Bcc")
    if op in ("cc", "bcc"):
        return lowered in _address_field(message, op)
    if op == "subject":
        return lowered in message.subject.casefold()
    if op in ("after", "before", "newer", "older"):
        limit = _parse_date(value)
        if limit is None:
            return True
        return (
            message.internal_date >= limit
            if op in ("after", "newer")
            else message.internal_date < limit
        )
    if op in ("newer_than", "older_than"):
        age = _age_ms(value)
        if age is None:
            return True
        return (message.internal_date >= now_ms - age) == (op == "newer_than")
    if op == "has":
        if lowered == "attachment":
            return any(part.get_filename() for part in message.email.walk())
        return True
    if op == "thread":
        return message.thread_id == value
    haystack = " ".join(
        [message.subject, message.text, message.header("From") or "", message.header("To") or ""]
    ).casefold()
    return (f"{op}:{lowered}" if op else lowered) in haystack


# ------------------------------------------------------------------------------ resources


def _part_resource(
    part: Message, part_id: str, message_id: str, attachments: dict[str, tuple[str, str]] | None
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "partId": part_id,
        "mimeType": part.get_content_type(),
        "filename": part.get_filename() or "",
        "headers": [{"name": n, "value": v} for n, v in _headers_of(part)],
    }
    if part.get_content_maintype() == "multipart" and part.is_multipart():
        resource["body"] = {"size": 0}
        children = part.get_payload()
        assert isinstance(children, list)
        resource["parts"] = [
            _part_resource(child, f"{part_id}.{i}" if part_id else str(i), message_id, attachments)
            for i, child in enumerate(children)
        ]
        return resource
    if part.is_multipart():  # message/rfc822, message/delivery-status: the bytes as they are
        children = part.get_payload()
        data = (
            b"".join(c.as_bytes() for c in children if isinstance(c, Message))
            if isinstance(children, list)
            else b""
        )
    else:
        decoded = part.get_payload(decode=True)
        data = decoded if isinstance(decoded, bytes) else b""
    if resource["filename"]:
        attachment_id = f"ANGjdJ_{message_id}_{part_id or 'root'}"
        if attachments is not None:
            attachments[attachment_id] = (message_id, part_id)
        resource["body"] = {"attachmentId": attachment_id, "size": len(data)}
    else:
        resource["body"] = {"size": len(data), "data": b64url_encode(data)} if data else {"size": 0}
    return resource


def find_part(message: StoredMessage, part_id: str) -> Message | None:
    node: Message = message.email
    if part_id in ("", "root"):
        return node
    for index in part_id.split("."):
        children = node.get_payload()
        if not isinstance(children, list) or not index.isdigit() or int(index) >= len(children):
            return None
        child = children[int(index)]
        if not isinstance(child, Message):
            return None
        node = child
    return node


def message_resource(
    message: StoredMessage, fmt: str = "full", metadata_headers: Sequence[str] = ()
) -> dict[str, Any]:
    """A Gmail Message resource in the requested format."""
    if fmt not in FORMATS:
        raise ApiError(400, f"Invalid value at 'format' ({fmt})", "invalidArgument")
    resource: dict[str, Any] = {
        "id": message.id,
        "threadId": message.thread_id,
        "labelIds": list(message.label_ids),
        "snippet": message.snippet,
        "sizeEstimate": len(message.raw),
        "historyId": str(message.history_id),
        "internalDate": str(message.internal_date),
    }
    if fmt == "raw":
        resource["raw"] = b64url_encode(message.raw)
    elif fmt == "metadata":
        wanted = {name.casefold() for name in metadata_headers}
        headers = [
            {"name": name, "value": value}
            for name, value in message.headers
            if not wanted or name.casefold() in wanted
        ]
        resource["payload"] = {
            "partId": "",
            "mimeType": message.email.get_content_type(),
            "filename": "",
            "headers": headers,
            "body": {"size": 0},
        }
    elif fmt == "full":
        resource["payload"] = _part_resource(message.email, "", message.id, None)
    return resource


# ------------------------------------------------------------------------------- calendars


BusySource = Callable[[str, datetime, datetime], Iterable[tuple[datetime, datetime]]]


class Calendars:
    """Busy intervals per calendar id, for freeBusy."""

    def __init__(self, primary_aliases: Iterable[str] = ()) -> None:
        self.busy: dict[str, list[tuple[datetime, datetime]]] = {}
        self.aliases = {alias.casefold(): "primary" for alias in primary_aliases}
        # More busy times by calendar id (the events of calendar_events.EventsCalendar).
        self.sources: list[BusySource] = []

    def set_busy(self, calendar_id: str, intervals: Iterable[tuple[datetime, datetime]]) -> None:
        cleaned = []
        for start, end in intervals:
            start = start if start.tzinfo else start.replace(tzinfo=UTC)
            end = end if end.tzinfo else end.replace(tzinfo=UTC)
            if end <= start:
                raise ValueError(f"busy interval ends before it starts: {start} - {end}")
            cleaned.append((start, end))
        self.busy[self._key(calendar_id)] = sorted(cleaned)

    def _key(self, calendar_id: str) -> str:
        return self.aliases.get(calendar_id.casefold(), calendar_id)

    def known(self, calendar_id: str) -> bool:
        return self._key(calendar_id) in self.busy or self._key(calendar_id) == "primary"

    def query(
        self, calendar_id: str, time_min: datetime, time_max: datetime
    ) -> list[tuple[datetime, datetime]]:
        merged: list[tuple[datetime, datetime]] = []
        key = self._key(calendar_id)
        found = list(self.busy.get(key, []))
        for source in self.sources:
            found.extend(source(key, time_min, time_max))
        for start, end in sorted(found):
            start, end = max(start, time_min), min(end, time_max)
            if end <= start:
                continue
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged


def rfc3339(moment: datetime, zone: str | None = None) -> str:
    if zone:
        local = moment.astimezone(ZoneInfo(zone))
        return local.isoformat(timespec="seconds")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise ApiError(400, f"Invalid value: {value}", "invalid") from exc
    if moment.tzinfo is None:
        raise ApiError(400, f"Missing time zone definition for start time: {value}", "invalid")
    return moment
