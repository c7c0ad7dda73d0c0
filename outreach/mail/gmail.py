"""The Gmail backend: the only module that calls the Gmail API.

Many drafts are made in batch requests sized so one batch spends at most a second of quota,
with a client-side pace under the per-user limit. Single calls use the client's own retry
(``execute(num_retries=...)``, which handles 429, 5xx and rate-limit 403s with back-off).
What the client lacks is added here: retrying the failed parts of a batch, honouring
Retry-After, and never creating a draft twice when a create's outcome is unknown (a dropped
connection or a 5xx): such drafts are looked up by Message-ID before any retry.
"""

from __future__ import annotations

import base64
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import httplib2
from googleapiclient.errors import HttpError

from outreach.errors import MailError, NotSentError
from outreach.mail.backend import DraftRef, DraftRequest, Failure, SentRef
from outreach.mail.pacing import UNIT_COSTS, QuotaPacer

if TYPE_CHECKING:
    from outreach.app import AppContext

# httplib2 silently re-sends a request, POSTs included, when a connection closes before the
# status line: after a lost response that would create a second draft. Our own retry knows
# which calls are safe to repeat, so httplib2's must be off.
httplib2.RETRIES = 1

NUM_RETRIES = 5
MAX_STALLED_ROUNDS = 8  # rounds in a row that finish nothing before giving up
MAX_TOTAL_ROUNDS = 60
RATE_LIMIT_ROUNDS = 3
TRANSPORT_ERRORS = (httplib2.HttpLib2Error, OSError, ConnectionError, socket.timeout)


def encode_raw(message: EmailMessage) -> str:
    return base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")


def header(resource: dict[str, Any], name: str) -> str:
    for item in resource.get("payload", {}).get("headers", []):
        if item.get("name", "").lower() == name.lower():
            return str(item.get("value", ""))
    return ""


def _status(exc: HttpError) -> int:
    return int(getattr(exc.resp, "status", 0) or 0)


def _reason(exc: HttpError) -> str:
    try:
        return str(exc.reason or exc)
    except Exception:  # pragma: no cover - HttpError formatting is best effort
        return f"HTTP {_status(exc)}"


def _retry_after(exc: HttpError) -> float | None:
    value = exc.resp.get("retry-after") if exc.resp is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _rate_limited(exc: HttpError) -> bool:
    if _status(exc) == 429:
        return True
    return _status(exc) == 403 and b"ateLimitExceeded" in (exc.content or b"")


def _chunks(items: Sequence[DraftRequest], size: int) -> Iterator[Sequence[DraftRequest]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Outcome:
    """What happened to one request of a batch."""

    ref: DraftRef | None = None
    error: HttpError | None = None
    dropped: bool = False  # the whole batch's connection failed: outcome unknown


class _RetryRounds:
    """Rounds of retrying the failed parts of batches.

    The pause grows only while rounds make no progress and resets when one does: on a flaky
    network most rounds finish something, and giving up after a fixed number of rounds would
    abandon work that was getting done.
    """

    def __init__(self) -> None:
        self.stalled = 0
        self.total = 0

    def go_on(self, pending: int) -> bool:
        return pending > 0 and self.stalled < MAX_STALLED_ROUNDS and self.total < MAX_TOTAL_ROUNDS

    def pause_after(self, before: int, after: int) -> float:
        """Record a round that left ``after`` of ``before`` items; return the next pause."""
        self.total += 1
        self.stalled = 0 if after < before else self.stalled + 1
        return min(30.0, 0.5 * 2.0**self.stalled)


@dataclass
class CallStats:
    requests: int = 0
    batches: int = 0
    retried: int = 0
    rate_limited: int = 0


class GmailBackend:
    name = "gmail"

    def __init__(
        self,
        service: Any,
        pacer: QuotaPacer | None = None,
        *,
        user_id: str = "me",
        num_retries: int = NUM_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service
        self.pacer = pacer or QuotaPacer()
        self.user_id = user_id
        self.num_retries = num_retries
        self.sleep = sleep
        self.stats = CallStats()

    @classmethod
    def from_app(cls, app: AppContext) -> GmailBackend:
        from outreach.google.auth import load_credentials
        from outreach.google.services import build_service

        config = app.config
        credentials = load_credentials(config.user.email, config.google.api_root)
        service = build_service("gmail", credentials, config.google.api_root)
        return cls(service, QuotaPacer(config.google.quota_units_per_second))

    # -- single calls -------------------------------------------------------------------

    def _call(self, method: str, request: Any) -> Any:
        """Execute one request under the pace.

        One plain try first: a rate-limit answer with Retry-After is honoured here (the client
        would back off at random and ignore it). Any other retryable failure (5xx, 429 without
        Retry-After, a dropped connection) goes to the client's own retry with back-off.
        """
        cost = UNIT_COSTS[method]
        for _round in range(RATE_LIMIT_ROUNDS):
            self.pacer.acquire(cost)
            self.stats.requests += 1
            try:
                return request.execute()
            except HttpError as exc:
                if _rate_limited(exc):
                    self.stats.rate_limited += 1
                wait = _retry_after(exc) if _rate_limited(exc) else None
                if wait is not None:
                    self.pacer.pause(wait)
                    continue
                if self.num_retries == 0 or not (_rate_limited(exc) or _status(exc) >= 500):
                    raise
                break
            except TRANSPORT_ERRORS:
                if self.num_retries == 0:
                    raise
                break
        # The first try counted as one attempt: the client gets the remaining retries.
        self.pacer.acquire(cost)
        self.stats.requests += 1
        return request.execute(num_retries=max(self.num_retries - 1, 0))

    def _call_or_fail(self, method: str, request: Any, doing: str) -> Any:
        """A call whose failure ends the command: a clear error instead of a raw one."""
        try:
            return self._call(method, request)
        except HttpError as exc:
            raise MailError(
                f"Gmail failed while {doing}: HTTP {_status(exc)}: {_reason(exc)}",
                hint="Check your connection (`outreach doctor`) and run the command again; "
                "it is safe to re-run.",
            ) from None
        except TRANSPORT_ERRORS as exc:
            raise MailError(
                f"Could not reach Gmail while {doing}: {exc}",
                hint="Check your connection (`outreach doctor`) and run the command again; "
                "it is safe to re-run.",
            ) from None

    def profile(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "getProfile", self.service.users().getProfile(userId=self.user_id)
        )
        return result

    # -- drafts -----------------------------------------------------------------------

    def _draft_request(self, request: DraftRequest) -> Any:
        body: dict[str, Any] = {"message": {"raw": encode_raw(request.message)}}
        if request.thread_id:
            body["message"]["threadId"] = request.thread_id
        drafts = self.service.users().drafts()
        if request.draft_id:
            return drafts.update(userId=self.user_id, id=request.draft_id, body=body)
        return drafts.create(userId=self.user_id, body=body)

    def _run_batch(self, method: str, chunk: Sequence[DraftRequest]) -> dict[str, _Outcome]:
        outcomes: dict[str, _Outcome] = {r.key: _Outcome(dropped=True) for r in chunk}
        by_index = {str(i): r.key for i, r in enumerate(chunk)}

        def callback(request_id: str, response: Any, exception: Exception | None) -> None:
            key = by_index[request_id]
            if exception is None:
                message = response.get("message", {})
                outcomes[key] = _Outcome(
                    ref=DraftRef(
                        draft_id=str(response["id"]),
                        message_id=message.get("id"),
                        thread_id=message.get("threadId"),
                    )
                )
            elif isinstance(exception, HttpError):
                outcomes[key] = _Outcome(error=exception)
            else:
                outcomes[key] = _Outcome(dropped=True)

        batch = self.service.new_batch_http_request(callback=callback)
        for index, request in enumerate(chunk):
            batch.add(self._draft_request(request), request_id=str(index))
        self.pacer.acquire(UNIT_COSTS[method] * len(chunk))
        self.stats.batches += 1
        self.stats.requests += 1
        try:
            batch.execute()
        except HttpError as exc:  # the batch request itself was refused
            return {r.key: _Outcome(error=exc) for r in chunk}
        except TRANSPORT_ERRORS:
            return {r.key: _Outcome(dropped=True) for r in chunk}
        return outcomes

    def upsert_drafts(self, requests: list[DraftRequest]) -> dict[str, DraftRef | Failure]:
        results: dict[str, DraftRef | Failure] = {}
        pending = list(requests)
        last_error: dict[str, str] = {}
        rounds = _RetryRounds()
        while rounds.go_on(len(pending)):
            retry: list[DraftRequest] = []
            unknown_creates: list[DraftRequest] = []
            wait = 0.0
            for method in ("drafts.create", "drafts.update"):
                group = [r for r in pending if bool(r.draft_id) == (method == "drafts.update")]
                for chunk in _chunks(group, self.pacer.batch_size(method)):
                    outcomes = self._run_batch(method, chunk)
                    for request in chunk:
                        outcome = outcomes[request.key]
                        if outcome.ref is not None:
                            results[request.key] = outcome.ref
                            continue
                        creating = not request.draft_id
                        if outcome.dropped:
                            last_error[request.key] = "connection to Gmail failed"
                            (unknown_creates if creating else retry).append(request)
                            continue
                        assert outcome.error is not None
                        error = outcome.error
                        status = _status(error)
                        last_error[request.key] = f"HTTP {status}: {_reason(error)}"
                        if _rate_limited(error):
                            self.stats.rate_limited += 1
                            wait = max(wait, _retry_after(error) or 0.0)
                            retry.append(request)
                        elif status >= 500:
                            (unknown_creates if creating else retry).append(request)
                        elif status == 404 and not creating:
                            results[request.key] = self._missing_draft(request)
                        else:
                            results[request.key] = Failure(last_error[request.key], False)
            if unknown_creates:
                found = self.find_drafts([str(r.message["Message-ID"]) for r in unknown_creates])
                for request in unknown_creates:
                    ref = found.get(str(request.message["Message-ID"]))
                    if ref is not None:
                        results[request.key] = ref
                    else:
                        retry.append(request)
            backoff = rounds.pause_after(len(pending), len(retry))
            pending = retry
            if pending:
                self.stats.retried += len(pending)
                self.pacer.pause(max(wait, backoff))
        for request in pending:
            results[request.key] = Failure(
                f"gave up after {rounds.total} rounds of retries: "
                f"{last_error.get(request.key, 'unknown')}"
            )
        return results

    def _missing_draft(self, request: DraftRequest) -> DraftRef | Failure:
        """drafts.update said 404: the user sent or deleted the draft in Gmail."""
        sent = self.find_sent(str(request.message["Message-ID"]), request.thread_id)
        if sent is not None:
            return Failure(
                "already sent from Gmail; run `outreach sync` to record it", retryable=False
            )
        fresh = DraftRequest(request.key, request.message, None, request.thread_id)
        outcome = self._run_batch("drafts.create", [fresh])[fresh.key]
        if outcome.ref is not None:
            return outcome.ref
        return Failure("the draft was deleted in Gmail and could not be re-created")

    def _iter_pages(
        self, method: str, make: Callable[[str | None], Any], field: str
    ) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            page = self._call_or_fail(method, make(token), "listing drafts")
            yield from page.get(field, [])
            token = page.get("nextPageToken")
            if not token:
                return

    def _metadata_batch(
        self, method: str, ids: list[str], make: Callable[[str], Any]
    ) -> dict[str, dict[str, Any]]:
        """Fetch many resources in batches of <= 50 under the pace; returns id -> resource."""
        found: dict[str, dict[str, Any]] = {}
        failed: list[str] = []

        def callback(request_id: str, response: Any, exception: Exception | None) -> None:
            if exception is None:
                found[request_id] = response
            elif not (isinstance(exception, HttpError) and _status(exception) == 404):
                failed.append(request_id)  # a 404 means "gone": nothing to find

        remaining = list(ids)
        rounds = _RetryRounds()
        while rounds.go_on(len(remaining)):
            failed.clear()
            size = max(1, min(50, int(self.pacer.capacity // UNIT_COSTS[method])))
            for start in range(0, len(remaining), size):
                chunk = remaining[start : start + size]
                batch = self.service.new_batch_http_request(callback=callback)
                for item in chunk:
                    batch.add(make(item), request_id=item)
                self.pacer.acquire(UNIT_COSTS[method] * len(chunk))
                self.stats.batches += 1
                self.stats.requests += 1
                try:
                    batch.execute()
                except (HttpError, *TRANSPORT_ERRORS):
                    failed.extend(i for i in chunk if i not in found)
            backoff = rounds.pause_after(len(remaining), len(failed))
            remaining = list(failed)
            if remaining:
                self.pacer.pause(backoff)
        if remaining:
            raise MailError(
                f"Gmail did not answer for {len(remaining)} item(s) after retries.",
                hint="Check your connection and run the command again; it is safe to re-run.",
            )
        return found

    def find_drafts(self, rfc_message_ids: list[str]) -> dict[str, DraftRef]:
        """List the drafts and read their Message-ID headers (search by header needs a
        scope we do not ask for)."""
        wanted = set(rfc_message_ids)
        if not wanted:
            return {}
        drafts = self.service.users().drafts()
        listed = list(
            self._iter_pages(
                "drafts.list",
                lambda token: drafts.list(userId=self.user_id, maxResults=500, pageToken=token),
                "drafts",
            )
        )
        resources = self._metadata_batch(
            "drafts.get",
            [str(d["id"]) for d in listed],
            lambda draft_id: drafts.get(userId=self.user_id, id=draft_id, format="metadata"),
        )
        found: dict[str, DraftRef] = {}
        for draft_id, resource in resources.items():
            message = resource.get("message", {})
            message_id = header(message, "Message-ID")
            if message_id in wanted:
                found[message_id] = DraftRef(
                    draft_id=draft_id,
                    message_id=message.get("id"),
                    thread_id=message.get("threadId"),
                )
        return found

    def find_sent(self, rfc_message_id: str, thread_id: str | None = None) -> SentRef | None:
        """Look for a sent copy: in the known thread, else among the most recent sent mail."""
        messages = self.service.users().messages()
        if thread_id:
            try:
                thread = self._call(
                    "threads.get",
                    self.service.users()
                    .threads()
                    .get(
                        userId=self.user_id,
                        id=thread_id,
                        format="metadata",
                        metadataHeaders=["Message-ID"],
                    ),
                )
            except HttpError as exc:
                if _status(exc) != 404:
                    raise MailError(
                        f"Gmail failed while looking for a sent copy: {_reason(exc)}",
                        hint="Run the command again; it is safe to re-run.",
                    ) from None
                thread = {"messages": []}
            except TRANSPORT_ERRORS as exc:
                raise MailError(
                    f"Could not reach Gmail while looking for a sent copy: {exc}",
                    hint="Run the command again; it is safe to re-run.",
                ) from None
            candidates = thread.get("messages", [])
        else:
            listed = self._call_or_fail(
                "messages.list",
                messages.list(userId=self.user_id, labelIds=["SENT"], maxResults=100),
                "looking for a sent copy",
            ).get("messages", [])
            fetched = self._metadata_batch(
                "messages.get",
                [str(m["id"]) for m in listed],
                lambda mid: messages.get(
                    userId=self.user_id, id=mid, format="metadata", metadataHeaders=["Message-ID"]
                ),
            )
            candidates = list(fetched.values())
        for message in candidates:
            if (
                "SENT" in message.get("labelIds", [])
                and header(message, "Message-ID") == rfc_message_id
            ):
                return SentRef(message_id=str(message["id"]), thread_id=message.get("threadId"))
        return None

    def delete_draft(self, draft_id: str) -> bool:
        """drafts.delete; a 404 means the user already sent or deleted it in Gmail."""
        request = self.service.users().drafts().delete(userId=self.user_id, id=draft_id)
        try:
            self._call("drafts.delete", request)
        except HttpError as exc:
            if _status(exc) == 404:
                return False
            raise MailError(
                f"Gmail failed while removing draft {draft_id}: HTTP {_status(exc)}: "
                f"{_reason(exc)}",
                hint="Run the command again; it is safe to re-run.",
            ) from None
        except TRANSPORT_ERRORS as exc:
            raise MailError(
                f"Could not reach Gmail while removing draft {draft_id}: {exc}",
                hint="Check your connection and run the command again; it is safe to re-run.",
            ) from None
        return True

    # -- sending ------------------------------------------------------------------------

    def send_draft(self, draft_id: str) -> SentRef:
        request = self.service.users().drafts().send(userId=self.user_id, body={"id": draft_id})
        try:
            response = self._call("drafts.send", request)
        except HttpError as exc:
            status = _status(exc)
            if status < 500:
                # Gmail answered with a refusal (bad request, no permission, draft gone, rate
                # limit after retries): nothing was sent, so the message may be sent later.
                raise NotSentError(
                    f"Gmail did not send draft {draft_id}: HTTP {status}: {_reason(exc)}",
                    hint="If it was sent or deleted in Gmail, `outreach sync` records it; "
                    "if permission was refused, run `outreach doctor`.",
                ) from None
            raise MailError(f"Gmail send failed: HTTP {status}: {_reason(exc)}") from None
        except TRANSPORT_ERRORS as exc:
            raise MailError(f"The connection to Gmail failed during the send: {exc}") from None
        return SentRef(message_id=str(response["id"]), thread_id=response.get("threadId"))

    def send_message(self, message: EmailMessage, thread_id: str | None) -> SentRef:
        """Send by drafting then sending the draft: a retried drafts.send cannot send twice."""
        key = str(message["Message-ID"])
        result = self.upsert_drafts([DraftRequest(key, message, None, thread_id)])[key]
        if isinstance(result, Failure):
            raise MailError(f"Gmail could not prepare the message: {result.reason}")
        return self.send_draft(result.draft_id)
