"""`outreach followup`: draft everything `outreach due` lists that a message answers.

==================  ===============  ============================================
due action          template         notes
==================  ===============  ============================================
follow_up           ``followup``     in the contact's thread (Re:, In-Reply-To)
propose_times       ``newtimes``     fresh slots, after a late reply or a decline
thank_you           ``thankyou``     ``meeting`` with notes, takeaways, referrals
keep_in_touch       ``keepintouch``  ``meeting`` when there was one; referrals' news
reach_referral      ``referral``     ``referrer`` is who suggested them (``outreach``
                                     when the referrer would rather not be named)
congratulate        ``congratulate`` a new job seen on a re-import; in the thread
==================  ===============  ============================================

``book`` is not drafted: it needs a time (``outreach book CONTACT --slot N``); nor are
``close``, ``prepare`` (``outreach prep``) and ``promise`` (the user keeps it). An action
whose message is already drafted only waits to be sent: it is listed,
not drafted again (that would move the times it proposes).

Planning and drafting go through :func:`~outreach.services.drafting.drafts.plan_messages` and
:func:`~outreach.services.drafting.drafts.draft_messages`, so idempotency keys and threading are the
drafting ones: a re-run updates the same drafts, and a drafted nudge or note stops being due.
Every template is rendered once before anything is written (a template error stops the run
with nothing drafted); then each template is planned again and drafted in turn, so slots held
by one template's drafts are not offered again by the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from outreach.app import AppContext
from outreach.contacts.model import Contact
from outreach.progress import NO_PROGRESS, Progress
from outreach.services.drafting.drafts import (
    DraftReport,
    PlannedMessage,
    draft_messages,
    plan_messages,
)
from outreach.services.reporting.due import due_now
from outreach.track.model import Action

__all__ = ["TEMPLATE_FOR", "FollowupOutcome", "draft_due", "due_now"]

# In drafting order.
TEMPLATE_FOR: dict[Action, str] = {
    Action.THANK_YOU: "thankyou",
    Action.PROPOSE_TIMES: "newtimes",
    Action.FOLLOW_UP: "followup",
    Action.REACH_REFERRAL: "referral",
    Action.KEEP_IN_TOUCH: "keepintouch",
    Action.CONGRATULATE: "congratulate",
}
# A referral whose referrer would rather not be named gets a plain first message.
UNNAMED_REFERRAL_TEMPLATE = "outreach"


@dataclass
class FollowupOutcome:
    planned: dict[str, list[PlannedMessage]] = field(default_factory=dict)
    reports: list[DraftReport] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    waiting_to_send: list[tuple[str, str]] = field(default_factory=list)  # (label, what)
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(len(plans) for plans in self.planned.values())


def _work(
    app: AppContext,
) -> tuple[dict[str, list[Contact]], list[tuple[str, str]], list[tuple[str, str]]]:
    """Contacts per template, in drafting order; those that cannot be drafted yet; and those
    whose message is drafted and only waits to be sent."""
    store = app.store
    wanted: dict[str, list[Contact]] = {name: [] for name in TEMPLATE_FOR.values()}
    wanted[UNNAMED_REFERRAL_TEMPLATE] = []
    skipped: list[tuple[str, str]] = []
    waiting: list[tuple[str, str]] = []
    for action in due_now(app):
        template = TEMPLATE_FOR.get(action.action)
        if template is None:
            continue
        contact = store.contacts.get(action.contact_id)
        if action.action is Action.REACH_REFERRAL and contact.mention_referrer is False:
            template = UNNAMED_REFERRAL_TEMPLATE
        if action.drafted:
            waiting.append((contact.label(), f"the {template} message is drafted"))
            continue
        window = action.detail("proposed_range")
        if isinstance(window, dict):  # times inside the range they proposed: its own command
            ref = contact.email or str(contact.id)
            skipped.append((contact.label(), "they proposed a range: `outreach draft newtimes "
                            f"{ref} --between {window['start']} {window['end']}`"))
            continue
        if action.action is Action.THANK_YOU:
            meeting = store.meetings.latest(contact.id)
            if meeting is None or not (meeting.notes.strip() or meeting.takeaways.strip()):
                ref = contact.email or str(contact.id)
                skipped.append(
                    (
                        contact.label(),
                        "a thank-you names something they said: record it first with "
                        f'`outreach met {ref} --notes "..."`',
                    )
                )
                continue
        wanted[template].append(contact)
    return {name: people for name, people in wanted.items() if people}, skipped, waiting


def draft_due(
    app: AppContext,
    *,
    dry_run: bool = False,
    ignore_lint: bool = False,
    force: bool = False,
    attach: Sequence[Path] = (),
    progress: Progress = NO_PROGRESS,
) -> FollowupOutcome:
    """Plan (and unless ``dry_run``, draft) every due nudge, new times, thank-you, referral
    outreach and keep-in-touch note. ``progress`` counts the drafts written, once planned."""
    work, skipped, waiting = _work(app)
    outcome = FollowupOutcome(skipped=list(skipped), waiting_to_send=waiting, dry_run=dry_run)
    # Render everything first: a template error (or an etiquette error in what was
    # rendered) stops the run before any draft is written.
    first_pass: dict[str, list[PlannedMessage]] = {}
    for template, contacts in work.items():
        planned, not_planned = plan_messages(
            app, template, contacts, ignore_lint=ignore_lint, attach=attach
        )
        first_pass[template] = planned
        outcome.skipped.extend(not_planned)
    if dry_run:
        outcome.planned = {name: plans for name, plans in first_pass.items() if plans}
        return outcome
    outcome.skipped = list(skipped)
    progress.expect(sum(len(plans) for plans in first_pass.values()))
    for template, contacts in work.items():
        planned, not_planned = plan_messages(
            app, template, contacts, ignore_lint=ignore_lint, attach=attach
        )
        report = (
            draft_messages(app, planned, progress=progress, force=force)
            if planned
            else DraftReport()
        )
        report.skipped[:0] = not_planned
        outcome.skipped.extend(not_planned)
        if planned:
            outcome.planned[template] = planned
        outcome.reports.append(report)
    if skipped:
        if not outcome.reports:
            outcome.reports.append(DraftReport())
        outcome.reports[0].skipped[:0] = skipped
    return outcome
