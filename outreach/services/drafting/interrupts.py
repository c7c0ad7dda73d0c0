"""Ctrl-C during long runs: finish the step that must not be cut in two, then say what is left.

A first Ctrl-C while a chunk of drafts is being written waits until that chunk is recorded
(a second Ctrl-C stops at once); then the run stops with a message that says how many drafts
were made and saved and how many were not, so "re-running is safe" is shown, not just told.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from outreach.errors import Interrupted

log = logging.getLogger("outreach.interrupts")


@contextmanager
def chunk_finishes_first() -> Iterator[None]:
    """Hold a first Ctrl-C until the block ends; a second one stops at once.

    Without this, an interrupt between writing drafts and recording them leaves drafts the
    database does not know of (the next run finds them by Message-ID, but until then the
    outbox holds more files than the database has drafts).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous in (signal.SIG_IGN, None):
        yield
        return
    pressed: list[int] = []

    def hold(signum: int, frame: object) -> None:
        if pressed:
            raise KeyboardInterrupt
        pressed.append(signum)
        log.warning("stopping once this batch of drafts is saved (Ctrl-C again stops now)")

    signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


class DraftInterrupted(Interrupted):
    """Ctrl-C during drafting: what was drafted (and recorded), and what was not."""

    def __init__(
        self, *, created: int, updated: int, failed: int, total: int, mid_chunk: bool
    ) -> None:
        made = created + updated
        left = total - made - failed
        message = (
            f"Interrupted after {made} of {total} draft{'s' if total != 1 else ''} "
            f"({created} created, {updated} updated"
            + (f", {failed} failed" if failed else "")
            + "); each of those is saved and recorded."
        )
        if left:
            message += f" The other {left} {'were' if left != 1 else 'was'} not drafted"
            message += (
                "; the batch in progress was stopped part-way, and the next run finds any "
                "draft it made and updates it."
                if mid_chunk
                else "."
            )
        super().__init__(
            message,
            hint="Run the same command again to finish: it updates the drafts already made "
            "and creates the rest, never a second copy.",
        )
