"""When free time runs out part-way through a batch, `outreach draft` says so before drafting
anything (how many contacts get slots of their own, what to change) and lets the user choose:
ask the rest for their times, or share times, spread as thinly as possible. Never one time
offered to everyone in silence."""

from __future__ import annotations

import email
import email.policy
import json
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.helpers_sync import configure

MONDAY = {"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}
ASKS = "let me know a few times that work for you"
OFFERS = "Here are a few times that would suit me"


@pytest.fixture
def batch(workspace: Path, run: Invoke) -> Path:
    """Ten contacts tagged `batch`; free time for two: Tuesday 09:00-12:00 is six slots."""
    configure(
        workspace, schedule={"busy": [], "horizon_days": 2, "working_hours": "09:00-12:00"}
    )
    rows = ["email,name,org"] + [f"p{i}@example.org,Person {i},Org {i}" for i in range(10)]
    (workspace / "people.csv").write_text("\n".join(rows) + "\n")
    result = run("contacts", "import", str(workspace / "people.csv"), "--tag", "batch")
    assert result.exit_code == 0, result.output
    return workspace


def drafts(home: Path) -> list[EmailMessage]:
    found: list[EmailMessage] = []
    folder = home / "outbox" / "cur"
    for path in sorted(folder.iterdir()) if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return " ".join(str(part.get_content()).split())


def offered_times(message: EmailMessage) -> list[str]:
    return [line.strip("-• ") for line in text(message).split(" - ")[1:4]]


def held(run: Invoke) -> Counter[str]:
    """How many contacts each held time was offered to."""
    listing = json.loads(run("contacts", "list", "--tag", "batch", "--json").output)
    times: Counter[str] = Counter()
    for contact in listing:
        shown = json.loads(run("contacts", "show", contact["email"], "--json").output)
        times.update(p["start"] for p in shown["proposals"] if p["state"] == "held")
    return times


def test_running_out_stops_before_anything_is_drafted_and_says_what_to_change(
    batch: Path, run: Invoke
) -> None:
    result = run("draft", "outreach", "--tag", "batch", env=MONDAY)
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "2 of 10 contacts can be offered slots nobody else is offered" in out
    assert "8 would get none" in out and "Nothing was drafted" in out
    for choice in ("--when-full ask", "--when-full share", "--limit 2", "horizon_days"):
        assert choice in out
    assert "Traceback" not in result.output
    assert drafts(batch) == []
    assert not held(run)


def test_a_dry_run_says_the_same(batch: Path, run: Invoke) -> None:
    result = run("draft", "outreach", "--tag", "batch", "--dry-run", env=MONDAY)
    assert result.exit_code == 1
    assert "2 of 10 contacts" in result.output


def test_ask_drafts_the_rest_asking_for_their_times(batch: Path, run: Invoke) -> None:
    result = run("draft", "outreach", "--tag", "batch", "--when-full", "ask", env=MONDAY)
    assert result.exit_code == 0, result.output
    messages = drafts(batch)
    assert len(messages) == 10
    offering = [m for m in messages if OFFERS in text(m)]
    asking = [m for m in messages if ASKS in text(m)]
    assert len(offering) == 2 and len(asking) == 8
    times = held(run)
    assert len(times) == 6 and set(times.values()) == {1}  # each time to one person
    # One summary line for the eight, not eight lines.
    notes = [line for line in result.output.splitlines() if line.startswith("note")]
    assert len(notes) == 1 and "8 contacts" in notes[0] and "asks for their times" in notes[0]


def test_share_offers_times_spread_as_thinly_as_possible(batch: Path, run: Invoke) -> None:
    result = run("draft", "outreach", "--tag", "batch", "--when-full", "share", env=MONDAY)
    assert result.exit_code == 0, result.output
    messages = drafts(batch)
    assert all(OFFERS in text(m) for m in messages) and len(messages) == 10
    times = held(run)
    assert len(times) == 6 and max(times.values()) == 5  # 30 offers over 6 times
    notes = [line for line in result.output.splitlines() if line.startswith("note")]
    assert len(notes) == 2  # one line for the eight, one for how widely times are shared
    assert "8 contacts" in notes[0] and "also offered to other contacts" in notes[0]
    assert "each is offered to at most 5 people" in notes[1]


def test_the_choice_can_be_made_once_in_the_config(batch: Path, run: Invoke) -> None:
    configure(batch, schedule={"when_full": "ask"})
    assert run("draft", "outreach", "--tag", "batch", env=MONDAY).exit_code == 0
    assert len(drafts(batch)) == 10


def test_older_share_held_slots_means_share(batch: Path, run: Invoke) -> None:
    config_file = batch / "config.toml"
    text = config_file.read_text()  # a config written by an older version: no when_full
    config_file.write_text(text.replace('when_full = "stop"', "share_held_slots = true"))
    assert run("draft", "outreach", "--tag", "batch", env=MONDAY).exit_code == 0
    assert max(held(run).values()) == 5


def test_a_smaller_batch_gets_slots_of_its_own(batch: Path, run: Invoke) -> None:
    result = run("draft", "outreach", "--tag", "batch", "--limit", "2", env=MONDAY)
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    messages = drafts(batch)
    assert len(messages) == 2 and all(OFFERS in text(m) for m in messages)
    # The next batch: nothing is free until these are booked or released, and it says so.
    again = run("draft", "outreach", "--tag", "batch", "--stage", "new", env=MONDAY)
    assert again.exit_code == 1
    assert "No free time is left" in again.output and "2 with slots held" in again.output


def test_a_re_run_offers_every_contact_the_same_times(batch: Path, run: Invoke) -> None:
    args = ("draft", "outreach", "--tag", "batch", "--when-full", "share")
    assert run(*args, env=MONDAY).exit_code == 0
    before = {str(m["To"]): text(m) for m in drafts(batch)}
    result = run(*args, env=MONDAY)
    assert result.exit_code == 0 and "10 updated" in result.output
    after = {str(m["To"]): text(m) for m in drafts(batch)}
    assert after == before
    assert max(held(run).values()) == 5  # not doubled by the re-run


def test_preview_says_when_free_time_has_run_out(batch: Path, run: Invoke) -> None:
    assert run("draft", "outreach", "--tag", "batch", "--limit", "2", env=MONDAY).exit_code == 0
    result = run("templates", "preview", "outreach", "p9@example.org", env=MONDAY)
    assert result.exit_code == 0, result.output
    assert ASKS in " ".join(result.output.split())
    assert "note: free time ran out" in result.output


def test_a_few_left_over_are_asked_for_their_times_with_a_note(
    batch: Path, run: Invoke
) -> None:
    # Seven contacts: two get the six free times, five are left over: few enough to go on.
    result = run("draft", "outreach", "--tag", "batch", "--limit", "7", env=MONDAY)
    assert result.exit_code == 0, result.output
    assert "7 created" in result.output
    notes = [line for line in result.output.splitlines() if line.startswith("note")]
    assert len(notes) == 1 and "5 contacts" in notes[0] and "asks for their times" in notes[0]
    assert sum(ASKS in text(m) for m in drafts(batch)) == 5
    verbose = run("--verbose", "draft", "outreach", "--tag", "batch", "--limit", "7", env=MONDAY)
    named = [line for line in verbose.output.splitlines() if line.startswith("note")]
    assert len(named) == 5  # --verbose names each of them


def test_the_same_message_keeps_its_times_and_a_new_message_gets_fresh_ones(
    workspace: Path, run: Invoke
) -> None:
    from datetime import datetime

    from outreach.app import AppContext
    from outreach.config import Workspace
    from outreach.services.meetings.availability import SlotPlanner

    configure(workspace, schedule={"busy": []})
    run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace", "--tz", "Europe/London")
    assert run("draft", "outreach", "ada@example.org", env=MONDAY).exit_code == 0
    app = AppContext(Workspace(workspace))
    ada = app.store.contacts.get("ada@example.org")
    offered = app.store.proposals.for_contact(ada.id, "held")
    times = {datetime.fromisoformat(p.start) for p in offered}
    assert len(times) == 3
    now = datetime.fromisoformat(MONDAY["OUTREACH_NOW"])
    again = SlotPlanner(app, now).slots_for(ada, key=offered[0].message_idem_key)
    assert {s.start for s in again} == times
    fresh = SlotPlanner(app, now).slots_for(ada, key=f"newtimes:{ada.id}:1")
    assert len(fresh) == 3 and not {s.start for s in fresh} & times
    app.close()
