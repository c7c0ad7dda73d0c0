"""Classify a message seen in a tracked thread: our send, a reply, an auto-reply, a bounce.

Pure: message metadata in, a :class:`Classification` out. The input is what Gmail returns with
``format=metadata`` (labels, snippet, internalDate, headers), wrapped in :class:`MessageMeta`;
the local backend builds the same value from a parsed ``.eml`` file, so one set of rules serves
both.

The rules, first match wins:

1. label ``DRAFT``: OTHER (a draft in the thread is not a send);
2. label ``SENT``, or From the owner: OWN_SEND;
3. a delivery-status notification (``multipart/report; report-type=delivery-status``, or From
   mailer-daemon/postmaster with a failure subject): BOUNCE, with the failed recipient from
   ``X-Failed-Recipients`` or else the snippet. Delay and success notices are OTHER. Bounces
   are checked before auto-replies because DSNs often carry ``Auto-Submitted`` too;
4. a read receipt (``report-type=disposition-notification``): OTHER;
5. bulk mail (``List-Unsubscribe``, ``List-Id``, ``Precedence: bulk|list|junk``): AUTO_REPLY
   when it also has an out-of-office subject, ``X-Autoreply`` or
   ``Auto-Submitted: auto-replied``; else OTHER (a newsletter is not a reply);
6. RFC 3834 ``Auto-Submitted`` other than ``no``, ``X-Autoreply``/``X-Autorespond``/
   ``X-Autoresponder``, ``Precedence: auto_reply``, or an out-of-office subject in one of many
   languages: AUTO_REPLY, with the return date from subject and snippet
   (see :mod:`outreach.track.returndate`);
7. anything else with a sender: REPLY (an assistant writing from another address counts; we
   only look at tracked threads). No sender at all: OTHER.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import Any

from outreach.track.model import EventKind
from outreach.track.returndate import find_return_date, normalize_text

__all__ = ["Classification", "MessageMeta", "classify", "is_out_of_office_subject"]

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


@dataclass(frozen=True)
class Classification:
    kind: EventKind
    sender: str
    occurred_at: datetime
    return_date: date | None = None  # auto-replies: the stated return date
    failed_recipient: str | None = None  # bounces: the address that failed
    reason: str = ""  # why, in a few words (stored as the event's detail)


# --- cues, matched against normalize_text() output (lower case, accents removed) ---------

_OOO_PHRASES = [
    r"out of (?:the )?office",
    r"out-of-office",
    r"\booo\b",
    r"\bauto(?:matic|matische|matisch|mated)?[- ]?(?:reply|response|answer|antwort|antwoord)",
    r"\bautoreply\b",
    r"\bautoresponder\b",
    r"abwesenheitsnotiz",
    r"\babwesenheit\b",
    r"\babwesend\b",
    r"nicht im buro",
    r"reponse automatique",
    r"absen(?:ce|t|te) du bureau",
    r"respuesta automatica",
    r"fuera de (?:la )?oficina",
    r"risposta automatica",
    r"fuori sede",
    r"fuori ufficio",
    r"automatisch antwoord",
    r"\bafwezig(?:heid)?\b",
    r"resposta automatica",
    r"\bausencia\b",
    r"fora do escritorio",
    r"\bautosvar\b",
    r"automatisk svar",
    r"automaattinen vastaus",
    r"automatyczna odpowiedz",
    r"automaticka odpoved",
    r"автоответ",
    r"автоматическ\w* ответ",
    r"自动回复",
    r"自動回覆",
    r"自動返信",
    r"自動応答",
    r"不在",
]
# Words that are only a cue at the start of the subject ("Away: ...", "On vacation").
_OOO_LEADING = (
    r"^\W*(?:i am |i'm |im |currently )?"
    r"(?:away|on vacation|on leave|on holiday|on annual leave|vacation|holiday"
    r"|im urlaub|urlaub|en conges|conges|en vacances|de vacaciones|vacaciones"
    r"|in ferie|ferie|op vakantie|vakantie|de ferias|ferias|em ferias|absent|absente)\b"
)
_OOO_RE = re.compile("|".join([normalize_text(p) for p in _OOO_PHRASES] + [_OOO_LEADING]))

_FAILURE_SUBJECT_RE = re.compile(
    r"delivery status notification \(failure\)|undeliverable|undelivered mail|not delivered"
    r"|mail delivery failed|delivery failure|failure notice|returned mail|returned to sender"
    r"|could not be delivered|couldn't be delivered|delivery has failed|non-?delivery"
    r"|unzustellbar|non remis|no se puede entregar|mail delivery failure|address not found"
)
_NOT_FAILURE_RE = re.compile(
    r"\((?:delay|success|relay)\)|delivery delayed|delayed mail|delivery incomplete"
    r"|temporary problem|will (?:keep )?retry|warning: could not send|^delivered:|^relayed:"
)
_DAEMON_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "maildaemon"})
_DAEMON_NAMES_RE = re.compile(r"mail delivery (?:subsystem|system|service)")
_EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
_AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder")


def is_out_of_office_subject(subject: str) -> bool:
    """True for subjects like "Automatic reply: ...", "Abwesenheitsnotiz", "Away"."""
    return _OOO_RE.search(normalize_text(subject)) is not None


def _content_type(meta: MessageMeta) -> tuple[str, str | None]:
    """(main type, report-type parameter) from the Content-Type header or payload.mimeType."""
    raw = (meta.header("Content-Type") or meta.mime_type or "").lower()
    main = raw.split(";", 1)[0].strip() or (meta.mime_type or "").lower()
    report = re.search(r"report-type\s*=\s*\"?([\w-]+)", raw)
    return main, (report.group(1) if report else None)


def _is_daemon(meta: MessageMeta) -> bool:
    name, addr = parseaddr(meta.header("From") or "")
    local = addr.lower().split("@", 1)[0]
    return local in _DAEMON_LOCAL_PARTS or bool(_DAEMON_NAMES_RE.search(name.lower()))


def _failed_recipient(meta: MessageMeta, owner_email: str, contact_email: str | None) -> str | None:
    listed = meta.header("X-Failed-Recipients")
    candidates: list[str] = []
    if listed:
        candidates = [addr.lower() for _, addr in getaddresses([listed]) if addr]
    if not candidates:
        ignore = {owner_email.lower(), meta.sender}
        found = (a.lower() for a in _EMAIL_RE.findall(meta.snippet))
        candidates = [a for a in found if a not in ignore]
    if contact_email and contact_email.lower() in candidates:
        return contact_email.lower()
    return candidates[0] if candidates else None


def _auto_submitted(meta: MessageMeta) -> str | None:
    """The Auto-Submitted keyword when it marks the message automatic (not "no")."""
    value = (meta.header("Auto-Submitted") or "").split(";", 1)[0].strip().lower()
    return value if value and value != "no" else None


def _autoreply_header(meta: MessageMeta) -> str | None:
    for name in _AUTOREPLY_HEADERS:
        value = meta.header(name)
        if value is not None and value.strip().lower() not in {"no", "false", "0"}:
            return name
    return None


def classify(meta: MessageMeta, *, owner_email: str, contact_email: str | None) -> Classification:
    """What a message in a tracked thread means for the pipeline; see the module docstring."""
    sender = meta.sender
    occurred_at = meta.occurred_at
    labels = meta.label_ids
    subject = meta.subject
    owner = owner_email.strip().lower()

    def result(kind: EventKind, reason: str, **extra: Any) -> Classification:
        return Classification(kind, sender, occurred_at, reason=reason, **extra)

    if "DRAFT" in labels:
        return result(EventKind.OTHER, "a draft, not sent yet")
    if "SENT" in labels:
        return result(EventKind.OWN_SEND, "labelled SENT")
    if sender and sender == owner:
        return result(EventKind.OWN_SEND, "from the owner's address")

    main_type, report_type = _content_type(meta)
    subject_n = normalize_text(subject)
    is_dsn = main_type == "multipart/report" and report_type == "delivery-status"
    failure_subject = _FAILURE_SUBJECT_RE.search(subject_n) is not None
    if is_dsn or (_is_daemon(meta) and failure_subject):
        not_failure = _NOT_FAILURE_RE.search(subject_n) or (
            not failure_subject and _NOT_FAILURE_RE.search(normalize_text(meta.snippet))
        )
        if not_failure:
            return result(EventKind.OTHER, "a delivery delay or success notice, not a bounce")
        failed = _failed_recipient(meta, owner, contact_email)
        why = "delivery status notification" if is_dsn else "mailer-daemon failure notice"
        return result(
            EventKind.BOUNCE,
            f"{why}" + (f" for {failed}" if failed else ""),
            failed_recipient=failed,
        )
    if main_type == "multipart/report" and report_type == "disposition-notification":
        return result(EventKind.OTHER, "a read receipt")

    ooo_subject = is_out_of_office_subject(subject)
    auto_submitted = _auto_submitted(meta)
    autoreply_header = _autoreply_header(meta)
    precedence = (meta.header("Precedence") or "").strip().lower()
    bulk = (
        precedence in _BULK_PRECEDENCE
        or meta.has_header("List-Unsubscribe")
        or meta.has_header("List-Id")
    )

    cue: str | None = None
    if ooo_subject:
        cue = "out-of-office subject"
    elif autoreply_header:
        cue = f"{autoreply_header} header"
    elif auto_submitted == "auto-replied":
        cue = "Auto-Submitted: auto-replied"
    elif not bulk and auto_submitted:
        cue = f"Auto-Submitted: {auto_submitted}"
    elif precedence in {"auto_reply", "auto-reply"}:
        cue = "Precedence: auto_reply"
    if cue is None and bulk:
        return result(EventKind.OTHER, "bulk mail (newsletter or list), not a reply")
    if cue is not None:
        back = find_return_date(subject, meta.snippet, meta.local_date)
        reason = f"auto-reply ({cue})" + (f", back {back.isoformat()}" if back else "")
        return result(EventKind.AUTO_REPLY, reason, return_date=back)

    if not sender:
        return result(EventKind.OTHER, "no sender")
    if contact_email is None or sender == contact_email.strip().lower():
        return result(EventKind.REPLY, "reply")
    return result(EventKind.REPLY, f"reply from {sender}, not the contact's address")
