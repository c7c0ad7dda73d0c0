"""`outreach status`: where every contact stands, and how each template performs."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from outreach.store import Store
from outreach.store.reports import first_replies, first_sends_by_template, meetings_held
from outreach.track.model import Stage
from outreach.track.pipeline import stage


def stage_counts(store: Store) -> dict[str, int]:
    """How many contacts are in each stage (every stage present, zero included)."""
    counts = {value.value: 0 for value in Stage}
    for facts in store.facts().values():
        counts[stage(facts).value] += 1
    return counts


def closed_reasons(store: Store) -> dict[str, int]:
    """Closed contacts by why they were closed ("declined", "no reply", ...)."""
    reasons: dict[str, int] = {}
    for facts in store.facts().values():
        if facts.closed:
            why = facts.closed_reason or "(no reason given)"
            reasons[why] = reasons.get(why, 0) + 1
    return dict(sorted(reasons.items()))


def status_report(store: Store) -> dict[str, Any]:
    """Counts per stage; sent, replied, reply rate and median hours to reply per template."""
    replies = first_replies(store.conn)
    per_template: dict[str, dict[str, Any]] = {}
    for contact_id, template, sent_at in first_sends_by_template(store.conn):
        entry = per_template.setdefault(template, {"sent": 0, "replied": 0, "_hours": []})
        entry["sent"] += 1
        reply_at = replies.get(contact_id)
        if reply_at is not None and reply_at >= sent_at:
            entry["replied"] += 1
            delta = datetime.fromisoformat(reply_at) - datetime.fromisoformat(sent_at)
            entry["_hours"].append(delta.total_seconds() / 3600)
    templates = []
    for name in sorted(per_template):
        entry = per_template[name]
        hours: list[float] = entry.pop("_hours")
        templates.append(
            {
                "template": name,
                "sent": entry["sent"],
                "replied": entry["replied"],
                "reply_rate": round(entry["replied"] / entry["sent"], 3) if entry["sent"] else 0.0,
                "median_hours_to_reply": round(statistics.median(hours), 1) if hours else None,
            }
        )
    counts = stage_counts(store)
    return {
        "contacts": sum(counts.values()),
        "stages": counts,
        "closed": closed_reasons(store),
        "templates": templates,
        "meetings_held": meetings_held(store.conn),
    }
