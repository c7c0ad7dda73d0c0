"""Messages the mail server holds until the recipient's morning (Outlook's deferred send).

Where the backend can hold a message (``MailBackend.can_hold``), `send` hands each message
that waits for its recipient's window to the server at once instead of the local queue, so
it goes at its time with this machine off and `watch` has nothing to deliver. Each is
re-planned as at the moment it will go (times at least ``lead_hours`` after it, its Date that
moment), claimed for that moment (the once-only rule; the daily cap counts it on the day it
goes: a day already full moves it to the next weekday's window), then held. `queue cancel`
takes it back from the server (the draft is put back) unless it has already gone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from outreach.app import AppContext
from outreach.clock import iso
from outreach.errors import MailError, NotSentError
from outreach.store import MessageRow

__all__ = ["HoldReport", "hold_on_server", "release_held"]

_DAYS_AHEAD = 30  # how far a full cap may push a message before it is left as a draft


@dataclass
class HoldReport:
    """What the server holds now, and what it does not (left drafts, with why)."""

    held: list[tuple[MessageRow, datetime]] = field(default_factory=list)
    not_held: list[tuple[str, str]] = field(default_factory=list)  # (label, why)
    uncertain: list[tuple[str, str]] = field(default_factory=list)  # answer lost: claimed


@contextmanager
def _clock_at(app: AppContext, moment: datetime) -> Iterator[None]:
    """Every command's clock set to ``moment`` (re-planning as at the time it goes)."""
    before = app.now_override
    app.now_override = moment
    try:
        yield
    finally:
        app.now_override = before


def _sends_near(app: AppContext, at: datetime) -> int:
    """Sends (done, claimed or held) less than a day either side of ``at``: fewer than the
    cap keeps every rolling day around ``at`` inside the cap."""
    times = app.store.messages.sends_since(at - timedelta(days=1))
    return sum(1 for t in times if datetime.fromisoformat(t) < at + timedelta(days=1))


def _day_with_room(app: AppContext, row: MessageRow, at: datetime) -> datetime | None:
    """``at``, or the first later window of the recipient with room under the daily cap."""
    from outreach.services.sending.queue import goes_at

    cap = app.config.mail.daily_send_cap
    for _ in range(_DAYS_AHEAD):
        if _sends_near(app, at) < cap:
            return at
        at = goes_at(app, row, at + timedelta(days=1))
    return None


def hold_on_server(
    app: AppContext, later: Sequence[tuple[MessageRow, datetime]]
) -> HoldReport:
    """Hand each (row, when) to the server to send at its time (see the module docstring)."""
    from outreach.services.sending.replan import replan_waiting
    from outreach.services.sending.send import split_stale

    store = app.store
    backend = app.mail()
    report = HoldReport()
    stamp = iso(app.now())
    for row, wanted in sorted(later, key=lambda pair: (pair[1], pair[0].id)):
        label = store.contacts.get(row.contact_id).label()
        at = _day_with_room(app, row, wanted)
        if at is None:
            report.not_held.append((label, "the daily cap is full for the next month"))
            continue
        with _clock_at(app, at):
            (current,), _ = replan_waiting(app, [row], queued=True)
            fresh, stale = split_stale(app, [current])
        if stale:
            report.not_held.append(stale[0])
            continue
        current = fresh[0]
        with store.transaction():
            claimed = store.messages.claim_send(current.id, iso(at))
        if not claimed or current.draft_id is None:
            report.not_held.append((label, "already sent (or a send was already attempted)"))
            continue
        try:
            ref = backend.hold_until(current.draft_id, at)
        except NotSentError as exc:
            with store.transaction():
                store.messages.release_claim(current.id, exc.message, stamp)
            report.not_held.append((label, exc.message))
            continue
        except MailError as exc:  # the answer was lost: it may be held; never handed twice
            with store.transaction():
                store.messages.set_error(current.id, f"send outcome unknown: {exc.message}",
                                         stamp)
                store.queue.put_held(current.id, iso(at), stamp, current.draft_id)
            report.uncertain.append((label, exc.message))
            continue
        with store.transaction():
            store.queue.put_held(current.id, iso(at), stamp, ref.message_id)
        report.held.append((current, at))
    return report


def release_held(app: AppContext, row_id: int, held_id: str) -> bool:
    """Take a held message back from the server; it is a draft again. False when it has
    already gone (recorded as sent by the next `sync`)."""
    store = app.store
    draft = app.mail().release_hold(held_id)
    if draft is None:
        return False
    stamp = iso(app.now())
    with store.transaction():
        store.messages.release_claim(row_id, "", stamp)
        store.messages.mark_drafted(
            row_id, draft_id=draft.draft_id, gmail_id=draft.message_id,
            thread_id=draft.thread_id, now=stamp,
        )
        # The draft as put back is the one to compare a later hand edit with.
        store.messages.set_draft_hash(row_id, draft.version or draft.message_id or "")
        store.queue.remove(row_id)
    return True
