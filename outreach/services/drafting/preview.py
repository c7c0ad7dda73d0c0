"""`outreach templates preview`: exactly the message a template makes for one contact.

Rendered through the same path as `draft` (slots proposed but not held, the meeting as
templates see it), and addressed as `draft` would address it: a message that goes in the
contact's thread carries that thread's subject (``Re: <first subject>``), not the template's.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.app import AppContext
from outreach.compose.mime import safe_header_text
from outreach.compose.render import RenderedMessage
from outreach.compose.templates import get_template, load_templates
from outreach.contacts.model import Contact
from outreach.services.contacts.conversation import next_reply_point
from outreach.services.drafting.planning import (
    ANY_MEETING,
    KINDS,
    THREADED_KINDS,
    message_kind,
    render_for_contact,
    uses_slots,
)

__all__ = ["Preview", "preview_message"]


@dataclass
class Preview:
    contact: Contact
    rendered: RenderedMessage
    subject: str  # as it would go on the wire
    in_reply_to: str | None
    proposes_slots: bool
    note: str | None  # why its slots are not exclusive, when they are not


def preview_message(app: AppContext, template: str, ref: str) -> Preview:
    from outreach.compose.templates import parse_template
    from outreach.services.meetings.availability import SlotPlanner
    from outreach.services.meetings.meeting_context import meeting_context

    source = get_template(load_templates(app.workspace.templates_dir), template)
    person = app.store.contacts.get(ref)
    kind = KINDS.get(template) or message_kind(parse_template(source).kind)
    planner = SlotPlanner(app, app.now()) if uses_slots(source) else None
    slots = planner.slots_for(person) if planner is not None else []
    meeting = meeting_context(app, person, include_cancelled=kind in ANY_MEETING)
    rendered = render_for_contact(app, source, person, slots, meeting)
    point = next_reply_point(app.store, person) if kind in THREADED_KINDS else None
    return Preview(
        contact=person,
        rendered=rendered,
        subject=point.subject if point is not None else safe_header_text(rendered.subject),
        in_reply_to=None if point is None else point.in_reply_to,
        proposes_slots=planner is not None,
        note=None if planner is None else planner.notes.get(person.id),
    )
