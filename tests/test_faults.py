"""Kills and a flaky network, through the real CLI in subprocesses, against the fake Google.

Short versions of ``bench/bench_faults.py`` (the same scenario code, fewer contacts, one seed):

- a draft run SIGKILLed twice at random points, then re-run: exactly one draft per contact,
  the database consistent;
- 10% 500s, 10% rate limits in Gmail's shapes (429 with the retry time only in the message,
  429 "Too many concurrent requests for user", 403 userRateLimitExceeded / rateLimitExceeded),
  5% dropped connections and 5% lost responses (plus one of each for sure): `draft` completes
  with every draft exactly once (under a concurrency limit too), `send --yes` sends nothing
  twice, `sync` loses and doubles no event compared with a clean run.

``OUTREACH_FAULT_SEED=N`` re-runs them with another seed. The long versions (200 contacts, 20
kills, three seeds) are opt-in: ``OUTREACH_SLOW=1 pytest -m slow tests/test_faults.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.bench_faults import (
    USER_EMAIL,
    Outcome,
    draft_fault_scenario,
    draft_violations,
    kill_scenario,
    make_site,
    send_fault_scenario,
    sync_fault_scenario,
)
from tests.fakegoogle.server import FakeGoogle

SEED = int(os.environ.get("OUTREACH_FAULT_SEED", "1"))
slow = pytest.mark.skipif(
    os.environ.get("OUTREACH_SLOW") != "1", reason="long fault runs: set OUTREACH_SLOW=1"
)


def explain(outcome: Outcome) -> str:
    return "\n".join([outcome.detail, *outcome.problems, *outcome.log[-6:]])


def assert_every_fault_hit(outcome: Outcome, batches: bool = True) -> None:
    """Every kind of fault met: for runs that make batches, every rate-limit shape too."""
    counts = outcome.counts
    assert counts["500"] > 0 and counts["429"] > 0, explain(outcome)
    if batches:
        assert counts["429"] >= 2, explain(outcome)  # user-rate, too many concurrent
        assert counts["403"] >= 2, explain(outcome)  # userRateLimitExceeded, rateLimitExceeded
    assert counts["no answer"] >= 2, explain(outcome)  # one dropped, one answer lost


def test_a_draft_run_killed_twice_then_rerun_leaves_one_draft_per_contact(
    tmp_path: Path,
) -> None:
    outcome = kill_scenario(
        tmp_path, contacts=40, repetitions=1, kills=2, seed=SEED, time_kill_share=0.0
    )
    assert outcome.ok, explain(outcome)
    assert outcome.counts["killed"] >= 1, explain(outcome)


def test_a_lost_answer_to_a_batch_of_creates_makes_no_second_draft(tmp_path: Path) -> None:
    with FakeGoogle(email=USER_EMAIL) as fake:
        site = make_site(tmp_path, fake, 5)
        fake.inject(lose_response=True, times=1, path_pattern="batch")
        done = site.cli("draft", "outreach", "--tag", "batch")
        assert done.returncode == 0, done.stderr
        assert draft_violations(site) == []


def test_drafting_on_a_flaky_network_makes_every_draft_exactly_once(tmp_path: Path) -> None:
    outcome = draft_fault_scenario(tmp_path, contacts=40, seed=SEED, sure=True)
    assert outcome.ok, explain(outcome)
    assert_every_fault_hit(outcome)


def test_sending_on_a_flaky_network_sends_nothing_twice(tmp_path: Path) -> None:
    outcome = send_fault_scenario(tmp_path, contacts=8, seed=SEED, sure=True)
    assert outcome.ok, explain(outcome)
    assert_every_fault_hit(outcome, batches=False)  # one send at a time


def test_syncing_on_a_flaky_network_loses_and_doubles_no_event(tmp_path: Path) -> None:
    outcome = sync_fault_scenario(
        tmp_path, contacts=8, seed=SEED, sure=True, faulty_resync=False
    )
    assert outcome.ok, explain(outcome)
    assert outcome.counts["events"] == outcome.counts["expected"]
    assert_every_fault_hit(outcome)


@slow
@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_long_kill_runs(tmp_path: Path, seed: int) -> None:
    outcome = kill_scenario(tmp_path, contacts=200, repetitions=20, kills=1, seed=seed)
    assert outcome.ok, explain(outcome)


@slow
@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    "scenario", [draft_fault_scenario, send_fault_scenario, sync_fault_scenario],
    ids=["draft", "send", "sync"],
)
def test_long_flaky_network_runs(tmp_path: Path, seed: int, scenario: object) -> None:
    assert callable(scenario)
    outcome = scenario(tmp_path, contacts=200, seed=seed)
    assert isinstance(outcome, Outcome)
    assert outcome.ok, explain(outcome)
