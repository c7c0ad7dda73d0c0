"""The reading commands' outputs on two generated years of use (bench_cli's user: 300
contacts, one who keeps up and one with a backlog), kept in ``tests/data/reading_outputs`` so
that a faster way of computing them is checked byte for byte against the slow one it replaced.

Regenerate (only when an output is meant to change) with the code on ``PYTHONPATH``:

    PYTHONPATH=$PWD .venv/bin/python tests/reading_outputs.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bench_cli  # noqa: E402

GOLDEN = ROOT / "tests" / "data" / "reading_outputs"
CONTACTS = 300
COMMANDS = (
    ("contacts", "list"),
    ("contacts", "list", "--json"),
    ("status",),
    ("status", "--json"),
    ("due",),
    ("due", "--json"),
)
YEARS = {"keeps-up": True, "backlog": False}


def build(root: Path, keep_up: bool) -> None:
    sizes = bench_cli.CONTACTS, bench_cli.EVENTS
    bench_cli.CONTACTS, bench_cli.EVENTS = CONTACTS, 5 * CONTACTS
    try:
        bench_cli.build_workspace(root, keep_up=keep_up)
    finally:
        bench_cli.CONTACTS, bench_cli.EVENTS = sizes


def name(year: str, command: tuple[str, ...]) -> str:
    return f"{year}__{'_'.join(part.lstrip('-') for part in command)}.txt"


def outputs(root: Path, year: str) -> dict[str, bytes]:
    """What each reading command prints in the workspace at ``root`` (a subprocess each, as a
    user runs it: not a terminal)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
    env.update(OUTREACH_HOME=str(root), OUTREACH_NOW=bench_cli.NOW)
    found = {}
    for command in COMMANDS:
        done = subprocess.run([sys.executable, "-m", "outreach", *command], env=env,
                              capture_output=True, check=False)
        assert done.returncode == 0, (command, done.stderr.decode())
        found[name(year, command)] = done.stdout
    return found


def main() -> None:
    import tempfile

    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for year, keep_up in YEARS.items():
            root = Path(tmp) / year
            build(root, keep_up)
            for file, text in outputs(root, year).items():
                (GOLDEN / file).write_bytes(text)


if __name__ == "__main__":
    main()
