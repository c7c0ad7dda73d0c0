"""The Microsoft backend: drafts in the user's Outlook Drafts, sent through Graph.

**Why MIME drafts.** Graph's JSON message takes only custom ``x-`` headers in
``internetMessageHeaders``, so a JSON draft cannot carry our Message-ID, In-Reply-To or
References; ``createReply`` would thread it but writes its own subject and quoted body. A draft
uploaded as MIME (``POST /me/mailFolders/drafts/messages``, ``text/plain``, base64) keeps every
header we wrote, so Outlook files it in the contact's conversation exactly as Gmail does, its
``internetMessageId`` is ours (the send is found again by it), and an invite's
``text/calendar`` part goes as built. A MIME draft cannot be edited through Graph, so a
re-draft deletes the old draft, then creates the new one (never two, never a stale one).

**Versions.** A draft's ``changeKey`` is "the version of the message" (Graph's message
resource): Outlook keeps the draft's id when the user edits it and gives it a new changeKey,
so the changeKey is the version :meth:`GraphMail.draft_versions` compares.

**Date.** ``sentDateTime`` cannot be written (message-update lists what can); Outlook stamps
the moment it sends, so a draft that waited goes out dated when it goes, whatever its Date.

**Once only.** A create whose answer is lost is looked up by its Message-ID in Drafts before
any retry; a send whose answer is lost is never repeated here: the caller looks for it in
Sent Items by Message-ID (:meth:`GraphMail.find_sent`).

Requests: creates run up to 4 at once (Outlook's per-mailbox limit, enforced by the client);
lookups and deletes go in JSON batches of 20.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from email.message import EmailMessage
from email.utils import getaddresses
from typing import TYPE_CHECKING, Any

from outreach.config import MicrosoftConfig
from outreach.errors import MailError, NotSentError
from outreach.mail import graph_deferred, graph_headers
from outreach.mail.backend import (
    DraftRef,
    DraftRequest,
    DraftsNotReadHere,
    Exchange,
    Failure,
    SentHeaders,
    SentRef,
)
from outreach.mail.graph_errors import graph_failure
from outreach.mail.kinds import MICROSOFT
from outreach.microsoft.graph import (
    MAX_CONCURRENT,
    Graph,
    GraphError,
    GraphUnreachable,
    Step,
    odata_string,
)

if TYPE_CHECKING:
    from outreach.mail.sync_reader import SyncReader

__all__ = ["GraphMail", "graph_backend"]

_LOOKUP_FIELDS = (
    "id,conversationId,internetMessageId,isDraft,sentDateTime,toRecipients,subject,changeKey"
)


def graph_backend(settings: MicrosoftConfig, account: str) -> GraphMail:
    """The backend for ``[microsoft]`` settings and the user's address (tokens from the
    keyring)."""
    from outreach.microsoft.auth import MicrosoftSettings, TokenSource

    tokens = TokenSource(MicrosoftSettings(settings.client_id, settings.authority, account))
    return GraphMail(Graph(settings.api_root, tokens))


def _ref(resource: dict[str, Any]) -> DraftRef:
    return DraftRef(
        draft_id=str(resource["id"]),
        message_id=str(resource["id"]),
        thread_id=resource.get("conversationId"),
        version=str(resource.get("changeKey") or ""),
    )



class GraphMail(DraftsNotReadHere):
    """MailBackend over Microsoft Graph (see the module docstring)."""

    name = "microsoft"
    kind = MICROSOFT
    can_hold = True  # Outlook's deferred send (outreach/mail/graph_deferred.py)

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def sync_reader(self, owner: str, *, read_bodies: bool = False) -> SyncReader:
        from outreach.mail.graph_changes import GraphChanges
        from outreach.mail.graph_sync import GraphSync

        return GraphChanges(GraphSync(self.graph), owner)

    # -- drafts -------------------------------------------------------------------------

    def _create(self, message: EmailMessage) -> DraftRef:
        """Upload one MIME draft; a lost answer is looked up before one more try."""
        raw = base64.b64encode(message.as_bytes())
        message_id = str(message["Message-ID"])
        for attempt in range(2):
            try:
                response = self.graph.request(
                    "POST",
                    "/me/mailFolders/drafts/messages",
                    data=raw,
                    headers={"Content-Type": "text/plain"},
                )
                return _ref(response.json())
            except GraphUnreachable:
                found = self.find_drafts([message_id]).get(message_id)
                if found is not None:
                    return found
                if attempt:
                    raise
            except GraphError as exc:
                if exc.status < 500 or attempt:
                    raise
                found = self.find_drafts([message_id]).get(message_id)
                if found is not None:
                    return found
        raise AssertionError("unreachable")  # pragma: no cover

    def _existing(self, draft_ids: Sequence[str]) -> set[str]:
        """Which of these drafts are still drafts (one batch per 20)."""
        return set(self.draft_versions(draft_ids))

    def draft_versions(self, draft_ids: Sequence[str]) -> dict[str, str]:
        """The changeKey of each draft still in Drafts (one batch per 20)."""
        wanted = list(dict.fromkeys(draft_ids))
        if not wanted:
            return {}
        steps = [
            Step(str(i), "GET", f"/me/messages/{draft_id}?$select=id,isDraft,changeKey")
            for i, draft_id in enumerate(wanted)
        ]
        try:
            replies = self.graph.batch(steps)
        except (GraphError, GraphUnreachable) as exc:
            raise graph_failure(exc, "checking your drafts") from None
        live: dict[str, str] = {}
        for i, draft_id in enumerate(wanted):
            reply = replies[str(i)]
            if reply.ok and isinstance(reply.body, dict) and reply.body.get("isDraft"):
                live[draft_id] = str(reply.body.get("changeKey") or "")
            elif not reply.ok and reply.status != 404:
                raise graph_failure(reply.error(), "checking your drafts")
        return live

    def recent_sent(self, limit: int) -> list[SentHeaders]:
        try:
            return graph_headers.recent_sent(self.graph, limit)
        except (GraphError, GraphUnreachable) as exc:
            raise graph_failure(exc, "reading Sent Items") from None

    def exchanges(self) -> Iterator[Exchange]:
        try:
            yield from graph_headers.exchanges(self.graph)
        except (GraphError, GraphUnreachable) as exc:
            raise graph_failure(exc, "reading Sent Items and Inbox") from None

    def upsert_drafts(self, requests: list[DraftRequest]) -> dict[str, DraftRef | Failure]:
        """Create each draft; a re-draft first removes the old draft, then creates the new
        one: never two drafts, and never a stale one left to send. (A run stopped between the
        two leaves none; the next run, finding the old one gone and not sent, creates it.)"""
        results: dict[str, DraftRef | Failure] = {}
        replacing = [r for r in requests if r.draft_id]
        live = self._existing([str(r.draft_id) for r in replacing]) if replacing else set()
        creating: list[DraftRequest] = []
        for request in requests:
            if request.draft_id and request.draft_id not in live:
                sent = self._sent_instead(request)
                if sent is not None:
                    results[request.key] = sent
                    continue
            creating.append(request)
        kept = self._delete_many([str(r.draft_id) for r in creating if r.draft_id in live])
        for request in [r for r in creating if r.draft_id in kept]:
            why = kept[str(request.draft_id)]
            results[request.key] = Failure(f"could not remove the old draft: {why}")
            creating.remove(request)

        def create(request: DraftRequest) -> DraftRef | Failure:
            try:
                return self._create(request.message)
            except GraphUnreachable as exc:
                return Failure(f"connection to Microsoft Graph failed: {exc}")
            except GraphError as exc:
                retryable = exc.status >= 500 or exc.status in (429, 401)
                return Failure(str(exc), retryable=retryable)

        with ThreadPoolExecutor(max_workers=MAX_CONCURRENT) as pool:
            made = list(pool.map(create, creating))
        for request, outcome in zip(creating, made, strict=True):
            results[request.key] = outcome
        return results

    def _sent_instead(self, request: DraftRequest) -> Failure | None:
        """The old draft is gone: when the user sent it from Outlook, say so (no new draft)."""
        message = request.message
        sent = self.find_sent(
            str(message["Message-ID"]),
            request.thread_id,
            recipients=[a for _, a in getaddresses([str(message.get("To", ""))])],
            subject=str(message.get("Subject", "")),
            since=request.since,
        )
        if sent is None:
            return None
        return Failure("already sent from Outlook; run `outreach sync` to record it", False)

    def _delete_many(self, draft_ids: Sequence[str]) -> dict[str, str]:
        """Remove drafts (batches of 20); the ids that could not be removed, with why (one
        already gone counts as removed)."""
        if not draft_ids:
            return {}
        steps = [Step(str(i), "DELETE", f"/me/messages/{d}") for i, d in enumerate(draft_ids)]
        try:
            replies = self.graph.batch(steps)
        except (GraphError, GraphUnreachable) as exc:
            return dict.fromkeys(draft_ids, str(exc))
        return {
            draft_id: str(replies[str(i)].error())
            for i, draft_id in enumerate(draft_ids)
            if not replies[str(i)].ok and replies[str(i)].status != 404
        }

    def find_drafts(self, rfc_message_ids: list[str]) -> dict[str, DraftRef]:
        wanted = list(dict.fromkeys(rfc_message_ids))
        steps = [
            Step(
                str(i),
                "GET",
                "/me/mailFolders/drafts/messages?$filter=internetMessageId eq "
                f"{odata_string(mid)}&$select={_LOOKUP_FIELDS}",
            )
            for i, mid in enumerate(wanted)
        ]
        if not steps:
            return {}
        try:
            replies = self.graph.batch(steps)
        except (GraphError, GraphUnreachable) as exc:
            raise graph_failure(exc, "looking up drafts") from None
        found: dict[str, DraftRef] = {}
        for i, mid in enumerate(wanted):
            reply = replies[str(i)]
            rows = (reply.body or {}).get("value") if reply.ok else None
            if rows:
                found[mid] = _ref(rows[0])
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
        path = "/me/mailFolders/sentitems/messages"
        try:
            rows = self.graph.get(
                path,
                {
                    "$filter": f"internetMessageId eq {odata_string(rfc_message_id)}",
                    "$select": _LOOKUP_FIELDS,
                },
            ).get("value") or []
            if not rows and thread_id:
                in_thread = self.graph.get(
                    path,
                    {
                        "$filter": f"conversationId eq {odata_string(thread_id)}",
                        "$select": _LOOKUP_FIELDS,
                        "$top": "50",
                    },
                ).get("value") or []
                rows = [r for r in in_thread if _same_send(r, recipients, subject, since)]
        except (GraphError, GraphUnreachable) as exc:
            raise graph_failure(exc, "looking in Sent Items") from None
        if not rows:
            return None
        return SentRef(message_id=str(rows[0]["id"]), thread_id=rows[0].get("conversationId"))

    def draft_exists(self, draft_id: str) -> bool:
        return bool(self._existing([draft_id]))

    def delete_draft(self, draft_id: str) -> bool:
        try:
            self.graph.request("DELETE", f"/me/messages/{draft_id}")
        except GraphError as exc:
            if exc.status == 404:
                return False
            raise graph_failure(exc, f"removing draft {draft_id}") from None
        except GraphUnreachable as exc:
            raise graph_failure(exc, f"removing draft {draft_id}") from None
        return True

    # -- sending ------------------------------------------------------------------------

    def send_draft(self, draft_id: str, date: datetime | None = None) -> SentRef:
        """``POST /me/messages/{id}/send`` (202); never repeated when the answer is lost.
        ``date`` is not written: Outlook dates the message the moment it sends it."""
        del date
        try:
            self.graph.request("POST", f"/me/messages/{draft_id}/send", safe=False)
        except GraphError as exc:
            if exc.status == 404:
                raise NotSentError(
                    "The draft is gone from your Outlook Drafts (sent or deleted there).",
                    hint="Run `outreach sync`; re-create it with `outreach draft` if deleted.",
                ) from None
            if exc.status < 500 and exc.status != 429:
                raise NotSentError(f"Outlook refused to send the draft: {exc}") from None
            raise graph_failure(exc, "sending") from None
        except GraphUnreachable as exc:
            raise graph_failure(exc, "sending (the outcome is unknown)") from None
        # The thread is the draft's (None: unchanged); the sent copy's id is Outlook's own.
        return SentRef(message_id=draft_id, thread_id=None)

    def hold_until(self, draft_id: str, at: datetime) -> SentRef:
        return graph_deferred.hold_until(self.graph, draft_id, at)

    def release_hold(self, held_id: str) -> DraftRef | None:
        return graph_deferred.release_hold(self.graph, held_id)

    def send_message(self, message: EmailMessage, thread_id: str | None) -> SentRef:
        """Draft, then send the draft (a lost send answer is looked up, never repeated)."""
        key = str(message["Message-ID"])
        result = self.upsert_drafts([DraftRequest(key, message, None, thread_id)])[key]
        if isinstance(result, Failure):
            raise MailError(f"Outlook could not prepare the message: {result.reason}")
        sent = self.send_draft(result.draft_id)
        return SentRef(sent.message_id, result.thread_id)


def _same_send(
    row: dict[str, Any], recipients: Sequence[str], subject: str | None, since: datetime | None
) -> bool:
    to = {
        str((r.get("emailAddress") or {}).get("address", "")).casefold()
        for r in row.get("toRecipients") or []
    }
    if recipients and not to & {r.casefold() for r in recipients}:
        return False
    if subject is not None and str(row.get("subject", "")) != subject:
        return False
    if since is not None:
        try:
            sent = datetime.fromisoformat(str(row.get("sentDateTime")).replace("Z", "+00:00"))
        except ValueError:
            return False
        return sent >= since
    return True
