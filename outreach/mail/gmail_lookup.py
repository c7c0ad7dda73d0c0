"""Looking things up in Gmail with only the tool's scopes: drafts by Message-ID, sent copies.

gmail.metadata allows no search (``q``), so nothing here searches: drafts are listed and read
with format=metadata, sent copies are looked for in the message's thread (or among the most
recent SENT messages). A sent copy is recognised by its Message-ID, or, because a mail client
may give the sent copy a Message-ID of its own (whether Gmail's web client does is not
known), by what cannot change: SENT label, recipient, subject and time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import getaddresses
from typing import TYPE_CHECKING, Any

from googleapiclient.errors import HttpError

from outreach.errors import MailError
from outreach.mail.backend import DraftRef, DraftsNotReadHere, Exchange, SentHeaders, SentRef
from outreach.mail.gmail_errors import TRANSPORT_ERRORS, rate_limit, status_of
from outreach.mail.gmail_retry import CallStats, RetryRounds, RoundLimits
from outreach.mail.pacing import UNIT_COSTS

if TYPE_CHECKING:
    from outreach.mail.pacing import QuotaPacer
    from outreach.mail.sync_reader import SyncReader

SENT_LOOKBACK = 50  # most recent SENT messages read when the thread is not known
CLOCK_SKEW = timedelta(minutes=5)  # between our clock and Gmail's internalDate
SENT_HEADERS = ["Message-ID", "To", "Cc", "Bcc", "Subject", "In-Reply-To"]
_SPACES = re.compile(r"\s+")


def header(resource: dict[str, Any], name: str) -> str:
    for item in resource.get("payload", {}).get("headers", []):
        if item.get("name", "").lower() == name.lower():
            return str(item.get("value", ""))
    return ""


def _same_subject(a: str, b: str) -> bool:
    return _SPACES.sub(" ", a).strip().casefold() == _SPACES.sub(" ", b).strip().casefold()


def _addressed_to(resource: dict[str, Any], recipients: Sequence[str]) -> bool:
    wanted = {r.strip().lower() for r in recipients if r.strip()}
    fields = [header(resource, name) for name in ("To", "Cc", "Bcc")]
    return any(address.lower() in wanted for _, address in getaddresses(fields) if address)


def _sent_at(resource: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(resource["internalDate"]) / 1000).astimezone()
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class SentProbe:
    """What is known of a message whose sent copy is looked for."""

    rfc_message_id: str
    thread_id: str | None = None
    recipients: Sequence[str] = field(default_factory=tuple)
    subject: str | None = None
    since: datetime | None = None

    def matches(self, resource: dict[str, Any]) -> bool:
        """A SENT message with our Message-ID; or, when the recipients, subject and time are
        known, one to a recipient of ours with our subject, sent since ``since``."""
        if "SENT" not in resource.get("labelIds", []):
            return False
        if header(resource, "Message-ID") == self.rfc_message_id:
            return True
        if not (self.recipients and self.subject is not None and self.since is not None):
            return False
        sent_at = _sent_at(resource)
        return (
            sent_at is not None
            and sent_at >= self.since - CLOCK_SKEW
            and _same_subject(header(resource, "Subject"), self.subject)
            and _addressed_to(resource, self.recipients)
        )


class GmailLookups(DraftsNotReadHere):
    """Lookups and batched reads for :class:`~outreach.mail.gmail.GmailBackend` (which
    provides the calls and the pace). A draft is not read back: the metadata scope does not
    allow it."""

    service: Any
    user_id: str
    pacer: QuotaPacer
    stats: CallStats
    max_batch: int

    def _now(self) -> datetime:  # pragma: no cover - provided
        raise NotImplementedError

    def sync_reader(self, owner: str, *, read_bodies: bool = False) -> SyncReader:
        """History ids and metadata (:mod:`outreach.mail.gmail_changes`)."""
        from outreach.mail.gmail import GmailBackend
        from outreach.mail.gmail_changes import GmailChanges
        from outreach.mail.gmail_sync import GmailSync

        assert isinstance(self, GmailBackend)
        return GmailChanges(GmailSync(self, read_bodies=read_bodies), owner)

    def _lower_parallelism(self, size: int) -> None:  # pragma: no cover - provided
        raise NotImplementedError

    def _call(self, method: str, request: Any) -> Any:  # pragma: no cover - provided
        raise NotImplementedError

    def _call_or_fail(self, method: str, request: Any, doing: str) -> Any:  # pragma: no cover
        raise NotImplementedError

    def _metadata_batch(
        self, method: str, ids: list[str], make: Callable[[str], Any]
    ) -> dict[str, dict[str, Any]]:
        """Fetch many resources in batches of <= 50 under the pace; returns id -> resource."""
        found: dict[str, dict[str, Any]] = {}
        failed: list[str] = []
        refused: list[HttpError] = []
        limits = RoundLimits()
        crowded = quota_hit = False

        def callback(request_id: str, response: Any, exception: Exception | None) -> None:
            nonlocal crowded, quota_hit
            if exception is None:
                found[request_id] = response
                return
            if isinstance(exception, HttpError):
                if status_of(exception) == 404:
                    return  # a 404 means "gone": nothing to find
                if _refused(exception):
                    refused.append(exception)
                    return
                limit = rate_limit(exception, self._now())
                if limit is not None:
                    self.stats.rate_limited += 1
                    crowded = crowded or limit.concurrent
                    quota_hit = quota_hit or not limit.concurrent
                    if not limits.note(request_id, limit, self._now()):
                        return
            failed.append(request_id)

        remaining = list(ids)
        rounds = RetryRounds()
        while rounds.go_on(len(remaining)):
            failed.clear()
            limits.wait = 0.0
            size = max(1, min(self.max_batch, int(self.pacer.capacity // UNIT_COSTS[method])))
            for start in range(0, len(remaining), size):
                chunk = remaining[start : start + size]
                batch = self.service.new_batch_http_request(callback=callback)
                for item in chunk:
                    batch.add(make(item), request_id=item)
                self.pacer.acquire(UNIT_COSTS[method] * len(chunk))
                self.stats.batches += 1
                self.stats.requests += 1
                crowded = quota_hit = False
                try:
                    batch.execute()
                except (HttpError, *TRANSPORT_ERRORS):
                    failed.extend(i for i in chunk if i not in found and i not in failed)
                if crowded:
                    self._lower_parallelism(len(chunk))
                if quota_hit:
                    self.pacer.slow_down()
            if refused:  # asking again gets the same answer: the caller says why and what to do
                raise refused[0]
            if limits.too_long:
                raise MailError(
                    next(iter(limits.too_long.values())) + ".",
                    hint="Run the command again later; it is safe to re-run.",
                )
            backoff = rounds.pause_after(len(remaining), len(failed))
            remaining = list(failed)
            if remaining:
                self.pacer.pause(max(limits.wait, backoff))
        if remaining:
            raise MailError(
                f"Gmail did not answer for {len(remaining)} item(s) after retries.",
                hint="Check your connection and run the command again; it is safe to re-run.",
            )
        return found

    def _iter_pages(
        self, method: str, make: Callable[[str | None], Any], field_name: str
    ) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            page = self._call_or_fail(method, make(token), "listing drafts")
            yield from page.get(field_name, [])
            token = page.get("nextPageToken")
            if not token:
                return

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

    def draft_versions(self, draft_ids: Sequence[str]) -> dict[str, str]:
        """drafts.list names each draft's current message: Gmail gives a draft a new message
        id whenever it is edited, so that id is the draft's version."""
        wanted = set(draft_ids)
        if not wanted:
            return {}
        drafts = self.service.users().drafts()
        return {
            str(d["id"]): str(d.get("message", {}).get("id", ""))
            for d in self._iter_pages(
                "drafts.list",
                lambda token: drafts.list(userId=self.user_id, maxResults=500, pageToken=token),
                "drafts",
            )
            if str(d["id"]) in wanted
        }

    def find_sent(
        self,
        rfc_message_id: str,
        thread_id: str | None = None,
        *,
        recipients: Sequence[str] = (),
        subject: str | None = None,
        since: datetime | None = None,
    ) -> SentRef | None:
        """The sent copy of a message: in its thread when known, else among the most recent
        sent mail; by Message-ID first, else by recipient, subject and time (see
        :class:`SentProbe`)."""
        probe = SentProbe(rfc_message_id, thread_id, tuple(recipients), subject, since)
        candidates = self._thread_messages(thread_id) if thread_id else self._recent_sent()
        exact = [m for m in candidates if header(m, "Message-ID") == rfc_message_id]
        for message in exact + [m for m in candidates if m not in exact]:
            if probe.matches(message):
                return SentRef(message_id=str(message["id"]), thread_id=message.get("threadId"))
        return None

    def _thread_messages(self, thread_id: str) -> list[dict[str, Any]]:
        request = (
            self.service.users()
            .threads()
            .get(userId=self.user_id, id=thread_id, format="metadata", metadataHeaders=SENT_HEADERS)
        )
        try:
            thread = self._call("threads.get", request)
        except HttpError as exc:
            if status_of(exc) == 404:
                return []
            raise MailError(
                f"Gmail failed while looking for a sent copy: HTTP {status_of(exc)}.",
                hint="Run the command again; it is safe to re-run.",
            ) from None
        except TRANSPORT_ERRORS as exc:
            raise MailError(
                f"Could not reach Gmail while looking for a sent copy: {exc}",
                hint="Run the command again; it is safe to re-run.",
            ) from None
        messages: list[dict[str, Any]] = thread.get("messages", [])
        return messages

    def recent_sent(self, limit: int) -> list[SentHeaders]:
        """The newest ``limit`` messages with the SENT label, headers only (format=metadata):
        one messages.list and one batch of messages.get."""
        listed = self._recent_sent(limit)
        found: list[SentHeaders] = []
        for message in sorted(listed, key=lambda m: -int(m.get("internalDate", 0) or 0)):
            fields = [header(message, name) for name in ("To", "Cc", "Bcc")]
            recipients = tuple(a.casefold() for _, a in getaddresses(fields) if a)
            found.append(
                SentHeaders(
                    str(message["id"]),
                    header(message, "Message-ID"),
                    recipients,
                    thread_id=message.get("threadId"),
                    subject=header(message, "Subject"),
                    sent_at=_sent_at(message),
                    is_reply=bool(header(message, "In-Reply-To")),
                )
            )
        return found

    def exchanges(self) -> Iterator[Exchange]:
        """Every SENT and INBOX message, headers only: messages.list pages, then batches of
        messages.get (format=metadata), under the client's pace."""
        messages = self.service.users().messages()
        for label, sent in (("SENT", True), ("INBOX", False)):
            ids = [
                str(item["id"])
                for item in self._iter_pages(
                    "messages.list",
                    lambda token, label=label: messages.list(  # type: ignore[misc]
                        userId=self.user_id, labelIds=[label], maxResults=500, pageToken=token
                    ),
                    "messages",
                )
            ]
            names = ["To", "Cc", "Bcc"] if sent else ["From"]
            for start in range(0, len(ids), 500):
                fetched = self._metadata_batch(
                    "messages.get",
                    ids[start : start + 500],
                    lambda mid, names=names: messages.get(  # type: ignore[misc]
                        userId=self.user_id,
                        id=mid,
                        format="metadata",
                        metadataHeaders=[*names, "Message-ID"],
                    ),
                )
                for message in fetched.values():
                    fields = [header(message, name) for name in names]
                    yield Exchange(
                        sent=sent,
                        addresses=tuple(a.casefold() for _, a in getaddresses(fields) if a),
                        at=_sent_at(message),
                        message_id=header(message, "Message-ID"),
                    )

    def _recent_sent(self, limit: int = SENT_LOOKBACK) -> list[dict[str, Any]]:
        messages = self.service.users().messages()
        listed = self._call_or_fail(
            "messages.list",
            messages.list(userId=self.user_id, labelIds=["SENT"], maxResults=limit),
            "looking for a sent copy",
        ).get("messages", [])
        fetched = self._metadata_batch(
            "messages.get",
            [str(m["id"]) for m in listed],
            lambda mid: messages.get(
                userId=self.user_id, id=mid, format="metadata", metadataHeaders=SENT_HEADERS
            ),
        )
        return list(fetched.values())


def _refused(exc: HttpError) -> bool:
    """A part Gmail refuses for good (400, or a 403 that is no rate limit: a scope that does
    not allow the request), which no retry can change."""
    status = status_of(exc)
    return status == 400 or (status == 403 and rate_limit(exc) is None)
