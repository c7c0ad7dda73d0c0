"""`doctor`'s view of `watch`: whether it runs where queued mail or reminders need it."""

from __future__ import annotations

from collections.abc import Iterable

from outreach.app import AppContext
from outreach.errors import OutreachError
from outreach.services.background.heartbeat import last_beat, watch_running
from outreach.services.doctor.base import Check, Doctor, fail, ok


def _server_holds(app: AppContext) -> bool:
    """Whether the mail server itself holds queued mail until its time (Graph's deferred
    send); False when the backend cannot even be built (its own check says why)."""
    from outreach.services.sending.queue import server_holds

    try:
        return server_holds(app)
    except (OutreachError, OSError):
        return False


def check_background(doc: Doctor) -> Iterable[Check]:
    """`watch` runs (its heartbeat is fresh), or nothing needs it to."""
    doc.needs("database")
    app = doc.app
    config = doc.config
    queued = len(app.store.queue.waiting())
    beat = last_beat(app)
    if watch_running(app):
        assert beat is not None
        seen = beat.at.astimezone(config.user.zone).strftime("%a %d %b %H:%M")
        yield ok("watch", f"running (pid {beat.pid}, last cycle {seen}); {queued} queued")
        return
    needs = []
    held = _server_holds(app)  # Outlook keeps queued mail itself: watch need not run for it
    if queued and not held:
        needs.append(f"{queued} queued message{'s' if queued != 1 else ''} go only while it runs")
    if config.mail.deliver_window and not held:
        needs.append("[mail] deliver_window queues first messages and nudges for it")
    if config.followup.digest:
        needs.append("[followup] digest is drafted by it")
    if not needs:
        yield ok("watch", "not running; nothing needs it (no queue, no digest)")
        return
    yield fail(
        "watch",
        "not running, but " + "; ".join(needs),
        "Run `outreach service install` (or `outreach watch` in a terminal); "
        "`outreach service status` shows the service.",
    )
