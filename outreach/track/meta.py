"""A message's metadata, as classification reads it, from Gmail or from a parsed ``.eml``.

:class:`MessageMeta` holds the fields of a Gmail ``format=metadata`` resource we use (labels,
snippet, internalDate, headers); the local backend builds the same value from a parsed file,
so one set of rules serves both. When the body could be read (a local file, or Gmail's
``format=full``), the first ``text/calendar`` part is kept too, for answers to invites.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

__all__ = ["SNIPPET_CHARS", "MessageMeta"]

SNIPPET_CHARS = 500  # of body text kept by MessageMeta.from_email (Gmail's own are ~200)


def _decode(value: str) -> str:
    """A header value as text: encoded words decoded, folding removed."""
    text = str(value)
    if "=?" in text:
        with contextlib.suppress(ValueError, LookupError, UnicodeError):
            text = str(make_header(decode_header(text)))
    return re.sub(r"\s*\r?\n\s*", " ", text).strip()


def _address(value: str | None) -> str:
    return parseaddr(value or "")[1].strip().lower()


@dataclass(frozen=True)
class MessageMeta:
    """A message's metadata: the fields of a Gmail ``format=metadata`` resource we use."""

    id: str
    thread_id: str | None
    label_ids: frozenset[str]
    snippet: str
    internal_date: datetime | None  # Gmail's internalDate (receipt time), aware UTC
    headers: tuple[tuple[str, str], ...]  # in order, names as written
    mime_type: str | None = None  # payload.mimeType, e.g. "multipart/report"
    calendar: str | None = None  # a text/calendar part, when the body could be read

    @classmethod
    def from_gmail(cls, resource: Mapping[str, Any]) -> MessageMeta:
        """Wrap a ``users.messages.get(format=metadata)`` resource (or a full one)."""
        payload = resource.get("payload") or {}
        headers = tuple(
            (str(h.get("name", "")), _decode(str(h.get("value", ""))))
            for h in payload.get("headers") or ()
        )
        internal: datetime | None = None
        raw_ms = resource.get("internalDate")
        if raw_ms is not None:
            try:
                internal = datetime.fromtimestamp(int(raw_ms) / 1000, tz=UTC)
            except (TypeError, ValueError, OverflowError):
                internal = None
        return cls(
            id=str(resource.get("id", "")),
            thread_id=resource.get("threadId"),
            label_ids=frozenset(resource.get("labelIds") or ()),
            snippet=html.unescape(str(resource.get("snippet", ""))),  # Gmail escapes ' as &#39;
            internal_date=internal,
            headers=headers,
            mime_type=payload.get("mimeType"),
            calendar=_gmail_calendar_part(payload),
        )

    @classmethod
    def from_email(
        cls,
        msg: Message,
        labels: Iterable[str] = (),
        *,
        received_at: datetime | None = None,
        message_id: str | None = None,
        thread_id: str | None = None,
    ) -> MessageMeta:
        """Wrap a parsed message (any policy); the snippet is the start of its text body.

        ``received_at`` plays the part of Gmail's internalDate (e.g. the Maildir file's
        delivery time); without it the Date header gives the time.
        """
        headers = tuple((str(name), _decode(str(value))) for name, value in msg.items())
        return cls(
            id=message_id if message_id is not None else _decode(str(msg.get("Message-ID", ""))),
            thread_id=thread_id,
            label_ids=frozenset(labels),
            snippet=_body_snippet(msg),
            internal_date=None if received_at is None else received_at.astimezone(UTC),
            headers=headers,
            mime_type=msg.get_content_type(),
            calendar=_calendar_part(msg),
        )

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (any case), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def has_header(self, name: str) -> bool:
        return self.header(name) is not None

    @property
    def subject(self) -> str:
        return self.header("Subject") or ""

    @property
    def sender(self) -> str:
        """The From address, lower case ("" when missing)."""
        return _address(self.header("From"))

    @property
    def header_date(self) -> datetime | None:
        """The Date header, aware (in the sender's offset), or None when missing or bad."""
        raw = self.header("Date")
        if not raw:
            return None
        try:
            parsed = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)

    @property
    def occurred_at(self) -> datetime:
        """When the message arrived: internalDate, else the Date header, in UTC.

        Raises ValueError when neither is there (Gmail always gives internalDate).
        """
        if self.internal_date is not None:
            return self.internal_date
        stated = self.header_date
        if stated is None:
            raise ValueError(f"message {self.id!r} has neither internalDate nor a Date header")
        return stated.astimezone(UTC)

    @property
    def local_date(self) -> date:
        """The calendar date where it was written (Date header), else the UTC date."""
        stated = self.header_date
        return stated.date() if stated is not None else self.occurred_at.date()


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _calendar_part(msg: Message) -> str | None:
    """The first text/calendar part (inline or attached) of a parsed message."""
    for part in msg.walk():
        if part.get_content_type() in ("text/calendar", "application/ics"):
            text = _part_text(part)
            if text.strip():
                return text
    return None


def _gmail_calendar_part(payload: Mapping[str, Any]) -> str | None:
    """The first text/calendar part of a Gmail ``format=full`` payload (None for metadata,
    which has no parts)."""
    stack = [payload]
    while stack:
        part = stack.pop(0)
        if part.get("mimeType") in ("text/calendar", "application/ics"):
            data = (part.get("body") or {}).get("data")
            if data:
                try:
                    raw = base64.urlsafe_b64decode(str(data) + "=" * (-len(str(data)) % 4))
                except (ValueError, binascii.Error):
                    continue
                return raw.decode("utf-8", errors="replace")
        stack.extend(part.get("parts") or ())
    return None


def _body_snippet(msg: Message) -> str:
    """Like Gmail's snippet: the first text part, plain text preferred, whitespace collapsed."""
    html_text: str | None = None
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain":
            text = _part_text(part)
            break
        if ctype == "text/html" and html_text is None:
            html_text = _part_text(part)
    else:
        text = ""
        if html_text is not None:
            text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html_text)
            text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\s+", " ", text).strip()[:SNIPPET_CHARS]
