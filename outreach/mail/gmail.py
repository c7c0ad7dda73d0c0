"""The Gmail backend: the only module (with its helpers) that calls the Gmail API.

Many drafts are made in batch requests sized so one batch spends at most a second of quota,
with a client-side pace under the per-user limit. Every call is retried here, not by the
client library, because Gmail's rate limits say more than the library reads
(:mod:`outreach.mail.gmail_errors`): the time to retry in a 429's message is honoured, a 403
``userRateLimitExceeded``/``rateLimitExceeded`` is retried like a 429, and "Too many
concurrent requests for user" halves the batches for the rest of the run. A create whose
outcome is unknown (a dropped connection or a 5xx) is looked up by Message-ID before any
retry, so no draft is ever made twice.
"""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

import httplib2
from googleapiclient.errors import HttpError

from outreach.errors import MailError, NotSentError
from outreach.mail.backend import DraftRef, DraftRequest, Failure, SentRef, ServerCannotHold
from outreach.mail.gmail_errors import (
    TRANSPORT_ERRORS,
    rate_limit,
    reason_text,
    status_of,
)
from outreach.mail.gmail_lookup import GmailLookups, header
from outreach.mail.gmail_retry import (
    MAX_WAIT_SECONDS,
    BatchOutcome,
    CallStats,
    RetryRounds,
    RoundLimits,
)
from outreach.mail.gmail_upload import needs_upload, upload_draft
from outreach.mail.kinds import GMAIL
from outreach.mail.pacing import UNIT_COSTS, QuotaPacer

__all__ = ["TRANSPORT_ERRORS", "GmailBackend", "encode_raw", "header"]

# httplib2 silently re-sends a request, POSTs included, when a connection closes before the
# status line: after a lost response that would create a second draft. Our own retry knows
# which calls are safe to repeat, so httplib2's must be off.
httplib2.RETRIES = 1

NUM_RETRIES = 5
MAX_BATCH = 50  # Gmail advises batches of at most 50
MAX_BACKOFF_SECONDS = 32.0


def encode_raw(message: EmailMessage) -> str:
    return base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")


def _chunks(items: Sequence[DraftRequest], size: int) -> Iterator[Sequence[DraftRequest]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class GmailBackend(GmailLookups, ServerCannotHold):
    name = "gmail"
    kind = GMAIL

    def __init__(
        self,
        service: Any,
        pacer: QuotaPacer | None = None,
        *,
        user_id: str = "me",
        num_retries: int = NUM_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.service = service
        self.pacer = pacer or QuotaPacer()
        self.user_id = user_id
        self.num_retries = num_retries
        self.sleep = sleep
        # Gmail's retry times are moments on Google's clock: compared with the real one, not
        # with OUTREACH_NOW.
        self.wall_clock = wall_clock
        self.max_batch = MAX_BATCH
        self.stats = CallStats()

    @classmethod
    def connect(cls, account: str, api_root: str, quota_per_minute: int) -> GmailBackend:
        """The backend for ``account`` (its token from the keyring), paced under
        ``quota_per_minute`` units; ``api_root`` points it at another server."""
        from outreach.google.auth import load_credentials
        from outreach.google.services import build_service

        credentials = load_credentials(account, api_root)
        service = build_service("gmail", credentials, api_root)
        return cls(service, QuotaPacer.per_minute(quota_per_minute))

    # -- waiting ------------------------------------------------------------------------

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.wall_clock(), UTC)

    @staticmethod
    def _backoff(attempt: int) -> float:
        """Exponential back-off with jitter: ~1, 2, 4, ... seconds, at most 32."""
        return min(MAX_BACKOFF_SECONDS, 2.0**attempt) * random.uniform(0.5, 1.0)  # noqa: S311

    def _lower_parallelism(self, size: int) -> None:
        """Gmail said too many requests at once: halve the batches for the rest of the run."""
        smaller = max(1, size // 2)
        if smaller < self.max_batch:
            self.max_batch = smaller
            self.stats.parallelism_lowered += 1

    def batch_size(self, method: str) -> int:
        return max(1, min(self.max_batch, self.pacer.batch_size(method)))

    # -- single calls -------------------------------------------------------------------

    def _call(self, method: str, request: Any, *, retry_unknown: bool = True) -> Any:
        """Execute one request under the pace, retrying what Gmail says may be retried.

        Rate limits wait as long as Gmail says (the message's time, or a Retry-After header),
        else back off; 5xx answers back off, and so do dropped connections unless
        ``retry_unknown`` is False (a send whose answer was lost: its outcome is looked up,
        not repeated). A wait longer than MAX_WAIT_SECONDS, a refusal, or running out of
        retries raises the last error.
        """
        cost = UNIT_COSTS[method]
        attempt = 0
        while True:
            self.pacer.acquire(cost)
            self.stats.requests += 1
            try:
                return request.execute()
            except HttpError as exc:
                limit = rate_limit(exc, self._now())
                if limit is None and status_of(exc) < 500:
                    raise
                if attempt >= self.num_retries:
                    raise
                wait = self._backoff(attempt)
                if limit is not None:
                    self.stats.rate_limited += 1
                    if limit.concurrent:
                        self._lower_parallelism(self.max_batch)
                    else:
                        self.pacer.slow_down()
                    asked = limit.wait(self._now())
                    if asked is not None and asked > MAX_WAIT_SECONDS:
                        raise
                    wait = wait if asked is None else asked
            except TRANSPORT_ERRORS:
                if attempt >= self.num_retries or not retry_unknown:
                    raise
                wait = self._backoff(attempt)
            attempt += 1
            self.pacer.pause(wait)

    def _call_or_fail(self, method: str, request: Any, doing: str) -> Any:
        """A call whose failure ends the command: a clear error instead of a raw one."""
        try:
            return self._call(method, request)
        except HttpError as exc:
            raise MailError(
                f"Gmail failed while {doing}: HTTP {status_of(exc)}: {reason_text(exc)}",
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

    # -- batches ------------------------------------------------------------------------

    def _draft_request(self, request: DraftRequest) -> Any:
        body: dict[str, Any] = {"message": {"raw": encode_raw(request.message)}}
        if request.thread_id:
            body["message"]["threadId"] = request.thread_id
        drafts = self.service.users().drafts()
        if request.draft_id:
            return drafts.update(userId=self.user_id, id=request.draft_id, body=body)
        return drafts.create(userId=self.user_id, body=body)

    def _run_batch(self, method: str, chunk: Sequence[DraftRequest]) -> dict[str, BatchOutcome]:
        outcomes: dict[str, BatchOutcome] = {r.key: BatchOutcome(dropped=True) for r in chunk}
        by_index = {str(i): r.key for i, r in enumerate(chunk)}

        def callback(request_id: str, response: Any, exception: Exception | None) -> None:
            key = by_index[request_id]
            if exception is None:
                message = response.get("message", {})
                outcomes[key] = BatchOutcome(
                    ref=DraftRef(
                        draft_id=str(response["id"]),
                        message_id=message.get("id"),
                        thread_id=message.get("threadId"),
                    )
                )
            elif isinstance(exception, HttpError):
                outcomes[key] = BatchOutcome(error=exception)
            else:
                outcomes[key] = BatchOutcome(dropped=True)

        batch = self.service.new_batch_http_request(callback=callback)
        for index, request in enumerate(chunk):
            batch.add(self._draft_request(request), request_id=str(index))
        self.pacer.acquire(UNIT_COSTS[method] * len(chunk))
        self.stats.batches += 1
        self.stats.requests += 1
        try:
            batch.execute()
        except HttpError as exc:  # the batch request itself was refused
            return {r.key: BatchOutcome(error=exc) for r in chunk}
        except TRANSPORT_ERRORS:
            return {r.key: BatchOutcome(dropped=True) for r in chunk}
        return outcomes

    def upsert_drafts(self, requests: list[DraftRequest]) -> dict[str, DraftRef | Failure]:
        results: dict[str, DraftRef | Failure] = {}
        # Large messages (attachments) go one by one through the upload endpoint.
        large = {r.key for r in requests if needs_upload(r.message)}
        for request in requests:
            if request.key in large:
                results[request.key] = upload_draft(self, request)
        pending = [r for r in requests if r.key not in large]
        last_error: dict[str, str] = {}
        rounds = RetryRounds()
        while rounds.go_on(len(pending)):
            retry: list[DraftRequest] = []
            unknown_creates: list[DraftRequest] = []
            limits = RoundLimits()
            for method in ("drafts.create", "drafts.update"):
                group = [r for r in pending if bool(r.draft_id) == (method == "drafts.update")]
                for chunk in _chunks(group, self.batch_size(method)):
                    outcomes = self._run_batch(method, chunk)
                    crowded = quota_hit = False
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
                        status = status_of(error)
                        last_error[request.key] = f"HTTP {status}: {reason_text(error)}"
                        limit = rate_limit(error, self._now())
                        if limit is not None:
                            self.stats.rate_limited += 1
                            crowded = crowded or limit.concurrent
                            quota_hit = quota_hit or not limit.concurrent
                            if limits.note(request.key, limit, self._now()):
                                retry.append(request)
                        elif status >= 500:
                            (unknown_creates if creating else retry).append(request)
                        elif status == 404 and not creating:
                            results[request.key] = self._missing_draft(request)
                        else:
                            results[request.key] = Failure(last_error[request.key], False)
                    if crowded:
                        self._lower_parallelism(len(chunk))
                    if quota_hit:
                        self.pacer.slow_down()
            for key, why in (limits.too_long or {}).items():
                results[key] = Failure(why)
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
                self.pacer.pause(max(limits.wait, backoff))
        for request in pending:
            results[request.key] = Failure(
                f"gave up after {rounds.total} rounds of retries: "
                f"{last_error.get(request.key, 'unknown')}"
            )
        return results

    def _missing_draft(self, request: DraftRequest) -> DraftRef | Failure:
        """drafts.update said 404: the user sent or deleted the draft in Gmail."""
        message = request.message
        sent = self.find_sent(
            str(message["Message-ID"]),
            request.thread_id,
            recipients=[address for _, address in getaddresses(_recipient_fields(message))],
            subject=str(message.get("Subject", "")),
            since=request.since,
        )
        if sent is not None:
            return Failure(
                "already sent from Gmail; run `outreach sync` to record it", retryable=False
            )
        fresh = DraftRequest(request.key, message, None, request.thread_id, request.since)
        outcome = self._run_batch("drafts.create", [fresh])[fresh.key]
        if outcome.ref is not None:
            return outcome.ref
        return Failure("the draft was deleted in Gmail and could not be re-created")

    # -- sending ------------------------------------------------------------------------

    def delete_draft(self, draft_id: str) -> bool:
        """drafts.delete; a 404 means the user already sent or deleted it in Gmail."""
        request = self.service.users().drafts().delete(userId=self.user_id, id=draft_id)
        try:
            self._call("drafts.delete", request)
        except HttpError as exc:
            if status_of(exc) == 404:
                return False
            raise MailError(
                f"Gmail failed while removing draft {draft_id}: HTTP {status_of(exc)}: "
                f"{reason_text(exc)}",
                hint="Run the command again; it is safe to re-run.",
            ) from None
        except TRANSPORT_ERRORS as exc:
            raise MailError(
                f"Could not reach Gmail while removing draft {draft_id}: {exc}",
                hint="Check your connection and run the command again; it is safe to re-run.",
            ) from None
        return True

    def draft_exists(self, draft_id: str) -> bool:
        request = self.service.users().drafts().get(
            userId=self.user_id, id=draft_id, format="minimal"
        )
        try:
            self._call("drafts.get", request)
        except HttpError as exc:
            if status_of(exc) == 404:
                return False
            raise MailError(
                f"Gmail failed while reading draft {draft_id}: {reason_text(exc)}"
            ) from None
        except TRANSPORT_ERRORS as exc:
            raise MailError(
                f"Could not reach Gmail while reading draft {draft_id}: {exc}"
            ) from None
        return True

    def send_draft(self, draft_id: str, date: datetime | None = None) -> SentRef:
        """drafts.send; ``date`` is not written (the body cannot be read back with our scopes:
        a draft that waited is re-drafted, with a fresh Date, before it is sent)."""
        del date
        request = self.service.users().drafts().send(userId=self.user_id, body={"id": draft_id})
        try:
            # A lost answer is not retried: the send may have happened; the caller looks for
            # the sent copy instead (services/sending.py). A 5xx is retried: Gmail answered,
            # and a repeated drafts.send of a draft already sent finds it gone (404).
            response = self._call("drafts.send", request, retry_unknown=False)
        except HttpError as exc:
            status = status_of(exc)
            if status < 500:
                # Gmail answered with a refusal (bad request, no permission, draft gone, rate
                # limit after retries): nothing was sent, so the message may be sent later.
                raise NotSentError(
                    f"Gmail did not send draft {draft_id}: HTTP {status}: {reason_text(exc)}",
                    hint="If it was sent or deleted in Gmail, `outreach sync` records it; "
                    "if permission was refused, run `outreach doctor`.",
                ) from None
            raise MailError(f"Gmail send failed: HTTP {status}: {reason_text(exc)}") from None
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


def _recipient_fields(message: EmailMessage) -> list[str]:
    return [str(v) for name in ("To", "Cc", "Bcc") for v in (message.get_all(name) or [])]
