"""A draft's fingerprint: what the user could have changed in it, and nothing else.

Outreach stores the fingerprint of each draft it writes; a different one later means the user
edited the draft (in the outbox or in Gmail), and their words are never replaced without
``--force``. Only what a person edits counts: recipients, subject, the text, the attachments.
Headers a mail client or Gmail rewrites (Date, Message-ID, MIME boundaries, line endings,
transfer encodings) do not.
"""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import getaddresses

__all__ = ["fingerprint"]


def _text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError):
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
    if isinstance(content, bytes):
        return hashlib.sha256(content).hexdigest()
    return " ".join(str(content).split())


def fingerprint(message: EmailMessage) -> str:
    """sha256 over recipients, subject, every text part and every attachment."""
    pieces: list[str] = []
    for name in ("To", "Cc", "Bcc"):
        addresses = getaddresses([str(v) for v in message.get_all(name) or []])
        pieces.append(name + ":" + ",".join(sorted(a.casefold() for _, a in addresses if a)))
    pieces.append("Subject:" + " ".join(str(message.get("Subject", "")).split()))
    for part in message.walk():
        if part.is_multipart():
            continue
        assert isinstance(part, EmailMessage)
        filename = part.get_filename()
        label = part.get_content_type() + (f";{filename}" if filename else "")
        pieces.append(label + ":" + _text(part))
    return hashlib.sha256("\n".join(pieces).encode("utf-8")).hexdigest()
