"""`outreach watch`: sync again and again, waiting out what waiting can fix."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from outreach.app import AppContext
from outreach.services.sync.record import SyncReport

if TYPE_CHECKING:  # imported when a cycle runs: `watch` starts (and takes its turn) quickly
    from outreach.services.background.cycle import CycleReport, Notifier

__all__ = ["BACKOFF_CAP_SECONDS", "watch"]

BACKOFF_CAP_SECONDS = 600.0




def _transient_errors(app: AppContext) -> tuple[type[Exception], ...]:
    """What `watch` waits out: the network, and a database another program holds locked."""
    from outreach.store.trouble import DatabaseLocked

    return (*app.mail_kind().transient_errors(), DatabaseLocked)


def _saved_token(app: AppContext) -> str | None:
    """A fingerprint of the saved sign-in (changes with every new login)."""
    return app.mail_kind().saved_sign_in(app.config.user.email)


def watch(
    app: AppContext,
    interval: float,
    *,
    on_report: Callable[[SyncReport], None],
    on_error: Callable[[str, float], None],
    on_token_dead: Callable[[str, str | None], None] | None = None,
    on_reconnected: Callable[[], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_cycles: int | None = None,
    backoff_cap: float = BACKOFF_CAP_SECONDS,
    on_cycle: Callable[[CycleReport], None] | None = None,
    notify: Notifier | None = None,
) -> int:
    """Sync every ``interval`` seconds until interrupted (or ``max_cycles`` cycles); return the
    number of cycles.

    A transient failure (network, Gmail 5xx after the retries, the database locked by another
    program) is reported through ``on_error(message, retry_in)`` and retried after an
    exponentially growing pause, capped at ``backoff_cap``; the first success goes back to
    ``interval``. Each sync holds the workspace's writer lock, waiting its turn (and saying so)
    while another outreach command holds it; between syncs it holds nothing. A dead token
    (Google said ``invalid_grant``: a Testing-mode app's weekly expiry, or revoked access) is
    reported once through ``on_token_dead(message, hint)``; then each cycle only re-reads the
    keyring, without calling Google, until a new login is there (``on_reconnected``), and
    syncing resumes.
    After each sync, in the same hold of the lock, the queue is delivered, new replies,
    bounces and answers are notified, and the morning summary (and digest) made once a day
    (:func:`~outreach.services.background.cycle.after_sync`, reported through ``on_cycle``).
    Each cycle writes a heartbeat, so `send` and `doctor` can tell that `watch` runs.
    Other errors (a broken workspace, no token at all) propagate: waiting will not fix them.
    """
    from outreach.services.background.heartbeat import stop_beating

    try:
        return _watch(app, interval, on_report, on_error, on_token_dead, on_reconnected, sleep,
                      max_cycles, backoff_cap, on_cycle, notify)
    finally:
        stop_beating(app)


def _watch(
    app: AppContext,
    interval: float,
    on_report: Callable[[SyncReport], None],
    on_error: Callable[[str, float], None],
    on_token_dead: Callable[[str, str | None], None] | None,
    on_reconnected: Callable[[], None] | None,
    sleep: Callable[[float], None],
    max_cycles: int | None,
    backoff_cap: float,
    on_cycle: Callable[[CycleReport], None] | None,
    notify: Notifier | None,
) -> int:
    from outreach.errors import TokenRevokedError
    from outreach.notify import desktop_notify
    from outreach.services.background.cycle import after_sync
    from outreach.services.background.heartbeat import beat
    from outreach.services.sync.run import sync

    transient = _transient_errors(app)
    failures = 0
    cycles = 0
    dead_token: str | None = None
    waiting = False
    while True:
        cycles += 1
        delay = interval
        beat(app, interval)
        if waiting and _saved_token(app) != dead_token:
            waiting = False
            app.reset_mail()
            if on_reconnected is not None:
                on_reconnected()
        if not waiting:
            try:
                with app.writing():
                    report = sync(app)
                    cycle = after_sync(app, report, notify or desktop_notify)
            except TokenRevokedError as exc:
                waiting, dead_token = True, _saved_token(app)
                app.reset_mail()
                if on_token_dead is None:
                    raise
                on_token_dead(exc.message, exc.hint)
            except transient as exc:
                failures += 1
                delay = min(max(backoff_cap, interval), max(interval, 1.0) * 2**failures)
                message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
                on_error(message, delay)
            else:
                failures = 0
                on_report(report)
                if on_cycle is not None:
                    on_cycle(cycle)
        if max_cycles is not None and cycles >= max_cycles:
            return cycles
        sleep(delay)
