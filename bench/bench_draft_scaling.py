"""How `outreach draft` scales with the number of contacts, and what a re-run costs.

For each size (default 100, 500, 1,000, 2,000 contacts) a fresh workspace is built (local
backend, a user in New York, an empty calendar, contacts in London, Los Angeles, Kolkata and
of unknown zone), then `outreach draft outreach --tag bench` is run in process, through the
click command a user runs, and timed; for the largest size the same command is run a second
time (the re-run, which updates every draft). Each measurement is a child process, so the
runs do not share caches or memory.

``--against REF`` also measures the code of a git commit (extracted with ``git archive`` into
a temporary folder) in the same run, size by size, alternating with the current code: the
before/after figures are then side by side under the same load. ``--repeat N`` runs N rounds of
every size (medians shown). ``--profile`` prints the top functions (cProfile) of the largest
first run of each code tree.

When free time runs out, code that asks the user what to do (``--when-full``) is run with
``--when-full share`` (the closest to what older code did silently), or with ``--mode ask``.

Besides times, each run reports how many contacts were offered slots nobody else was offered
and how many people the most-offered slot went to (read from the database afterwards).

    .venv/bin/python bench/bench_draft_scaling.py [--sizes 100,500,1000,2000]
        [--against REF] [--profile] [--mode share|ask] [--repeat 1]

Prints a table; exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-03-02T09:00:00-05:00"  # a Monday morning in New York
ZONES = ("Europe/London", "America/Los_Angeles", "Asia/Kolkata", "")


def build_workspace(root: Path, size: int) -> None:
    from outreach.app import AppContext
    from outreach.config import Workspace
    from outreach.contacts.model import ContactRecord
    from outreach.services.workspace.setup import init_workspace

    workspace = Workspace(root)
    init_workspace(
        workspace, name="Sam Rivera", email="sam@example.edu", timezone="America/New_York"
    )
    text = workspace.config_file.read_text()
    workspace.config_file.write_text(text.replace('busy = ["google"]', "busy = []"))
    app = AppContext(workspace=workspace)
    records = [
        ContactRecord(
            name=f"Person {i:04d}",
            email=f"person{i:04d}@example.org",
            org=f"Org {i % 97}",
            timezone=ZONES[i % len(ZONES)],
            source="csv",
            tags=["bench"],
        )
        for i in range(size)
    ]
    with app.store.transaction():
        app.store.contacts.upsert(records, NOW)
    app.close()


def slot_stats(db: Path) -> dict[str, int]:
    """Contacts whose held slots nobody else holds; most people offered one slot."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT contact_id, start FROM proposals WHERE state = 'held'"
        ).fetchall()
    finally:
        conn.close()
    offers = Counter(start for _contact, start in rows)
    by_contact: dict[int, list[str]] = {}
    for contact, start in rows:
        by_contact.setdefault(contact, []).append(start)
    unique = sum(all(offers[s] == 1 for s in starts) for starts in by_contact.values())
    return {
        "with_slots": len(by_contact),
        "unique": unique,
        "max_offers": max(offers.values(), default=0),
    }


PHASES = {
    "plan": ("outreach.services.drafting.drafts", "plan_messages"),
    "mime": ("outreach.services.drafting.drafts", "_mime"),
    "outbox": ("outreach.mail.local", "LocalOutbox.upsert_drafts"),
}
"""Where a run's time goes: planning (rendering and slots), building MIME, writing files."""


def time_phases() -> dict[str, float]:
    """Wrap the functions of PHASES so their time is added up (in place, for this process)."""
    import functools
    import importlib

    spent = dict.fromkeys(PHASES, 0.0)
    for phase, (module_name, attribute) in PHASES.items():
        owner: object = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)

        def timed(
            *args: object, _f: object = original, _p: str = phase, **kwargs: object
        ) -> object:
            started = time.perf_counter()
            try:
                return _f(*args, **kwargs)  # type: ignore[operator]
            finally:
                spent[_p] += time.perf_counter() - started

        setattr(owner, name, functools.wraps(original)(timed))
    return spent


def child(size: int, rerun: bool, profile: bool, mode: str) -> dict[str, object]:
    """Runs in the child process, with the code tree under test first on sys.path."""
    import cProfile
    import io
    import pstats

    from click.testing import CliRunner

    from outreach.cli import cli
    from outreach.cli.drafting import draft

    spent = time_phases()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        build_workspace(root, size)
        args = ["draft", "outreach", "--tag", "bench"]
        if any(p.name == "when_full" for p in draft.params):
            args += ["--when-full", mode]
        env = {"OUTREACH_HOME": str(root), "OUTREACH_NOW": NOW}
        os.environ.update(env)
        result: dict[str, object] = {"size": size}
        runs = ["first", "rerun"] if rerun else ["first"]
        for name in runs:
            for phase in spent:
                spent[phase] = 0.0
            profiler = cProfile.Profile() if profile and name == "first" else None
            started, cpu_started = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            outcome = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
            if profiler:
                profiler.disable()
            result[name] = time.perf_counter() - started
            result[f"{name}_cpu"] = time.process_time() - cpu_started
            result[f"{name}_phases"] = dict(spent)
            if outcome.exit_code != 0:
                raise SystemExit(f"draft failed ({outcome.exit_code}): {outcome.output[-2000:]}")
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(14)
                result["profile"] = out.getvalue()
            result[f"{name}_stats"] = slot_stats(root / "outreach.db")
        return result


def extract(ref: str, into: Path) -> Path:
    """The tree of commit ``ref`` as plain files (``git archive``)."""
    archive = into / "tree.tar"
    with open(archive, "wb") as handle:
        subprocess.run(["git", "archive", ref], cwd=ROOT, stdout=handle, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def measure(code: Path, size: int, rerun: bool, profile: bool, mode: str) -> dict[str, object]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(size), "--code"]
    command += [str(code), "--mode", mode]
    command += ["--rerun"] if rerun else []
    command += ["--profile"] if profile else []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child failed for {code} at {size}:\n{done.stderr[-3000:]}")
    data: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,500,1000,2000")
    parser.add_argument("--against", help="a git commit to measure side by side (before)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--mode", choices=("share", "ask"), default="share")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (median shown)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    parser.add_argument("--rerun", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child is not None:
        sys.path.insert(0, args.code)
        print(json.dumps(child(args.child, args.rerun, args.profile, args.mode)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        trees: dict[str, Path] = {}
        if args.against:
            trees[f"before ({args.against[:7]})"] = extract(args.against, Path(tmp))
        trees["after (this tree)"] = ROOT
        results: dict[str, dict[int, list[dict[str, object]]]] = {t: {} for t in trees}
        # Rounds of every size, alternating trees: load from other work on the machine then
        # falls on all sizes and both trees alike, not on one of them.
        for round_number in range(args.repeat):
            for size in sizes:
                for name, code in trees.items():
                    last = size == sizes[-1]
                    profile = args.profile and last and round_number == 0
                    data = measure(code, size, last, profile, args.mode)
                    results[name].setdefault(size, []).append(data)
                    print(f"  {name:<22} {size:>5} contacts: {data['first']:6.1f} s", flush=True)

    print(
        f"\n`outreach draft outreach --tag bench`, local backend, empty calendar; mode {args.mode}"
    )
    print("(plan: rendering and slots; mime: building messages; outbox: writing the files)")
    header = f"{'code':<22}{'contacts':>9}{'run':>7}{'total s':>9}{'cpu s':>8}"
    header += "".join(f"{phase + ' s':>9}" for phase in PHASES)
    print(header + f"{'unique':>8}{'with slots':>12}{'max offers':>12}")
    for name, by_size in results.items():
        for size, runs in by_size.items():
            for run in ("first", "rerun"):
                if run not in runs[0]:
                    continue
                total = statistics.median(float(str(r[run])) for r in runs)
                cpu = statistics.median(float(str(r[f"{run}_cpu"])) for r in runs)
                phases = [r[f"{run}_phases"] for r in runs]
                cells = "".join(
                    f"{statistics.median(float(p[k]) for p in phases if isinstance(p, dict)):9.1f}"
                    for k in PHASES
                )
                stats = runs[-1][f"{run}_stats"]
                assert isinstance(stats, dict)
                print(
                    f"{name:<22}{size:>9}{run:>7}{total:9.1f}{cpu:8.1f}{cells}{stats['unique']:>8}"
                    f"{stats['with_slots']:>12}{stats['max_offers']:>12}"
                )
        if 500 in by_size and sizes[-1] in by_size and sizes[-1] != 500:

            def median(size: int, key: str, runs: dict[int, list[dict[str, object]]]) -> float:
                return statistics.median(float(str(r[key])) for r in runs[size])

            big = sizes[-1]
            for label, suffix in (("wall", ""), ("cpu", "_cpu")):
                first = median(big, "first" + suffix, by_size)
                growth = first / median(500, "first" + suffix, by_size)
                again = median(big, "rerun" + suffix, by_size) / first
                print(
                    f"{name:<22} {label}: {big} / 500: {growth:.2f}x (target <= 4.5x); "
                    f"re-run / first: {again:.2f}x (target <= 1)"
                )
    for name, by_size in results.items():
        for runs in by_size.values():
            if "profile" in runs[-1]:
                print(f"\nProfile of {name}, {runs[-1]['size']} contacts, first run:")
                print(runs[-1]["profile"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
