"""One writer at a time per workspace: an advisory lock on ``<workspace>/outreach.lock``.

Every command that may change the workspace (the database, the Maildirs, Gmail drafts) holds
this lock from before its first read of the database until it ends; commands that only read
(``status``, ``due``, ``contacts list`` ...) never take it, and SQLite's WAL gives them a
consistent snapshot while a writer works. ``watch`` takes it for each sync and lets go between.

Why a lock rather than a claim per message: the races are not only about one message. Slots
held for one contact must be seen by the next run's planner, the daily send cap counts every
send, sync stores a history id, migrations change the schema. Serialising writers makes each
command see the finished work of the one before it, so none of those needs its own protocol.
The kernel releases the lock when its process ends, even on SIGKILL, so there is no stale lock
and no lease to expire or renew during a long Gmail batch.

The lock file holds a line saying who has it (pid, command, since when), for the message a
waiting command prints.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from outreach import clock

LOCK_NAME = "outreach.lock"

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle: IO[str]) -> bool:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _wait_lock(handle: IO[str]) -> None:
        while not _try_lock(handle):
            time.sleep(0.2)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[str]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _wait_lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # Ctrl-C interrupts the wait

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


Notice = Callable[[str], None]


class WorkspaceLock:
    """The workspace's writer lock. Re-entrant within one holder: ``acquire`` twice is a no-op."""

    def __init__(self, root: Path) -> None:
        self.path = root / LOCK_NAME
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def holder(self) -> str:
        """Who holds the lock, as its holder wrote it (best effort: it may be rewriting it)."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""
        return text.splitlines()[0][:300] if text else ""

    def acquire(self, *, command: str, on_wait: Notice | None = None) -> float | None:
        """Take the lock, waiting for the holder if there is one; returns the seconds waited,
        or None when it was free.

        ``on_wait`` is told once, with a sentence naming the holder, before waiting.
        """
        if self._handle is not None:
            return None
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        handle = os.fdopen(fd, "r+", encoding="utf-8")
        waited: float | None = None
        try:
            if not _try_lock(handle):
                holder = self.holder() or "another outreach command"
                if on_wait is not None:
                    on_wait(
                        f"Waiting for the other outreach command to finish ({holder}); "
                        "press Ctrl-C to stop waiting."
                    )
                started = time.monotonic()
                _wait_lock(handle)
                waited = time.monotonic() - started
            handle.seek(0)
            handle.truncate()
            since = clock.now().astimezone().isoformat(timespec="seconds")
            handle.write(f"pid {os.getpid()}: {command} (since {since})\n")
            handle.flush()
        except BaseException:
            handle.close()
            raise
        self._handle = handle
        return waited

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            _unlock(handle)
        finally:
            handle.close()
