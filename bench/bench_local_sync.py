"""Benchmark: local `sync` with nothing new, and `watch --interval 1`, on 4,000 Maildir files.

Builds a local-backend workspace: 1,000 contacts drafted and sent (1,000 files in ``sent/``),
then 3,000 files in ``inbox/``: a reply from each contact and 2,000 newsletters. One sync
records everything; then:

- ``sync`` with nothing new, in process (the `sync` service) and as a subprocess
  (``python -m outreach sync``), median of 5;
- ``watch --interval 1``: CPU used per second of watching, from the difference between a run
  of 21 cycles and a run of 1 (so start-up and the first sync cancel out), as a share of one
  core (user + system time of the child, ``getrusage``).

    .venv/bin/python bench/bench_local_sync.py [--before DIR]

``--before DIR`` runs the same measurements with the ``outreach`` package found in DIR (the
old code needs its own workspace: the schemas differ). Prints the figures; exits 0.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-03-02T09:00:00-05:00"
CONTACTS = 1_000
NEWSLETTERS = 2_000
NOTE = """Subject: A question about your work at {{ contact.org }}
Kind: outreach

Hi {{ contact.first_name }},

I'm {{ user.name }}. I found you through the State University alumni directory and would be
grateful for 20 minutes of your time to hear about your path. Could you tell me a few times
that suit you?

Thank you,
{{ user.name }}
"""
CODE: dict[str, str] = {"path": ""}


def env(home: Path) -> dict[str, str]:
    values = {**os.environ, "OUTREACH_HOME": str(home), "OUTREACH_NOW": NOW}
    if CODE["path"]:
        values["PYTHONPATH"] = CODE["path"]
    return values


def check(home: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "outreach", *args],
        env=env(home),
        cwd=home.parent,  # not the checkout: `-m` would import ./outreach before PYTHONPATH
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"outreach {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def build(home: Path) -> int:
    check(home, "init", "--name", "Sam Rivera", "--email", "sam@example.edu",
          "--timezone", "America/New_York")
    config = home / "config.toml"
    text = config.read_text().replace('busy = ["google"]', "busy = []")
    config.write_text(text.replace("daily_send_cap = 100", "daily_send_cap = 2000"))
    (home / "templates" / "note.txt").write_text(NOTE, encoding="utf-8")
    lines = ["Name,Email,Company,Tags"]
    lines += [f"Person {i:04d},person{i:04d}@example.org,Org {i},batch" for i in range(CONTACTS)]
    (home.parent / "people.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    check(home, "contacts", "import", str(home.parent / "people.csv"))
    check(home, "draft", "note", "--tag", "batch")
    check(home, "send", "--yes")
    sent: dict[str, str] = {}
    import email
    import email.policy

    for path in (home / "sent" / "cur").iterdir():
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        sent[str(message["To"].addresses[0].addr_spec)] = str(message["Message-ID"])  # type: ignore[union-attr]
    inbox = home / "inbox" / "new"
    inbox.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    number = 0
    for address, message_id in sorted(sent.items()):
        message = EmailMessage()
        message["From"] = address
        message["To"] = "sam@example.edu"
        message["Subject"] = "Re: A question about your work"
        message["Message-ID"] = make_msgid(domain="example.org")
        message["In-Reply-To"] = message_id
        message["References"] = message_id
        message["Date"] = format_datetime(start + timedelta(minutes=number))
        message.set_content("Happy to talk. Thursday works.\n")
        number += 1
        (inbox / f"1772467200.M{number}P1.bench").write_bytes(message.as_bytes())
    for _ in range(NEWSLETTERS):
        message = EmailMessage()
        message["From"] = "news@list.example.com"
        message["To"] = "sam@example.edu"
        message["Subject"] = f"Weekly digest {number}"
        message["Message-ID"] = make_msgid(domain="list.example.com")
        message["Date"] = format_datetime(start + timedelta(minutes=number))
        message.set_content("News.\n" * 40)
        number += 1
        (inbox / f"1772467200.M{number}P1.bench").write_bytes(message.as_bytes())
    return sum(1 for _ in (home / "sent" / "cur").iterdir()) + sum(1 for _ in inbox.iterdir())


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def watch_run(home: Path, cycles: int) -> tuple[float, float]:
    before_cpu, started = child_cpu(), time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "outreach", "watch", "--interval", "1", "--max-cycles",
         str(cycles)],
        env=env(home),
        cwd=home.parent,
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - started, child_cpu() - before_cpu


def in_process_sync(home: Path) -> float:
    code = (
        "import time; from outreach.app import AppContext; from outreach.config import "
        "Workspace; from outreach.services.sync.run import sync; from pathlib import Path; "
        f"app = AppContext(workspace=Workspace(Path({str(home)!r}))); sync(app); "
        "t = []\n"
        "for _ in range(5):\n"
        "    s = time.perf_counter(); r = sync(app); t.append(time.perf_counter() - s)\n"
        "    assert not r.changes\n"
        "import statistics; print(statistics.median(t))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env(home),
        cwd=home.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip())


def scenario(base: Path, label: str) -> None:
    home = base / label.replace(" ", "-").replace(":", "").replace("/", "_") / "ws"
    home.parent.mkdir(parents=True)
    total = build(home)
    started = time.perf_counter()
    first = check(home, "sync").strip().splitlines()[-2:]
    first_s = time.perf_counter() - started
    walls = []
    for _ in range(5):
        started = time.perf_counter()
        out = check(home, "sync")
        walls.append(time.perf_counter() - started)
    quiet = out.strip().splitlines()[0]
    inside = in_process_sync(home)
    one_wall, one_cpu = watch_run(home, 1)
    many_wall, many_cpu = watch_run(home, 21)
    share = (many_cpu - one_cpu) / (many_wall - one_wall)
    print(f"[{label}] local sync, {total} Maildir files ({CONTACTS} sent, {CONTACTS} replies, "
          f"{NEWSLETTERS} newsletters)")
    print(f"  first sync (records everything)      {first_s:6.2f} s   {' / '.join(first)}")
    print(f"  sync, nothing new, subprocess        {statistics.median(walls):6.2f} s   "
          f"(median of 5; {quiet})")
    print(f"  sync, nothing new, in process        {inside * 1000:6.1f} ms  (median of 5)")
    print(f"  watch --interval 1, steady state     {share * 100:6.1f} % of one core  "
          f"({many_cpu - one_cpu:.2f} s CPU over {many_wall - one_wall:.1f} s, 20 cycles)",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="a folder holding the old outreach package")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="outreach-bench-localsync-") as tmp:
        CODE["path"] = ""
        scenario(Path(tmp), "this checkout")
        if args.before:
            CODE["path"] = str(args.before.resolve())
            scenario(Path(tmp), f"before {args.before}")


if __name__ == "__main__":
    main()
