"""Benchmark: an interrupted local draft, re-run, against a fresh run (issue 11).

Two identical workspaces with N contacts (default 1,500) on the local backend. In the first,
`outreach draft outreach --tag batch` runs to the end: the fresh-run time. In the second, the
same command gets SIGINT (Ctrl-C) once half the drafts are in ``outbox/cur``; the files in
``outbox/cur`` and ``outbox/tmp`` and the drafted rows in the database are counted, then the
command runs again to the end: the re-run time. Both runs are real subprocesses
(``python -m outreach``), side by side in one run of this script.

    .venv/bin/python bench/bench_interrupted_draft.py [--contacts 1500] [--template outreach]

``--repeat N`` runs N rounds and prints the medians. ``--template note`` uses a template
without slots (no slot proposal: drafting and the outbox only). ``--before DIR`` runs the same
scenario a second time with the ``outreach`` package found in DIR (e.g. ``git archive 7905656
outreach templates | tar -x -C /tmp/orig``), for a before/after table from one run. With
``when_full`` in the config (issue 12's slot engine), the workspaces use ``when_full =
"share"``, what older code did silently. Prints the figures; exits 0.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-03-02T09:00:00-05:00"
NOTE = """Subject: A question about your work at {{ contact.org }}
Kind: outreach

Hi {{ contact.first_name }},

I'm {{ user.name }}. I found you through {{ contact.connection }} and would be grateful for
20 minutes of your time to hear about your path. Could you tell me a few times that suit you?

Thank you,
{{ user.name }}
"""


CODE: dict[str, str] = {}  # PYTHONPATH for the code under test ("" = this checkout)


class Run:
    """``python -m outreach ARGS`` in the background, its output going to files (a pipe
    nobody reads while we wait for drafts would fill up and stall it)."""

    def __init__(self, home: Path, *args: str) -> None:
        env = {**os.environ, "OUTREACH_HOME": str(home), "OUTREACH_NOW": NOW}
        if CODE.get("path"):
            env["PYTHONPATH"] = CODE["path"]
        self.out = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in finish()
        self.err = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in finish()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "outreach", *args],
            env=env,
            cwd=home.parent,  # not the checkout: `-m` would import ./outreach before PYTHONPATH
            stdout=self.out,
            stderr=self.err,
            text=True,
        )

    def finish(self) -> tuple[int, str, str]:
        code = self.process.wait()
        texts = []
        for handle in (self.out, self.err):
            handle.seek(0)
            texts.append(handle.read())
            handle.close()
        return code, texts[0], texts[1]


def check(home: Path, *args: str) -> str:
    code, out, err = Run(home, *args).finish()
    if code != 0:
        raise SystemExit(f"outreach {' '.join(args)} failed ({code}): {err}")
    return out


def workspace(base: Path, name: str, contacts: int) -> Path:
    home = base / name
    check(home, "init", "--name", "Sam Rivera", "--email", "sam@example.edu",
          "--timezone", "America/New_York")
    config = home / "config.toml"
    text = config.read_text().replace('busy = ["google"]', "busy = []")
    if 'when_full = "stop"' in text:
        # 1,500 people cannot all get times of their own in two weeks; offer shared ones
        # (the older code, without when_full, always did).
        text = text.replace('when_full = "stop"', 'when_full = "share"')
    config.write_text(text)
    (home / "templates" / "note.txt").write_text(NOTE, encoding="utf-8")
    zones = ("Europe/London", "America/Los_Angeles", "Asia/Kolkata", "")
    lines = ["Name,Email,Company,Timezone,Connection,Tags"]
    lines += [
        f"Person {i:04d},person{i:04d}@example.org,Org {i},{zones[i % 4]},"
        "the State University alumni directory,batch"
        for i in range(contacts)
    ]
    csv = base / f"{name}.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    check(home, "contacts", "import", str(csv))
    return home


def files(folder: Path) -> int:
    return sum(1 for _ in folder.iterdir()) if folder.is_dir() else 0


def drafted_rows(home: Path) -> int:
    with sqlite3.connect(home / "outreach.db") as conn:
        row = conn.execute("SELECT COUNT(*) FROM messages WHERE state = 'drafted'").fetchone()
    return int(row[0])


def per_recipient(folder: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in folder.iterdir():
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        counts[str(message["To"].addresses[0].addr_spec)] += 1  # type: ignore[union-attr]
    return counts


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(home: Path, template: str) -> tuple[float, float, str, str, int]:
    """Wall and CPU seconds (user + system) of one draft run, its output and exit code."""
    cpu, started = child_cpu(), time.perf_counter()
    code, out, err = Run(home, "draft", template, "--tag", "batch").finish()
    return time.perf_counter() - started, child_cpu() - cpu, out, err, code


def scenario(
    base: Path, total: int, template: str, label: str, slug: str
) -> tuple[float, float, float, float]:
    """One fresh run and one interrupted run plus its re-run; prints them, returns
    (fresh wall, fresh CPU, re-run wall, re-run CPU)."""
    fresh_home = workspace(base, f"{slug}-fresh", total)
    broken_home = workspace(base, f"{slug}-interrupted", total)

    fresh_s, fresh_cpu, fresh_out, _, fresh_code = timed(fresh_home, template)

    cur, tmp_dir = broken_home / "outbox" / "cur", broken_home / "outbox" / "tmp"
    started = time.perf_counter()
    interrupted = Run(broken_home, "draft", template, "--tag", "batch")
    while interrupted.process.poll() is None and files(cur) < total // 2:
        time.sleep(0.005)
    interrupted.process.send_signal(signal.SIGINT)
    interrupt_code, _, interrupt_err = interrupted.finish()
    first_s = time.perf_counter() - started
    at_interrupt = (files(cur), files(tmp_dir), drafted_rows(broken_home))

    rerun_s, rerun_cpu, rerun_out, _, rerun_code = timed(broken_home, template)
    after = (files(cur), files(tmp_dir), drafted_rows(broken_home))
    counts = per_recipient(cur)

    said = [
        line
        for line in interrupt_err.splitlines()
        if line.strip() and not line.startswith(("note ", "skipped "))
    ]
    print(f"[{label}] interrupted local draft, {total} contacts, template {template!r}")
    print(f"  fresh run                  {fresh_s:7.1f} s wall, {fresh_cpu:6.1f} s CPU  "
          f"exit {fresh_code}  "
          f"{fresh_out.splitlines()[0] if fresh_out else ''}")
    print(f"  interrupted run            {first_s:7.1f} s  exit {interrupt_code} "
          "(SIGINT once half the drafts were in outbox/cur)")
    for line in said:
        print(f"      | {line}")
    print(f"  after the interrupt        outbox/cur {at_interrupt[0]} files, "
          f"outbox/tmp {at_interrupt[1]} files, {at_interrupt[2]} drafted rows")
    print(f"  re-run                     {rerun_s:7.1f} s wall, {rerun_cpu:6.1f} s CPU  "
          f"exit {rerun_code}  "
          f"{rerun_out.splitlines()[0] if rerun_out else ''}")
    print(f"  after the re-run           outbox/cur {after[0]} files, outbox/tmp {after[1]} "
          f"files, {after[2]} drafted rows; {len(counts)} recipients, "
          f"at most {max(counts.values()) if counts else 0} draft each")
    print(f"  re-run / fresh             {rerun_s / fresh_s:7.2f}x wall, "
          f"{rerun_cpu / fresh_cpu:.2f}x CPU", flush=True)
    return fresh_s, fresh_cpu, rerun_s, rerun_cpu


def rounds(base: Path, args: argparse.Namespace, label: str, slug: str) -> None:
    results = [
        scenario(base, args.contacts, args.template, label, f"{slug}{number}")
        for number in range(args.repeat)
    ]
    if len(results) > 1:
        fresh_s, fresh_cpu, rerun_s, rerun_cpu = (
            statistics.median(r[i] for r in results) for i in range(4)
        )
        print(f"[{label}] medians of {len(results)} rounds: fresh {fresh_s:.1f} s wall "
              f"({fresh_cpu:.1f} s CPU), re-run {rerun_s:.1f} s wall ({rerun_cpu:.1f} s CPU); "
              f"re-run / fresh {rerun_s / fresh_s:.2f}x wall, {rerun_cpu / fresh_cpu:.2f}x CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1500)
    parser.add_argument("--template", default="outreach", choices=["outreach", "note"])
    parser.add_argument("--before", type=Path, help="a folder holding the old outreach package")
    parser.add_argument("--repeat", type=int, default=1, help="rounds (medians are printed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="outreach-bench-interrupt-") as tmp:
        CODE["path"] = ""
        rounds(Path(tmp), args, "this checkout", "after")
        if args.before:
            CODE["path"] = str(args.before.resolve())
            rounds(Path(tmp), args, f"before: {args.before}", "before")


if __name__ == "__main__":
    main()
