"""The local backend: drafts as files in a Maildir outbox, readable by mutt or Thunderbird.

A draft's file name is derived from its idempotency key, so re-drafting replaces the file
atomically (write to tmp/, rename into cur/) instead of adding a second one. "Sending" moves
the file to the ``sent`` Maildir: nothing leaves the machine, which is what a demo or a user
without a Google account wants. Thread ids are the Message-ID of the thread's first message.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import os
import re
from email.message import EmailMessage
from pathlib import Path

from outreach.config import Workspace
from outreach.errors import MailError
from outreach.mail.backend import DraftRef, DraftRequest, Failure, SentRef

_DRAFT_FLAGS = ":2,D"
_SENT_FLAGS = ":2,S"


def ensure_maildir(root: Path) -> None:
    """Create a Maildir's cur/new/tmp folders (private to the user)."""
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True, mode=0o700)


def draft_name(key: str) -> str:
    """A stable, filesystem-safe Maildir base name for an idempotency key."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return f"outreach-{digest}"


def _write_atomically(root: Path, name: str, data: bytes) -> Path:
    tmp = root / "tmp" / f"{name}.{os.getpid()}"
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    target = root / "cur" / name
    os.replace(tmp, target)
    return target


def read_message(path: Path) -> EmailMessage:
    with open(path, "rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def thread_root(message: EmailMessage) -> str | None:
    """The thread id of a message: the first Message-ID in References, else In-Reply-To."""
    references: list[str] = re.findall(r"<[^<>\s]+>", str(message.get("References", "")))
    if references:
        return references[0]
    reply_to: list[str] = re.findall(r"<[^<>\s]+>", str(message.get("In-Reply-To", "")))
    return reply_to[0] if reply_to else None


class LocalOutbox:
    """MailBackend writing to ``outbox/`` (drafts) and ``sent/`` in the workspace."""

    name = "local"

    def __init__(self, workspace: Workspace) -> None:
        self.outbox = workspace.outbox_dir
        self.sent = workspace.root / "sent"
        ensure_maildir(self.outbox)
        ensure_maildir(self.sent)
        ensure_maildir(workspace.inbox_dir)

    def _draft_path(self, draft_id: str) -> Path:
        return self.outbox / "cur" / f"{draft_id}{_DRAFT_FLAGS}"

    def upsert_drafts(self, requests: list[DraftRequest]) -> dict[str, DraftRef | Failure]:
        results: dict[str, DraftRef | Failure] = {}
        for request in requests:
            draft_id = request.draft_id or draft_name(request.key)
            message_id = str(request.message["Message-ID"])
            try:
                _write_atomically(
                    self.outbox, f"{draft_id}{_DRAFT_FLAGS}", request.message.as_bytes()
                )
            except OSError as exc:
                results[request.key] = Failure(f"cannot write to {self.outbox}: {exc}")
                continue
            results[request.key] = DraftRef(
                draft_id=draft_id,
                message_id=message_id,
                thread_id=request.thread_id or message_id,
            )
        return results

    def _find(self, folder: Path, rfc_message_id: str) -> Path | None:
        for path in sorted((folder / "cur").iterdir()):
            if str(read_message(path).get("Message-ID", "")).strip() == rfc_message_id:
                return path
        return None

    def find_drafts(self, rfc_message_ids: list[str]) -> dict[str, DraftRef]:
        found: dict[str, DraftRef] = {}
        for message_id in rfc_message_ids:
            path = self._find(self.outbox, message_id)
            if path is not None:
                found[message_id] = DraftRef(
                    draft_id=path.name.split(":")[0], message_id=message_id
                )
        return found

    def find_sent(self, rfc_message_id: str, thread_id: str | None = None) -> SentRef | None:
        path = self._find(self.sent, rfc_message_id)
        if path is None:
            return None
        return SentRef(message_id=rfc_message_id, thread_id=thread_root(read_message(path)))

    def delete_draft(self, draft_id: str) -> bool:
        try:
            self._draft_path(draft_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def send_draft(self, draft_id: str) -> SentRef:
        source = self._draft_path(draft_id)
        if not source.exists():
            raise MailError(
                f"The draft {source} is gone from the outbox.",
                hint="Re-create it with `outreach draft TEMPLATE CONTACT`.",
            )
        message = read_message(source)
        target = self.sent / "cur" / f"{draft_id}{_SENT_FLAGS}"
        os.replace(source, target)
        message_id = str(message["Message-ID"])
        return SentRef(message_id=message_id, thread_id=thread_root(message) or message_id)

    def send_message(self, message: EmailMessage, thread_id: str | None) -> SentRef:
        message_id = str(message["Message-ID"])
        _write_atomically(self.sent, f"{draft_name(message_id)}{_SENT_FLAGS}", message.as_bytes())
        return SentRef(message_id=message_id, thread_id=thread_id or message_id)

    def drafts(self) -> list[Path]:
        """Every draft file in the outbox (for status and the demo's summary)."""
        return sorted((self.outbox / "cur").glob(f"*{_DRAFT_FLAGS}"))
