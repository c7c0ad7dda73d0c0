"""`outreach status`: where every contact stands, how each template performs, and what works
per source and per tag.

Per group (a source such as "linkedin", or a tag such as "alumni"; a contact with two tags
counts in both):

- ``contacted``: contacts sent a first message (outreach or referral template);
- ``replied``: of those, how many answered (a reply or an answer to an invite);
- ``reply_rate``: replied / contacted (null when nobody was contacted);
- ``meetings_held``: conversations recorded with ``outreach met``;
- ``meetings_missed``: booked meetings marked missed (``outreach met --missed``);
- ``referrals``: people the group's contacts referred the user to;
- ``median_days_to_meeting``: from the first message to the start of the first meeting
  booked or held, over the contacted who got one (null when none did).
"""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any, NamedTuple

from outreach.store import Store, stages
from outreach.store.reports import (
    first_meetings,
    first_replies,
    first_sends_by_template,
    held_per_contact,
    meetings_held,
    meetings_missed,
    referrals_per_contact,
)
from outreach.track.model import Stage


def stage_counts(store: Store) -> dict[str, int]:
    """How many contacts are in each stage (every stage present, zero included)."""
    found = stages.stage_counts(store.conn)
    return {value.value: found.get(value.value, 0) for value in Stage}


def closed_reasons(store: Store) -> dict[str, int]:
    """Closed contacts by why they were closed ("declined", "no reply", ...)."""
    reasons: dict[str, int] = {}
    for why, count in stages.closed_reasons(store.conn).items():
        shown = why or "(no reason given)"
        reasons[shown] = reasons.get(shown, 0) + count
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
    by_source, by_tag = group_report(store)
    return {
        "contacts": sum(counts.values()),
        "stages": counts,
        "closed": closed_reasons(store),
        "templates": templates,
        "meetings_held": meetings_held(store.conn),
        "meetings_missed": meetings_missed(store.conn),
        "by_source": by_source,
        "by_tag": by_tag,
    }


NO_SOURCE, NO_TAG = "(none)", "(no tag)"


class GroupFacts(NamedTuple):
    """What the per-group figures read of a contact (kept per contact: no history is read)."""

    first_sent_at: datetime | None
    last_reply_at: str | None


def _group_row(
    name: str,
    members: list[int],
    facts: dict[int, GroupFacts],
    meetings: dict[int, str],
    held: dict[int, int],
    referrals: dict[int, int],
) -> dict[str, Any]:
    contacted = [cid for cid in members if facts[cid].first_sent_at is not None]
    replied = [cid for cid in contacted if facts[cid].last_reply_at is not None]
    days = []
    for cid in contacted:
        first = facts[cid].first_sent_at
        if cid in meetings and first is not None:
            delta = datetime.fromisoformat(meetings[cid]) - first
            days.append(max(0.0, delta.total_seconds() / 86400))
    return {
        "group": name,
        "contacts": len(members),
        "contacted": len(contacted),
        "replied": len(replied),
        "reply_rate": round(len(replied) / len(contacted), 3) if contacted else None,
        "meetings_held": sum(held.get(cid, 0) for cid in members),
        "referrals": sum(referrals.get(cid, 0) for cid in members),
        "median_days_to_meeting": round(statistics.median(days), 1) if days else None,
    }


def group_report(store: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What works: the figures above per source and per tag, groups sorted by name (the
    contacts without a source or a tag last)."""
    meetings = first_meetings(store.conn)
    held = held_per_contact(store.conn)
    referrals = referrals_per_contact(store.conn)
    tagged = stages.all_tags(store.conn)
    facts: dict[int, GroupFacts] = {}
    sources: dict[str, list[int]] = {}
    tags: dict[str, list[int]] = {}
    for contact_id, source, first_sent_at, last_reply_at in stages.group_inputs(store.conn):
        facts[contact_id] = GroupFacts(
            None if first_sent_at is None else datetime.fromisoformat(first_sent_at),
            last_reply_at,
        )
        sources.setdefault(source or NO_SOURCE, []).append(contact_id)
        for tag in tagged.get(contact_id) or (NO_TAG,):
            tags.setdefault(tag, []).append(contact_id)

    def rows(groups: dict[str, list[int]], last: str) -> list[dict[str, Any]]:
        names = sorted(groups, key=lambda n: (n == last, n.casefold()))
        return [_group_row(n, groups[n], facts, meetings, held, referrals) for n in names]

    return rows(sources, NO_SOURCE), rows(tags, NO_TAG)
