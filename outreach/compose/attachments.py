"""Attachments: adding files to a message, and noticing a message that says it carries one.

"As promised, I'm including my résumé" with nothing attached is the kind of slip a
professional notices. :func:`attachment_claims` finds such sentences; `send` refuses a
message that makes one and carries no attachment (an explicit flag overrides). Pure: files
are read by the caller and passed in as bytes.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

__all__ = ["Attachment", "attached_names", "attachment_claims", "is_resume", "with_attachments"]

_CLAIMS = re.compile(
    r"\b(?:I'm|I am|I've|I have)\s+(?:including|included|attaching|attached|enclosing|"
    r"enclosed)\b[^.!?\n]*"
    r"|\b(?:please\s+find|you'll\s+find|you\s+will\s+find)\s+(?:attached|enclosed)\b[^.!?\n]*"
    r"|\b(?:attached|enclosed)\s+(?:is|are)\b[^.!?\n]*"
    r"|\bI\s+(?:attach|enclose|include)\b[^.!?\n]*",
    re.IGNORECASE,
)
_RESUME = re.compile(r"\b(?:r[eé]sum[eé]s?|cvs?|curriculum vitae)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    content_type: str = ""

    @property
    def maintype_subtype(self) -> tuple[str, str]:
        kind = self.content_type or (
            mimetypes.guess_type(self.filename)[0] or "application/octet-stream"
        )
        maintype, _, subtype = kind.partition("/")
        return maintype, subtype or "octet-stream"


def attachment_claims(text: str) -> list[str]:
    """The sentences that say the message carries something ("I'm including my résumé")."""
    return [" ".join(match.group(0).split()) for match in _CLAIMS.finditer(text)]


def is_resume(thing: str) -> bool:
    """Whether a promised thing is the user's résumé or CV ("my résumé", "my CV")."""
    return _RESUME.search(thing) is not None


def with_attachments(message: EmailMessage, attachments: Sequence[Attachment]) -> EmailMessage:
    """The message as multipart/mixed with the files after its body (unchanged if none).
    Every file goes base64-encoded, byte for byte as it is (text files too)."""
    for item in attachments:
        maintype, subtype = item.maintype_subtype
        message.add_attachment(
            item.data, maintype=maintype, subtype=subtype, filename=item.filename, cte="base64"
        )
    return message


def attached_names(message: EmailMessage) -> list[str]:
    """What the message carries besides its text: attachment file names, and calendar parts
    (an invite says it attaches one)."""
    found: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename:
            found.append(filename)
        elif part.get_content_type() == "text/calendar":
            found.append("invite.ics")
    return found
