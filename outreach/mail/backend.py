"""The interface every mail backend implements (local, Gmail, IMAP, Microsoft Graph): the one
door services use to each mailbox, with its kind (what it can do: outreach.mail.kinds), its
sync reader (what changed since a cursor: outreach.mail.sync_reader) and its own doctor checks
(outreach.mail.health).

Calls are batch-shaped so the Gmail backend can use batch requests and pacing; the local
backend simply loops. Per-item failures are returned, not raised, so one bad contact does not
stop the others.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING, Protocol

from outreach.errors import MailError

if TYPE_CHECKING:
    from outreach.mail.kinds import BackendKind
    from outreach.mail.sync_reader import SyncReader


@dataclass(frozen=True)
class DraftRequest:
    """Create a draft, or replace the one named by ``draft_id``."""

    key: str  # the idempotency key, for matching results to requests
    message: EmailMessage
    draft_id: str | None = None
    thread_id: str | None = None
    since: datetime | None = None  # when the message was first drafted (to know its sends)


@dataclass(frozen=True)
class DraftRef:
    draft_id: str
    message_id: str | None = None  # the backend's id of the draft's message
    thread_id: str | None = None
    # What the draft is as written, to notice a hand edit later (see draft_versions).
    version: str = ""


@dataclass(frozen=True)
class SentRef:
    message_id: str
    thread_id: str | None = None


@dataclass(frozen=True)
class SentHeaders:
    """One message in the mailbox's sent mail, from its headers only."""

    backend_id: str  # Gmail's message id, or local:<Message-ID> (the event id sync records)
    message_id: str  # the Message-ID header, as written
    recipients: tuple[str, ...]  # To, Cc and Bcc addresses, casefolded
    thread_id: str | None = None
    subject: str = ""
    sent_at: datetime | None = None
    is_reply: bool = False  # it has In-Reply-To or References: not a first message


@dataclass(frozen=True)
class Exchange:
    """One message between the user and others, from its headers only (prior contact)."""

    sent: bool  # the user wrote it (sent mail), else the user received it (inbox)
    addresses: tuple[str, ...]  # the recipients of a sent one, the sender of a received one
    at: datetime | None
    message_id: str = ""


@dataclass(frozen=True)
class Failure:
    """Why one item failed; ``retryable`` failures may succeed on a re-run."""

    reason: str
    retryable: bool = True


class MailBackend(Protocol):
    name: str
    # What this kind of mailbox can do (outreach.mail.kinds): services ask it, never the name.
    kind: BackendKind
    # Whether the mail server can hold a sent message until a time and send it then
    # (Microsoft Graph's deferred send); where it cannot, the local queue and `watch` do.
    can_hold: bool

    def upsert_drafts(self, requests: list[DraftRequest]) -> dict[str, DraftRef | Failure]:
        """Create or replace drafts; results keyed by request key."""
        ...

    def find_drafts(self, rfc_message_ids: list[str]) -> dict[str, DraftRef]:
        """Find drafts by their Message-ID headers (recovering after a crash)."""
        ...

    def find_sent(
        self,
        rfc_message_id: str,
        thread_id: str | None = None,
        *,
        recipients: Sequence[str] = (),
        subject: str | None = None,
        since: datetime | None = None,
    ) -> SentRef | None:
        """Find the sent copy of a message: by its Message-ID header, or, since a mail client
        may give the sent copy a Message-ID of its own, by a sent message in its thread to
        one of ``recipients`` with ``subject``, sent at or after ``since``."""
        ...

    def draft_versions(self, draft_ids: Sequence[str]) -> dict[str, str]:
        """The current version of each draft still there (absent: deleted or sent). A version
        different from the one :meth:`upsert_drafts` returned means the user edited it."""
        ...

    def recent_sent(self, limit: int) -> list[SentHeaders]:
        """The ``limit`` most recent messages of the sent mail, newest first, headers only:
        the mailbox's own record of what was sent (see services/sending/ledger.py)."""
        ...

    def exchanges(self) -> Iterator[Exchange]:
        """Every message of the sent mail and the inbox, headers only (read once, by the first
        sync, to learn whom the user already knows)."""
        ...

    def read_draft(self, draft_id: str) -> EmailMessage | None:
        """The draft as it is now, where this machine can read it without a request (the
        local outbox's files, ``kind.files_on_disk``); None: gone, or not readable here."""
        ...

    def sync_reader(self, owner: str, *, read_bodies: bool = False) -> SyncReader:
        """What sync reads the mailbox with (:mod:`outreach.mail.sync_reader`); ``owner`` is
        the user's address, ``read_bodies`` whether bodies may be read (Gmail's readonly)."""
        ...

    def draft_exists(self, draft_id: str) -> bool:
        """Whether the draft is still there (a sent draft leaves the drafts)."""
        ...

    def delete_draft(self, draft_id: str) -> bool:
        """Remove a draft that must never be sent; False when it was already gone."""
        ...

    def send_draft(self, draft_id: str, date: datetime | None = None) -> SentRef:
        """Send an existing draft, dated ``date`` where the backend can rewrite it. Raises
        MailError on failure."""
        ...

    def send_message(self, message: EmailMessage, thread_id: str | None) -> SentRef:
        """Send a message directly (invites with --send). Raises MailError on failure."""
        ...

    def hold_until(self, draft_id: str, at: datetime) -> SentRef:
        """Hand the draft to the server to send at ``at`` (it goes even with this machine
        off). Returns the held message's reference. Raises MailError where the backend cannot
        hold (``can_hold`` False) or the server refused."""
        ...

    def release_hold(self, held_id: str) -> DraftRef | None:
        """Take a held message back before its time: it is a draft again (the returned one).
        None when it has already gone (or is no longer there)."""
        ...


class DraftsNotReadHere:
    """For backends whose drafts live on a server: they are not read back (Gmail's scopes do
    not allow it; a read would be a request)."""

    def read_draft(self, draft_id: str) -> EmailMessage | None:
        return None


class ServerCannotHold:
    """For backends whose server cannot hold a message until a time (Gmail, IMAP, local):
    the delivery queue on this machine waits instead, delivered by `outreach watch`."""

    can_hold = False

    def hold_until(self, draft_id: str, at: datetime) -> SentRef:
        raise MailError(
            "This mailbox cannot hold a message on its server until a time; it waits on "
            "the delivery queue on this machine instead.",
            hint="`outreach watch` delivers the queue (`outreach service install` runs it).",
        )

    def release_hold(self, held_id: str) -> DraftRef | None:
        raise MailError("This mailbox holds no messages on its server; nothing to take back.")
