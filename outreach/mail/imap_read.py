"""Reading an IMAP account's INBOX and Sent for sync, incrementally, like isync/mbsync: each
folder's UIDVALIDITY and UIDNEXT are kept; when both are unchanged the folder costs one
STATUS; when only UIDNEXT moved, one SELECT and one ``UID FETCH <old UIDNEXT>:*`` read exactly
the new messages; a changed UIDVALIDITY (the server renumbered the folder) or a first sync
reads the folder again from the day before our first message (what we track), and events,
keyed by Message-ID, are not recorded twice.

CONDSTORE/QRESYNC would add flag changes and expunges, which sync does not need: a message
that arrives is all it reads, and UIDNEXT finds those in one command.
"""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from outreach.mail.imap_session import Folders, ImapSession
from outreach.mail.local_inbox import LocalMessage, describe

PREFIX = "imap:"
_FETCH_CHUNK = 200


@dataclass(frozen=True)
class Position:
    validity: int
    next_uid: int


@dataclass(frozen=True)
class SyncPoint:
    """What the last sync read up to, per folder, and the folder names it found."""

    positions: dict[str, Position]
    folders: Folders | None = None

    def encode(self) -> str:
        data: dict[str, Any] = {
            "positions": {name: [p.validity, p.next_uid] for name, p in self.positions.items()}
        }
        if self.folders is not None:
            data["folders"] = {"drafts": self.folders.drafts, "sent": self.folders.sent}
        return json.dumps(data, sort_keys=True)

    @classmethod
    def decode(cls, text: str | None) -> SyncPoint:
        try:
            data = json.loads(text or "{}")
            positions = {
                str(name): Position(int(pair[0]), int(pair[1]))
                for name, pair in data.get("positions", {}).items()
            }
            folders = data.get("folders")
            found = Folders(str(folders["drafts"]), str(folders["sent"])) if folders else None
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return cls({})  # unreadable: read again from the start (nothing is doubled)
        return cls(positions, found)


@dataclass(frozen=True)
class FolderRead:
    folder: str
    messages: list[LocalMessage]
    position: Position
    reread: bool  # read from the start (first sync or a new UIDVALIDITY)


def _messages(
    session: ImapSession, folder: str, label: str, validity: int, uids: Iterable[int]
) -> list[LocalMessage]:
    wanted = sorted(uids)
    found: list[LocalMessage] = []
    for start in range(0, len(wanted), _FETCH_CHUNK):
        chunk = wanted[start : start + _FETCH_CHUNK]
        answer = session.client.fetch(chunk, [b"BODY.PEEK[]", b"INTERNALDATE"])
        found += _described(answer, folder, label, validity, min(chunk))
    return found


def _described(
    answer: dict[int, dict[bytes, Any]], folder: str, label: str, validity: int, first: int
) -> list[LocalMessage]:
    found: list[LocalMessage] = []
    for uid in sorted(answer):
        if uid < first:  # "UID FETCH n:*" names the last message even when it is older
            continue
        data = answer[uid].get(b"BODY[]")
        if data is None:
            continue
        arrived = answer[uid].get(b"INTERNALDATE")
        filed_at = arrived if isinstance(arrived, datetime) else datetime.now(UTC)
        if filed_at.tzinfo is None:
            filed_at = filed_at.replace(tzinfo=UTC)
        parsed = email.message_from_bytes(bytes(data), policy=email.policy.default)
        found.append(
            describe(
                parsed,
                (label,),
                filed_at,
                fallback_key=f"{PREFIX}uid:{folder}:{validity}:{uid}",
                prefix=PREFIX,
            )
        )
    return found


def read_folder(
    session: ImapSession, folder: str, label: str, known: Position | None, since: date | None
) -> FolderRead:
    """What arrived in ``folder`` since ``known``; ``since`` bounds a read from the start
    (None: nothing of ours yet, so nothing to read)."""
    status = session.client.folder_status(folder, [b"UIDVALIDITY", b"UIDNEXT"])
    now = Position(int(status[b"UIDVALIDITY"]), int(status[b"UIDNEXT"]))
    if known == now:
        return FolderRead(folder, [], now, reread=False)
    if known is not None and known.validity == now.validity:
        session.select(folder, readonly=True)
        if now.next_uid - known.next_uid <= _FETCH_CHUNK:  # the new UIDs, in one UID FETCH
            uids: list[int] = list(range(known.next_uid, now.next_uid))
        else:  # many UIDs used up (and perhaps expunged): ask which exist
            uids = [int(uid) for uid in session.client.search(["UID", f"{known.next_uid}:*"])]
        messages = _messages(session, folder, label, now.validity, uids)
        return FolderRead(folder, messages, now, reread=False)
    if since is None:
        return FolderRead(folder, [], now, reread=True)
    session.select(folder, readonly=True)
    uids = [int(uid) for uid in session.client.search(["SINCE", since])]
    return FolderRead(folder, _messages(session, folder, label, now.validity, uids), now, True)
