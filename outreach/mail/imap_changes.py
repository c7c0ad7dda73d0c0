"""An IMAP account's answer to "what changed since this cursor"
(:mod:`outreach.mail.sync_reader`): Sent and INBOX read from their stored UIDVALIDITY and
UIDNEXT (:mod:`outreach.mail.imap_read`); each message is placed by its headers, exactly as
the local Maildirs' are."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from imapclient.exceptions import IMAPClientError

from outreach.errors import MailUnreachable, SyncError
from outreach.mail.imap_read import PREFIX, FolderRead, SyncPoint, read_folder
from outreach.mail.sync_reader import FolderFiles, Found, Interest, MailChanges

if TYPE_CHECKING:
    from outreach.mail.imap import ImapBackend

__all__ = ["ImapChanges"]


class ImapChanges:
    """The :class:`~outreach.mail.sync_reader.SyncReader` of an IMAP account."""

    files: FolderFiles | None = None
    requests = 0  # IMAP commands are counted by the server's log (bench/bench_imap_sync.py)

    def __init__(self, backend: ImapBackend, owner: str) -> None:
        self.backend = backend
        self.account = f"imap:{backend.imap.username or owner}@{backend.imap.host}"

    def baseline(self, now: datetime) -> str | None:
        return None  # a first sync reads from the day before our first message

    def _read(self, point: SyncPoint, since: date | None) -> list[FolderRead]:
        backend = self.backend
        session = backend.session
        if point.folders is not None:
            session.assume_folders(point.folders)
        reads: list[FolderRead] = []
        try:
            for folder, label in ((session.folders().sent, "SENT"), ("INBOX", "INBOX")):
                reads.append(
                    read_folder(session, folder, label, point.positions.get(folder), since)
                )
        except IMAPClientError as exc:
            session.broken()
            if point.folders is not None:  # a folder renamed since: find them again, once
                session.relist()
                return self._read(SyncPoint(point.positions), since)
            raise SyncError(
                f"The IMAP server {backend.imap.host} failed during sync: {exc}.",
                hint="Run `outreach sync` again; `outreach sync --full` reads everything again.",
            ) from None
        except OSError as exc:
            session.broken()
            raise MailUnreachable(
                f"The connection to {backend.imap.host} broke during sync: {exc}.",
                hint="Run `outreach sync` again when the network is back.",
            ) from None
        return reads

    def changes(self, cursor: str | None, interest: Interest, *, full: bool) -> MailChanges:
        """``full`` reads both folders again from the start."""
        backend = self.backend
        point = SyncPoint.decode(cursor)
        if full:
            point = SyncPoint({}, point.folders)
        reads = self._read(point, interest.since)
        reread = any(read.reread for read in reads)
        reason = ""
        if full:
            reason = "asked for with --full"
        elif reread and point.positions:
            reason = "the server renumbered a folder (UIDVALIDITY changed)"
        found = [
            Found(message.key, message.meta, headers=message)
            for read in reads
            for message in read.messages
        ]
        new_point = SyncPoint(
            {read.folder: read.position for read in reads}, backend.session.folders()
        )
        drafts_now: set[int] | None = None
        drafts_validity: int | None = None

        def draft_gone(draft_id: str | None, _history_id: str | None, _event_id: str) -> bool:
            nonlocal drafts_now, drafts_validity
            from outreach.mail.imap import parse_draft_id

            parsed = parse_draft_id(draft_id or "")
            if parsed is None:
                return True
            if drafts_now is None:
                drafts_now = backend.draft_uids()
                drafts_validity = backend.session.validity.get(backend.session.folders().drafts)
            if parsed[0] == drafts_validity and parsed[1] in drafts_now:
                return False
            # A mail app saves an edited draft as a new message with the same Message-ID.
            return not backend.draft_exists(draft_id or "")

        mode = "full" if reread else "incremental"
        return MailChanges(found, new_point.encode(), mode, draft_gone, reason, key_prefix=PREFIX)
