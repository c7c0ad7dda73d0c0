"""One contact's full picture for `contacts show`: fields, stage, and a merged timeline."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, tzinfo
from typing import Any

from outreach.services.contacts import contact_summary
from outreach.store import Store
from outreach.store.events import EventRow
from outreach.track.pipeline import stage


def _event_json(event: EventRow) -> dict[str, Any]:
    """An event with backend-neutral keys (``backend_message_id``, not Gmail's name)."""
    data = {k: v for k, v in asdict(event).items() if k not in ("id", "contact_id")}
    data["backend_message_id"] = data.pop("gmail_id")
    return data


def contact_detail(store: Store, ref: str, user_zone: tzinfo) -> dict[str, Any]:
    contact = store.contacts.get(ref)
    facts = store.facts(contact.id)[contact.id]
    detail = contact_summary(contact, stage(facts))
    detail.update(
        first_name=contact.display_first_name,
        linkedin_url=contact.linkedin_url,
        notes=contact.notes,
        extra=contact.extra,
        created_at=contact.created_at,
    )
    if contact.referred_by is not None:
        referrer = store.contacts.find(str(contact.referred_by))
        detail["referrer"] = None if referrer is None else referrer.label()
    messages = store.messages.for_contact(contact.id)
    events = store.events.for_contact(contact.id)
    proposals = store.proposals.for_contact(contact.id)
    meetings = store.meetings.for_contact(contact.id)
    detail["messages"] = [
        {
            "kind": m.kind,
            "template": m.template,
            "subject": m.subject,
            "state": m.state,
            "message_id": m.message_id,
            "backend": m.backend,
            "draft_id": m.draft_id,
            "backend_message_id": m.gmail_id,
            "thread_id": m.thread_id,
            "created_at": m.created_at,
            "sent_at": m.sent_at,
            "error": m.error,
        }
        for m in messages
    ]
    detail["events"] = [_event_json(e) for e in events]
    detail["proposals"] = [
        {"slot": p.slot_index, "start": p.start, "end": p.end, "state": p.state} for p in proposals
    ]
    detail["meetings"] = [
        {k: v for k, v in asdict(m).items() if k not in ("id", "contact_id")} for m in meetings
    ]
    timeline: list[dict[str, str]] = [
        {"at": contact.created_at, "what": f"added ({contact.source})"}
    ]
    for m in messages:
        timeline.append({"at": m.created_at, "what": f"{m.kind} drafted: {m.subject}"})
        if m.sent_at:
            timeline.append({"at": m.sent_at, "what": f"{m.kind} sent: {m.subject}"})
    for e in events:
        if e.kind == "own_send":
            continue
        extra = f" (back {e.return_date})" if e.return_date else ""
        timeline.append(
            {"at": e.occurred_at, "what": f"{e.kind.replace('_', '-')} from {e.sender}{extra}"}
        )
    for mt in meetings:
        timeline.append({"at": mt.start, "what": f"meeting {mt.state} ({mt.start} to {mt.end})"})
        if mt.met_at:
            timeline.append({"at": mt.met_at, "what": "conversation recorded"})
    for entry in timeline:
        at = datetime.fromisoformat(entry["at"]).astimezone(user_zone)
        entry["at"] = at.isoformat(timespec="minutes")
    timeline.sort(key=lambda entry: datetime.fromisoformat(entry["at"]))
    detail["timeline"] = timeline
    return detail
