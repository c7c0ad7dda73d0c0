"""The local backend: drafts as files in a Maildir outbox, readable by mutt or Thunderbird.

A draft's file name is derived from its idempotency key, so re-drafting replaces the file
atomically (write to tmp/, rename into cur/) instead of adding a second one. "Sending" moves
the file to the ``sent`` Maildir: nothing leaves the machine, which is what a demo or a user
without a Google account wants. Thread ids are the Message-ID of the thread's first message.

Finding a message by its Message-ID (recovering after an interrupted run) reads each folder's
headers once per command into an index, never once per message. Junk in the folders (folders,
FIFOs, unreadable files) is skipped with a warning; stale temporary files are removed.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import errno
import hashlib
import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

from outreach.config import Workspace
from outreach.errors import NotSentError
from outreach.mail.backend import (
    DraftRef,
    DraftRequest,
    Exchange,
    Failure,
    SentHeaders,
    SentRef,
    ServerCannotHold,
)
from outreach.mail.kinds import LOCAL
from outreach.mail.maildir import (
    clean_tmp,
    ensure_maildir,
    link_new,
    message_entries,
    read_bytes,
    read_head,
    write_atomically,
    write_new,
)
from outreach.mail.sync_reader import SyncReader

__all__ = ["LocalOutbox", "draft_name", "ensure_maildir", "read_message", "thread_root"]

_DRAFT_FLAGS = ":2,D"
_SENT_FLAGS = ":2,S"
# Trouble with the disk or the folder itself stops the run (and is named by the CLI); any
# other failure to write one file is that contact's failure.
_STOP_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}
_DATE_HEADER = re.compile(rb"^Date:[^\n]*\n(?:[ \t][^\n]*\n)*", re.IGNORECASE | re.MULTILINE)


def redate(data: bytes, date: datetime) -> bytes:
    """The message with its Date header set to ``date`` (the rest byte for byte as it was: a
    draft the user edited keeps every word)."""
    ends = [i for i in (data.find(b"\r\n\r\n"), data.find(b"\n\n")) if i >= 0]
    split = min(ends) if ends else len(data)
    head, rest = data[:split], data[split:]
    newline = b"\r\n" if b"\r\n" in head else b"\n"
    line = b"Date: " + format_datetime(date).encode("ascii") + newline
    lines = head + newline
    if _DATE_HEADER.search(lines):
        lines = _DATE_HEADER.sub(lambda _: line, lines, count=1)
    else:
        lines = line + lines
    return lines[: -len(newline)] + rest


def _fingerprint(message: EmailMessage) -> str:
    # Imported here: `outreach.compose` brings the template engine, which `due` never needs.
    from outreach.compose.fingerprint import fingerprint

    return fingerprint(message)


def draft_file(outbox: Path, draft_id: str) -> Path:
    """Where the local backend keeps a draft (a path only: nothing is opened or created)."""
    return outbox / "cur" / f"{draft_id}{_DRAFT_FLAGS}"


def draft_name(key: str) -> str:
    """A stable, filesystem-safe Maildir base name for an idempotency key."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return f"outreach-{digest}"


def read_message(path: Path) -> EmailMessage:
    with open(path, "rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _message_id(data: bytes) -> str:
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
    return str(headers.get("Message-ID", "")).strip()


def thread_root(message: EmailMessage) -> str | None:
    """The thread id of a message: the first Message-ID in References, else In-Reply-To."""
    references: list[str] = re.findall(r"<[^<>\s]+>", str(message.get("References", "")))
    if references:
        return references[0]
    reply_to: list[str] = re.findall(r"<[^<>\s]+>", str(message.get("In-Reply-To", "")))
    return reply_to[0] if reply_to else None


class LocalOutbox(ServerCannotHold):
    """MailBackend writing to ``outbox/`` (drafts) and ``sent/`` in the workspace."""

    name = "local"
    kind = LOCAL

    def __init__(self, workspace: Workspace, *, outlook_drafts: bool = False) -> None:
        # ``[mail] outlook_drafts``: mark each draft ``X-Unsent: 1``, so Outlook opens the
        # .eml as a draft to send (for organisations that block third-party apps).
        self.outlook_drafts = outlook_drafts
        self.workspace = workspace
        self.outbox = workspace.outbox_dir
        self.sent = workspace.root / "sent"
        self.inbox = workspace.inbox_dir
        for root in (self.outbox, self.sent, workspace.inbox_dir):
            ensure_maildir(root)
            clean_tmp(root)
        # Message-ID -> file, per folder, read once per command (see _index).
        self._indexes: dict[Path, dict[str, Path]] = {}

    def sync_reader(self, owner: str, *, read_bodies: bool = False) -> SyncReader:
        from outreach.mail.local_inbox import local_changes

        return local_changes(self.workspace)

    def _draft_path(self, draft_id: str) -> Path:
        return draft_file(self.outbox, draft_id)

    def upsert_drafts(self, requests: list[DraftRequest]) -> dict[str, DraftRef | Failure]:
        results: dict[str, DraftRef | Failure] = {}
        for request in requests:
            draft_id = request.draft_id or draft_name(request.key)
            message_id = str(request.message["Message-ID"])
            data = request.message.as_bytes()
            if self.outlook_drafts:
                data = b"X-Unsent: 1\n" + data  # as_bytes() ends lines with \\n too
            try:
                path = write_atomically(self.outbox, f"{draft_id}{_DRAFT_FLAGS}", data)
            except OSError as exc:
                if exc.errno in _STOP_ERRNOS:
                    raise
                results[request.key] = Failure(f"cannot write to {self.outbox}: {exc}")
                continue
            self._remember(self.outbox, message_id, path)
            results[request.key] = DraftRef(
                draft_id=draft_id,
                message_id=message_id,
                thread_id=request.thread_id or message_id,
                version=_fingerprint(request.message),
            )
        return results

    def _index(self, folder: Path) -> dict[str, Path]:
        """Message-ID -> file for a Maildir, reading each file's headers once per command."""
        if folder not in self._indexes:
            index: dict[str, Path] = {}
            for entry in message_entries(folder):
                data = read_bytes(entry.path)
                if data is not None:
                    index.setdefault(_message_id(data), entry.path)
            self._indexes[folder] = index
        return self._indexes[folder]

    def _remember(self, folder: Path, message_id: str, path: Path) -> None:
        if folder in self._indexes:
            self._indexes[folder][message_id] = path

    def _forget(self, folder: Path, message_id: str) -> None:
        if folder in self._indexes:
            self._indexes[folder].pop(message_id, None)

    def _find(self, folder: Path, rfc_message_id: str) -> Path | None:
        path = self._index(folder).get(rfc_message_id)
        if path is not None and not path.is_file():  # moved by a mail client meanwhile
            self._indexes.pop(folder, None)
            path = self._index(folder).get(rfc_message_id)
        return path

    def find_drafts(self, rfc_message_ids: list[str]) -> dict[str, DraftRef]:
        found: dict[str, DraftRef] = {}
        for message_id in rfc_message_ids:
            path = self._find(self.outbox, message_id)
            if path is not None:
                found[message_id] = DraftRef(
                    draft_id=path.name.split(":")[0], message_id=message_id
                )
        return found

    def find_sent(
        self,
        rfc_message_id: str,
        thread_id: str | None = None,
        *,
        recipients: Sequence[str] = (),
        subject: str | None = None,
        since: datetime | None = None,
    ) -> SentRef | None:
        """The local outbox moves a sent draft as it is: its Message-ID never changes."""
        path = self._find(self.sent, rfc_message_id)
        if path is None:
            return None
        data = read_bytes(path)
        if data is None:
            return SentRef(message_id=rfc_message_id)
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return SentRef(message_id=rfc_message_id, thread_id=thread_root(message))

    def recent_sent(self, limit: int) -> list[SentHeaders]:
        """The newest files of ``sent/`` (by modification time), their headers only."""
        from email.utils import getaddresses

        from outreach.mail.local_inbox import local_id

        newest = message_entries(self.sent)[::-1][: max(limit, 0)]
        found: list[SentHeaders] = []
        for entry in newest:
            data = read_bytes(entry.path)
            if data is None:
                continue
            end = data.find(b"\n\n")
            headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(
                data if end < 0 else data[: end + 2]
            )
            message_id = str(headers.get("Message-ID", "")).strip()
            fields = [str(v) for name in ("To", "Cc", "Bcc") for v in headers.get_all(name, [])]
            recipients = tuple(a.casefold() for _, a in getaddresses(fields) if a)
            refs: list[str] = re.findall(
                r"<[^<>\s]+>",
                f"{headers.get('References', '')} {headers.get('In-Reply-To', '')}",
            )
            try:
                sent_at = parsedate_to_datetime(str(headers.get("Date", "")))
            except (TypeError, ValueError):
                sent_at = datetime.fromtimestamp(entry.mtime_ns / 1e9).astimezone()
            found.append(
                SentHeaders(
                    local_id(message_id),
                    message_id,
                    recipients,
                    thread_id=refs[0] if refs else message_id,
                    subject=str(headers.get("Subject", "")),
                    sent_at=sent_at,
                    is_reply=bool(refs),
                )
            )
        return found

    def exchanges(self) -> Iterator[Exchange]:
        """sent/ (the user's mail) and inbox/ (mail to the user), headers only."""
        from email.utils import getaddresses

        for folder, sent in ((self.sent, True), (self.inbox, False)):
            for entry in message_entries(folder):
                head = read_head(entry.path)
                if head is None:
                    continue
                headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(
                    head
                )
                names = ("To", "Cc", "Bcc") if sent else ("From",)
                fields = [str(v) for name in names for v in headers.get_all(name, [])]
                try:
                    at: datetime | None = parsedate_to_datetime(str(headers.get("Date", "")))
                except (TypeError, ValueError):
                    at = None
                yield Exchange(
                    sent=sent,
                    addresses=tuple(a.casefold() for _, a in getaddresses(fields) if a),
                    at=at,
                    message_id=str(headers.get("Message-ID", "")).strip(),
                )

    def draft_exists(self, draft_id: str) -> bool:
        return self._draft_path(draft_id).exists()

    def read_draft(self, draft_id: str) -> EmailMessage | None:
        """The draft as it is in the outbox now (None: gone or unreadable)."""
        path = self._draft_path(draft_id)
        data = read_bytes(path) if path.exists() else None
        if data is None:
            return None
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message

    def draft_versions(self, draft_ids: Sequence[str]) -> dict[str, str]:
        versions: dict[str, str] = {}
        for draft_id in draft_ids:
            path = self._draft_path(draft_id)
            data = read_bytes(path) if path.exists() else None
            if data is not None:
                message = email.message_from_bytes(data, policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                versions[draft_id] = _fingerprint(message)
        return versions

    def delete_draft(self, draft_id: str) -> bool:
        try:
            self._draft_path(draft_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def send_draft(self, draft_id: str, date: datetime | None = None) -> SentRef:
        """Move the draft to ``sent/`` (never over a file there), its Date set to ``date``."""
        source = self._draft_path(draft_id)
        data = read_bytes(source) if source.exists() else None
        if data is None:
            raise NotSentError(
                f"The draft {source} is gone from the outbox (or is not a message file).",
                hint="Re-create it with `outreach draft TEMPLATE CONTACT`.",
            )
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        name = f"{draft_id}{_SENT_FLAGS}"
        message_id = str(message["Message-ID"])
        try:
            if date is None:
                target = link_new(source, self.sent, name)
            else:
                target = write_new(self.sent, name, redate(data, date))
                source.unlink()
        except OSError as exc:
            if exc.errno in _STOP_ERRNOS:
                raise
            raise NotSentError(f"Could not move {source} to {self.sent / 'cur'}: {exc}") from None
        self._forget(self.outbox, message_id)
        self._remember(self.sent, message_id, target)
        return SentRef(message_id=message_id, thread_id=thread_root(message) or message_id)

    def send_message(self, message: EmailMessage, thread_id: str | None) -> SentRef:
        message_id = str(message["Message-ID"])
        path = write_new(self.sent, f"{draft_name(message_id)}{_SENT_FLAGS}", message.as_bytes())
        self._remember(self.sent, message_id, path)
        return SentRef(message_id=message_id, thread_id=thread_id or message_id)

    def drafts(self) -> list[Path]:
        """Every draft file in the outbox (for status and the demo's summary)."""
        return sorted(
            entry.path
            for entry in message_entries(self.outbox, ("cur",))
            if entry.name.endswith(_DRAFT_FLAGS)
        )


def drafts_on_disk(workspace: Workspace, draft_ids: Sequence[str]) -> set[str]:
    """Which drafts are still files in the outbox: one listing, no stat per draft, and nothing
    created (`due` runs this)."""
    import os

    try:
        present = set(os.listdir(workspace.outbox_dir / "cur"))
    except OSError:
        return set(draft_ids)  # cannot tell: none is said to be gone
    return {d for d in draft_ids if draft_file(workspace.outbox_dir, d).name in present}
