"""Building RFC 5322 messages from rendered templates: plain, threaded replies and invites.

Everything goes through ``email.message.EmailMessage`` with ``email.policy.default``, so a value
cannot start a new header and non-ASCII names are RFC 2047 encoded. Two more defences on top:

- Names and subjects are made single-line, and any ``=?`` is broken up (``= ?``): Python's
  parser decodes encoded-word look-alikes even inside quoted strings, and the serializer then
  writes the decoded text unquoted, so a display name such as ``=?utf-8?q?a=2C_b=40evil?=``
  would otherwise turn into extra recipients.
- Every built message is parsed back; if From or To does not come out as exactly the one
  intended address, the display name is dropped, and if that does not help, MailError.
"""

from __future__ import annotations

import email
import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage

from outreach.compose.render import RenderedMessage, text_to_html
from outreach.errors import ContactError, MailError

METHODS: tuple[str, ...] = ("REQUEST", "CANCEL")
INVITE_FILENAME = "invite.ics"
MAX_DISPLAY_NAME = 100

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_REPLY_PREFIX_RE = re.compile(r"^(?:\s*(?:re|aw|sv)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_MSGID_RE = re.compile(r"^<[^<>\s]+>$")
_ICS_METHOD_RE = re.compile(r"^METHOD:(.*?)\r?$", re.MULTILINE)
_MESSAGE_ID_NAMESPACE = uuid.UUID("8d5a3c4e-9f1b-4c2a-a6d7-3e0b1f2c4d5e")


def safe_header_text(value: str) -> str:
    """One line of header text: no control characters, whitespace collapsed, no ``=?``."""
    text = " ".join(_CONTROL_RE.sub(" ", value).split())
    return text.replace("=?", "= ?")


def safe_display_name(name: str) -> str:
    """A display name as :func:`safe_header_text`, at most 100 characters.

    Longer names are junk in practice, and Python's header folding is slow on long non-ASCII
    names.
    """
    return safe_header_text(name)[:MAX_DISPLAY_NAME].rstrip()


def base_subject(subject: str) -> str:
    """A subject without the reply prefixes stacked in front of it (Re:, Aw:, Sv:)."""
    return _REPLY_PREFIX_RE.sub("", safe_header_text(subject))


def reply_subject(subject: str) -> str:
    """``"Re: "`` plus the subject, without stacking ``Re: Re:``."""
    base = base_subject(subject)
    return f"Re: {base}" if base else "Re:"


def make_message_id(domain: str, seed: str | None = None) -> str:
    """A new Message-ID, ``<outreach.HEX@domain>``; the same ``seed`` gives the same id.

    ``domain`` may be an email address (its domain is used). A seed such as the message's
    idempotency key makes a re-run produce the same Message-ID.
    """
    host = domain.rsplit("@", 1)[-1].strip().strip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = ""
    host = re.sub(r"[^a-z0-9.-]", "", host).strip(".-")
    if not host:
        host = "outreach.invalid"
    token = uuid.uuid4().hex if seed is None else uuid.uuid5(_MESSAGE_ID_NAMESPACE, seed).hex
    return f"<outreach.{token}@{host}>"


def _message_id(value: str) -> str | None:
    text = value.strip()
    if text and not text.startswith("<"):
        text = f"<{text}>"
    if not _MSGID_RE.match(text) or "=?" in text:
        return None
    return text


def _address(display_name: str, addr: str) -> Address:
    """An Address from a user-supplied name and address; a bad address raises ValueError."""
    spec = addr.strip()
    if not spec or "@" not in spec or _CONTROL_RE.search(spec) or any(c.isspace() for c in spec):
        raise ValueError(f"not an email address: {addr!r}")
    local, _, domain = spec.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"not an email address: {addr!r}") from None
    try:
        address = Address(
            display_name=safe_display_name(display_name), addr_spec=f"{local}@{domain}"
        )
    except (ValueError, HeaderParseError, IndexError) as exc:
        raise ValueError(f"not an email address: {addr!r} ({exc})") from None
    if not address.username or not address.domain:
        raise ValueError(f"not an email address: {addr!r}")
    return address


def _addresses(
    from_name: str, from_email: str, to_name: str, to_email: str
) -> tuple[Address, Address]:
    try:
        sender = _address(from_name, from_email)
    except ValueError as exc:
        raise MailError(
            f"The sender address is not valid: {exc}.",
            hint="Fix [user] email in config.toml.",
        ) from None
    try:
        recipient = _address(to_name, to_email)
    except ValueError as exc:
        raise ContactError(
            f"The contact's address is not valid: {exc}.",
            hint="Fix the contact's email with `outreach contacts edit`.",
        ) from None
    return sender, recipient


def _set_headers(
    msg: EmailMessage,
    *,
    subject: str,
    sender: Address,
    recipient: Address,
    message_id: str,
    date: datetime,
    in_reply_to: str | None,
    references: Sequence[str] | None,
    reply_to_subject: str | None,
    cc: Sequence[str] = (),
) -> None:
    if date.tzinfo is None or date.utcoffset() is None:
        raise ValueError("the message date must be timezone-aware")
    own_id = _message_id(message_id)
    if own_id is None:
        raise ValueError(f"not a valid Message-ID: {message_id!r}")
    parent = _message_id(in_reply_to) if in_reply_to else None
    refs = [ref for ref in (_message_id(r) for r in references or ()) if ref is not None]
    if parent is not None and parent not in refs:
        refs.append(parent)
    if parent is not None or reply_to_subject is not None:
        subject = reply_subject(reply_to_subject or subject)
    else:
        subject = safe_header_text(subject)

    msg["From"] = sender
    msg["To"] = recipient
    if cc:
        msg["Cc"] = [Address(addr_spec=address) for address in cc]
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = own_id
    if parent is not None:
        msg["In-Reply-To"] = parent
    if refs:
        msg["References"] = " ".join(refs)


def _parses_back(msg: EmailMessage, sender: Address, recipient: Address) -> bool:
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    for name, expected in (("From", sender), ("To", recipient)):
        header = parsed[name]
        addresses: tuple[Address, ...] = tuple(getattr(header, "addresses", ()))
        if len(addresses) != 1 or len(parsed.get_all(name, [])) != 1:
            return False
        got = addresses[0]
        if got.addr_spec.lower() != expected.addr_spec.lower():
            return False
        # Python's parser may keep a space between adjacent encoded words: compare without
        # whitespace (RFC 2047 readers such as Gmail join them correctly).
        if "".join(got.display_name.split()) != "".join(expected.display_name.split()):
            return False
    return True


def _build_checked(
    fill_body: _BodyFiller,
    *,
    subject: str,
    from_name: str,
    from_email: str,
    to_name: str,
    to_email: str,
    message_id: str,
    date: datetime,
    in_reply_to: str | None,
    references: Sequence[str] | None,
    reply_to_subject: str | None,
    cc: Sequence[str] = (),
) -> EmailMessage:
    sender, recipient = _addresses(from_name, from_email, to_name, to_email)
    attempts = [
        (sender, recipient),
        (Address(addr_spec=sender.addr_spec), Address(addr_spec=recipient.addr_spec)),
    ]
    for attempt_sender, attempt_recipient in attempts:
        msg = EmailMessage(policy=policy.default)
        _set_headers(
            msg,
            subject=subject,
            sender=attempt_sender,
            recipient=attempt_recipient,
            message_id=message_id,
            date=date,
            in_reply_to=in_reply_to,
            references=references,
            reply_to_subject=reply_to_subject,
            cc=cc,
        )
        fill_body(msg)
        if _parses_back(msg, attempt_sender, attempt_recipient):
            return msg
    raise MailError(
        f"Could not build a safe message to {to_email!r}: the address does not survive encoding.",
        hint="Check the contact's email address and name for unusual characters.",
    )


class _BodyFiller:
    """Puts the body parts into a message whose headers are already set."""

    def __init__(
        self, text: str, html: str | None, ics: bytes | None = None, method: str = ""
    ) -> None:
        self.text, self.html, self.ics, self.method = text, html, ics, method

    def __call__(self, msg: EmailMessage) -> None:
        msg.set_content(self.text, subtype="plain", charset="utf-8")
        if self.html is not None:
            msg.add_alternative(self.html, subtype="html", charset="utf-8")
        if self.ics is not None:
            msg.add_alternative(
                self.ics,
                maintype="text",
                subtype="calendar",
                cte="base64",
                params={"method": self.method, "charset": "utf-8"},
            )
            msg.add_attachment(
                self.ics,
                maintype="application",
                subtype="ics",
                cte="base64",
                filename=INVITE_FILENAME,
                params={"name": INVITE_FILENAME},
            )
        for part in msg.walk():
            if part is not msg:
                del part["MIME-Version"]


def build_message(
    *,
    rendered: RenderedMessage,
    from_name: str,
    from_email: str,
    to_name: str,
    to_email: str,
    message_id: str,
    date: datetime,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    reply_subject: str | None = None,
    cc: Sequence[str] = (),
) -> EmailMessage:
    """A text/plain message (multipart/alternative with the HTML part when there is one).

    Replying in a thread (``in_reply_to`` or ``reply_subject`` given): the Subject becomes
    ``Re: <reply_subject or the rendered subject>`` and In-Reply-To/References are set
    (``in_reply_to`` is appended to ``references`` when missing). Bad addresses raise
    ContactError (recipient) or MailError (sender); a naive ``date`` or a malformed
    ``message_id`` is a programming error (ValueError).
    """
    return _build_checked(
        _BodyFiller(rendered.text, rendered.html),
        subject=rendered.subject,
        from_name=from_name,
        from_email=from_email,
        to_name=to_name,
        to_email=to_email,
        message_id=message_id,
        date=date,
        in_reply_to=in_reply_to,
        references=references,
        reply_to_subject=reply_subject,
        cc=cc,
    )


def build_invite_message(
    *,
    rendered: RenderedMessage,
    from_name: str,
    from_email: str,
    to_name: str,
    to_email: str,
    message_id: str,
    date: datetime,
    ics: bytes,
    method: str = "REQUEST",
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    reply_subject: str | None = None,
    cc: Sequence[str] = (),
) -> EmailMessage:
    """An invitation calendars understand (``cc``: addresses copied, e.g. an assistant)::

        multipart/mixed
          multipart/alternative
            text/plain
            text/html                     (rendered HTML, else the text as simple HTML)
            text/calendar; method=METHOD; charset=utf-8
          application/ics; name=invite.ics (Content-Disposition: attachment)

    ``method`` is REQUEST or CANCEL and must match the METHOD line of ``ics``. Both calendar
    parts carry ``ics`` byte for byte (base64), so its CRLF line endings survive.
    """
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    try:
        calendar_text = ics.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the iCalendar data is not UTF-8") from None
    declared = [m.strip().upper() for m in _ICS_METHOD_RE.findall(calendar_text)]
    if declared != [method]:
        raise ValueError(f"the iCalendar METHOD {declared or 'line is missing'} is not {method}")
    html_part = rendered.html if rendered.html is not None else text_to_html(rendered.text)
    return _build_checked(
        _BodyFiller(rendered.text, html_part, ics, method),
        subject=rendered.subject,
        from_name=from_name,
        from_email=from_email,
        to_name=to_name,
        to_email=to_email,
        message_id=message_id,
        date=date,
        in_reply_to=in_reply_to,
        references=references,
        reply_to_subject=reply_subject,
        cc=cc,
    )
