"""Headers only, from an IMAP account's Sent and INBOX: what the mailbox itself says was sent
(the ledger's last word, services/sending/ledger.py) and whom the user already knows (the
first sync, services/sync/prior.py). One ``UID FETCH`` of ``BODY.PEEK[HEADER.FIELDS (...)]``
per 200 messages: no body is downloaded and nothing is marked read."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from outreach.mail.backend import Exchange, SentHeaders
from outreach.mail.imap_read import PREFIX
from outreach.mail.imap_session import ImapSession

CHUNK = 200
_FIELDS = b"MESSAGE-ID TO CC BCC FROM DATE SUBJECT REFERENCES IN-REPLY-TO"
_ITEM = b"BODY.PEEK[HEADER.FIELDS (" + _FIELDS + b")]"
_MSGID = re.compile(r"<[^<>\s]+>")


def _parse(data: bytes) -> Message:
    return email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)


def _date(headers: Message, arrived: Any) -> datetime | None:
    try:
        return parsedate_to_datetime(str(headers.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        if isinstance(arrived, datetime):
            return arrived if arrived.tzinfo else arrived.replace(tzinfo=UTC)
        return None


def _addresses(headers: Message, names: Sequence[str]) -> tuple[str, ...]:
    fields = [str(v) for name in names for v in headers.get_all(name, [])]
    return tuple(dict.fromkeys(a.casefold() for _, a in getaddresses(fields) if a))


def fetch_headers(
    session: ImapSession, folder: str, uids: Sequence[int]
) -> Iterator[tuple[Message, Any]]:
    """(headers, INTERNALDATE) of each message, in UID order, ``CHUNK`` UIDs per command."""
    session.select(folder, readonly=True)
    wanted = sorted(uids)
    for start in range(0, len(wanted), CHUNK):
        answer = session.client.fetch(wanted[start : start + CHUNK], [_ITEM, b"INTERNALDATE"])
        for uid in sorted(answer):
            parts = answer[uid]
            data = next(
                (v for k, v in parts.items() if bytes(k).upper().startswith(b"BODY[HEADER")),
                None,
            )
            if data is not None:
                yield _parse(bytes(data)), parts.get(b"INTERNALDATE")


def live_uids(session: ImapSession, folder: str) -> list[int]:
    session.select(folder, readonly=True)
    return sorted(int(uid) for uid in session.client.search(["NOT", "DELETED"]))


def recent_sent(session: ImapSession, limit: int) -> list[SentHeaders]:
    """The ``limit`` messages last filed in Sent (the highest UIDs), newest first."""
    if limit <= 0:
        return []
    sent = session.folders().sent
    found: list[SentHeaders] = []
    for headers, arrived in fetch_headers(session, sent, live_uids(session, sent)[-limit:]):
        message_id = str(headers.get("Message-ID", "")).strip()
        refs = _MSGID.findall(f"{headers.get('References', '')} {headers.get('In-Reply-To', '')}")
        found.append(
            SentHeaders(
                f"{PREFIX}{message_id}",
                message_id,
                _addresses(headers, ("To", "Cc", "Bcc")),
                thread_id=refs[0] if refs else message_id or None,
                subject=str(headers.get("Subject", "")),
                sent_at=_date(headers, arrived),
            )
        )
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(found, key=lambda m: m.sent_at or epoch, reverse=True)


def exchanges(session: ImapSession) -> Iterator[Exchange]:
    """Every message of Sent (its recipients) and INBOX (its sender)."""
    for folder, sent in ((session.folders().sent, True), ("INBOX", False)):
        names = ("To", "Cc", "Bcc") if sent else ("From",)
        for headers, arrived in fetch_headers(session, folder, live_uids(session, folder)):
            yield Exchange(
                sent=sent,
                addresses=_addresses(headers, names),
                at=_date(headers, arrived),
                message_id=str(headers.get("Message-ID", "")).strip(),
            )
