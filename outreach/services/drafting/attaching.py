"""Files a draft carries: checked before drafting, read when the draft is written, and
remembered with the message (``messages.attachments``) so `send` can tell a message that says
"I'm including my résumé" and carries nothing.

``--attach FILE`` on `draft` and `followup` attaches a file; a promise to send your résumé
("send my résumé", `met --promise`) attaches ``[user] resume`` to the thank-you. Messages stay
within Gmail's limit: the whole message at most 35 MB (the API's upload limit; Gmail itself
refuses to send more than 25 MB of attachments).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from outreach.app import AppContext
from outreach.compose.attachments import (
    Attachment,
    attached_names,
    attachment_claims,
    with_attachments,
)
from outreach.errors import ConfigError, ContactError
from outreach.store import MessageRow

__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "AttachmentRecord",
    "attach_files",
    "check_attachable",
    "kept_attachments",
    "missing_attachment",
    "record_of",
    "resume_file",
]

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024  # Gmail sends at most 25 MB of attachments


def check_attachable(path: Path) -> Path:
    """The file, absolute, if it can be attached; a clear error naming it otherwise."""
    full = path.expanduser().resolve()
    if not full.is_file():
        raise ContactError(
            f"Cannot attach {path}: there is no such file.",
            hint="Check the path; nothing was drafted.",
        )
    size = full.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        raise ContactError(
            f"Cannot attach {path}: it is {size / (1024 * 1024):.1f} MB, over the 25 MB Gmail "
            "sends.",
            hint="Share a link to it instead (for example from Google Drive).",
        )
    try:
        with open(full, "rb"):
            pass
    except OSError as exc:
        raise ContactError(f"Cannot attach {path}: {exc.strerror or exc}.") from None
    return full


def resume_file(app: AppContext) -> Path | None:
    """``[user] resume`` as a file that can be attached (None when unset)."""
    setting = app.config.user.resume
    if not setting:
        return None
    path = app.workspace.resolve(setting)
    if not path.is_file():
        raise ConfigError(
            f"[user] resume in {app.workspace.config_file} names {path}, which does not exist.",
            hint="Point it at your résumé (PDF), or remove the line.",
        )
    return check_attachable(path)


@dataclass
class AttachmentRecord:
    """What ``messages.attachments`` keeps: the files, and what the text says it carries."""

    files: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"files": self.files, "claims": self.claims}, ensure_ascii=False)


def record_of(row: MessageRow | None) -> AttachmentRecord:
    if row is None:
        return AttachmentRecord()
    try:
        value = json.loads(row.attachments or "[]")
    except ValueError:
        return AttachmentRecord()
    if isinstance(value, dict):
        return AttachmentRecord(
            [str(f) for f in value.get("files", [])], [str(c) for c in value.get("claims", [])]
        )
    return AttachmentRecord()


def kept_attachments(row: MessageRow | None) -> list[Path]:
    """The files an earlier version of the draft carried (a re-draft keeps them)."""
    return [Path(name) for name in record_of(row).files if Path(name).is_file()]


def attach_files(message: EmailMessage, files: Sequence[Path], text: str) -> AttachmentRecord:
    """Attach ``files`` to ``message``; returns what to remember about it."""
    items = [Attachment(path.name, path.read_bytes()) for path in files]
    with_attachments(message, items)
    return AttachmentRecord([str(path) for path in files], attachment_claims(text))


def missing_attachment(app: AppContext, row: MessageRow) -> str | None:
    """The sentence of a message that says it carries something while it carries nothing
    (None: fine). The local draft is read as it is now (the user may have attached the file
    in their mail client); a Gmail draft cannot be read with our scopes, so what was drafted
    is judged, unless the user edited it since."""
    if row.kind in ("confirm", "cancel"):
        return None  # an invite carries its .ics
    backend = app.mail()
    if backend.kind.files_on_disk and row.draft_id:
        message = backend.read_draft(row.draft_id)
        if message is None:
            return None
        body = message.get_body(("plain",))
        text = "" if body is None else str(body.get_content())
        claims = attachment_claims(text)
        return claims[0] if claims and not attached_names(message) else None
    record = record_of(row)
    if not record.claims or record.files:
        return None
    if row.draft_id and row.draft_hash:
        versions = backend.draft_versions([row.draft_id])
        if versions.get(row.draft_id, row.draft_hash) != row.draft_hash:
            return None  # edited in Gmail: what it says now cannot be read
    return record.claims[0]
