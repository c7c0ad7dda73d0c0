"""Composing one message for one contact, as the web app's Compose page does: the template
previewed with its etiquette findings, and the draft written from the text the user edited.

The same planning, lint gate and drafting as `outreach draft TEMPLATE CONTACT`: an edited text
is checked by the same rules as a rendered one, and nothing here sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from outreach.app import AppContext
from outreach.compose.attachments import attachment_claims
from outreach.compose.lint import lint_rendered
from outreach.compose.lint_findings import LintFinding
from outreach.compose.templates import get_template, load_templates
from outreach.errors import ContactError
from outreach.services.drafting.drafts import DraftReport, draft_messages, plan_messages
from outreach.services.drafting.lint_guard import LintGuard
from outreach.services.drafting.planning import attach_reminders, context_for_contact
from outreach.services.drafting.preview import Preview, preview_message
from outreach.services.meetings.meeting_context import meeting_context

__all__ = ["ComposeView", "compose_view", "draft_for_contact"]


@dataclass(frozen=True)
class ComposeView:
    """A template rendered for a contact, and what the etiquette rules say about it."""

    preview: Preview
    findings: list[LintFinding]
    templates: list[str]  # every template the user may pick instead
    reminders: list[str]  # what to attach before sending (promises made in the meeting)
    attached: list[str]  # the files the contact's draft of this template carries now
    claims: list[str]  # what the text says it includes ("I've attached my résumé")


def compose_view(app: AppContext, template: str, ref: str, text: str | None = None) -> ComposeView:
    """Preview ``template`` for ``ref`` (with ``text`` in place of the rendered body, when the
    user edited it) and lint what would be drafted."""
    preview = preview_message(app, template, ref)
    if text is not None:
        preview = replace(preview, rendered=replace(preview.rendered, text=text, html=None))
    source = get_template(load_templates(app.workspace.templates_dir), template)
    meeting = meeting_context(app, preview.contact, include_cancelled=True)
    context = context_for_contact(app, preview.contact, [], meeting)
    templates = load_templates(app.workspace.templates_dir)
    meeting_row = app.store.meetings.latest(preview.contact.id)
    reminders = [] if meeting_row is None else attach_reminders(app.store, meeting_row.id)
    return ComposeView(
        preview, lint_rendered(source, preview.rendered, context), sorted(templates), reminders,
        _attached(app, preview.contact.id, template), attachment_claims(preview.rendered.text),
    )


def _attached(app: AppContext, contact_id: int, template: str) -> list[str]:
    """The file names the contact's unsent draft of ``template`` carries."""
    from outreach.services.drafting.attaching import record_of

    rows = [row for row in app.store.messages.for_contact(contact_id)
            if row.state == "drafted" and row.template == template]
    return [Path(name).name for row in rows[-1:] for name in record_of(row).files]


def draft_for_contact(
    app: AppContext, template: str, ref: str, *, text: str | None = None,
    attach: Sequence[Path] = (),
) -> DraftReport:
    """Draft ``template`` for one contact, with ``text`` as its body when the user edited it,
    carrying ``attach`` (as `draft --attach`; checked the same way, and a re-draft without
    files keeps the ones the draft had).

    The edited text passes the same lint gate as a rendered one (errors stop it, nothing is
    written); a contact the CLI would skip is an error here, saying why."""
    contact = app.store.contacts.get(ref)
    planned, skipped = plan_messages(app, template, [contact], attach=attach)
    if skipped:
        label, reason = skipped[0]
        raise ContactError(
            f"Nothing was drafted for {label}: {reason}.",
            hint="`outreach due` says what to do for this contact now.",
        )
    plan = planned[0]
    if text is not None and text.strip() != plan.rendered.text.strip():
        plan.rendered = replace(plan.rendered, text=text.rstrip() + "\n", html=None)
        source = get_template(load_templates(app.workspace.templates_dir), template)
        guard = LintGuard(app, source)
        meeting = meeting_context(app, contact, include_cancelled=True)
        guard.check(contact, plan.rendered, context_for_contact(app, contact, plan.slots, meeting))
        guard.raise_if_failed()
    return draft_messages(app, planned)
