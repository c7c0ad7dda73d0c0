"""A client-side pace that keeps a run under Gmail's per-user quota.

Gmail charges "quota units" per method (drafts.create 10, drafts.update 15, send 100, ...) and
allows 15,000 units per user per minute (250 a second). Hammering into 429s wastes time in
back-off; pacing spends the budget evenly instead. A token bucket holds at most one second of
units, so a batch never bursts past what the server's one-second window allows.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Units per method, from Gmail's usage-limits table.
UNIT_COSTS = {
    "drafts.create": 10,
    "drafts.update": 15,
    "drafts.delete": 10,
    "drafts.get": 5,
    "drafts.list": 5,
    "drafts.send": 100,
    "messages.send": 100,
    "messages.get": 5,
    "messages.list": 5,
    "threads.get": 10,
    "history.list": 2,
    "getProfile": 1,
}

DEFAULT_UNITS_PER_SECOND = 250.0
# Spend a little under the limit: the server's window and our clock never line up exactly.
SAFETY = 0.96


class QuotaPacer:
    """Token bucket in quota units; ``acquire(n)`` blocks until n units may be spent."""

    def __init__(
        self,
        units_per_second: float = DEFAULT_UNITS_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = units_per_second * SAFETY
        self.capacity = self.rate  # one second's worth
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()
        self.waited = 0.0

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now

    def acquire(self, units: float) -> None:
        """Wait until ``units`` are available, then spend them."""
        if units > self.capacity:
            raise ValueError(f"a single call of {units} units exceeds the bucket")
        with self._lock:
            self._refill()
            if self._tokens < units:
                wait = (units - self._tokens) / self.rate
                self.waited += wait
                self._sleep(wait)
                self._refill()
            self._tokens -= units

    def pause(self, seconds: float) -> None:
        """The server asked us to wait (Retry-After): drain the bucket and sleep."""
        with self._lock:
            self._sleep(seconds)
            self._tokens = 0.0
            self._last = self._clock()

    def batch_size(self, method: str, limit: int = 50) -> int:
        """How many calls of ``method`` fit in one batch without bursting the quota."""
        return max(1, min(limit, int(self.capacity // UNIT_COSTS[method])))
