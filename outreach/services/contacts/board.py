"""The pipeline as a board (the web app's Pipeline page) and one contact's page: the same
listing and detail as `contacts list` and `contacts show`, with what the page's controls
offer (the tags and sources to filter by, the brief, the drafted messages to send)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from outreach.app import AppContext
from outreach.compose.brief import ThreadEntry
from outreach.compose.templates import load_templates
from outreach.errors import OutreachError
from outreach.services.contacts.listing import list_contacts
from outreach.services.contacts.timeline import contact_detail, span_text
from outreach.services.meetings.availability import contact_zone_or_none
from outreach.services.meetings.brief import brief_text, conversation
from outreach.services.sending.send import sendable
from outreach.track.model import STAGES

__all__ = ["Board", "ContactPage", "board", "contact_page"]


@dataclass(frozen=True)
class Board:
    columns: list[tuple[str, list[dict[str, Any]]]]  # stage -> contacts, in pipeline order
    tags: list[str]
    sources: list[str]
    shown: int


def board(app: AppContext, *, tag: str | None, source: str | None, search: str | None) -> Board:
    """Contacts by stage, filtered as `contacts list --tag --search` (and by source)."""
    store = app.store
    rows = list_contacts(store, stage_filter=None, tag=tag, search=search, source=source)
    columns = [(name, [r for r in rows if r["stage"] == name]) for name in STAGES]
    sources = sorted({c.source for c in store.contacts.all() if c.source})
    return Board(columns, store.contacts.all_tags(), sources, len(rows))


@dataclass(frozen=True)
class ContactPage:
    detail: dict[str, Any]
    brief: str  # the prep brief as Markdown ("" when it cannot be made yet)
    brief_problem: str
    drafted: list[tuple[int, str, str]]  # (message row id, kind, subject) waiting to be sent
    templates: list[str]
    meetings: list[dict[str, str]]  # each with "when" in both zones
    thread: list[ThreadEntry]  # the conversation, their words where readable
    thread_note: str  # why their words cannot be read, when they cannot
    referred: list[tuple[str, str]]  # (name, email or id) of those this contact referred


def contact_page(app: AppContext, ref: str) -> ContactPage:
    """Everything the Contact page shows, as `contacts show` and `prep` would."""
    detail = contact_detail(app.store, ref, app.config.user.zone, app.now())
    try:
        brief, problem = brief_text(app, ref), ""
    except OutreachError as exc:
        brief, problem = "", exc.message
    contact_id = int(detail["id"])
    drafted = [
        (row.id, row.kind, row.subject)
        for row in sendable(app, [])
        if row.contact_id == contact_id
    ]
    names = sorted(load_templates(app.workspace.templates_dir))
    contact = app.store.contacts.by_id(contact_id)
    theirs = contact_zone_or_none(contact)
    meetings = [
        {
            "when": span_text(m.start, m.end, app.config.user.zone, theirs),
            "state": m.state,
            "notes": m.notes,
            "takeaways": m.takeaways,
        }
        for m in app.store.meetings.for_contact(contact_id)
    ]
    thread, note = conversation(app, ref)
    referred = [
        (c.name, c.email or str(c.id))
        for c in app.store.contacts.all()
        if c.referred_by == contact_id
    ]
    return ContactPage(detail, brief, problem, drafted, names, meetings, thread, note, referred)
