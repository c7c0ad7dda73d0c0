"""What `watch` does after each sync, so the user hears of things off the terminal.

1. Delivers the queue: messages whose recipient's morning has come (under the daily cap).
2. Notifies on the desktop of each new reply, bounce and answer to an invite.
3. Once each working day, from the start of the user's working hours: a summary of what is
   due, as a notification, and (``[followup] digest = true``) a digest drafted into the
   user's own mailbox, replacing the previous one.
Whatever cannot be shown as a notification is written as a plain log line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from outreach.app import AppContext
from outreach.errors import OutreachError
from outreach.mail.backend import DraftRequest, Failure
from outreach.services.reporting.due import DueItem, due_items
from outreach.services.sending.queue import deliver_due
from outreach.services.sending.send import SendReport
from outreach.services.sync.record import SyncReport

if TYPE_CHECKING:
    from outreach.compose.context import RenderedMessage

__all__ = ["CycleReport", "Notifier", "after_sync", "digest_message"]

Notifier = Callable[[str, str], bool]
"""Shows (title, body) on the desktop; False when it could not."""

NOTIFY_KINDS = {"reply": "Reply from", "bounce": "Bounced:", "rsvp": "Answer to your invite from"}
_SUMMARY_DAY = "summary_day"
_DIGEST_DAY = "digest_day"
_DIGEST_DRAFT = "digest_draft_id"
DIGEST_KEY = "digest:morning"


@dataclass
class CycleReport:
    delivered: SendReport | None = None
    lines: list[str] = field(default_factory=list)  # what was shown, or could not be


def _show(notify: Notifier, report: CycleReport, title: str, body: str) -> None:
    shown = notify(title, body)
    report.lines.append(f"{title} {body}" + ("" if shown else " (no desktop notifier: logged)"))


def _notify_changes(notify: Notifier, sync: SyncReport, report: CycleReport) -> None:
    for change in sync.changes:
        prefix = NOTIFY_KINDS.get(change.kind)
        if prefix is not None:
            _show(notify, report, f"outreach: {prefix} {change.contact}", change.text)


def _morning_has_come(app: AppContext, now: datetime) -> bool:
    """A working day of the user's, at or after the start of their working hours."""
    schedule = app.config.schedule
    local = now.astimezone(app.config.user.zone)
    minutes = local.hour * 60 + local.minute
    return local.weekday() in schedule.working_weekdays and minutes >= schedule.work_start_minutes


def _summary_text(items: list[DueItem]) -> str:
    overdue = sum(1 for item in items if item.action.overdue)
    head = ", ".join(f"{item.name}: {item.text}" for item in items[:3])
    more = f" and {len(items) - 3} more" if len(items) > 3 else ""
    late = f" ({overdue} overdue)" if overdue else ""
    return f"{head}{more}{late}. `outreach due` shows them all."


def digest_message(app: AppContext, items: list[DueItem], now: datetime) -> RenderedMessage:
    """The morning digest: each due item with the command that does it."""
    from outreach.compose.context import RenderedMessage

    day = now.astimezone(app.config.user.zone)
    lines = [f"What is due on {day:%A %d %B}, most urgent first:", ""]
    for item in items:
        late = " (overdue)" if item.action.overdue else ""
        lines.append(f"- {item.name}: {item.text}{late}")
        lines.append(f"    {item.command}")
    lines += ["", "This digest is a draft in your own mailbox; `outreach due` shows the same list."]
    count = f"{len(items)} thing{'' if len(items) == 1 else 's'}"
    return RenderedMessage(
        subject=f"outreach: {count} due today ({day:%a %d %b})",
        text="\n".join(lines) + "\n",
        html=None,
        template_name="digest",
        kind="digest",
    )


def _draft_digest(app: AppContext, items: list[DueItem], now: datetime) -> str:
    """Draft today's digest to the user, replacing yesterday's; a line saying what happened."""
    from outreach.compose.mime import build_message, make_message_id

    user = app.config.user
    domain = user.email.rpartition("@")[2] or "localhost"
    message = build_message(
        rendered=digest_message(app, items, now),
        from_name=user.name,
        from_email=user.email,
        to_name=user.name,
        to_email=user.email,
        message_id=make_message_id(domain),
        date=now,
    )
    state = app.store.watch_state
    previous = state.get(_DIGEST_DRAFT)
    result = app.mail().upsert_drafts(
        [DraftRequest(key=DIGEST_KEY, message=message, draft_id=previous)]
    )[DIGEST_KEY]
    if isinstance(result, Failure):
        return f"Morning digest not drafted: {result.reason}"
    with app.store.transaction():
        state.set(_DIGEST_DRAFT, result.draft_id)
    return f"Morning digest drafted to {user.email} ({len(items)} due)."


def _mornings(app: AppContext, notify: Notifier, report: CycleReport) -> None:
    now = app.now()
    if not _morning_has_come(app, now):
        return
    today = now.astimezone(app.config.user.zone).date().isoformat()
    state = app.store.watch_state
    summary_due = state.get(_SUMMARY_DAY) != today
    digest_due = app.config.followup.digest and state.get(_DIGEST_DAY) != today
    if not (summary_due or digest_due):
        return
    items = due_items(app)
    if summary_due:
        if items:
            title = f"outreach: {len(items)} thing{'' if len(items) == 1 else 's'} due today"
            _show(notify, report, title, _summary_text(items))
        with app.store.transaction():
            state.set(_SUMMARY_DAY, today)
    if digest_due:
        if items:
            try:
                report.lines.append(_draft_digest(app, items, now))
            except OutreachError as exc:
                report.lines.append(f"Morning digest not drafted: {exc.message}")
                return  # tried again next cycle
        with app.store.transaction():
            state.set(_DIGEST_DAY, today)


def after_sync(app: AppContext, sync: SyncReport, notify: Notifier) -> CycleReport:
    """Deliver, notify, summarise: one `watch` cycle's work after its sync (writer lock held)."""
    report = CycleReport()
    report.delivered = deliver_due(app)
    _notify_changes(notify, sync, report)
    _mornings(app, notify, report)
    return report
