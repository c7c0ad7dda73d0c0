"""A message's metadata, as classification reads it, from Gmail or from a parsed ``.eml``.

:class:`MessageMeta` holds what Gmail gives for the granted scope. With ``gmail.metadata`` (the
default) a message is its labels, internalDate and headers; Google documents format=metadata
as "message ID, labels, and email headers", and whether a snippet comes with it is not
documented, so nothing relies on one. With ``gmail.readonly`` (an opt-in) sync asks for
format=full: then the text parts are the :attr:`MessageMeta.body`, a delivery-status report's
per-recipient fields (RFC 3464: Final-Recipient, Action, Status) are
:attr:`MessageMeta.delivery`, and the first ``text/calendar`` part is kept, for answers to
invites. The local backend builds the same value from a parsed file, so one set of rules
serves both.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

from outreach.track.delivery_status import (
    DeliveryRecipient,
    email_delivery,
    recipients,
    status_blocks,
)
from outreach.track.headers import header_text as _decode

__all__ = ["SNIPPET_CHARS", "DeliveryRecipient", "MessageMeta", "is_calendar_part"]

SNIPPET_CHARS = 500  # of body text kept by MessageMeta.from_email (Gmail's own are ~200)
BODY_CHARS = 4000  # of body text kept for classification: an out-of-office note is short
TEXT_CHARS = 20000  # of the text as written (lines kept) for the reply reader


# Where the quoted original starts in a reply or an auto-reply: what follows is our own
# message (with our proposed dates in it), not theirs.
_QUOTE_START = re.compile(
    r"^\s*(?:>|-{2,}\s*(?:original message|urspr.ngliche nachricht|message d'origine)"
    r"|_{10,}\s*$|on .{4,200} wrote:\s*$|am .{4,200} schrieb .{0,100}:\s*$"
    r"|le .{4,200} a .crit\s*:\s*$|from:\s.+@.+$|von:\s.+$|de\s?:\s.+@.+$)",
    re.IGNORECASE | re.MULTILINE,
)


def _address(value: str | None) -> str:
    return parseaddr(value or "")[1].strip().lower()


def own_words(text: str) -> str:
    """The writer's own text: the quoted original cut off, spaces collapsed within each line,
    blank lines kept single, capped. Lines stay lines: the reply reader
    (:mod:`outreach.track.reader`) needs them to tell a signature or a wrapped line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = _QUOTE_START.search(text)
    if found is not None:
        text = text[: found.start()]
    lines = [re.sub(r"[^\S\n]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()[:BODY_CHARS]


def _html_text(markup: str) -> str:
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", markup)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


# --- Gmail format=full payloads -------------------------------------------------------------


def _part_data(part: Mapping[str, Any]) -> str:
    data = (part.get("body") or {}).get("data")
    if not data:
        return ""
    try:
        raw = base64.urlsafe_b64decode(str(data) + "=" * (-len(str(data)) % 4))
    except (binascii.Error, ValueError):
        return ""
    charset = "utf-8"
    for item in part.get("headers") or ():
        if str(item.get("name", "")).lower() == "content-type":
            found = re.search(r'charset="?([\w.-]+)', str(item.get("value", "")), re.I)
            charset = found.group(1) if found else charset
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


def _walk(part: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    yield part
    for child in part.get("parts") or ():
        yield from _walk(child)


def _payload_body(
    payload: Mapping[str, Any],
) -> tuple[str, tuple[DeliveryRecipient, ...], str]:
    """Own words, delivery-status recipients and the text as written of a format=full payload
    ("", () and "" for a metadata one, which has no body data)."""
    plain: str | None = None
    markup: str | None = None
    delivery: tuple[DeliveryRecipient, ...] = ()
    for part in _walk(payload):
        kind = str(part.get("mimeType", "")).lower()
        if part.get("filename"):
            continue
        if kind == "text/plain" and plain is None:
            plain = _part_data(part)
        elif kind == "text/html" and markup is None:
            markup = _part_data(part)
        elif kind == "message/delivery-status" and not delivery:
            delivery = recipients(status_blocks(_part_data(part)))
    text = plain if plain else _html_text(markup or "")
    return own_words(text), delivery, text[:TEXT_CHARS]


# --- parsed files -------------------------------------------------------------------------


def _email_text(msg: Message) -> str:
    """The first text part, plain text preferred (html reduced to text)."""
    markup: str | None = None
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain":
            return _part_text(part)
        if kind == "text/html" and markup is None:
            markup = _part_text(part)
    return _html_text(markup) if markup is not None else ""


@dataclass(frozen=True)
class MessageMeta:
    """A message as classification sees it: what Gmail returned, or a parsed file."""

    id: str
    thread_id: str | None
    label_ids: frozenset[str]
    snippet: str  # Gmail's snippet when it gives one ("" otherwise; never relied on)
    internal_date: datetime | None  # Gmail's internalDate (receipt time), aware UTC
    headers: tuple[tuple[str, str], ...]  # in order, names as written
    mime_type: str | None = None  # payload.mimeType, e.g. "multipart/report"
    calendar: str | None = None  # a text/calendar part, when the body could be read
    body: str = ""  # the writer's own text, when it could be read (gmail.readonly, files)
    written: str = ""  # the text body as written, lines and quotes kept (for the reader)
    delivery: tuple[DeliveryRecipient, ...] = ()  # a delivery-status report's recipients

    @classmethod
    def from_gmail(cls, resource: Mapping[str, Any]) -> MessageMeta:
        """Wrap a ``users.messages.get`` resource: format=metadata, or format=full (then the
        body, any delivery-status fields and the calendar part are read too)."""
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
        body, delivery, written = _payload_body(payload)
        return cls(
            id=str(resource.get("id", "")),
            thread_id=resource.get("threadId"),
            label_ids=frozenset(resource.get("labelIds") or ()),
            snippet=html.unescape(str(resource.get("snippet", ""))),  # Gmail escapes ' as &#39;
            internal_date=internal,
            headers=headers,
            mime_type=payload.get("mimeType"),
            calendar=_gmail_calendar_part(payload),
            body=body,
            delivery=delivery,
            written=written,
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
        """Wrap a parsed message (any policy): the snippet is the start of its text body, the
        body its own words, the delivery status read from its report part.

        ``received_at`` plays the part of Gmail's internalDate (e.g. the Maildir file's
        delivery time); without it the Date header gives the time.
        """
        headers = tuple((str(name), _decode(str(value))) for name, value in msg.items())
        text = _email_text(msg)
        return cls(
            id=message_id if message_id is not None else _decode(str(msg.get("Message-ID", ""))),
            thread_id=thread_id,
            label_ids=frozenset(labels),
            snippet=_body_snippet(msg),
            internal_date=None if received_at is None else received_at.astimezone(UTC),
            headers=headers,
            mime_type=msg.get_content_type(),
            calendar=_calendar_part(msg),
            body=own_words(text),
            delivery=email_delivery(msg),
            written=text[:TEXT_CHARS],
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
    def text(self) -> str:
        """What can be read of the message's text: its body, else Gmail's snippet, else ""."""
        return self.body or self.snippet

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


def is_calendar_part(content_type: str, filename: str | None) -> bool:
    """A calendar part: text/calendar or application/ics, or any part named ``*.ics`` (Apple
    Mail attaches its answers as ``iCal-<date>-<time>.ics``, sometimes typed
    application/octet-stream)."""
    named_ics = (filename or "").lower().endswith(".ics")
    return content_type in ("text/calendar", "application/ics") or named_ics


def _calendar_part(msg: Message) -> str | None:
    """The first calendar part (inline, attached, or the whole message) of a parsed message."""
    for part in msg.walk():
        if part.is_multipart():
            continue
        if is_calendar_part(part.get_content_type(), part.get_filename()):
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
        if is_calendar_part(str(part.get("mimeType", "")), part.get("filename")):
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
