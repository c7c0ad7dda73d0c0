"""Reading Gmail for sync: the profile's history id, history pages, message and thread metadata.

A thin adapter over :class:`~outreach.mail.gmail.GmailBackend`, which owns the service, the pace
under the user's quota, the retries and batching. By default everything here asks for
``format=metadata`` (headers, labels, internalDate), all the ``gmail.metadata`` scope allows:
no body, perhaps no snippet. With ``read_bodies`` (the ``gmail.readonly`` opt-in,
``[google] read_scope = "readonly"``) messages and threads are read with ``format=full``, so
out-of-office return dates and bounce details come from their text: the messages of tracked
threads, and (asked for by sync, once their headers show a contact wrote them) a contact's
messages in threads of their own. A calendar part Gmail gives as an attachment id only (Apple
Calendar's ``iCal-*.ics``) is read with ``messages.attachments.get``. Nobody else's mail is
read beyond its headers.

Errors are translated once, here: a 404 on ``history.list`` is :class:`HistoryExpired` (the
start id is too old: resync in full), a transport failure, a 5xx or a rate limit (429, or
403 ``userRateLimitExceeded``/``rateLimitExceeded``) left after the retries is
:class:`TransientSyncError` (try again later), anything else is a :class:`SyncError` or
:class:`~outreach.errors.AuthError` that says what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from googleapiclient.errors import HttpError

from outreach.errors import AuthError, MailError, SyncError
from outreach.mail.gmail import GmailBackend
from outreach.mail.gmail_errors import TRANSPORT_ERRORS, rate_limit, reason_text, status_of
from outreach.track.meta import MessageMeta, is_calendar_part

__all__ = [
    "METADATA_HEADERS",
    "GmailSync",
    "HistoryChanges",
    "HistoryExpired",
    "TransientSyncError",
]

# What classification and matching read; asking for these only keeps responses small.
METADATA_HEADERS = [
    "From",
    "To",
    "Cc",  # someone new writing for a contact copies them (their side)
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Content-Type",
    "Auto-Submitted",
    "X-Autoreply",
    "X-Autorespond",
    "X-Autoresponder",
    "Precedence",
    "List-Id",
    "List-Unsubscribe",
    "X-Failed-Recipients",
]
HISTORY_PAGE_SIZE = 500
# messageAdded: new mail and sends. labelAdded: a send that keeps its draft's message id
# (the draft's DRAFT label removed, SENT added) is seen through the SENT label.
# messageDeleted: a draft sent from Gmail disappears as a draft (how a send whose Message-ID
# Gmail replaced is still matched to its draft, and a message written by hand is not).
HISTORY_TYPES = ["messageAdded", "messageDeleted", "labelAdded"]

T = TypeVar("T")


class HistoryExpired(Exception):
    """``history.list`` answered 404: the start id is older than Gmail keeps history for."""


class TransientSyncError(SyncError):
    """The network or Gmail failed after retries; the same sync may well work later."""


@dataclass
class HistoryChanges:
    """What ``history.list`` reported since a start id, all pages read."""

    history_id: str  # the mailbox's history id at the time of the last page
    added: dict[str, str] = field(default_factory=dict)  # message id -> thread id, in order
    labels: dict[str, frozenset[str]] = field(default_factory=dict)  # added: their labels
    sent: dict[str, str] = field(default_factory=dict)  # label SENT added: id -> thread id
    deleted: set[str] = field(default_factory=set)  # message ids deleted (drafts sent, ...)
    pages: int = 0


@contextmanager
def _translated(action: str) -> Iterator[None]:
    try:
        yield
    except HttpError as exc:
        status = status_of(exc)
        if rate_limit(exc) is not None or status >= 500:
            raise TransientSyncError(
                f"Gmail failed while {action} (HTTP {status}: {reason_text(exc)}), after retries.",
                hint="Nothing was recorded; run `outreach sync` again later.",
            ) from None
        if status in (401, 403) and "metadata scope" in reason_text(exc).lower():
            raise AuthError(
                f"Gmail refused {action}: HTTP {status}: {reason_text(exc)}. The saved token "
                "still holds gmail.metadata, which keeps Gmail from giving any message text, "
                'even beside gmail.readonly ([google] read_scope = "readonly").',
                hint="Run `outreach auth login` again: it asks for gmail.readonly without "
                "gmail.metadata. Or set read_scope back to \"metadata\". `outreach auth status` "
                "shows what the token holds.",
            ) from None
        if status in (401, 403):
            raise AuthError(
                f"Gmail refused {action}: HTTP {status}: {reason_text(exc)}.",
                hint="Sync needs gmail.metadata (or gmail.readonly with [google] read_scope = "
                '"readonly"): run `outreach auth login` again; `outreach auth status` shows '
                "what the token holds.",
            ) from None
        raise SyncError(
            f"Gmail refused {action}: HTTP {status}: {reason_text(exc)}.",
            hint="Run `outreach sync --full`; if it persists, run `outreach doctor`.",
        ) from None
    except TRANSPORT_ERRORS as exc:
        raise TransientSyncError(
            f"The connection to Gmail failed while {action}: {type(exc).__name__}: {exc}.",
            hint="Nothing was recorded; check your connection and run `outreach sync` again.",
        ) from None
    except MailError as exc:
        if isinstance(exc, AuthError):
            raise
        raise TransientSyncError(exc.message, hint=exc.hint) from None


# Threads read between two progress updates of a full resync (a multiple of the batch size).
PROGRESS_SLICE = 200


class GmailSync:
    """History and metadata reads for sync, through one :class:`GmailBackend`."""

    def __init__(self, backend: GmailBackend, *, read_bodies: bool = False) -> None:
        self.backend = backend
        self.read_bodies = read_bodies  # format=full: needs gmail.readonly, not gmail.metadata

    def _format(self) -> dict[str, Any]:
        if self.read_bodies:
            return {"format": "full"}
        return {"format": "metadata", "metadataHeaders": METADATA_HEADERS}

    @property
    def requests(self) -> int:
        """HTTP requests made so far by the backend (a batch counts once)."""
        return self.backend.stats.requests

    def _users(self) -> Any:
        return self.backend.service.users()

    def current_history_id(self) -> str:
        """The mailbox's history id now (read before a full resync, as lieer does)."""
        with _translated("reading the profile"):
            profile = self.backend.profile()
        return str(profile["historyId"])

    def changes_since(self, start_history_id: str) -> HistoryChanges:
        """Every message added (or labelled SENT, or deleted) since ``start_history_id``, all
        pages read.

        Raises :class:`HistoryExpired` when Gmail no longer has history that old.
        """
        history = self._users().history()
        changes = HistoryChanges(history_id=start_history_id)
        token: str | None = None
        while True:
            request = history.list(
                userId=self.backend.user_id,
                startHistoryId=start_history_id,
                historyTypes=HISTORY_TYPES,
                maxResults=HISTORY_PAGE_SIZE,
                pageToken=token,
            )
            try:
                with _translated("reading the mailbox history"):
                    page = self._call_allowing_404("history.list", request)
            except _NotFound:
                raise HistoryExpired(start_history_id) from None
            changes.pages += 1
            for record in page.get("history", []):
                for item in record.get("messagesAdded", []):
                    message = item.get("message", {})
                    changes.added.setdefault(str(message["id"]), str(message.get("threadId")))
                    if "labelIds" in message:
                        changes.labels[str(message["id"])] = frozenset(message["labelIds"])
                for item in record.get("messagesDeleted", []):
                    changes.deleted.add(str(item.get("message", {}).get("id")))
                for item in record.get("labelsAdded", []):
                    message = item.get("message", {})
                    if "SENT" in item.get("labelIds", []):
                        changes.sent.setdefault(
                            str(message["id"]), str(message.get("threadId"))
                        )
            changes.history_id = str(page.get("historyId") or changes.history_id)
            token = page.get("nextPageToken")
            if not token:
                return changes

    def _call_allowing_404(self, method: str, request: Any) -> Any:
        try:
            return self.backend._call(method, request)
        except HttpError as exc:
            if status_of(exc) == 404:
                raise _NotFound from None
            raise

    def messages(
        self, message_ids: list[str], bodies_of: Collection[str] | None = None
    ) -> list[MessageMeta]:
        """These messages (batched), in the order asked; deleted ones left out.

        With ``read_bodies``, only the messages of ``bodies_of`` (all when None: messages of
        tracked threads) are read in full; any other (mail outside our threads, read only to
        see who wrote it) is read as metadata, whatever the scope allows."""
        messages = self._users().messages()
        if self.read_bodies and bodies_of is not None:
            full = [mid for mid in message_ids if mid in bodies_of]
            plain = [mid for mid in message_ids if mid not in bodies_of]
        else:
            full, plain = list(message_ids), []
        found = self._batch(
            "messages.get",
            full,
            lambda mid: messages.get(userId=self.backend.user_id, id=mid, **self._format()),
            "reading new messages",
        )
        if self.read_bodies:
            self._fill_calendar_attachments(found)
        found.update(
            self._batch(
                "messages.get",
                plain,
                lambda mid: messages.get(
                    userId=self.backend.user_id,
                    id=mid,
                    format="metadata",
                    metadataHeaders=METADATA_HEADERS,
                ),
                "reading new messages",
            )
        )
        return [MessageMeta.from_gmail(found[mid]) for mid in message_ids if mid in found]

    def _fill_calendar_attachments(self, found: dict[str, dict[str, Any]]) -> None:
        """A calendar part Gmail gives as an attachment id only (Apple Calendar's
        ``iCal-*.ics``) is read with ``messages.attachments.get`` (batched, paced) and put in
        place, so the answer's UID can be read; only when no calendar part came inline."""
        attached = {
            mid: part for mid, resource in found.items()
            if (part := _attached_calendar_part(resource.get("payload") or {})) is not None
        }
        if not attached:
            return
        attachments = self._users().messages().attachments()

        def get(mid: str) -> Any:
            return attachments.get(
                userId=self.backend.user_id, messageId=mid, id=attached[mid]["attachmentId"]
            )

        read = self._batch("messages.attachments.get", list(attached), get, "reading invites")
        for mid, body in read.items():
            if body.get("data"):
                attached[mid]["data"] = body["data"]

    def threads(
        self, thread_ids: list[str], progress: Callable[[int], None] | None = None
    ) -> dict[str, list[MessageMeta]]:
        """Metadata of every message of these threads (batched); deleted threads left out.

        With ``progress``, threads are read in slices of :data:`PROGRESS_SLICE`, each slice
        advancing it (the same batches of 50, so no extra requests beyond rounding)."""
        threads = self._users().threads()

        def get(tid: str) -> Any:
            return threads.get(userId=self.backend.user_id, id=tid, **self._format())

        found: dict[str, dict[str, Any]] = {}
        step = PROGRESS_SLICE if progress is not None else max(len(thread_ids), 1)
        for start in range(0, len(thread_ids), step):
            part = thread_ids[start : start + step]
            found.update(self._batch("threads.get", part, get, "reading tracked threads"))
            if progress is not None:
                progress(len(part))
        if self.read_bodies:
            self._fill_calendar_attachments(
                {str(m.get("id")): m for t in found.values() for m in t.get("messages", [])}
            )
        return {
            tid: [MessageMeta.from_gmail(m) for m in found[tid].get("messages", [])]
            for tid in thread_ids
            if tid in found
        }

    def _batch(
        self, method: str, ids: list[str], make: Callable[[str], Any], action: str
    ) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        with _translated(action):
            return self.backend._metadata_batch(method, list(dict.fromkeys(ids)), make)


def _attached_calendar_part(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The body of the first calendar part (by type or ``.ics`` name) that came as an
    attachment id only, when no calendar part came with its data; else None."""
    stack, waiting = [payload], None
    while stack:
        part = stack.pop(0)
        body = part.get("body") or {}
        if is_calendar_part(str(part.get("mimeType", "")), part.get("filename")):
            if body.get("data"):
                return None
            if body.get("attachmentId") and waiting is None:
                waiting = body
        stack.extend(part.get("parts") or ())
    return waiting


class _NotFound(Exception):
    pass


TRANSIENT: tuple[type[Exception], ...] = (TransientSyncError,)
"""What `watch` waits out with Gmail (see outreach.mail.kinds)."""
