"""Benchmark: `outreach --help`, `outreach status` and `outreach due` on a big workspace.

Builds (once, cached in the temp folder) a workspace with 10,000 contacts and 50,000 thread
events written straight into the store: most contacts were sent an outreach message, some a
nudge; there are replies and back-and-forth, out-of-office notes with return dates, bounces,
meetings booked and held, thank-yous. Then times each command as a real subprocess
(``python -m outreach ...``, what the console script runs), median of several runs after one
warm-up, against the targets (0.3 s, 0.5 s, 0.5 s).

Also checks that ``--help`` (and status, due) import no heavy library (googleapiclient,
google.auth, keyring, icalendar, ...), and, when a target is missed, prints the slowest imports
(``python -X importtime``) and an in-process profile of the command.

    .venv/bin/python bench/bench_cli.py [--runs 7] [--rebuild]

Prints a table; exits 0.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONTACTS = 10_000
EVENTS = 50_000
NOW = "2026-11-22T09:00:00-05:00"  # what `due` is asked about
SCHEMA_TAG = "v3"  # bump when the generated data changes shape
TARGETS: dict[str, tuple[list[str], float]] = {
    "--help": (["--help"], 0.3),
    "status": (["status"], 0.5),
    "due": (["due"], 0.5),
}
HEAVY = (
    "googleapiclient",
    "google.auth",
    "google_auth_oauthlib",
    "httplib2",
    "keyring",
    "icalendar",
    "recurring_ical_events",
    "vobject",
    "jinja2",
    "rich",
    "sqlite3",
    "email_validator",
)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def build_workspace(root: Path, *, keep_up: bool = True, seed: int = 7) -> dict[str, int]:
    """Fill a fresh workspace at ``root``; return counts of what was written.

    A year of use. ``keep_up``: the user acts on what is due (nudges after a week, thank-yous
    the next day, keep-in-touch notes every 90 days, closes contacts who replied but did not
    meet), so `due` lists what a day brings. Without it, a backlog: half the nudges and
    thank-yous never written, nobody closed, no keep-in-touch notes (thousands of due rows).
    """
    from outreach.config import Workspace
    from outreach.services.workspace.setup import init_workspace
    from outreach.store import Store

    workspace = Workspace(root)
    init_workspace(workspace, name="Sam Rivera", email="sam@example.edu",
                   timezone="America/New_York")
    text = workspace.config_file.read_text(encoding="utf-8")
    workspace.config_file.write_text(text.replace('busy = ["google"]', "busy = []"), "utf-8")
    rng = random.Random(seed)
    end = datetime.fromisoformat(NOW).astimezone(UTC) - timedelta(hours=1)
    start = end - timedelta(days=365)
    span = int((end - start).total_seconds())
    zones = ("Europe/London", "America/Los_Angeles", "Asia/Kolkata", "America/New_York", "")

    contacts: list[tuple[object, ...]] = []
    tags: list[tuple[int, str]] = []
    messages: list[tuple[object, ...]] = []
    events: list[tuple[object, ...]] = []
    meetings: list[tuple[object, ...]] = []
    proposals: list[tuple[object, ...]] = []
    conversations: list[tuple[int, str, datetime]] = []  # replied threads: back-and-forth
    seq = 0

    def gid() -> str:
        nonlocal seq
        seq += 1
        return f"m{seq:08x}"

    def event(cid: int, thread: str, kind: str, sender: str, at: datetime,
              return_date: str | None = None) -> None:
        events.append((gid(), thread, cid, kind, sender, "Re: a question", iso(at), return_date,
                       ""))

    def message(cid: int, kind: str, key: str, state: str, thread: str, at: datetime) -> None:
        sent = iso(at) if state == "sent" else None
        messages.append((cid, kind, kind, key, f"A question ({cid})",
                         f"<outreach.{key.replace(':', '.')}@example.edu>", "gmail",
                         f"d{seq}", gid(), thread, state, sent, sent, iso(at), iso(at)))
        if state == "sent":
            event(cid, thread, "own_send", "sam@example.edu", at)

    def maybe(p: float) -> bool:
        return rng.random() < p

    for cid in range(1, CONTACTS + 1):
        created = start + timedelta(seconds=rng.randrange(span))
        email = f"person{cid:05d}@example.org"
        referred = rng.randrange(1, cid) if cid > 100 and maybe(0.03) else None
        closed: str | None = None
        extra = json.dumps({"connection": "the State University alumni directory"})
        thread = f"t{cid:06x}"
        sent_at = created + timedelta(days=rng.uniform(0.5, 6))
        roll = rng.random()
        if roll < 0.05 or sent_at >= end:
            pass  # new: not written to yet
        elif roll < 0.10:
            message(cid, "outreach", f"outreach:{cid}", "drafted", thread, sent_at)
        else:
            message(cid, "outreach", f"outreach:{cid}", "sent", thread, sent_at)
            fate = rng.random()
            nudge_at = sent_at + timedelta(days=rng.uniform(7, 9))
            reply_at = sent_at + timedelta(days=rng.uniform(0.2, 12))
            if fate < 0.04:
                event(cid, thread, "bounce", "mailer-daemon@example.org",
                      sent_at + timedelta(minutes=2))
            elif fate < 0.45:  # silence, perhaps an out-of-office first
                if fate < 0.12:
                    back = (sent_at + timedelta(days=rng.randint(3, 20))).date().isoformat()
                    event(cid, thread, "auto_reply", email, sent_at + timedelta(minutes=5), back)
                if nudge_at < end and (keep_up or maybe(0.5)):
                    message(cid, "followup", f"followup:{cid}:1", "sent", thread, nudge_at)
                    if keep_up and nudge_at + timedelta(days=16) < end:
                        # `due` says to close them as "no reply" two weeks later; they do.
                        closed = iso(nudge_at + timedelta(days=16))
            elif reply_at < end:
                event(cid, thread, "reply", email, reply_at)
                conversations.append((cid, thread, reply_at))
                last = reply_at + timedelta(days=2)
                meet = (reply_at + timedelta(days=rng.uniform(3, 10))).replace(
                    hour=15, minute=0, second=0)
                if maybe(0.45) and meet < end + timedelta(days=10):
                    past = meet + timedelta(minutes=20) < end
                    held = past and maybe(0.9)
                    met_at = meet + timedelta(minutes=40)
                    state = "held" if held else "scheduled"
                    if past and not held and keep_up:  # they cancelled; the user closed them
                        state, closed = "cancelled", iso(meet)
                    meetings.append((cid, iso(meet), iso(meet + timedelta(minutes=20)),
                                     f"uid-{cid}@example.edu", state,
                                     "Talked about the path into the field." if held else "",
                                     iso(met_at) if held else None, iso(reply_at),
                                     iso(reply_at)))
                    proposals.append((cid, f"outreach:{cid}", 1, iso(meet),
                                      iso(meet + timedelta(minutes=20)), "booked", iso(sent_at),
                                      iso(sent_at + timedelta(days=7))))
                    if held:
                        last = met_at
                        thanks = meet + timedelta(hours=rng.uniform(2, 30))
                        if thanks < end and (maybe(0.97) if keep_up else maybe(0.5)):
                            message(cid, "thankyou", f"thankyou:{cid}", "sent", thread, thanks)
                            last = thanks
                        if keep_up:  # a keep-in-touch note every 90 days or so
                            note = last + timedelta(days=90 + rng.uniform(0, 2))
                            while note < end:
                                day = note.date().isoformat()
                                message(cid, "keepintouch", f"keepintouch:{cid}:{day}", "sent",
                                        thread, note)
                                note += timedelta(days=90 + rng.uniform(0, 2))
                elif keep_up and reply_at + timedelta(days=14) < end:
                    closed = iso(reply_at + timedelta(days=14))  # they declined, or went quiet
        contacts.append((cid, email, email, f"Person {cid:05d}", "Person", f"{cid:05d}",
                         f"Org {cid % 700}", "Engineer", zones[cid % len(zones)], "csv",
                         referred, extra, closed, iso(created), iso(created)))
        tags.append((cid, "alumni" if cid % 3 else "industry"))
    # Scheduling back-and-forth in replied threads, up to EVENTS events in all.
    while len(events) < EVENTS:
        cid, thread, at = conversations[rng.randrange(len(conversations))]
        moment = min(at + timedelta(hours=rng.uniform(1, 48)), end)
        if maybe(0.5):
            event(cid, thread, "reply", f"person{cid:05d}@example.org", moment)
        else:
            event(cid, thread, "own_send", "sam@example.edu", moment)

    store = Store.open(workspace.db_file)
    conn = store.conn
    with store.transaction():
        conn.executemany(
            "INSERT INTO contacts (id, email, email_key, name, first_name, last_name, org, "
            "title, timezone, source, referred_by, extra, closed_at, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", contacts)
        conn.executemany("INSERT INTO tags (contact_id, tag) VALUES (?, ?)", tags)
        conn.executemany(
            "INSERT INTO messages (contact_id, kind, template, idem_key, subject, message_id, "
            "backend, draft_id, gmail_id, thread_id, state, send_started_at, sent_at, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            messages)
        conn.executemany(
            "INSERT INTO thread_events (gmail_id, thread_id, contact_id, kind, sender, subject, "
            "occurred_at, return_date, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
        conn.executemany(
            "INSERT INTO meetings (contact_id, start, end, uid, state, notes, met_at, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", meetings)
        conn.executemany(
            "INSERT INTO proposals (contact_id, message_idem_key, slot_index, start, end, state, "
            "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", proposals)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return {"contacts": len(contacts), "messages": len(messages), "events": len(events),
            "meetings": len(meetings)}


def cached_workspace(kind: str, rebuild: bool) -> tuple[Path, dict[str, float]]:
    """The benchmark workspace ("keep_up" or "backlog"), built on first use, kept in /tmp."""
    base = Path(tempfile.gettempdir()) / f"outreach-bench-cli-{SCHEMA_TAG}-{os.getuid()}-{kind}"
    marker = base / "built.json"
    if marker.exists() and not rebuild:
        return base / "ws", json.loads(marker.read_text())
    if base.exists():
        import shutil

        shutil.rmtree(base)
    base.mkdir(mode=0o700, parents=True)
    started = time.perf_counter()
    counts: dict[str, float] = dict(build_workspace(base / "ws", keep_up=kind == "keep_up"))
    counts["build_seconds"] = round(time.perf_counter() - started, 1)
    env = command_env(base / "ws")
    due = subprocess.run([sys.executable, "-m", "outreach", "due", "--json"], env=env,
                         capture_output=True, text=True, check=True)
    counts["due"] = len(json.loads(due.stdout))
    marker.write_text(json.dumps(counts))
    return base / "ws", counts


def command_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
    env.update(OUTREACH_HOME=str(home), OUTREACH_NOW=NOW, PYTHONDONTWRITEBYTECODE="")
    return env


def time_command(args: Sequence[str], env: dict[str, str], runs: int) -> tuple[float, list[float]]:
    """Median wall time of ``python -m outreach ARGS`` (after one warm-up run)."""
    cmd = [sys.executable, "-m", "outreach", *args]
    times: list[float] = []
    for attempt in range(runs + 1):
        started = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")
        if attempt:
            times.append(elapsed)
    return statistics.median(times), times


def interpreter_floor(env: dict[str, str], runs: int) -> float:
    """The wall time of starting this Python and doing nothing: no command can beat it."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


_PROBE = """
import sys
from outreach.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="outreach", standalone_mode=True)
except SystemExit:
    pass
heavy = {heavy!r}
loaded = sorted(h for h in heavy if h in sys.modules)
print("LOADED:" + ",".join(loaded))
"""


def heavy_imports(args: Sequence[str], env: dict[str, str]) -> list[str]:
    """Which heavy libraries a command imports."""
    code = _PROBE.format(heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                          text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("LOADED:"):
            return [name for name in line[len("LOADED:"):].split(",") if name]
    raise RuntimeError(f"probe failed: {done.stderr[-2000:]}")


def import_offenders(args: Sequence[str], env: dict[str, str], top: int = 12) -> list[str]:
    """The top-level packages with the largest cumulative import time (python -X importtime)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "outreach", *args],
                          env=env, capture_output=True, text=True, check=False)
    rows: list[tuple[int, str]] = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(3)) <= 1:  # a top-level import (its own cumulative time)
            rows.append((int(match.group(2)), match.group(4)))
    rows.sort(reverse=True)
    return [f"{us / 1000:7.1f} ms  {name}" for us, name in rows[:top]]


def profile_in_process(args: Sequence[str], home: Path, top: int = 12) -> list[str]:
    """cProfile of the command run in this process (imports already warm): where time goes."""
    from click.testing import CliRunner

    from outreach.cli import cli

    os.environ["OUTREACH_HOME"] = str(home)
    os.environ["OUTREACH_NOW"] = NOW
    runner = CliRunner()
    runner.invoke(cli, list(args))  # warm imports and caches
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    result = runner.invoke(cli, list(args))
    profiler.disable()
    elapsed = time.perf_counter() - started
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    lines = [f"in-process (imports warm): {elapsed:.3f} s, exit {result.exit_code}"]
    keep = False
    for line in out.getvalue().splitlines():
        if line.strip().startswith("ncalls"):
            keep = True
        if keep and line.strip():
            lines.append(line.rstrip()[:150])
    return lines


def query_times(home: Path) -> list[str]:
    """Time the store queries status and due run, in this process."""
    from outreach.store import Store
    from outreach.store.reports import first_replies, first_sends_by_template

    store = Store.open(home / "outreach.db")
    lines = []
    for label, func in (
        ("store.facts() (every contact)", store.facts),
        ("contacts.all()", store.contacts.all),
        ("first_sends_by_template", lambda: first_sends_by_template(store.conn)),
        ("first_replies", lambda: first_replies(store.conn)),
    ):
        started = time.perf_counter()
        func()
        lines.append(f"{(time.perf_counter() - started) * 1000:8.1f} ms  {label}")
    store.close()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="Rebuild the cached workspaces.")
    args = parser.parse_args()

    home, counts = cached_workspace("keep_up", args.rebuild)
    backlog_home, backlog = cached_workspace("backlog", args.rebuild)
    env = command_env(home)
    for label, info, where in (("kept up", counts, home), ("backlog", backlog, backlog_home)):
        print(f"Workspace ({label}) {where}: {info['contacts']:,} contacts, "
              f"{info['messages']:,} messages, {info['events']:,} events, "
              f"{info['meetings']:,} meetings, {info['due']:,} due actions "
              f"(built in {info.get('build_seconds', 0)} s, cached)")
    floor = interpreter_floor(env, args.runs)
    print(f"python -c pass: {floor:.3f} s (the floor for any command)")
    print(f"{'command':<30}{'median s':>9}{'min s':>8}{'max s':>8}{'target s':>9}  result  "
          "heavy imports")
    missed: list[str] = []
    for name, (cmd, target) in TARGETS.items():
        median, times = time_command(cmd, env, args.runs)
        heavy = heavy_imports(cmd, env)
        ok = median < target
        if not ok:
            missed.append(name)
        print(f"outreach {name:<21}{median:>9.3f}{min(times):>8.3f}{max(times):>8.3f}"
              f"{target:>9.1f}  {'ok' if ok else 'MISSED':<6}  {', '.join(heavy) or '-'}")
    backlog_env = command_env(backlog_home)
    for cmd in (["due"], ["due", "--json"], ["status"]):
        median, times = time_command(cmd, backlog_env, max(3, args.runs // 2))
        name = " ".join(cmd) + " (backlog)"
        print(f"outreach {name:<21}{median:>9.3f}{min(times):>8.3f}{max(times):>8.3f}"
              f"{'-':>9}  info")
    help_heavy = heavy_imports(["--help"], env)
    google_free = not any(h.startswith("google") for h in help_heavy)
    print(f"--help imports googleapiclient: {'no' if google_free else 'YES (defect)'}")
    for name in missed:
        cmd = TARGETS[name][0]
        print(f"\n{name}: slowest imports (python -X importtime, cumulative):")
        for line in import_offenders(cmd, env):
            print("  " + line)
        if name != "--help":
            print(f"{name}: profile")
            for line in profile_in_process(cmd, home):
                print("  " + line)
    if any(n != "--help" for n in missed):
        print("\nstore queries:")
        for line in query_times(home):
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
