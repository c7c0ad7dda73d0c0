"""A client-side pace that keeps a run under Gmail's per-user quota.

Gmail charges "quota units" per method (drafts.create 10, drafts.update 15, send 100, ...) and
allows 6,000 units per user per minute for Cloud projects created on or after 1 May 2026 (every
new user's project; 15,000 for older ones): ``[google] quota_per_minute``. The pace spends it
evenly, a second at a time (100 units a second by default), and slows down for the rest of the
run when Gmail says the user's limit was reached anyway (another tool on the same project, or
a lower quota than configured). Hammering into 429s wastes time in back-off.

Per-method costs checked against Google's usage-limits page
(developers.google.com/workspace/gmail/api/reference/quota) in December 2026: unchanged by the
May 2026 update, which lowered only the per-user limit.
"""

from __future__ import annotations

import threading
import time
from collections import deque
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
    "messages.attachments.get": 5,
    "messages.list": 5,
    "threads.get": 10,
    "history.list": 2,
    "getProfile": 1,
}

DEFAULT_UNITS_PER_MINUTE = 6000
DEFAULT_UNITS_PER_SECOND = DEFAULT_UNITS_PER_MINUTE / 60
SLOW_DOWN_FACTOR = 1.25  # each userRateLimitExceeded stretches the window this much ...
SLOWEST = 4.0  # ... up to this many times its length
# The server counts units over a sliding one-second window; we keep our own window a little
# longer so that the jitter between our clock and its never lets two sends share its window.
MARGIN_SECONDS = 0.05


class QuotaPacer:
    """A sliding-window limiter in quota units: never more than ``units_per_second`` units in
    any window of one second (plus a margin), as the server counts them.

    A token bucket would allow a full burst plus its refill inside one server window, and so
    run into 429s exactly when it is busiest.
    """

    def __init__(
        self,
        units_per_second: float = DEFAULT_UNITS_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        margin: float = MARGIN_SECONDS,
    ) -> None:
        self.capacity = float(units_per_second)  # units allowed in one window
        self.span = 1.0 + margin
        self._base_span = self.span
        self.slowed = 0  # times Gmail's answers made us slow down
        self._spent: deque[tuple[float, float]] = deque()
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self.waited = 0.0

    @classmethod
    def per_minute(cls, units_per_minute: float) -> QuotaPacer:
        """A pace under a per-minute quota (Gmail states its limits per minute)."""
        return cls(units_per_minute / 60)

    def _used(self, now: float) -> float:
        while self._spent and self._spent[0][0] <= now - self.span:
            self._spent.popleft()
        return sum(units for _, units in self._spent)

    def acquire(self, units: float) -> None:
        """Wait until ``units`` fit in the window, then record them as spent."""
        if units > self.capacity:
            raise ValueError(f"a single call of {units} units exceeds the quota window")
        with self._lock:
            while True:
                now = self._clock()
                excess = self._used(now) + units - self.capacity
                if excess <= 0:
                    self._spent.append((now, units))
                    return
                freed, wait_until = 0.0, now
                for moment, spent in self._spent:
                    freed += spent
                    wait_until = moment + self.span
                    if freed >= excess:
                        break
                wait = max(wait_until - now, 0.001)
                self.waited += wait
                self._sleep(wait)

    @property
    def units_per_minute(self) -> float:
        """The pace now, in units a minute."""
        return self.capacity / self.span * 60

    def slow_down(self) -> None:
        """Gmail said the user's quota was exceeded although we paced under it: spend it more
        slowly (a longer window, so single calls of any cost still fit) for the rest of the
        run."""
        with self._lock:
            self.span = min(self.span * SLOW_DOWN_FACTOR, self._base_span * SLOWEST)
            self.slowed += 1

    def pause(self, seconds: float) -> None:
        """The server asked us to wait (Retry-After, or a back-off after errors)."""
        with self._lock:
            self.waited += seconds
            self._sleep(seconds)

    def batch_size(self, method: str, limit: int = 50) -> int:
        """How many calls of ``method`` fit in one batch without passing one window's quota."""
        return max(1, min(limit, int(self.capacity // UNIT_COSTS[method])))
