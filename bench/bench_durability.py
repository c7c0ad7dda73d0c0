"""What the durability checks cost at year size: the check every writing command makes first
(``PRAGMA quick_check``), against the full ``integrity_check`` that `doctor` runs, and the
mailbox ledger check that `draft` and `send` make (local backend, a year of sent files).

Uses bench_cli's year-sized workspace (10,000 contacts, a user who keeps up), built once and
cached in /tmp. Prints its figures and exits 0.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_cli import cached_workspace


def timed(fn: object, runs: int) -> float:
    assert callable(fn)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    home, counts = cached_workspace("keep_up", args.rebuild)
    db = home / "outreach.db"
    size = os.path.getsize(db)
    print(f"workspace: {home} ({size / 1e6:.1f} MB; {counts})")
    conn = sqlite3.connect(db)
    try:
        quick = timed(lambda: conn.execute("PRAGMA quick_check(1)").fetchall(), args.runs)
        full = timed(lambda: conn.execute("PRAGMA integrity_check(1)").fetchall(), 3)
    finally:
        conn.close()
    print(f"quick_check (every writing command):  {quick * 1000:7.1f} ms (median of {args.runs})")
    print(f"integrity_check (doctor):             {full * 1000:7.1f} ms (median of 3)")
    print(f"ratio: quick_check is {full / quick:.1f}x cheaper")
    return 0


if __name__ == "__main__":
    sys.exit(main())
