"""What waits on the delivery queue, for the commands that only show it (`status`, `due`,
`queue`): apart from :mod:`outreach.services.sending.queue`, which sends, so that reading it
loads no sending, scheduling or calendar code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from outreach.app import AppContext
from outreach.store.queue import QueuedMessage

__all__ = ["QueuedItem", "queued_items", "still_held"]


@dataclass(frozen=True)
class QueuedItem:
    """A message waiting for its recipient's morning."""

    ref: str  # the contact as a command takes it
    name: str
    kind: str
    at: datetime
    held_by_server: bool = False  # the mail server holds it (Outlook); else `watch` sends it

    def to_json(self, zone: ZoneInfo) -> dict[str, str | bool]:
        return {"contact": self.ref, "name": self.name, "kind": self.kind,
                "at": self.at.astimezone(zone).isoformat(timespec="seconds"),
                "held_by_server": self.held_by_server}


def still_held(app: AppContext, ids: list[int] | None = None) -> list[QueuedMessage]:
    """Held by the server and not gone yet by the clock (`sync` records it once it has)."""
    now = app.now()
    return [item for item in app.store.queue.held_by_server(ids)
            if datetime.fromisoformat(item.deliver_at) > now]


def queued_items(app: AppContext) -> list[QueuedItem]:
    """What waits on the queue, here or held by the mail server, soonest first (for
    `status`, `due` and `send --dry-run`)."""
    waiting = [*app.store.queue.waiting(), *still_held(app)]
    if not waiting:
        return []  # (every contact's label is read only when something waits)
    labels = app.store.contacts.labels()
    items = [
        QueuedItem(
            ref=labels[item.contact_id][1],
            name=labels[item.contact_id][0],
            kind=item.kind,
            at=datetime.fromisoformat(item.deliver_at),
            held_by_server=item.held_id is not None,
        )
        for item in waiting
    ]
    return sorted(items, key=lambda item: item.at)
