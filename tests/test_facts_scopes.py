"""The narrower reads behind `due`, `status` and `contacts list` at scale (issue 16) agree with
the whole facts on everything those commands use, over a generated year of use (bench_cli's
user: sends, nudges, replies, bounces, meetings, thank-yous, closed contacts)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.config import FollowupConfig
from outreach.store import Store
from outreach.store.facts import closed_facts, contact_facts
from outreach.track.model import Stage
from outreach.track.pipeline import due_actions, stage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import bench_cli


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    root = tmp_path_factory.mktemp("year")
    sizes = bench_cli.CONTACTS, bench_cli.EVENTS
    bench_cli.CONTACTS, bench_cli.EVENTS = 600, 3000
    try:
        bench_cli.build_workspace(root)
    finally:
        bench_cli.CONTACTS, bench_cli.EVENTS = sizes
    return Store.open(root / "outreach.db")


def test_the_year_has_open_and_closed_contacts_in_every_busy_stage(store: Store) -> None:
    stages = {stage(facts) for facts in store.facts().values()}
    assert {Stage.CLOSED, Stage.SENT, Stage.REPLIED, Stage.MET, Stage.THANKED} <= stages


def test_open_only_facts_are_the_whole_facts_of_the_open_contacts(store: Store) -> None:
    whole = contact_facts(store.conn)
    assert contact_facts(store.conn, open_only=True) == {
        cid: facts for cid, facts in whole.items() if not facts.closed
    }


def test_due_over_the_open_contacts_is_due_over_all(store: Store) -> None:
    now = datetime.fromisoformat(bench_cli.NOW)
    zone = ZoneInfo("America/New_York")
    config = FollowupConfig()
    everyone = due_actions(store.facts().values(), config, now, zone)
    assert everyone
    assert due_actions(store.facts(open_only=True).values(), config, now, zone) == everyone


def test_stage_facts_give_every_contact_its_stage_and_its_group_figures(store: Store) -> None:
    whole = store.facts()
    narrow = store.stage_facts()
    assert narrow.keys() == whole.keys()
    for cid, facts in whole.items():
        assert stage(narrow[cid]) is stage(facts), cid
        for name in ("closed", "closed_reason", "first_sent_at", "last_reply_at", "tags"):
            assert getattr(narrow[cid], name) == getattr(facts, name), (cid, name)


def test_a_listing_needs_only_the_stage_of_closed_contacts(store: Store) -> None:
    closed = closed_facts(store.conn, outcomes=False)
    assert closed
    assert all(stage(facts) is Stage.CLOSED for facts in closed.values())
    assert closed.keys() == {cid for cid, f in store.facts().items() if f.closed}
