"""Follow `due` blindly through the real CLI, and nothing embarrassing goes out (issue 17).

A seeded simulator plays many conversations at once, for months, on every backend (local: the
Maildir outbox, sent/ and inbox; Gmail: the fake Google; IMAP: a real Dovecot and SMTP server;
Microsoft: the fake Graph), reading what each contact received from the backend's own record.
Each contact plays a random mix of moves as real mail (picks a time, proposes their own,
defers, says no, stays silent, is away, bounces, forwards to a colleague who takes over, has an
assistant answer, RSVPs, does not show up, asks to move the meeting, refers someone after the
thank-you), and a simulated user does exactly what `due --json` says every working day at
09:00, sends everything drafted (`send --yes`, under a daily cap that makes some wait a day)
and syncs. After every step, parsing back every message the contacts received and every invite:

- no thanks for a meeting that did not happen;
- no nudge after their side answered (one gentle follow-up once a deferral's wait is over);
- nothing after a no; nothing to the first contact after a colleague took over;
- no time offered that has passed or is closer than lead_hours at send time;
- no second first message;
- no invite for a time their side did not pick or propose (or declined);
- one thread and one subject per contact, each message answering the thread;
- nothing "attached" or "included" without an attachment, no "as promised" unless promised;
- at most one invite per meeting change (SEQUENCE strictly increasing per UID);
- an assistant the user added is copied on the invite;
- no conversation dropped from `due` while it waits on the user (a reply to act on, a meeting
  that passed without `met`, a deferral whose wait is over);
- every Date header is the send time, not the draft time.

A failure names the seed, the contact, the day and the message, with the contact's story and
the commands the user ran; it replays exactly (seeded, fixed start): OUTREACH_SIM_SEED=7
runs seed 7 alone (on every backend; pick one with -k gmail). By default the local backend
plays 5 seeds of 15 contacts for nine weeks and each other backend one smaller seed (they
talk HTTP or IMAP/SMTP: slower); OUTREACH_SIM_SEEDS=20 plays 20 seeds everywhere, and
OUTREACH_SLOW=1 12 seeds of 120 days, full size, everywhere. Gmail runs with the user's
opt-in ``read_scope = "readonly"``: under the default metadata scope outreach cannot read what
a reply says, so a user who follows `due` blindly there is not reading their mail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.conversation_world import USER, World
from tests.simulation.run import Simulation
from tests.test_conversations import gmail_world, imap_world, outlook_world

SLOW = os.environ.get("OUTREACH_SLOW") == "1"
SEEDS = int(os.environ.get("OUTREACH_SIM_SEEDS", "12" if SLOW else "5"))
# Replay one seed, or a range: OUTREACH_SIM_SEED=7, OUTREACH_SIM_SEED=11-24.
FIRST, _, LAST = os.environ.get("OUTREACH_SIM_SEED", f"1-{SEEDS}").partition("-")
ALL_SEEDS = range(int(FIRST), int(LAST or FIRST) + 1)
MORE = SLOW or bool({"OUTREACH_SIM_SEEDS", "OUTREACH_SIM_SEED"} & set(os.environ))
DAYS = 120 if SLOW else 63  # nine weeks
PEOPLE = 15
# Contacts and days per backend, and its seeds: the others are smaller unless asked for more.
SIZE = {"local": (PEOPLE, DAYS), "gmail": (8, 35), "imap": (8, 35), "microsoft": (8, 35)}
# The one seed each other backend plays by default: between them every move is played (at
# this size seed 4 has all but a no-show, seed 3 all but a takeover and a declined invite,
# seed 2 no bounce, deferral or out-of-office; the moves are the same on every backend).
DEFAULT_SEED = {"gmail": 4, "imap": 3, "microsoft": 2}
CASES = [
    pytest.param(backend, seed, id=f"{backend}-{seed}")
    for backend in SIZE
    for seed in (ALL_SEEDS if backend == "local" or MORE else [DEFAULT_SEED[backend]])
]


@pytest.fixture
def world(
    request: pytest.FixtureRequest,
    run: Invoke,
    isolated_environment: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    backend = str(request.param)
    if backend == "gmail":
        yield from gmail_world(tmp_path, run, monkeypatch, readonly=True)
    elif backend == "microsoft":
        yield from outlook_world(tmp_path, run, monkeypatch)
    elif backend == "imap":
        yield imap_world(request, isolated_environment, run)
    else:
        result = run("init", "--name", "Sam Rivera", "--email", USER, "--timezone",
                     "America/New_York")
        assert result.exit_code == 0, result.output
        yield World("local", isolated_environment, run, None)


@pytest.mark.parametrize(("world", "seed"), CASES, indirect=["world"])
def test_following_due_blindly_sends_nothing_embarrassing(world: World, seed: int) -> None:
    people, days = SIZE[world.backend] if not SLOW else (PEOPLE, DAYS)
    simulation = Simulation(world, seed, people=people, days=days)
    simulation.run()
    played = simulation.summary()
    print(f"{world.backend} seed {seed}: {people} contacts, {days} days: {played}")
    assert played["first messages"] >= people  # everyone was written to, once
    assert played["invites"] >= 1 and played["writes (pick)"] + played["writes (propose)"] >= 1
