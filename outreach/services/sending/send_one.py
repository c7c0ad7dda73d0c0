"""Sending one drafted message the user picked (the web app's send button).

The same gates as `outreach send CONTACT --yes`, in the same order: only a drafted message
never claimed for sending, re-planned if it waited for the cap, nothing stale, nothing that
says it carries a file it does not, the recipient's morning (``[mail] deliver_window``:
queued for it unless ``right_now``, as ``send --now``), the rolling daily cap, at most once
ever (:func:`outreach.services.sending.send.send_messages`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from outreach.app import AppContext
from outreach.errors import OutreachError
from outreach.services.sending.queue import plan_delivery, queue_for_later
from outreach.services.sending.replan import replan_waiting
from outreach.services.sending.send import (
    SendReport,
    check_cap,
    send_messages,
    sendable,
    split_stale,
    split_unattached,
)

__all__ = ["SendOutcome", "send_or_queue"]


@dataclass
class SendOutcome:
    """What became of the message: sent (or not, and why) now, or queued until ``queued_at``."""

    report: SendReport = field(default_factory=SendReport)
    queued_at: datetime | None = None
    name: str = ""  # the contact's name


def send_or_queue(
    app: AppContext, message_row_id: int, *, right_now: bool = False,
    attachment_check: bool = True,
) -> SendOutcome:
    """Send the drafted message ``message_row_id``, or queue it for its recipient's morning
    when ``[mail] deliver_window`` says it is not that now (``right_now``: send at once).
    A stale one is reported, not sent; one that says it includes something and carries
    nothing is refused in the words `send` uses."""
    rows = [row for row in sendable(app, []) if row.id == message_row_id]
    if not rows:
        raise OutreachError(
            "That message is not waiting to be sent: it was sent, discarded or never drafted.",
            hint="`outreach contacts show CONTACT` lists its messages and their states.",
        )
    contact = app.store.contacts.get(rows[0].contact_id)
    name, ref = contact.name, contact.email or str(contact.id)
    rows, _replanned = replan_waiting(app, rows)
    fresh, stale = split_stale(app, rows)
    if not fresh:
        return SendOutcome(SendReport(stale=stale), name=name)
    if attachment_check:
        fresh, unattached = split_unattached(app, fresh)
        if unattached:
            who, claim = unattached[0]
            raise OutreachError(
                f"Not sent ({who}): it says \"{claim}\" but nothing is attached.",
                hint=f"Attach it (`outreach draft {rows[0].template} {ref} --attach FILE "
                "--force`, or in your mail client), or send it as it is with "
                f"`outreach send {ref} --no-attachment-check`.",
            )
    now = app.now()
    if not right_now:
        fresh, later = plan_delivery(app, fresh, now)
        if later:
            held = queue_for_later(app, later)
            if held is not None and not held.held:  # the server did not take it: why
                report = SendReport(stale=held.not_held, uncertain=held.uncertain)
                return SendOutcome(report, name=name)
            when = held.held[0][1] if held is not None else later[0][1]
            return SendOutcome(queued_at=when, name=name)
    check_cap(app, len(fresh), now)
    report = send_messages(app, fresh)
    report.stale[:0] = stale
    return SendOutcome(report, name=name)

