"""Benchmark: the reply reader over the reply corpus (tests/data/replies/*.toml).

Prints, per finding kind, precision (found and right / found) and recall (found and right /
expected), the count of confident wrong times (a slot pick, proposed time or range that the
corpus does not expect: the target is 0), the misses, and the reading speed.

Run from the repository root: ``.venv/bin/python bench/bench_reader.py``. Prints figures,
exits 0.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reader_corpus import KINDS, load, score


def _percent(value: float | None) -> str:
    return "  n/a" if value is None else f"{value * 100:5.1f}%"


def main() -> int:
    cases = load()
    started = time.perf_counter()
    result = score(cases)
    elapsed = time.perf_counter() - started
    languages = sorted({c.id.split("-", 1)[0] for c in cases})
    print(f"replies: {len(cases)} ({', '.join(languages)}); "
          f"{elapsed * 1000 / len(cases):.2f} ms per reply")
    print(f"{'kind':<16}{'expected':>9}{'found':>7}{'right':>7}{'precision':>11}{'recall':>9}")
    for kind in KINDS:
        print(f"{kind:<16}{result.expected[kind]:>9}{result.found[kind]:>7}"
              f"{result.correct[kind]:>7}{_percent(result.precision(kind)):>11}"
              f"{_percent(result.recall(kind)):>9}")
    print(f"confident wrong times: {len(result.wrong_times)}")
    for line in result.wrong_times:
        print(f"  WRONG {line}")
    for line in result.misses:
        print(f"  miss  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
