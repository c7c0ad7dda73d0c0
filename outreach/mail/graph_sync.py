"""Reading Outlook for sync: delta rounds on Inbox and Sent Items, and the MIME of the
messages that matter.

A delta round (``GET /me/mailFolders/{folder}/messages/delta``) lists what was added to the
folder since the last round's ``@odata.deltaLink``, with only the few fields that decide
whether a message concerns us (conversation, sender, recipients, subject). The messages that
do are read whole (``GET /me/messages/{id}/$value``, in JSON batches of 20; Graph base64-encodes
a non-JSON body inside a batch), so classification reads real headers and bodies, as with the
local backend. An expired delta link (410, or ``syncStateNotFound``) is
:class:`DeltaExpired`: the caller starts a fresh round.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from outreach.errors import SyncError
from outreach.microsoft.graph import Graph, GraphError, GraphUnreachable, Step
from outreach.track.meta import MessageMeta

__all__ = ["DeltaExpired", "DeltaRound", "GraphSync", "Listed"]

FOLDERS = ("inbox", "sentitems")
DELTA_FIELDS = (
    "id,conversationId,internetMessageId,from,toRecipients,ccRecipients,subject,"
    "receivedDateTime,isDraft"
)
PAGE_SIZE = 200


class DeltaExpired(Exception):
    """Graph no longer knows the delta link: start a new round."""


class TransientGraphError(SyncError):
    """Graph failed or could not be reached after retries; nothing was recorded."""


@dataclass(frozen=True)
class Listed:
    """One message a delta round reported."""

    id: str
    folder: str
    conversation_id: str
    sender: str
    recipients: tuple[str, ...]
    subject: str
    received: datetime | None


@dataclass
class DeltaRound:
    folder: str
    link: str = ""  # the deltaLink to start the next round from
    added: list[Listed] = field(default_factory=list)
    removed: set[str] = field(default_factory=set)
    pages: int = 0


def _address(value: Any) -> str:
    return str(((value or {}).get("emailAddress") or {}).get("address", "")).casefold()


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def _translated(exc: GraphError | GraphUnreachable, doing: str) -> SyncError:
    return TransientGraphError(
        f"Microsoft Graph failed while {doing}: {exc}",
        hint="Nothing was recorded; run `outreach sync` again later.",
    )


class GraphSync:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    @property
    def requests(self) -> int:
        return self.graph.stats.requests

    def delta(self, folder: str, link: str | None, since: datetime | None) -> DeltaRound:
        """One round on ``folder``: from ``link``, or a fresh round (of mail received at or
        after ``since`` when given)."""
        found = DeltaRound(folder)
        headers = {"Prefer": f"odata.maxpagesize={PAGE_SIZE}"}
        params: dict[str, str] | None = None
        target = link
        if target is None:
            target = f"/me/mailFolders/{folder}/messages/delta"
            params = {"$select": DELTA_FIELDS}
            if since is not None:
                stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                params["$filter"] = f"receivedDateTime ge {stamp}"
        while True:
            try:
                page = self.graph.get(target, params, headers=headers)
            except GraphError as exc:
                if link is not None and (
                    exc.status == 410 or exc.code.casefold() == "syncstatenotfound"
                ):
                    raise DeltaExpired(folder) from None
                raise _translated(exc, f"reading changes in {folder}") from None
            except GraphUnreachable as exc:
                raise _translated(exc, f"reading changes in {folder}") from None
            found.pages += 1
            for row in page.get("value") or []:
                if "@removed" in row:
                    found.removed.add(str(row["id"]))
                elif not row.get("isDraft"):
                    found.added.append(
                        Listed(
                            id=str(row["id"]),
                            folder=folder,
                            conversation_id=str(row.get("conversationId") or ""),
                            sender=_address(row.get("from")),
                            recipients=tuple(
                                _address(r)
                                for r in [*(row.get("toRecipients") or []),
                                          *(row.get("ccRecipients") or [])]
                            ),
                            subject=str(row.get("subject") or ""),
                            received=_when(row.get("receivedDateTime")),
                        )
                    )
            if page.get("@odata.deltaLink"):
                found.link = str(page["@odata.deltaLink"])
                return found
            target, params = str(page["@odata.nextLink"]), None

    def messages(self, listed: list[Listed]) -> list[MessageMeta]:
        """The whole messages (MIME), in JSON batches of 20; those gone meanwhile left out."""
        steps = [Step(str(i), "GET", f"/me/messages/{m.id}/$value") for i, m in enumerate(listed)]
        if not steps:
            return []
        try:
            replies = self.graph.batch(steps)
        except (GraphError, GraphUnreachable) as exc:
            raise _translated(exc, "reading new messages") from None
        metas: list[MessageMeta] = []
        for i, item in enumerate(listed):
            reply = replies[str(i)]
            if reply.status == 404:
                continue
            if not reply.ok:
                raise _translated(reply.error(), "reading new messages")
            parsed = email.message_from_bytes(reply.raw(), policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            metas.append(
                MessageMeta.from_email(
                    parsed,
                    labels=("SENT",) if item.folder == "sentitems" else ("INBOX",),
                    received_at=item.received,
                    message_id=item.id,
                    thread_id=item.conversation_id or None,
                )
            )
        return metas

    def draft_ids(self) -> set[str]:
        """Ids of the messages in Drafts now (one request)."""
        try:
            page = self.graph.get(
                "/me/mailFolders/drafts/messages", {"$select": "id", "$top": "1000"}
            )
        except (GraphError, GraphUnreachable) as exc:
            raise _translated(exc, "listing drafts") from None
        return {str(row["id"]) for row in page.get("value") or []}


TRANSIENT: tuple[type[Exception], ...] = (TransientGraphError,)
"""What `watch` waits out with Microsoft Graph (see outreach.mail.kinds)."""
