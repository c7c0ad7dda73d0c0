"""Fault runs: kills and a flaky network, against the fake Google server, through the real CLI.

Every run is ``python -m outreach ...`` in a subprocess, as a user runs it, on a workspace
using the Gmail backend pointed at a fresh fake server. Scenarios:

- **kill**: ``outreach draft`` for N contacts is SIGKILLed at a random point (while starting,
  planning, or with drafts in flight), then re-run to the end; repeated on fresh workspaces.
  Each time: exactly N drafts on the server (one per contact, distinct Message-IDs), every
  message row ``drafted`` with the draft id the server has, ``PRAGMA integrity_check`` ok.
- **draft**: 10% 500s, 10% rate limits in Gmail's shapes (429 with the retry time only in
  its message, 429 "Too many concurrent requests for user", 403 ``userRateLimitExceeded``
  and 403 ``rateLimitExceeded``), 5% dropped connections (nothing done) and 5% lost
  responses (done, answer lost) on every Gmail request and batch part (dropping and losing
  being connection faults, they hit whole HTTP requests; one of each kind of fault comes
  first for sure), and a limit of 20 requests at once. The run must complete and make every
  draft exactly once.
- **send**: ``outreach send --yes`` for N drafts under the same faults: no message sent twice
  (SENT messages on the server = distinct Message-IDs), every message row ``sent`` matches one
  SENT message; a second ``send --yes`` sends nothing.
- **sync**: sends, replies, out-of-office notes with return dates, bounces and newsletters;
  a full sync, an incremental one and a ``sync --full`` under the same faults (each re-run
  until it succeeds, as ``outreach watch`` would), compared with the same syncs on a copy of
  the workspace without faults: the same events and message states, none lost, none doubled;
  the closing ``sync --full`` finds nothing new.

    .venv/bin/python bench/bench_faults.py [--seed 1] [--contacts 200] [--kills 20]
                                           [--only kill,draft,send,sync]

Prints a table; exits 1 only if an invariant is violated. tests/test_faults.py runs the same
scenarios, smaller.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from outreach.config import Workspace
from outreach.contacts.model import ContactRecord
from outreach.services.workspace.setup import init_workspace
from outreach.store import Store
from tests.fakegoogle.server import FakeGoogle
from tests.gmail_env import ACCESS_TOKEN, REFRESH_TOKEN

USER_EMAIL = "sam@example.edu"
NOW = "2026-03-02T09:00:00-05:00"
GMAIL_PATHS = "gmail|batch"  # every Gmail request and batch part; not the OAuth endpoint


# --- a workspace on the gmail backend, driven through the CLI ------------------------------


@dataclass
class Site:
    """One workspace wired to one fake server; ``cli`` runs outreach as a user would."""

    root: Path
    fake: FakeGoogle
    keyring_file: Path
    contacts: int
    log: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
        python_path = os.pathsep.join(p for p in (str(ROOT), keep.get("PYTHONPATH", "")) if p)
        return {
            **keep,
            "PYTHONPATH": python_path,
            "OUTREACH_HOME": str(self.root),
            "OUTREACH_NOW": NOW,
            "PYTHON_KEYRING_BACKEND": "tests.keyrings.FileKeyring",
            "OUTREACH_TEST_KEYRING": str(self.keyring_file),
        }

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "outreach", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        self.log.append(f"$ outreach {' '.join(args)} -> {done.returncode}\n"
                        f"{done.stdout[-1500:]}{done.stderr[-1500:]}")
        return done

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "outreach", *args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    @contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.root / "outreach.db")
        try:
            yield conn
        finally:
            conn.close()

    def copy(self, root: Path) -> Site:
        """The same workspace in another folder, talking to the same server (a clean twin).
        Call it only while no command runs on this workspace."""
        with self.db() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copytree(self.root, root, ignore=shutil.ignore_patterns("*-shm", "*-wal"))
        return Site(root, self.fake, self.keyring_file, self.contacts)


def expected_recipients(count: int) -> list[str]:
    return [f"person{i:03d}@example.org" for i in range(count)]


def make_site(
    base: Path,
    fake: FakeGoogle,
    contacts: int,
    *,
    quota: int = 1000,
    cap: int = 2000,
) -> Site:
    """A workspace in ``base/ws`` on the gmail backend against ``fake``, ``contacts`` people
    tagged ``batch``, and the token in a file keyring at ``base/keyring.json``."""
    from tests.keyrings import FileKeyring

    root = base / "ws"
    fake.set_access_token(ACCESS_TOKEN)
    workspace = Workspace(root)
    init_workspace(workspace, name="Sam Rivera", email=fake.email, timezone="America/New_York")
    config = workspace.config_file.read_text(encoding="utf-8")
    for old, new in (
        ('backend = "local"', 'backend = "gmail"'),
        ('api_root = ""', f'api_root = "{fake.url}"'),
        ("daily_send_cap = 100", f"daily_send_cap = {cap}"),
        ('busy = ["google"]', "busy = []"),
        ("quota_per_minute = 6000", f"quota_per_minute = {quota * 60}"),
        # Kolkata's evening fills up first; these runs are about kills and faults, not slots.
        ('when_full = "stop"', 'when_full = "ask"'),
    ):
        assert old in config, old
        config = config.replace(old, new)
    workspace.config_file.write_text(config, encoding="utf-8")
    records = [
        ContactRecord(
            name=f"Person {i:03d}",
            email=f"person{i:03d}@example.org",
            org=f"Org {i}",
            timezone=("Europe/London", "America/Los_Angeles", "Asia/Kolkata", "")[i % 4],
            source="csv",
            extra={"connection": "the State University alumni directory"},
            tags=["batch"],
        )
        for i in range(contacts)
    ]
    store = Store.open(workspace.db_file)
    with store.transaction():
        store.contacts.upsert(records, NOW)
    store.close()
    info = fake.authorized_user_info(refresh_token=REFRESH_TOKEN)
    info["token"] = ACCESS_TOKEN
    keyring_file = base / "keyring.json"
    with _env(OUTREACH_TEST_KEYRING=str(keyring_file)):
        FileKeyring().set_password("outreach", fake.email, json.dumps(info))  # type: ignore[no-untyped-call]
    return Site(root, fake, keyring_file, contacts)


@contextmanager
def _env(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# Gmail's rate limits, each with its share of the 10% (see tests/fakegoogle/REALITY.md):
# 429 with the retry time only in the message, 403 userRateLimitExceeded, 403
# rateLimitExceeded. "Too many concurrent requests for user" comes from a limit on requests
# at once (CONCURRENCY), as Gmail gives it (batch parts past the limit), plus one for sure.
RATE_LIMITS: list[tuple[int, dict[str, Any], float]] = [
    (429, {}, 0.04),
    (403, {"reason": "userRateLimitExceeded"}, 0.03),
    (403, {"reason": "rateLimitExceeded"}, 0.03),
]
CONCURRENCY = 20  # requests at once (a batch's parts count); batches of 50 meet it


def inject_flaky_network(fake: FakeGoogle, seed: int, *, retry_after: float = 1.0,
                         sure: bool = False) -> None:
    """10% 500s, 10% rate limits in Gmail's shapes, 5% dropped connections, 5% lost
    responses, and at most CONCURRENCY requests at once.

    ``sure``: also drop the first HTTP request, lose the answer to the second, and answer one
    500 and one 429 (its time in the message) straight after; the first batch parts get one
    of each other rate limit ("too many concurrent requests", the two 403s). So a short run
    meets every kind of fault at least once (the batch-part ones if it makes batches).
    """
    fake.concurrency(CONCURRENCY)
    if sure:
        fake.inject(drop=True, times=1, path_pattern=GMAIL_PATHS)
        fake.inject(lose_response=True, times=1, path_pattern=GMAIL_PATHS)
        fake.inject(500, times=1, path_pattern=GMAIL_PATHS)
        fake.inject(429, retry_after=retry_after, times=1, path_pattern=GMAIL_PATHS)
        fake.inject(429, concurrent=True, times=1, path_pattern=GMAIL_PATHS, parts_only=True)
        for status, shape, _ in RATE_LIMITS[1:]:
            fake.inject(status, times=1, path_pattern=GMAIL_PATHS, parts_only=True, **shape)
    fake.inject(500, probability=0.10, seed=seed, path_pattern=GMAIL_PATHS)
    for offset, (status, shape, share) in enumerate(RATE_LIMITS):
        fake.inject(status, retry_after=retry_after, probability=share, seed=seed + 10 + offset,
                    path_pattern=GMAIL_PATHS, **shape)
    fake.inject(drop=True, probability=0.05, seed=seed + 2, path_pattern=GMAIL_PATHS)
    fake.inject(lose_response=True, probability=0.05, seed=seed + 3, path_pattern=GMAIL_PATHS)


def calm_network(fake: FakeGoogle) -> None:
    fake.reset_faults()
    fake.concurrency(None)


def fault_counts(fake: FakeGoogle) -> dict[str, int]:
    """Faults the server answered with: API calls (batch parts included) given 500, 429 or
    403, and HTTP requests (a batch counts once) closed without an answer."""
    calls = fake.status_counts
    return {
        "500": calls.get(500, 0),
        "429": calls.get(429, 0),
        "403": calls.get(403, 0),
        "no answer": sum(1 for _, _, status in fake.requests if status == 0),
        "requests": len(fake.requests),
    }


def describe(counts: dict[str, int]) -> str:
    return (f"{counts['500']}x500, {counts['429']}x429, {counts['403']}x403, "
            f"{counts['no answer']} dropped/lost of {counts['requests']} HTTP requests")


def quiet_disconnects() -> None:
    """Killed clients reset their connections; the fake server need not print a traceback."""
    from tests.fakegoogle import server

    original = server._Server.handle_error

    def handle_error(self: Any, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        original(self, request, client_address)

    server._Server.handle_error = handle_error  # type: ignore[method-assign]


# --- invariants ------------------------------------------------------------------------


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def draft_violations(site: Site) -> list[str]:
    """Exactly one draft per contact on the server, matching the database; database ok."""
    problems: list[str] = []
    drafts = site.fake.drafts()
    messages = [parsed(d.message.raw) for d in drafts]
    recipients = sorted(str(m["To"].addresses[0].addr_spec) for m in messages)
    if len(drafts) != site.contacts:
        problems.append(f"{len(drafts)} drafts on the server, expected {site.contacts}")
    if recipients != expected_recipients(site.contacts):
        doubled = sorted({r for r in recipients if recipients.count(r) > 1})
        missing = sorted(set(expected_recipients(site.contacts)) - set(recipients))
        problems.append(f"recipients wrong: doubled {doubled[:5]}, missing {missing[:5]}")
    if len({str(m["Message-ID"]) for m in messages}) != len(messages):
        problems.append("two drafts share a Message-ID")
    with site.db() as conn:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            problems.append(f"integrity_check: {check}")
        rows = conn.execute("SELECT state, draft_id, message_id FROM messages").fetchall()
    states = sorted({state for state, _, _ in rows})
    if len(rows) != site.contacts or states != ["drafted"]:
        problems.append(f"{len(rows)} message rows in states {states}")
    server = {d.id: str(m["Message-ID"]) for d, m in zip(drafts, messages, strict=True)}
    stored = {draft_id: message_id for _, draft_id, message_id in rows}
    if stored != server:
        problems.append("the database's draft ids / Message-IDs differ from the server's")
    return problems


def send_violations(site: Site) -> tuple[list[str], dict[str, int]]:
    """No message sent twice; each row marked sent matches one SENT message."""
    problems: list[str] = []
    sent = [parsed(m.raw) for m in site.fake.messages(label="SENT")]
    ids = [str(m["Message-ID"]) for m in sent]
    if len(ids) != len(set(ids)):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        problems.append(f"sent twice: {twice[:5]}")
    with site.db() as conn:
        rows = conn.execute(
            "SELECT message_id, state, send_started_at FROM messages"
        ).fetchall()
    marked = {mid for mid, state, _ in rows if state == "sent"}
    uncertain = sum(1 for _, state, started in rows if state != "sent" and started)
    if not marked <= set(ids):
        problems.append(f"{len(marked - set(ids))} rows marked sent but not on the server")
    if set(ids) - marked:
        problems.append(f"{len(set(ids) - marked)} sent on the server but not marked sent")
    stats = {"sent": len(ids), "distinct": len(set(ids)), "marked": len(marked),
             "uncertain": uncertain}
    return problems, stats


EVENT_COLUMNS = "gmail_id, thread_id, contact_id, kind, sender, occurred_at, return_date, detail"


def events_of(site: Site) -> set[tuple[Any, ...]]:
    with site.db() as conn:
        rows = conn.execute(f"SELECT {EVENT_COLUMNS} FROM thread_events").fetchall()  # noqa: S608
    return {tuple(row) for row in rows}


def message_states(site: Site) -> set[tuple[Any, ...]]:
    with site.db() as conn:
        rows = conn.execute(
            "SELECT idem_key, state, sent_at, gmail_id, thread_id FROM messages"
        ).fetchall()
    return {tuple(row) for row in rows}


# --- scenarios ---------------------------------------------------------------------------


@dataclass
class Outcome:
    scenario: str
    runs: int
    detail: str
    seconds: float
    problems: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _wait_and_kill(site: Site, process: subprocess.Popen[str], rng: random.Random,
                   time_kill_share: float, deadline: float = 60) -> str:
    """SIGKILL ``process`` at a random point; say where it landed.

    A share of kills come at a random time (often before any draft is made); the others once
    a random number of drafts is on the server, plus up to 150 ms (mid-batch, between a batch
    and its commit, in the next chunk).
    """
    if rng.random() < time_kill_share:
        delay = rng.uniform(0.1, 1.5)  # while starting up, planning, or on the first batch
        time.sleep(delay)
        where = f"after {delay:.2f} s"
    else:
        threshold = rng.randint(1, max(1, site.contacts - 1))
        stop = time.monotonic() + deadline
        while len(site.fake.drafts()) < threshold and time.monotonic() < stop:
            if process.poll() is not None:
                break
            time.sleep(0.005)
        extra = rng.uniform(0, 0.15)
        time.sleep(extra)
        where = f"{threshold}+ drafts, +{extra * 1000:.0f} ms"
    running = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait()
    state = "killed" if running else "had finished"
    return f"{where}: {state}, {len(site.fake.drafts())} drafts on the server"


def kill_scenario(base: Path, *, contacts: int, repetitions: int, kills: int, seed: int,
                  quota: int = 100, latency: float = 0.05,
                  time_kill_share: float = 0.3) -> Outcome:
    """SIGKILL a draft run ``kills`` times at random points, then finish it; ``repetitions``
    times on fresh workspaces and servers. The client paces at ``quota`` units/s (Gmail's 6,000
    a minute for new projects by default: batches of 10 creates a second) and each request
    takes ``latency`` more."""
    quiet_disconnects()
    rng = random.Random(seed)
    started = time.monotonic()
    outcome = Outcome("kill", 0, "", 0.0)
    landed: list[str] = []
    for rep in range(repetitions):
        with FakeGoogle(email=USER_EMAIL) as fake:
            site = make_site(base / f"kill{rep}", fake, contacts, quota=quota)
            fake.inject(latency=latency, wire_only=True, path_pattern=GMAIL_PATHS)
            for _ in range(kills):
                process = site.start("draft", "outreach", "--tag", "batch")
                landed.append(_wait_and_kill(site, process, rng, time_kill_share))
                outcome.runs += 1
            done = site.cli("draft", "outreach", "--tag", "batch")
            outcome.runs += 1
            if done.returncode != 0:
                outcome.problems.append(f"rep {rep}: re-run exit {done.returncode}: "
                                        f"{done.stderr[-300:]}")
            outcome.problems.extend(f"rep {rep}: {p}" for p in draft_violations(site))
            outcome.log.extend(site.log)
    outcome.seconds = time.monotonic() - started
    killed = sum(1 for where in landed if ": killed," in where)
    before_all = sum(1 for where in landed
                     if ": killed," in where and not where.endswith(f" {contacts} drafts on "
                                                                   "the server"))
    outcome.counts = {"kills": len(landed), "killed": killed, "partial": before_all}
    outcome.detail = (f"{repetitions} x ({kills} kill + re-run), {contacts} contacts; "
                      f"{killed} of {len(landed)} kills hit a running process, {before_all} "
                      "before every draft was on the server")
    outcome.log[:0] = [f"kill points: {landed}"]
    return outcome


def draft_fault_scenario(base: Path, *, contacts: int, seed: int, retry_after: float = 1.0,
                         sure: bool = False) -> Outcome:
    """One draft run under a flaky network: completes, every draft exactly once."""
    quiet_disconnects()
    started = time.monotonic()
    outcome = Outcome("draft", 1, "", 0.0)
    with FakeGoogle(email=USER_EMAIL) as fake:
        site = make_site(base / "draft", fake, contacts)
        inject_flaky_network(fake, seed, retry_after=retry_after, sure=sure)
        done = site.cli("draft", "outreach", "--tag", "batch")
        calm_network(fake)
        if done.returncode != 0:
            outcome.problems.append(f"the run did not complete (exit {done.returncode}): "
                                    f"{done.stderr[-400:]}")
        outcome.problems.extend(draft_violations(site))
        outcome.counts = fault_counts(fake)
        outcome.detail = (f"{contacts} contacts -> {len(fake.drafts())} drafts; "
                          f"{describe(outcome.counts)}")
        outcome.log.extend(site.log)
    outcome.seconds = time.monotonic() - started
    return outcome


def send_fault_scenario(base: Path, *, contacts: int, seed: int, retry_after: float = 1.0,
                        sure: bool = False) -> Outcome:
    """`send --yes` under a flaky network: nothing sent twice; a second run sends nothing."""
    quiet_disconnects()
    started = time.monotonic()
    outcome = Outcome("send", 0, "", 0.0)
    with FakeGoogle(email=USER_EMAIL) as fake:
        # drafts.send costs 100 units: at Gmail's 250/s the pace alone would take minutes.
        site = make_site(base / "send", fake, contacts, quota=10_000)
        made = site.cli("draft", "outreach", "--tag", "batch")
        if made.returncode != 0:
            outcome.problems.append(f"drafting failed: {made.stderr[-300:]}")
        fake.reset_log()
        inject_flaky_network(fake, seed, retry_after=retry_after, sure=sure)
        first = site.cli("send", "--yes")
        outcome.counts = fault_counts(fake)
        calm_network(fake)
        second = site.cli("send", "--yes")
        outcome.runs = 2
        problems, stats = send_violations(site)
        outcome.problems.extend(problems)
        if first.returncode != 0 and stats["uncertain"] == 0:
            outcome.problems.append(f"send failed (exit {first.returncode}) with nothing "
                                    f"uncertain: {first.stderr[-300:]}")
        if stats["sent"] + stats["uncertain"] != contacts:
            outcome.problems.append(f"{stats['sent']} sent + {stats['uncertain']} uncertain "
                                    f"!= {contacts}")
        if "Nothing to send" not in second.stdout:
            outcome.problems.append(f"a second send --yes did something: {second.stdout[-300:]}")
        outcome.counts.update(stats)
        outcome.detail = (f"{contacts} drafts -> {stats['sent']} SENT, {stats['distinct']} "
                          f"distinct Message-IDs, {stats['uncertain']} uncertain; first run "
                          f"exit {first.returncode}; {describe(outcome.counts)}")
        outcome.log.extend(site.log)
    outcome.seconds = time.monotonic() - started
    return outcome


def _deliver_round(site: Site, rng: random.Random, round_number: int) -> int:
    """Replies, out-of-office notes, bounces and newsletters for a share of the contacts."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from outreach.store.messages import MessageRow
    from tests.helpers_sync import bounce, newsletter, out_of_office, reply

    with site.db() as conn:
        conn.row_factory = sqlite3.Row
        rows = [MessageRow(**dict(r)) for r in conn.execute("SELECT * FROM messages")]
        emails = dict(conn.execute("SELECT id, email FROM contacts").fetchall())
    when = datetime(2026, 3, 2 + round_number, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    delivered = 0
    for row in rows:
        address = emails[row.contact_id]
        roll = rng.random()
        moment = when + timedelta(minutes=rng.randint(0, 600))
        if roll < 0.3:
            message = reply(row, f"Someone <{address}>", moment)
        elif roll < 0.4:
            message = out_of_office(row, f"Someone <{address}>", moment, "16 March 2026")
        elif roll < 0.45 and round_number == 1:
            message = bounce(row, address, moment)
        else:
            continue
        site.fake.deliver(message, internal_date=moment)
        delivered += 1
    site.fake.deliver(newsletter(when), internal_date=when)  # not in a tracked thread
    return delivered


def _sync_until_done(site: Site, *args: str, attempts: int = 12) -> tuple[int, str]:
    """Run ``outreach sync`` until it succeeds (as `outreach watch` would); return tries."""
    last = ""
    for attempt in range(1, attempts + 1):
        done = site.cli("sync", *args)
        if done.returncode == 0:
            return attempt, done.stdout
        last = done.stderr
        if "Traceback" in done.stderr:
            break
    raise RuntimeError(f"sync {' '.join(args)} never succeeded: {last[-500:]}")


def sync_fault_scenario(base: Path, *, contacts: int, seed: int, retry_after: float = 1.0,
                        sure: bool = False, faulty_resync: bool = True) -> Outcome:
    """Full, incremental and --full syncs under a flaky network, each re-run until it
    succeeds, against the same syncs on a clean copy: the same events, none lost or doubled.
    Without ``faulty_resync`` the closing ``sync --full`` runs on a healthy network."""
    quiet_disconnects()
    rng = random.Random(seed)
    started = time.monotonic()
    outcome = Outcome("sync", 0, "", 0.0)
    totals = {"500": 0, "429": 0, "403": 0, "no answer": 0, "requests": 0}

    def faulty_sync(*args: str, offset: int, flaky: bool = True) -> str:
        fake.reset_log()
        if flaky:
            inject_flaky_network(fake, seed + offset, retry_after=retry_after, sure=sure)
        try:
            count, out = _sync_until_done(site, *args)
        finally:
            calm_network(fake)
            for key, value in fault_counts(fake).items():
                totals[key] += value
        tries.append(count)
        return out

    with FakeGoogle(email=USER_EMAIL) as fake:
        site = make_site(base / "sync", fake, contacts, quota=10_000)
        made = site.cli("draft", "outreach", "--tag", "batch")
        if made.returncode != 0:
            outcome.problems.append(f"drafting failed: {made.stderr[-300:]}")
        for draft in fake.drafts():
            fake.send_draft_as_user(draft.id)  # the user sends them from Gmail
        delivered = _deliver_round(site, rng, 1)
        clean = site.copy(base / "sync-clean")
        tries: list[int] = []
        full_out = ""
        try:
            for round_number in (1, 2):
                if round_number == 2:
                    delivered += _deliver_round(site, rng, 2)
                clean_done = clean.cli("sync")
                if clean_done.returncode != 0:
                    outcome.problems.append(f"clean sync failed: {clean_done.stderr[-300:]}")
                faulty_sync(offset=10 * round_number)
            full_out = faulty_sync("--full", offset=30, flaky=faulty_resync)
        except RuntimeError as exc:
            outcome.problems.append(str(exc))
        outcome.runs = sum(tries) + 2
        faulty, reference = events_of(site), events_of(clean)
        lost, extra = reference - faulty, faulty - reference
        if lost or extra:
            outcome.problems.append(f"{len(lost)} events lost, {len(extra)} extra "
                                    f"(e.g. {sorted(lost or extra)[:2]})")
        expected = contacts + delivered  # every send, and every delivery in a tracked thread
        if len(reference) != expected:
            outcome.problems.append(f"the clean run has {len(reference)} events, "
                                    f"expected {expected}")
        if message_states(site) != message_states(clean):
            outcome.problems.append("message rows differ from the clean run's")
        if full_out and "nothing new" not in full_out:
            outcome.problems.append(f"sync --full after the others found more: {full_out}")
        with site.db() as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                outcome.problems.append("integrity_check failed")
        outcome.counts = {**totals, "events": len(faulty), "expected": expected}
        outcome.detail = (f"{contacts} threads, {len(faulty)} events = clean run's "
                          f"{len(reference)}: {len(lost)} lost, {len(extra)} doubled; tries "
                          f"(full, incremental, --full): {tries}; {describe(totals)}")
        outcome.log.extend(site.log + clean.log)
    outcome.seconds = time.monotonic() - started
    return outcome


SCENARIOS: dict[str, Callable[..., Outcome]] = {
    "kill": kill_scenario,
    "draft": draft_fault_scenario,
    "send": send_fault_scenario,
    "sync": sync_fault_scenario,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--kills", type=int, default=20, help="kill-and-re-run repetitions")
    parser.add_argument("--only", default="kill,draft,send,sync")
    parser.add_argument("--verbose", action="store_true", help="print every CLI run's output")
    args = parser.parse_args()
    wanted = [name.strip() for name in args.only.split(",") if name.strip()]
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="outreach-faults-") as tmp:
        base = Path(tmp)
        for name in wanted:
            if name == "kill":
                outcome = kill_scenario(base, contacts=args.contacts, repetitions=args.kills,
                                        kills=1, seed=args.seed)
            else:
                outcome = SCENARIOS[name](base, contacts=args.contacts, seed=args.seed, sure=True)
            outcomes.append(outcome)
            print(f"{name}: {'ok' if outcome.ok else 'VIOLATED'} in {outcome.seconds:.1f} s",
                  flush=True)
            if args.verbose or not outcome.ok:
                print("\n".join(outcome.log), flush=True)
    print(f"\nFault runs, seed {args.seed}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")
    print(f"{'scenario':<8}{'result':>9}{'runs':>6}{'seconds':>9}  detail")
    for outcome in outcomes:
        print(f"{outcome.scenario:<8}{'ok' if outcome.ok else 'VIOLATED':>9}{outcome.runs:>6}"
              f"{outcome.seconds:>9.1f}  {outcome.detail}")
        for problem in outcome.problems:
            print(f"{'':<8}  ! {problem}")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
