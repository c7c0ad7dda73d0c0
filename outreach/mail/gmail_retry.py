"""Retry bookkeeping for the Gmail backend: rounds of batch retries, rate limits met in them.

A wait Gmail asks for is honoured up to MAX_WAIT_SECONDS; past that a run gives the item up
(retryable: nothing is lost, a re-run later does it) and says until when Gmail asked to wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from googleapiclient.errors import HttpError

from outreach.mail.backend import DraftRef
from outreach.mail.gmail_errors import RateLimit

MAX_STALLED_ROUNDS = 8  # rounds in a row that finish nothing before giving up
MAX_TOTAL_ROUNDS = 60
MAX_WAIT_SECONDS = 90.0  # the longest wait Gmail may ask for that a run sits through


def _too_long(limit: RateLimit, wait: float) -> str:
    when = limit.retry_at.astimezone().strftime("%H:%M") if limit.retry_at else None
    later = f"until {when} " if when else ""
    return (
        f"Gmail's rate limit: it asks to wait {later}({wait / 60:.0f} min), longer than a run "
        "waits; nothing was lost, run the command again then"
    )


@dataclass
class BatchOutcome:
    """What happened to one request of a batch."""

    ref: DraftRef | None = None
    error: HttpError | None = None
    dropped: bool = False  # the whole batch's connection failed: outcome unknown


class RetryRounds:
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
    parallelism_lowered: int = 0  # times "too many concurrent requests" halved the batches


@dataclass
class RoundLimits:
    """Rate limits met by the parts of one round of batches."""

    wait: float = 0.0  # the longest time Gmail asked to wait (within MAX_WAIT_SECONDS)
    too_long: dict[str, str] | None = None  # key -> why it was given up

    def note(self, key: str, limit: RateLimit, now: datetime) -> bool:
        """Record ``limit`` for ``key``; False when Gmail asks for too long a wait."""
        wait = limit.wait(now)
        if wait is None:
            return True
        if wait > MAX_WAIT_SECONDS:
            self.too_long = {**(self.too_long or {}), key: _too_long(limit, wait)}
            return False
        self.wait = max(self.wait, wait)
        return True


