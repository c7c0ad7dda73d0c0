"""A year of use at full speed: reading commands at 10,000 and 50,000 contacts, an idle
`watch --interval 1` on a year of local mail, and the memory of a big import; before and after,
side by side in one run.

- Workspaces: bench_cli's generator (a user who keeps up: sends, nudges, replies, meetings,
  thank-yous, keep-in-touch notes), at 10,000 contacts (about 17,600 messages, 50,000 events,
  2,200 meetings) and at 50,000 (five times as much), built once and cached in /tmp. The year
  one also gets its mail as files: every sent message in ``sent/`` and every reply in
  ``inbox/``, synced once before `watch` is measured.
- ``--against REF`` (default: the merge base with main) is extracted with ``git archive`` and
  measured with its own copy of each workspace (its schema, one migration older).
- Commands: subprocess ``python -m outreach ...``, median of ``--runs`` after one warm-up.
- `watch --interval 1`: CPU (user + system, from /proc) over ``--watch-seconds`` seconds of
  idle cycles after the first cycles, as a share of one core.
- Import: peak RSS (``ru_maxrss`` of the child) and time of `contacts import` of a generated
  100 MB CSV (dry run, then a real import into an empty workspace), and of a CSV with one
  100 MB field (rejected).

    .venv/bin/python bench/bench_scale.py [--against REF] [--sizes 10000,50000] [--runs 5]
        [--skip-watch] [--skip-import] [--skip-commands] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_cli

NOW = bench_cli.NOW
COMMANDS = (["contacts", "list"], ["contacts", "list", "--json"], ["status"], ["due"])
CACHE = Path(tempfile.gettempdir()) / f"outreach-bench-scale-v2-{os.getuid()}"


def extract(ref: str, into: Path) -> Path:
    archive = into / "tree.tar"
    with open(archive, "wb") as handle:
        subprocess.run(["git", "archive", ref], cwd=ROOT, stdout=handle, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def workspace(size: int) -> Path:
    """The generated workspace of ``size`` contacts (built by this tree's code, cached)."""
    home = CACHE / f"ws-{size}"
    if (CACHE / f"built-{size}.json").exists():
        return home
    shutil.rmtree(home, ignore_errors=True)
    home.parent.mkdir(parents=True, exist_ok=True)
    bench_cli.CONTACTS = size
    bench_cli.EVENTS = 5 * size
    counts = bench_cli.build_workspace(home)
    (CACHE / f"built-{size}.json").write_text(json.dumps(counts))
    return home


def add_mail_files(home: Path) -> int:
    """Every sent message as a file in sent/, every reply as a file in inbox/."""
    from email.message import EmailMessage
    from email.utils import format_datetime

    from outreach.mail.maildir import ensure_maildir

    conn = sqlite3.connect(home / "outreach.db")
    sent = conn.execute(
        "SELECT m.message_id, c.email, m.subject, m.sent_at FROM messages m "
        "JOIN contacts c ON c.id = m.contact_id WHERE m.state = 'sent'"
    ).fetchall()
    replies = conn.execute(
        "SELECT e.gmail_id, e.sender, e.occurred_at FROM thread_events e WHERE kind = 'reply'"
    ).fetchall()
    conn.close()
    written = 0
    from datetime import datetime

    for folder, rows, sent_box in (("sent", sent, True), ("inbox", replies, False)):
        ensure_maildir(home / folder)
        for number, row in enumerate(rows):
            message = EmailMessage()
            if sent_box:
                message_id, to, subject, at = row
                message["From"], message["To"] = "Sam Rivera <sam@example.edu>", to
            else:
                key, sender, at = row
                message_id, subject = f"<{key}@example.org>", "Re: a question"
                message["From"], message["To"] = sender, "sam@example.edu"
            message["Subject"] = subject
            message["Date"] = format_datetime(datetime.fromisoformat(at))
            message["Message-ID"] = message_id
            message.set_content("Thank you for writing; a few lines of a real message.\n" * 8)
            name = f"bench-{number:06d}:2,S"
            (home / folder / "cur" / name).write_bytes(message.as_bytes())
            written += 1
    return written


def for_tree(home: Path, tree: str, tmp: Path, before: bool, code: Path) -> Path:
    """A private copy of ``home`` for one tree (the old code needs the old schema)."""
    copy = tmp / f"{home.name}-{tree}"
    if not copy.exists():
        shutil.copytree(home, copy, symlinks=True)
        if before:
            # Built by this tree: an older tree opens it at its own schema version (what this
            # tree added, an index or a table, is left in place and unused by it).
            version = subprocess.run(
                [sys.executable, "-c", "from outreach.store.migrations import MIGRATIONS;"
                 "print(len(MIGRATIONS))"], cwd=code, env=env_for(copy, code),
                capture_output=True, text=True, check=True).stdout.strip()
            conn = sqlite3.connect(copy / "outreach.db")
            if conn.execute("PRAGMA user_version").fetchone()[0] > int(version):
                conn.execute(f"PRAGMA user_version = {int(version)}")
            conn.commit()
            conn.close()
    return copy


def env_for(home: Path, code: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OUTREACH_") and k != "PYTHONDONTWRITEBYTECODE"}
    # Byte code cached (outside the trees), as in an installed copy: without it every run
    # compiles every module it imports, which swamps what is measured.
    env.update(OUTREACH_HOME=str(home), OUTREACH_NOW=NOW, PYTHONPATH=str(code),
               PYTHONPYCACHEPREFIX=str(CACHE / "pycache"))
    return env


def run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "outreach", *args], env=env,
                          cwd=env["PYTHONPATH"], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{args} failed: {done.stderr[-2000:]}")
    return elapsed


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def watch_share(env: dict[str, str], warm: float, seconds: float) -> tuple[float, float]:
    """(share of a core while idle, CPU of the warm-up) for `watch --interval 1`."""
    process = subprocess.Popen([sys.executable, "-m", "outreach", "watch", "--interval", "1"],
                               env=env, cwd=env["PYTHONPATH"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        time.sleep(warm)
        start_cpu, start = cpu_seconds(process.pid), time.monotonic()
        time.sleep(seconds)
        used, spent = cpu_seconds(process.pid) - start_cpu, time.monotonic() - start
    finally:
        process.terminate()
        process.wait(timeout=30)
    return used / spent, start_cpu


def measured_import(
    args: list[str], env: dict[str, str]
) -> tuple[float, int, float, str, float]:
    """Peak RSS of a child, read with wait4 (ru_maxrss, KB on Linux), and its CPU seconds
    (steadier than wall time on a shared machine)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "outreach", *args], env=env,
                               cwd=env["PYTHONPATH"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    assert process.stderr is not None
    stderr = process.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    return usage.ru_maxrss / 1024, process.returncode, elapsed, (
        stderr.strip().splitlines() or [""])[-1][:110], usage.ru_utime + usage.ru_stime


def big_csv(path: Path, megabytes: int) -> int:
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("Name,Email,Company,Title,Notes\n")
        while handle.tell() < megabytes * 1024 * 1024:
            handle.write(f"Person {rows},person{rows}@example.org,Org {rows % 997},Engineer,"
                         f"{'met at the alumni evening; ' * 7}\n")
            rows += 1
    return rows


def huge_field_csv(path: Path, megabytes: int) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("Name,Email,Notes\nAda,ada@example.org,\"")
        chunk = "x" * (1024 * 1024)
        for _ in range(megabytes):
            handle.write(chunk)
        handle.write("\"\n")


def fresh_workspace(tmp: Path, name: str, code: Path) -> dict[str, str]:
    home = tmp / name
    env = env_for(home, code)
    subprocess.run([sys.executable, "-m", "outreach", "init", "--name", "Sam Rivera", "--email",
                    "sam@example.edu"], env=env, cwd=code, capture_output=True, check=True)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", default=None, help="git commit measured as 'before'")
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--watch-seconds", type=float, default=20.0)
    parser.add_argument("--skip-watch", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-commands", action="store_true")
    parser.add_argument("--quick", action="store_true",
                        help="50,000 contacts only, 1 run, no watch (about 3 minutes)")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.runs, args.skip_watch = "50000", 1, True
    ref = args.against or subprocess.run(
        ["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True,
        check=True).stdout.strip()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="outreach-bench-scale-") as name:
        tmp = Path(name)
        trees = {f"before ({ref[:7]})": extract(ref, tmp), "after (this tree)": ROOT}
        if not args.skip_commands:
            print(f"{'command':<22}{'contacts':>9}" + "".join(f"{t:>24}" for t in trees))
            for size in sizes:
                home = workspace(size)
                results: dict[str, list[float]] = {}
                envs = {t: env_for(for_tree(home, t[:6], tmp, t.startswith("before"), code), code)
                        for t, code in trees.items()}
                for command in COMMANDS:
                    label = " ".join(command)
                    for env in envs.values():
                        run(command, env)  # warm-up (the first reader may check the file)
                    # Alternate the trees run by run: load from other work falls on both.
                    for _ in range(args.runs):
                        for tree, env in envs.items():
                            results.setdefault(f"{label}|{tree}", []).append(run(command, env))
                    cells = "".join(
                        f"{statistics.median(results[f'{label}|{t}']):>22.3f} s" for t in trees)
                    print(f"{label:<22}{size:>9,}{cells}", flush=True)
        if not args.skip_watch:
            year = CACHE / "ws-mail"
            if not (CACHE / "built-mail.json").exists():
                shutil.rmtree(year, ignore_errors=True)
                shutil.copytree(workspace(10_000), year)
                files = add_mail_files(year)
                (CACHE / "built-mail.json").write_text(json.dumps({"files": files}))
            files = json.loads((CACHE / "built-mail.json").read_text())["files"]
            print(f"\nwatch --interval 1, idle, year of local mail ({files:,} files in sent/ "
                  f"and inbox/), {args.watch_seconds:.0f} s after the first cycles:")
            for tree, code in trees.items():
                home = for_tree(year, tree[:6] + "-mail", tmp, tree.startswith("before"), code)
                env = env_for(home, code)
                started = time.perf_counter()
                run(["sync"], env)  # the first sync reads every file once
                first = time.perf_counter() - started
                share, warm = watch_share(env, 8.0, args.watch_seconds)
                print(f"  {tree:<22} {share * 100:6.2f}% of a core "
                      f"(first sync {first:.1f} s; start-up + first cycles {warm:.2f} s CPU)",
                      flush=True)
        if not args.skip_import:
            csv = tmp / "big.csv"
            rows = big_csv(csv, 100)
            field = tmp / "field.csv"
            huge_field_csv(field, 100)
            print(f"\nimport memory (peak RSS of the child): {csv.stat().st_size / 1e6:.0f} MB "
                  f"CSV of {rows:,} rows; a CSV with one {field.stat().st_size / 1e6:.0f} MB field")
            runs = (("100 MB CSV, dry run", csv, ("--dry-run",)),
                    ("100 MB CSV, import", csv, ()),
                    ("one 100 MB field", field, ("--dry-run",)))
            for tree, code in trees.items():
                for number, (label, path, flags) in enumerate(runs):
                    env = fresh_workspace(tmp, f"import-{tree[:6]}-{number}", code)
                    peak, code_, spent, last, cpu = measured_import(
                        ["contacts", "import", str(path), *flags], env)
                    print(f"  {tree:<22} {label:<20} {peak:8.0f} MB  exit {code_}  {spent:6.1f} s"
                          f" (CPU {cpu:5.1f} s)  {last[:60]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
