"""Planning a run of messages: who gets one, rendered how, answering what, with which times.

Nothing here writes: :func:`plan_messages` renders every message first, so a template error
or an etiquette error in what was rendered stops the run before any draft exists
(:mod:`outreach.services.drafting.drafts` then writes the drafts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from outreach.app import AppContext
from outreach.compose.followthrough import to_attach
from outreach.compose.mime import (
    safe_header_text,
)
from outreach.compose.render import RenderContext, RenderedMessage, render
from outreach.compose.templates import (
    TemplateSource,
    get_template,
    load_templates,
    parse_template,
)
from outreach.compose.threading import ReplyPoint
from outreach.contacts.model import Contact
from outreach.errors import ContactError
from outreach.services.contacts.conversation import idempotency_key, next_reply_point
from outreach.services.drafting.lint_guard import LintGuard
from outreach.store import Store
from outreach.track.model import ContactFacts, Stage
from outreach.track.pipeline import stage

CHUNK = 50
# Template name -> message kind; unknown (user-made) templates are first-contact messages.
KINDS = {
    "outreach": "outreach",
    "referral": "outreach",
    "followup": "followup",
    "newtimes": "newtimes",
    "confirm": "confirm",
    "thankyou": "thankyou",
    "keepintouch": "keepintouch",
    "cancel": "cancel",
    "congratulate": "congratulate",
}
THREADED_KINDS = {
    "followup",
    "newtimes",
    "confirm",
    "thankyou",
    "keepintouch",
    "cancel",
    "congratulate",
}
# Kinds that speak of a meeting that did not happen (cancelled or declined) too.
ANY_MEETING = frozenset({"confirm", "cancel", "newtimes"})


@dataclass
class PlannedMessage:
    """One message ready to draft: who, what, and where it goes in the thread."""

    contact: Contact
    idem_key: str
    kind: str
    template: str
    rendered: RenderedMessage
    reply: ReplyPoint | None = None  # where it goes in the conversation (None: a new thread)
    slots: list[Any] = field(default_factory=list)
    note: str | None = None  # e.g. why its slots are not exclusive
    shared_with: int = 0  # most other contacts offered one of its slot times
    ics: bytes | None = None  # a calendar invite (REQUEST or CANCEL) to attach
    ics_method: str = "REQUEST"
    meeting_id: int | None = None
    cc: list[str] = field(default_factory=list)  # copied (Cc): an assistant, on invites
    # For the user, on the terminal (never in the message): e.g. what to attach before sending.
    reminders: list[str] = field(default_factory=list)
    attachments: list[Path] = field(default_factory=list)  # files the message carries

    @property
    def thread_id(self) -> str | None:
        return None if self.reply is None else self.reply.thread_id

    @property
    def in_reply_to(self) -> str | None:
        return None if self.reply is None else self.reply.in_reply_to

    @property
    def references(self) -> list[str]:
        return [] if self.reply is None else list(self.reply.references)

    @property
    def subject(self) -> str:
        """The Subject as it goes on the wire (a reply carries its thread's first subject)."""
        if self.reply is not None:
            return self.reply.subject
        return safe_header_text(self.rendered.subject)


@dataclass
class DraftReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)  # drafts the user edited, left alone
    planned: list[PlannedMessage] = field(default_factory=list)
    dry_run: bool = False


ProgressFn = Callable[[int], None]
KeyFn = Callable[[Contact], str]


def select_contacts(
    app: AppContext, refs: Sequence[str], tag: str | None, stage_filter: str | None
) -> list[Contact]:
    """The contacts a command names, by reference, tag and/or stage."""
    store = app.store
    if refs:
        chosen = [store.contacts.get(ref) for ref in refs]
    elif tag or stage_filter:
        chosen = store.contacts.all(tag=tag)
    else:
        raise ContactError(
            "No contacts given.",
            hint="Name contacts (email or id), or choose them with --tag T and/or --stage S.",
        )
    tagged = len(chosen)
    if stage_filter:
        facts = store.facts()
        chosen = [c for c in chosen if stage(facts[c.id]).value == stage_filter]
    if not chosen and not refs:
        raise _empty_selection(app, tag, stage_filter, tagged)
    return chosen


def _empty_selection(
    app: AppContext, tag: str | None, stage_filter: str | None, tagged: int
) -> ContactError:
    """Why --tag/--stage chose nobody, and how to see what there is."""
    if tag and not tagged:
        known = app.store.contacts.all_tags()
        shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        return ContactError(
            f"No contact has the tag {tag!r}, so there is nothing to do.",
            hint=f"Tags in use: {shown}." if known else "No contact has any tag yet; add one "
            "with `outreach contacts edit CONTACT --tag T` or `contacts import FILE --tag T`.",
        )
    among = f"the {tagged} contact{'' if tagged == 1 else 's'} tagged {tag!r}" if tag else (
        "your contacts"
    )
    return ContactError(
        f"None of {among} is in stage {stage_filter!r}, so there is nothing to do.",
        hint="`outreach status` shows how many contacts are in each stage.",
    )


def message_kind(template_name: str) -> str:
    return KINDS.get(template_name, "outreach")


def plan_messages(
    app: AppContext,
    template_name: str,
    contacts: Sequence[Contact],
    *,
    extra_vars: Callable[[Contact], dict[str, Any]] | None = None,
    key_for: KeyFn | None = None,
    meeting_id: int | None = None,
    ignore_lint: bool = False,
    progress: ProgressFn | None = None,
    when_full: str | None = None,
    limit: int | None = None,
    within: tuple[datetime, datetime] | None = None,
    attach: Sequence[Path] = (),
) -> tuple[list[PlannedMessage], list[tuple[str, str]]]:
    """Render every message (no writes). Template errors, and etiquette errors in what was
    rendered (unless ``ignore_lint``), raise before anything is drafted, and so does free time
    running out when ``when_full`` is "stop" (see SlotPlanner). ``limit``: plan at most this
    many messages (the first contacts that need one). ``within``: times only inside this
    range (one they proposed). ``attach``: files every message carries (checked here: a
    missing or unreadable file stops the run before anything is drafted).

    ``progress`` is advanced by one per contact considered."""
    from outreach.services.meetings.availability import SlotPlanner
    from outreach.services.meetings.meeting_context import meeting_context
    from outreach.services.workspace.setup import ensure_user_is_set

    ensure_user_is_set(app.config)
    from outreach.services.drafting.attaching import (
        check_attachable,
        kept_attachments,
        resume_file,
    )

    files = [check_attachable(path) for path in attach]
    resume = None
    source = get_template(load_templates(app.workspace.templates_dir), template_name)
    kind = KINDS.get(template_name) or message_kind(parse_template(source).kind)
    if kind == "thankyou":
        resume = resume_file(app)
    store = app.store
    facts_by_id = store.facts()
    now = app.now()
    guard = None if ignore_lint else LintGuard(app, source)
    planner = SlotPlanner(app, now, when_full, within) if uses_slots(source) else None
    wants_conversation = "conversation" in source.text
    planned: list[PlannedMessage] = []
    skipped: list[tuple[str, str]] = []
    for contact in contacts:
        if limit is not None and len(planned) >= limit:
            break
        if progress:
            progress(1)
        facts = facts_by_id[contact.id]
        reason = _skip_reason(contact, facts, kind)
        if reason:
            skipped.append((contact.label(), reason))
            continue
        meeting = store.meetings.latest(contact.id)
        key = key_for(contact) if key_for else idempotency_key(store, kind, contact, facts, meeting)
        existing = store.messages.by_key(key)
        if existing is not None and existing.send_started_at is not None:
            skipped.append((contact.label(), f"its {kind} message was already sent"))
            continue
        slots = planner.slots_for(contact, key=key) if planner else []
        if extra_vars is not None:
            meeting_values = extra_vars(contact).get("meeting")
        else:
            meeting_values = meeting_context(app, contact, include_cancelled=kind in ANY_MEETING)
        talk = conversation_vars(app, contact.id, facts) if wants_conversation else None
        context = context_for_contact(app, contact, slots, meeting_values, talk)
        rendered = render(source, context)
        if guard is not None:
            guard.check(contact, rendered, context)
        plan = PlannedMessage(contact, key, kind, template_name, rendered, slots=slots)
        plan.meeting_id = meeting_id
        plan.attachments = list(files) or kept_attachments(existing)
        if kind == "thankyou" and meeting is not None:
            plan.meeting_id = meeting.id
            plan.reminders = attach_reminders(store, meeting.id, resume, plan.attachments)
        if planner is not None and contact.id in planner.notes:
            plan.note = planner.notes[contact.id]
            plan.shared_with = planner.shared.get(contact.id, 0)
        if kind in THREADED_KINDS:
            plan.reply = next_reply_point(store, contact)
        planned.append(plan)
    if guard is not None:
        guard.raise_if_failed()
    if planner is not None:
        planner.check()
    from outreach.services.sync.prior import note_prior_contact

    note_prior_contact(app, planned)  # a "cold" first message to someone the user knows
    return planned, skipped


def attach_reminders(
    store: Store,
    meeting_id: int,
    resume: Path | None = None,
    attachments: list[Path] | None = None,
) -> list[str]:
    """What the user promised to send in this conversation, to attach to the thank-you. A
    promised résumé is attached from ``resume`` (``[user] resume``; added to
    ``attachments``) when set."""
    from outreach.compose.attachments import is_resume

    reminders = []
    for promise in store.promises.for_meeting(meeting_id):
        thing = to_attach(promise.text) if promise.done_at is None else ""
        if thing and resume is not None and attachments is not None and is_resume(thing):
            if resume not in attachments:
                attachments.append(resume)
            reminders.append(
                f'attached {resume.name} ([user] resume) for "{promise.text}"; once it is sent, '
                f"`outreach promises --done {promise.id}`"
            )
            continue
        if thing:
            reminders.append(
                f'attach {thing} before you send it (you promised: "{promise.text}"); then '
                f"`outreach promises --done {promise.id}`"
            )
    return reminders


def render_for_contact(
    app: AppContext,
    source: TemplateSource,
    contact: Contact,
    slots: Sequence[Any],
    meeting: dict[str, Any] | None,
) -> RenderedMessage:
    """Render one template for one contact: the same path for preview, draft and follow-up."""
    return render(source, context_for_contact(app, contact, slots, meeting))


def conversation_vars(app: AppContext, contact_id: int, facts: ContactFacts) -> dict[str, Any]:
    """``conversation`` for templates: how long ago they last replied (in days; None when
    they never did) and whether every time a sent message offered them is over."""
    now = app.now()
    zone = app.config.user.zone
    replied = None
    if facts.last_reply_at is not None:
        replied = (now.astimezone(zone).date() - facts.last_reply_at.astimezone(zone).date()).days
    store = app.store
    sent = {m.idem_key for m in store.messages.for_contact(contact_id) if m.state == "sent"}
    ends = [
        datetime.fromisoformat(p.end)
        for p in store.proposals.for_contact(contact_id)
        if p.message_idem_key in sent
    ]
    return {"replied_days_ago": replied, "offers_passed": bool(ends) and max(ends) <= now}


def context_for_contact(
    app: AppContext,
    contact: Contact,
    slots: Sequence[Any],
    meeting: dict[str, Any] | None,
    conversation: dict[str, Any] | None = None,
) -> RenderContext:
    """What a template sees for this contact."""
    referrer = None
    if contact.referred_by is not None:
        referrer = app.store.contacts.find(str(contact.referred_by))
    return RenderContext.for_contact(
        contact,
        app.config.user,
        today=app.now().astimezone(app.config.user.zone).date(),
        slots=slots,
        referrer=referrer,
        meeting=meeting,
        meeting_minutes=app.config.schedule.meeting_minutes,
        conversation=conversation,
    )


def uses_slots(source: TemplateSource) -> bool:
    return "slots" in source.text


def _skip_reason(contact: Contact, facts: ContactFacts, kind: str) -> str | None:
    if not contact.email:
        return "no email address (add one with `outreach contacts edit`)"
    current = stage(facts)
    if current is Stage.BOUNCED:
        return "mail to this address bounced"
    if current is Stage.CLOSED:
        return "closed"
    if kind == "outreach" and facts.first_sent_at is not None:
        return "already contacted (use the followup template for a nudge)"
    if kind == "thankyou" and facts.meeting_state in ("missed", "cancelled", "declined"):
        return (
            f"a thank-you is for a conversation that took place; the meeting was "
            f"{facts.meeting_state} (`outreach draft newtimes` offers new times)"
        )
    return None
