"""Whether `outreach watch` is running: each cycle it writes its pid and the time to a file
in the workspace; a fresh file whose process is alive means it runs. `send` says so before
queuing, and `doctor` reports it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from outreach.app import AppContext
from outreach.clock import iso

__all__ = ["Heartbeat", "beat", "last_beat", "stop_beating", "watch_running"]

STALE_AFTER = timedelta(minutes=15)  # a watch at its longest back-off (10 min) is still alive


@dataclass(frozen=True)
class Heartbeat:
    pid: int
    at: datetime
    interval: float

    @property
    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # another user's process with that pid: not ours
            return False
        return True


def beat(app: AppContext, interval: float) -> None:
    """Say this process is watching (written atomically: a reader never sees half)."""
    path = app.workspace.heartbeat_file
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "at": iso(app.now()), "interval": interval}))
    os.replace(tmp, path)


def stop_beating(app: AppContext) -> None:
    """Remove the heartbeat when this process wrote it (a clean stop)."""
    found = last_beat(app)
    if found is not None and found.pid == os.getpid():
        app.workspace.heartbeat_file.unlink(missing_ok=True)


def last_beat(app: AppContext) -> Heartbeat | None:
    try:
        data = json.loads(app.workspace.heartbeat_file.read_text())
        return Heartbeat(int(data["pid"]), datetime.fromisoformat(data["at"]),
                         float(data["interval"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def watch_running(app: AppContext) -> bool:
    """A `watch` beat recently (within its interval plus slack) and its process is alive."""
    found = last_beat(app)
    if found is None or not found.alive:
        return False
    slack = max(STALE_AFTER, timedelta(seconds=3 * found.interval))
    return app.now() - found.at <= slack
