"""One contact's full picture for `contacts show`: fields, stage, and a merged timeline."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from outreach.schedule.slots import Slot
from outreach.services.contacts.manage import contact_summary
from outreach.services.meetings.availability import contact_zone_or_none
from outreach.store import Store
from outreach.store.events import EventRow
from outreach.store.meetings import ProposalRow
from outreach.track.pipeline import stage


def span_text(start: str, end: str, user_zone: tzinfo, contact_zone: tzinfo | None) -> str:
    """A stored span as people read it: in the user's zone, and the contact's."""
    first, last = datetime.fromisoformat(start), datetime.fromisoformat(end)
    if last <= first:
        last = first + timedelta(minutes=1)
    return Slot(first, last).format(user_zone, contact_zone)


def _offer(rows: list[ProposalRow]) -> list[ProposalRow]:
    """The latest offer's slots: what "--slot N" refers to."""
    if not rows:
        return []
    latest = max(rows, key=lambda p: (p.created_at, p.id))
    return sorted(
        (p for p in rows if p.message_idem_key == latest.message_idem_key),
        key=lambda p: p.slot_index,
    )


def _event_json(event: EventRow) -> dict[str, Any]:
    """An event with backend-neutral keys (``backend_message_id``, not Gmail's name)."""
    data = {k: v for k, v in asdict(event).items() if k not in ("id", "contact_id")}
    data["backend_message_id"] = data.pop("gmail_id")
    data["reading"] = None if event.reading is None else json.loads(event.reading)
    return data


def contact_detail(
    store: Store, ref: str, user_zone: tzinfo, now: datetime | None = None
) -> dict[str, Any]:
    contact = store.contacts.get(ref)
    their_zone = contact_zone_or_none(contact)
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
    if facts.closed:
        detail["closed_reason"] = facts.closed_reason or None
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
    detail["cc"] = store.meeting_cc.for_contact(contact.id)  # copied on invites (`book --cc`)
    last_sent, last_received = store.prior.exchanged(contact.id, contact.email)
    detail["prior_contact"] = {"last_sent": last_sent, "last_received": last_received}
    detail["proposals"] = [
        {"slot": p.slot_index, "start": p.start, "end": p.end, "state": p.state} for p in proposals
    ]
    moment = now or datetime.now(UTC)
    detail["offered"] = [
        {
            "slot": p.slot_index,
            "start": p.start,
            "end": p.end,
            "when": span_text(p.start, p.end, user_zone, their_zone),
            "state": "over" if datetime.fromisoformat(p.start) <= moment else p.state,
        }
        for p in _offer(proposals)
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
        if e.kind == "rsvp":
            what = f"answered the invite: {e.detail.split(' the invite', 1)[0]} ({e.sender})"
        elif e.kind == "bounce":
            what = f"bounce: mail to {e.address or contact.email} did not arrive"
        else:
            extra = f" (back {e.return_date})" if e.return_date else ""
            what = f"{e.kind.replace('_', '-')} from {e.sender}{extra}"
            if e.subject:
                what += f": {e.subject}"
        timeline.append({"at": e.occurred_at, "what": what})
    for mt in meetings:
        span = span_text(mt.start, mt.end, user_zone, their_zone)
        answer = f", {mt.rsvp}" if mt.rsvp else ""
        timeline.append({"at": mt.created_at, "what": f"meeting booked for {span}"})
        if mt.state != "scheduled":
            timeline.append({"at": mt.updated_at, "what": f"meeting {mt.state}{answer}: {span}"})
        elif mt.rsvp and mt.rsvp_at:
            timeline.append({"at": mt.rsvp_at, "what": f"meeting {mt.rsvp}: {span}"})
        if mt.met_at:
            timeline.append({"at": mt.met_at, "what": "conversation recorded"})
            if mt.resources.strip():
                resources = "; ".join(line.strip() for line in mt.resources.splitlines() if line)
                timeline.append({"at": mt.met_at, "what": f"resources they mentioned: {resources}"})
        if mt.prepared_at:
            timeline.append({"at": mt.prepared_at, "what": "brief printed (outreach prep)"})
    changes = store.changes.for_contact(contact.id)
    promises = store.promises.for_contact(contact.id)
    detail["job_changes"] = [
        {
            "from": change.old_role,
            "to": change.new_role,
            "org": change.new_org,
            "title": change.new_title,
            "source": change.source,
            "seen_at": change.changed_at,
        }
        for change in changes
    ]
    detail["promises"] = [
        {"id": p.id, "promise": p.text, "made_at": p.created_at, "done_at": p.done_at}
        for p in promises
    ]
    if contact.referred_by is not None and contact.mention_referrer is False:
        detail["mention_referrer"] = False
    for change in changes:
        seen = f" (seen in {change.source})" if change.source else ""
        what = f"new job: {change.old_role} -> {change.new_role}{seen}"
        timeline.append({"at": change.changed_at, "what": what})
    for p in promises:
        timeline.append({"at": p.created_at, "what": f"promised: {p.text} (#{p.id})"})
        if p.done_at:
            timeline.append({"at": p.done_at, "what": f"promise kept: {p.text} (#{p.id})"})
    for entry in timeline:
        at = datetime.fromisoformat(entry["at"]).astimezone(user_zone)
        entry["at"] = at.isoformat(timespec="minutes")
    timeline.sort(key=lambda entry: datetime.fromisoformat(entry["at"]))
    detail["timeline"] = timeline
    return detail
