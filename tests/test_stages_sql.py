"""The stage computed in SQL (`status`, `contacts list`: store/stages.py) is the stage of
``track.pipeline.stage`` for every combination of the facts its rules read, and for every
contact of a generated year (issue 16)."""

from __future__ import annotations

import itertools
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

import pytest

from outreach.store import Store
from outreach.store.stages import STAGE_SQL, contact_stages, stage_counts
from outreach.store.summary import SUMMARY_COLUMNS
from outreach.track.model import ContactFacts
from outreach.track.pipeline import stage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import bench_cli

EARLY, MIDDLE, LATE = (f"2026-0{month}-01T09:00:00+00:00" for month in (3, 4, 5))
CHOICES = {
    "closed": (False, True),
    "bounced_at": (None, MIDDLE),
    "last_reply_at": (None, EARLY, LATE),
    "last_sent_at": (None, EARLY, LATE),
    "own_send_at": (None, EARLY, LATE),
    "thankyou_sent_at": (None, EARLY),
    "met_at": (None, EARLY),
    "meeting_state": (None, "held", "scheduled", "cancelled"),
    "first_sent_at": (None, EARLY),
    "drafted": (0, 2),
}


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def test_sql_and_python_agree_on_every_combination_of_the_stage_facts() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, closed_at TEXT)")
    conn.execute(f"CREATE TABLE contact_summary (contact_id INTEGER PRIMARY KEY, "
                 f"{', '.join(SUMMARY_COLUMNS)})")
    expected = {}
    for number, values in enumerate(itertools.product(*CHOICES.values()), start=1):
        chosen = dict(zip(CHOICES, values, strict=True))
        closed = chosen.pop("closed")
        own_send = chosen.pop("own_send_at")
        conn.execute("INSERT INTO contacts VALUES (?, ?)", (number, LATE if closed else None))
        conn.execute(
            f"INSERT INTO contact_summary (contact_id, own_send_at, {', '.join(chosen)}) "  # noqa: S608
            f"VALUES (?, ?{', ?' * len(chosen)})", (number, own_send, *chosen.values()))
        latest = max((v for v in (chosen["last_sent_at"], own_send) if v), default=None)
        facts = ContactFacts(
            contact_id=number, email="a@example.org", name="A", closed=closed,
            drafted=int(chosen["drafted"] or 0), first_sent_at=_time(chosen["first_sent_at"]),
            last_sent_at=_time(latest), last_reply_at=_time(chosen["last_reply_at"]),
            bounced_at=_time(chosen["bounced_at"]), thankyou_sent_at=_time(
                chosen["thankyou_sent_at"]), met_at=_time(chosen["met_at"]),
            meeting_state=chosen["meeting_state"],
        )
        expected[number] = stage(facts).value
    assert len(set(expected.values())) == 9  # every stage reached
    assert contact_stages(conn) == expected
    assert STAGE_SQL.count("WHEN") == 8


@pytest.mark.parametrize("keep_up", [True, False], ids=["keeps-up", "backlog"])
def test_sql_and_python_agree_on_every_contact_of_a_year(
    tmp_path: Path, keep_up: bool
) -> None:
    sizes = bench_cli.CONTACTS, bench_cli.EVENTS
    bench_cli.CONTACTS, bench_cli.EVENTS = 400, 2000
    try:
        bench_cli.build_workspace(tmp_path, keep_up=keep_up)
    finally:
        bench_cli.CONTACTS, bench_cli.EVENTS = sizes
    store = Store.open(tmp_path / "outreach.db")
    python = {cid: stage(facts).value for cid, facts in store.facts().items()}
    assert contact_stages(store.conn) == python
    counts = stage_counts(store.conn)
    assert sum(counts.values()) == 400
    assert counts == {value: list(python.values()).count(value) for value in set(python.values())}


@pytest.mark.parametrize("keep_up", [True, False], ids=["keeps-up", "backlog"])
def test_due_leaves_out_only_contacts_with_nothing_due_at_any_time(
    tmp_path: Path, keep_up: bool
) -> None:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from outreach.config import FollowupConfig
    from outreach.track.pipeline import contact_due_actions

    sizes = bench_cli.CONTACTS, bench_cli.EVENTS
    bench_cli.CONTACTS, bench_cli.EVENTS = 400, 2000
    try:
        bench_cli.build_workspace(tmp_path, keep_up=keep_up)
    finally:
        bench_cli.CONTACTS, bench_cli.EVENTS = sizes
    store = Store.open(tmp_path / "outreach.db")
    first = store.contacts.all()[:3]
    with store.transaction():  # a referral between two contacts too
        store.conn.execute("UPDATE contacts SET referred_by = ? WHERE id = ?",
                           (first[0].id, first[1].id))
    everyone = store.facts(open_only=True)
    kept = store.facts(open_only=True, due_only=True)
    left_out = everyone.keys() - kept.keys()
    assert left_out and kept
    assert all(kept[cid] == everyone[cid] for cid in kept)
    zone = ZoneInfo("America/New_York")
    start = datetime.fromisoformat(bench_cli.NOW) - timedelta(days=400)
    for day in range(0, 800, 7):
        now = start + timedelta(days=day)
        for cid in left_out:
            assert contact_due_actions(everyone[cid], FollowupConfig(), now, zone) == [], cid


@pytest.mark.parametrize("keep_up", [True, False], ids=["keeps-up", "backlog"])
def test_due_leaves_out_only_thanked_contacts_with_nothing_due_yet(
    tmp_path: Path, keep_up: bool
) -> None:
    """Keep-in-touch comes due by the clock: at every hour of many days, whatever the zone
    and the intervals (one per tag, shorter than the default), none left out is due."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from outreach.config import FollowupConfig
    from outreach.store.stages import keep_in_touch_cutoff
    from outreach.track.pipeline import contact_due_actions

    sizes = bench_cli.CONTACTS, bench_cli.EVENTS
    bench_cli.CONTACTS, bench_cli.EVENTS = 400, 2000
    try:
        bench_cli.build_workspace(tmp_path, keep_up=keep_up)
    finally:
        bench_cli.CONTACTS, bench_cli.EVENTS = sizes
    store = Store.open(tmp_path / "outreach.db")
    everyone = store.facts(open_only=True)
    start = datetime.fromisoformat(bench_cli.NOW) - timedelta(days=200)
    configs = [FollowupConfig(), FollowupConfig(keep_in_touch_days=120,
                                                keep_in_touch_by_tag=(("alumni", 30),))]
    left_out_somewhere = 0
    for zone in (ZoneInfo("America/New_York"), ZoneInfo("Pacific/Kiritimati")):
        for config in configs:
            shortest = min([config.keep_in_touch_days,
                            *(d for _, d in config.keep_in_touch_by_tag)])
            for hour in range(0, 300 * 24, 29):
                now = start + timedelta(hours=hour)
                kept = store.facts(open_only=True, due_only=True,
                                   quiet_after=keep_in_touch_cutoff(now, shortest))
                for cid in everyone.keys() - kept.keys():
                    assert contact_due_actions(everyone[cid], config, now, zone) == [], (cid, now)
                left_out_somewhere += len(everyone) - len(kept)
    assert left_out_somewhere
