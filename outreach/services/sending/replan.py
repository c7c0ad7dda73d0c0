"""A draft that waited is re-planned before it goes: nothing stale leaves the outbox.

A draft held back by the daily cap is drafted again from its template just before the send:
times that have passed or are now sooner than ``lead_hours`` are replaced with fresh ones
(the others stay), and its Date becomes the send time.
A draft the user edited is never rewritten: when its times no longer hold, it is left unsent
with the one instruction every command gives (:mod:`outreach.services.drafting.staleness`).
Invites are not re-planned here: their time is the meeting's.
"""

from __future__ import annotations

from collections.abc import Sequence

from outreach.app import AppContext
from outreach.errors import OutreachError
from outreach.services.drafting.staleness import times_too_close
from outreach.store import MessageRow

__all__ = ["REPLANNED_KINDS", "replan_waiting"]

REPLANNED_KINDS = frozenset(
    {"outreach", "followup", "newtimes", "thankyou", "keepintouch", "congratulate"}
)


def _waited(app: AppContext, row: MessageRow, queued: bool = False) -> bool:
    """Held by the cap (or queued for its recipient's morning), and nothing wrong with it but
    perhaps its times."""
    from outreach.services.drafting.staleness import stale_reason

    if row.kind not in REPLANNED_KINDS or (row.held_at is None and not queued):
        return False
    reason = stale_reason(app, row, app.store.facts(row.contact_id)[row.contact_id])
    return reason is None or times_too_close(app, row, app.now())


def replan_waiting(
    app: AppContext, rows: Sequence[MessageRow], *, queued: bool = False
) -> tuple[list[MessageRow], list[str]]:
    """(the rows as they are now, the labels of those re-planned). ``queued``: the rows
    waited on the delivery queue, so each is dated anew even when its times still hold."""
    from outreach.services.drafting.drafts import draft_messages, plan_messages

    replanned: list[str] = []
    store = app.store
    for row in rows:
        if not _waited(app, row, queued):
            continue
        contact = store.contacts.get(row.contact_id)
        try:
            planned, _ = plan_messages(app, row.template, [contact], ignore_lint=True)
            planned = [plan for plan in planned if plan.idem_key == row.idem_key]
            if not planned:
                continue
            report = draft_messages(app, planned)
        except OutreachError:
            continue  # its template or times cannot be had now: the stale check says so
        if report.created or report.updated:
            replanned.append(contact.label())
    return [store.messages.by_id(row.id) for row in rows], replanned
