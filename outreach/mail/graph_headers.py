"""Headers only, from Outlook's Sent Items and Inbox: what the mailbox says was sent (the
ledger's last word, services/sending/ledger.py) and whom the user already knows (the first
sync, services/sync/prior.py). Folder listings with ``$select`` of the few fields needed,
``$top`` up to 1000 per page, following ``@odata.nextLink``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from outreach.mail.backend import Exchange, SentHeaders
from outreach.microsoft.graph import Graph

PAGE = 1000  # Graph's largest $top for a message listing
_FIELDS = "id,internetMessageId,conversationId,subject,toRecipients,ccRecipients,bccRecipients"


def _addresses(row: dict[str, Any], *names: str) -> tuple[str, ...]:
    found: list[str] = []
    for name in names:
        value = row.get(name) or []
        for recipient in value if isinstance(value, list) else [value]:
            address = str(((recipient or {}).get("emailAddress") or {}).get("address", ""))
            if address:
                found.append(address.casefold())
    return tuple(dict.fromkeys(found))


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def pages(graph: Graph, folder: str, params: dict[str, str], limit: int | None = None
          ) -> Iterator[dict[str, Any]]:
    """Every row of a folder's listing (at most ``limit``), page after page."""
    path: str | None = f"/me/mailFolders/{folder}/messages"
    query: dict[str, str] | None = params
    count = 0
    while path is not None:
        answer = graph.get(path, query)
        for row in answer.get("value") or []:
            if limit is not None and count >= limit:
                return
            count += 1
            yield row
        path, query = answer.get("@odata.nextLink"), None
        if limit is not None and count >= limit:
            return


def recent_sent(graph: Graph, limit: int) -> list[SentHeaders]:
    if limit <= 0:
        return []
    params = {
        "$select": f"{_FIELDS},sentDateTime",
        "$orderby": "sentDateTime desc",
        "$top": str(min(limit, PAGE)),
    }
    return [
        SentHeaders(
            str(row["id"]),
            str(row.get("internetMessageId") or ""),
            _addresses(row, "toRecipients", "ccRecipients", "bccRecipients"),
            thread_id=row.get("conversationId"),
            subject=str(row.get("subject") or ""),
            sent_at=_when(row.get("sentDateTime")),
        )
        for row in pages(graph, "sentitems", params, limit)
    ]


def exchanges(graph: Graph) -> Iterator[Exchange]:
    for folder, sent in (("sentitems", True), ("inbox", False)):
        fields = "toRecipients,ccRecipients,bccRecipients" if sent else "from"
        stamp = "sentDateTime" if sent else "receivedDateTime"
        params = {"$select": f"id,internetMessageId,{fields},{stamp}", "$top": str(PAGE)}
        for row in pages(graph, folder, params):
            names = ("toRecipients", "ccRecipients", "bccRecipients") if sent else ("from",)
            yield Exchange(
                sent=sent,
                addresses=_addresses(row, *names),
                at=_when(row.get(stamp)),
                message_id=str(row.get("internetMessageId") or ""),
            )
