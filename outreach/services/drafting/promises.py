"""`outreach promises`: what the user promised in conversations, and marking them kept.

A promise is recorded by `outreach met` and stays in `outreach due` (action ``promise``) until
it is marked done here; marking is idempotent and all-or-nothing (an unknown number changes
nothing and says which).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from outreach.app import AppContext
from outreach.clock import iso
from outreach.errors import OutreachError

__all__ = ["PromiseView", "list_promises", "mark_promises"]


@dataclass(frozen=True)
class PromiseView:
    id: int
    contact: str  # the contact's label
    ref: str  # the contact as commands take it
    text: str
    made_at: str
    done_at: str | None
    made_on: str  # local dates, for people
    done_on: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "contact": self.ref,
            "name": self.contact,
            "promise": self.text,
            "made_at": self.made_at,
            "done_at": self.done_at,
        }


def _view(app: AppContext, row: Any, labels: dict[int, tuple[str, str]]) -> PromiseView:
    zone = app.config.user.zone
    label, ref = labels.get(row.contact_id, (f"#{row.contact_id}", str(row.contact_id)))

    def local(value: str | None) -> str | None:
        if value is None:
            return None
        return datetime.fromisoformat(value).astimezone(zone).date().isoformat()

    made = datetime.fromisoformat(row.created_at).astimezone(zone)
    done = None if row.done_at is None else datetime.fromisoformat(row.done_at).astimezone(zone)
    return PromiseView(
        id=row.id,
        contact=label,
        ref=ref,
        text=row.text,
        made_at=made.isoformat(timespec="seconds"),
        done_at=None if done is None else done.isoformat(timespec="seconds"),
        made_on=str(local(row.created_at)),
        done_on=local(row.done_at),
    )


def list_promises(app: AppContext, *, include_done: bool = False) -> list[PromiseView]:
    labels = app.store.contacts.labels()
    return [_view(app, row, labels) for row in app.store.promises.all(include_done=include_done)]


def mark_promises(
    app: AppContext, *, done: Sequence[int] = (), undo: Sequence[int] = ()
) -> list[PromiseView]:
    """Mark promises kept (``done``) or open again (``undo``), in one transaction."""
    store = app.store
    wanted = [*done, *undo]
    missing = [n for n in wanted if store.promises.find(n) is None]
    if missing:
        raise OutreachError(
            f"No promise {', '.join(map(str, missing))}; nothing was changed.",
            hint="`outreach promises --all` lists every promise with its number.",
        )
    both = set(done) & set(undo)
    if both:
        raise OutreachError(
            f"Promise {', '.join(map(str, sorted(both)))} is both --done and --undo.",
            hint="Give each number once.",
        )
    stamp = iso(app.now())
    with store.transaction():
        for number in done:
            if store.promises.by_id(number).done_at is None:
                store.promises.set_done(number, stamp)
        for number in undo:
            store.promises.set_done(number, None)
    labels = store.contacts.labels()
    return [_view(app, store.promises.by_id(n), labels) for n in dict.fromkeys(wanted)]
