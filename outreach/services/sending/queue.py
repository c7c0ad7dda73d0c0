"""The delivery queue: first messages and nudges wait for the recipient's morning.

`send` sends what is inside its recipient's window now and queues the rest with the time
each will go (:func:`plan_delivery`, :func:`queue_for_later`); `watch` delivers what has come
due (:func:`deliver_due`) through the same :func:`~outreach.services.sending.send.send_messages`
as `send`, so the cap, the staleness rules and the once-only claim hold for queued mail too.
A window missed while the machine was off moves the message to the next weekday's window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from outreach.app import AppContext
from outreach.clock import iso
from outreach.schedule.delivery import WINDOWED_KINDS, delivery_time, in_window
from outreach.services.meetings.availability import contact_zone_or_none
from outreach.services.sending.replan import replan_waiting
from outreach.services.sending.send import SendReport, send_messages, split_stale
from outreach.services.sending.waiting import QueuedItem, queued_items
from outreach.store import MessageRow

if TYPE_CHECKING:
    from outreach.services.sending.server_hold import HoldReport

__all__ = [
    "CancelReport",
    "MessageRow",
    "QueuedItem",
    "cancel_from_queue",
    "cancel_queued",
    "deliver_due",
    "goes_at",
    "plan_delivery",
    "queue_for_later",
    "queued_items",
    "when_both",
]

_SPREAD_MINUTES = 7  # each message a few minutes after the one before, inside the window


def recipient_zone(app: AppContext, contact_id: int) -> ZoneInfo:
    """Their zone when known; else the user's (the best guess at their morning)."""
    return contact_zone_or_none(app.store.contacts.get(contact_id)) or app.config.user.zone


def when_both(app: AppContext, contact_id: int, at: datetime) -> str:
    """``Tue 09 Dec 08:00 their time (14:00 yours)``, one clock when the zones agree (the
    words `send`, `queue` and the web app use)."""
    theirs = at.astimezone(recipient_zone(app, contact_id))
    mine = at.astimezone(app.config.user.zone)
    if theirs.utcoffset() == mine.utcoffset():
        return f"{mine:%a %d %b %H:%M}"
    return f"{theirs:%a %d %b %H:%M} their time ({mine:%a %H:%M} yours)"


def goes_at(app: AppContext, row: MessageRow, now: datetime) -> datetime:
    window = app.config.mail.delivery_window
    if window is None or row.kind not in WINDOWED_KINDS:
        return now
    zone = recipient_zone(app, row.contact_id)
    return delivery_time(now, zone, window, offset_minutes=row.id * _SPREAD_MINUTES)


def plan_delivery(
    app: AppContext, rows: Sequence[MessageRow], now: datetime
) -> tuple[list[MessageRow], list[tuple[MessageRow, datetime]]]:
    """(the rows to send now, (row, when) for the rows that wait for their window)."""
    go_now: list[MessageRow] = []
    later: list[tuple[MessageRow, datetime]] = []
    for row in rows:
        at = goes_at(app, row, now)
        if at <= now:
            go_now.append(row)
        else:
            later.append((row, at))
    return go_now, later


def server_holds(app: AppContext) -> bool:
    """Whether the mail server itself holds a message until its time (Outlook's deferred
    send), so that waiting mail goes with this machine off."""
    return bool(app.mail().can_hold)


def queue_for_later(
    app: AppContext, later: Sequence[tuple[MessageRow, datetime]]
) -> HoldReport | None:
    """Put each message on the queue at its time (re-queuing moves it); where the mail server
    can hold a message until then, hand it to the server instead (the report says how it
    went; None: queued here, for `watch`)."""
    if later and app.mail().can_hold:
        from outreach.services.sending.server_hold import hold_on_server

        return hold_on_server(app, later)
    _queue_here(app, later)
    return None


def _queue_here(app: AppContext, later: Sequence[tuple[MessageRow, datetime]]) -> None:
    stamp = iso(app.now())
    with app.store.transaction():
        for row, at in later:
            app.store.queue.put(row.id, iso(at), stamp)


@dataclass
class CancelReport:
    taken: list[str] = field(default_factory=list)  # off the queue, still drafts
    gone: list[tuple[str, datetime]] = field(default_factory=list)  # already sent, and when


def cancel_from_queue(app: AppContext, refs: Sequence[str]) -> CancelReport:
    """Take the named contacts' messages (or all) off the queue; they stay drafts. A message
    the server holds is taken back from it, unless it has already gone (said, with when)."""
    from outreach.services.sending.server_hold import release_held

    ids = [app.store.contacts.get(ref).id for ref in refs] if refs else None
    labels = app.store.contacts.labels()
    report = CancelReport()
    with app.store.transaction():
        for item in app.store.queue.waiting(ids):
            if app.store.queue.remove(item.message_row_id):
                report.taken.append(labels[item.contact_id][0])
    for item in app.store.queue.held_by_server(ids):
        assert item.held_id is not None
        label = labels[item.contact_id][0]
        at = datetime.fromisoformat(item.deliver_at)
        if at <= app.now() or not release_held(app, item.message_row_id, item.held_id):
            report.gone.append((label, at))
        else:
            report.taken.append(label)
    return report


def cancel_queued(app: AppContext, refs: Sequence[str]) -> list[str]:
    """The labels of the messages :func:`cancel_from_queue` took off."""
    return cancel_from_queue(app, refs).taken


def _room_left(app: AppContext, now: datetime) -> int:
    return max(0, app.config.mail.daily_send_cap - len(app.store.messages.sent_in_last_day(now)))


def deliver_due(app: AppContext) -> SendReport | None:
    """Send the queued messages whose time has come and whose recipient is in their window
    now, as many as the daily cap leaves room for, soonest first. A message whose window
    passed unsent (the machine was off, or the cap was full) moves to the next weekday's
    window. Returns None when nothing was due. The caller holds the writer lock."""
    now = app.now()
    store = app.store
    window = app.config.mail.delivery_window
    with store.transaction():
        store.queue.forget_finished()
    ready_all: list[MessageRow] = []
    moved: list[tuple[MessageRow, datetime]] = []
    for item in store.queue.waiting():
        if datetime.fromisoformat(item.deliver_at) > now:
            continue
        row = store.messages.by_id(item.message_row_id)
        zone = recipient_zone(app, row.contact_id)
        if window is None or row.kind not in WINDOWED_KINDS or in_window(now, zone, window):
            ready_all.append(row)
        else:
            moved.append((row, goes_at(app, row, now)))
    if moved:
        queue_for_later(app, moved)
    ready_all, _ = replan_waiting(app, ready_all, queued=True)  # fresh times, Date = now
    ready, stale = split_stale(app, ready_all)
    if stale:  # it needs the user now (`due` says what): it leaves the queue, unsent
        fresh_ids = {row.id for row in ready}
        with store.transaction():
            for row in ready_all:
                if row.id not in fresh_ids:
                    store.queue.remove(row.id)
    ready = ready[: _room_left(app, now)]  # the rest wait for room, or for the next window
    if not ready and not stale:
        return None
    report = send_messages(app, ready) if ready else SendReport()
    report.stale[:0] = stale
    with store.transaction():
        store.queue.forget_finished()
    return report
