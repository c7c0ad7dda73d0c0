"""Outlook's deferred send through Microsoft Graph: the server holds a message until a time.

Graph's message has no "send at" field; Exchange reads the MAPI property
PidTagDeferredSendTime (``SystemTime 0x3FEF``, a UTC time) on a message when it is sent and
keeps it until then, even with this machine off. So a held send is: ``PATCH`` the draft with
that property as a single-value extended property, then ``POST .../send``. Until its time the
message waits in Drafts; deleting it then cancels it (the draft is put back from its MIME,
same Message-ID, so the thread holds). A time already past sends at once.
Sources: tests/fakemicrosoft/REALITY.md ("Deferred send").
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from outreach.errors import MailError, NotSentError
from outreach.mail.backend import DraftRef, SentRef
from outreach.mail.graph_errors import RETRY_HINT, graph_failure
from outreach.microsoft.graph import Graph, GraphError, GraphUnreachable

__all__ = ["DEFERRED_SEND_TIME", "hold_until", "release_hold"]

DEFERRED_SEND_TIME = "SystemTime 0x3FEF"  # PidTagDeferredSendTime (PR_DEFERRED_SEND_TIME)


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")



def hold_until(graph: Graph, draft_id: str, at: datetime) -> SentRef:
    """Mark the draft to go at ``at``, then send it: Outlook holds it until then. A send
    whose answer is lost is never repeated (the caller's claim stays; `sync` sees it go)."""
    body = {"singleValueExtendedProperties": [{"id": DEFERRED_SEND_TIME, "value": _utc(at)}]}
    try:
        graph.request("PATCH", f"/me/messages/{draft_id}", json=body)
    except GraphError as exc:
        if exc.status == 404:
            raise NotSentError(
                "The draft is gone from your Outlook Drafts (sent or deleted there).",
                hint="Run `outreach sync`; re-create it with `outreach draft` if deleted.",
            ) from None
        if exc.status < 500 and exc.status != 429:
            raise NotSentError(f"Outlook refused the send time: {exc}") from None
        raise graph_failure(exc, "setting the send time") from None
    except GraphUnreachable as exc:  # nothing was sent: the draft only may carry the time
        raise NotSentError(f"Could not reach Microsoft Graph: {exc}", hint=RETRY_HINT) from None
    try:
        graph.request("POST", f"/me/messages/{draft_id}/send", safe=False)
    except GraphError as exc:
        if exc.status < 500 and exc.status != 429:
            raise NotSentError(f"Outlook refused to hold the message: {exc}") from None
        raise graph_failure(exc, "handing the message to Outlook") from None
    except GraphUnreachable as exc:
        raise graph_failure(
            exc, "handing the message to Outlook (the outcome is unknown)"
        ) from None
    return SentRef(message_id=draft_id, thread_id=None)


def release_hold(graph: Graph, held_id: str) -> DraftRef | None:
    """Take a held message back: read its MIME, delete it (the cancel Outlook offers), and
    put it back in Drafts as it was. None when it is no longer there (it went)."""
    try:
        mime = graph.request("GET", f"/me/messages/{held_id}/$value").content
    except GraphError as exc:
        if exc.status == 404:
            return None
        raise graph_failure(exc, "reading the held message") from None
    except GraphUnreachable as exc:
        raise graph_failure(exc, "reading the held message") from None
    try:
        graph.request("DELETE", f"/me/messages/{held_id}")
    except GraphError as exc:
        if exc.status == 404:
            return None  # it went between the two requests
        raise graph_failure(exc, "cancelling the held message") from None
    except GraphUnreachable as exc:
        raise graph_failure(exc, "cancelling the held message") from None
    try:
        made = graph.request(
            "POST",
            "/me/mailFolders/drafts/messages",
            data=base64.b64encode(mime),
            headers={"Content-Type": "text/plain"},
            safe=False,
        ).json()
    except (GraphError, GraphUnreachable) as exc:
        raise MailError(
            f"The held message was cancelled, but Outlook did not take the draft back: {exc}",
            hint="It will not be sent. Draft it again with `outreach draft`.",
        ) from None
    return DraftRef(
        draft_id=str(made["id"]), message_id=str(made["id"]),
        thread_id=made.get("conversationId"),
    )
