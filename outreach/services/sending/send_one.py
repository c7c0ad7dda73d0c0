"""Sending one drafted message the user picked (the web app's send button).

The same gates as `outreach send CONTACT --yes`, in the same order: only a drafted message
never claimed for sending, nothing stale, the rolling daily cap, at most once ever
(:func:`outreach.services.sending.send.send_messages`).
"""

from __future__ import annotations

from outreach.app import AppContext
from outreach.errors import OutreachError
from outreach.services.sending.send import (
    SendReport,
    check_cap,
    send_messages,
    sendable,
    split_stale,
)

__all__ = ["send_drafted"]


def send_drafted(app: AppContext, message_row_id: int) -> SendReport:
    """Send the drafted message ``message_row_id``; a stale one is reported, not sent."""
    rows = [row for row in sendable(app, []) if row.id == message_row_id]
    if not rows:
        raise OutreachError(
            "That message is not waiting to be sent: it was sent, discarded or never drafted.",
            hint="`outreach contacts show CONTACT` lists its messages and their states.",
        )
    fresh, stale = split_stale(app, rows)
    if not fresh:
        return SendReport(stale=stale)
    check_cap(app, len(fresh), app.now())
    report = send_messages(app, fresh)
    report.stale[:0] = stale
    return report
