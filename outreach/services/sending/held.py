"""The daily cap: how much room there is now, when more frees up, and what waits for it.

`send` sends as many as the cap allows, oldest first; the drafts it leaves are marked held
(``messages.held_at``), `due` lists them, and they are re-planned before they go
(:mod:`outreach.services.sending.replan`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from outreach.app import AppContext

__all__ = ["HeldDrafts", "cap_room", "frees_up_at", "held_drafts", "held_line", "when_text"]


def cap_room(app: AppContext, now: datetime) -> int:
    """How many more messages may go now under the rolling-24-hour cap."""
    recent = app.store.messages.sent_in_last_day(now)
    return max(0, app.config.mail.daily_send_cap - len(recent))


def frees_up_at(app: AppContext, now: datetime) -> datetime | None:
    """When the cap next has room (None: it has room now)."""
    recent = app.store.messages.sent_in_last_day(now)
    cap = app.config.mail.daily_send_cap
    if len(recent) < cap:
        return None
    if cap == 0:
        return None
    return datetime.fromisoformat(recent[len(recent) - cap]) + timedelta(days=1)


def when_text(app: AppContext, moment: datetime | None) -> str:
    if moment is None:
        return "room is free now"
    local = moment.astimezone(app.config.user.zone)
    return f"room frees up at {local:%a %d %b %H:%M}"


@dataclass(frozen=True)
class HeldDrafts:
    count: int
    frees_at: datetime | None  # None: there is room now

    def to_json(self) -> dict[str, object]:
        return {
            "count": self.count,
            "frees_at": None if self.frees_at is None else self.frees_at.isoformat(),
        }


def held_drafts(app: AppContext) -> HeldDrafts | None:
    """The drafts a send run left for the cap, if any."""
    rows = app.store.messages.held()
    if not rows:
        return None
    return HeldDrafts(len(rows), frees_up_at(app, app.now()))


def held_line(app: AppContext) -> str | None:
    """`due`'s line for the held drafts, e.g. "3 drafts wait for the daily cap; room frees up
    at Tue 03 Mar 09:00: outreach send --yes"."""
    held = held_drafts(app)
    if held is None:
        return None
    what, they = ("1 draft waits", "it is") if held.count == 1 else (
        f"{held.count} drafts wait",
        "they are",
    )
    return (
        f"{what} for the daily cap; {when_text(app, held.frees_at)}; {they} re-planned "
        "(fresh times, dated when sent) before going: `outreach send --yes`"
    )
