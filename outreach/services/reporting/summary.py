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
from typing import Any

from outreach.store import Store, stages
from outreach.store.reports import first_meetings, meetings_held, meetings_missed
from outreach.track.model import Stage


def stage_counts(store: Store, found: dict[str, int] | None = None) -> dict[str, int]:
    """How many contacts are in each stage (every stage present, zero included); ``found``:
    the counts of the stages someone is in, when already read."""
    found = stages.stage_counts(store.conn) if found is None else found
    return {value.value: found.get(value.value, 0) for value in Stage}


def closed_reasons(store: Store, found: dict[str, int] | None = None) -> dict[str, int]:
    """Closed contacts by why they were closed ("declined", "no reply", ...)."""
    found = stages.closed_reasons(store.conn) if found is None else found
    reasons: dict[str, int] = {}
    for why, count in found.items():
        shown = why or "(no reason given)"
        reasons[shown] = reasons.get(shown, 0) + count
    return dict(sorted(reasons.items()))


def status_report(store: Store) -> dict[str, Any]:
    """Counts per stage; sent, replied, reply rate and median hours to reply per template."""
    firsts, answered = stages.first_sends(store.conn)
    per_template: dict[str, dict[str, Any]] = {
        template: {"sent": sent, "replied": replied, "_hours": []}
        for template, (sent, replied) in firsts.items()
    }
    for template, sent_at, reply_at in answered:
        delta = datetime.fromisoformat(reply_at) - datetime.fromisoformat(sent_at)
        per_template[template]["_hours"].append(delta.total_seconds() / 3600)
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
    figures = stages.group_figures(store.conn)
    counts = stage_counts(store, {str(g[0]): g[2] for g in figures["stage"]})
    by_source, by_tag = group_report(store, figures)
    return {
        "contacts": sum(counts.values()),
        "stages": counts,
        "closed": closed_reasons(store, {g[0] or "": g[2] for g in figures["closed"]}),
        "templates": templates,
        "meetings_held": meetings_held(store.conn),
        "meetings_missed": meetings_missed(store.conn),
        "by_source": by_source,
        "by_tag": by_tag,
    }


NO_SOURCE, NO_TAG = "(none)", "(no tag)"


def _group_rows(
    groups: list[stages.Group],
    days: dict[str, list[float]],
    missing: str,
) -> list[dict[str, Any]]:
    """The report's rows, groups sorted by name (the one for contacts without any last)."""
    merged: dict[str, list[int]] = {}
    for name, first, *figures in sorted(groups, key=lambda group: group[1]):
        shown = name or missing
        if shown in merged:  # a group literally named like the missing one
            merged[shown] = [min(merged[shown][0], first)] + [
                a + b for a, b in zip(merged[shown][1:], figures, strict=True)
            ]
        else:
            merged[shown] = [first, *figures]
    rows = []
    for name in sorted(merged, key=lambda n: (n == missing, n.casefold())):
        _, members, contacted, replied, held, referred = merged[name]
        spans = days.get(name, [])
        rows.append({
            "group": name,
            "contacts": members,
            "contacted": contacted,
            "replied": replied,
            "reply_rate": round(replied / contacted, 3) if contacted else None,
            "meetings_held": held,
            "referrals": referred,
            "median_days_to_meeting": round(statistics.median(spans), 1) if spans else None,
        })
    return rows


def group_report(
    store: Store, figures: dict[str, list[stages.Group]] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What works: the figures above per source and per tag, groups sorted by name (the
    contacts without a source or a tag last), counted in SQL over the kept summary."""
    meetings = first_meetings(store.conn)
    by_source: dict[str, list[float]] = {}
    by_tag: dict[str, list[float]] = {}
    for contact_id, source, first_sent, tags in stages.contacted_and_met(store.conn):
        if contact_id not in meetings:
            continue
        delta = datetime.fromisoformat(meetings[contact_id]) - datetime.fromisoformat(first_sent)
        span = max(0.0, delta.total_seconds() / 86400)
        by_source.setdefault(source or NO_SOURCE, []).append(span)
        for tag in tags or (NO_TAG,):
            by_tag.setdefault(tag, []).append(span)
    groups = stages.group_figures(store.conn) if figures is None else figures
    return (
        _group_rows(groups["source"], by_source, NO_SOURCE),
        _group_rows(groups["tag"], by_tag, NO_TAG),
    )
