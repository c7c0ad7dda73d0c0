"""What happens to the people written to when the database is lost or damaged, before and after.

For each case a local workspace is set up as a user would have it: 40 contacts imported (day 1),
20 of them written to and sent (day 2, after that day's automatic backup). Then the database is
harmed, and the user carries on the same day as they would: `contacts import` the same file, `draft
outreach --tag batch`, `send --yes`. Each command's exit code and first line are printed, then
how many messages each recipient got (every file in sent/, parsed back). Then the user follows
the hint they were given (restore, or init; then `sync --full`) and drafts and sends again.

Cases: the database emptied to 0 bytes with its -wal beside it, emptied without a WAL, deleted,
damaged at random pages (seeded), an index page damaged (one the commands never read), rolled
back to the day-2 backup (taken before the sends).

    .venv/bin/python bench/bench_damage.py [--against REF] [--seed N]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAY1 = "2026-03-02T09:00:00-05:00"
DAY2 = "2026-03-03T09:00:00-05:00"
DAY3 = "2026-03-04T09:00:00-05:00"
CASES = ("emptied, WAL beside", "emptied, no WAL", "deleted", "random pages damaged",
         "an index page damaged", "rolled back to a backup")


def extract(ref: str, into: Path) -> Path:
    archive = into / "tree.tar"
    with open(archive, "wb") as handle:
        subprocess.run(["git", "archive", ref], cwd=ROOT, stdout=handle, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


class User:
    def __init__(self, home: Path, code: Path) -> None:
        self.home, self.code = home, code
        self.seen: set[tuple[str, str]] = set()

    def __call__(self, *args: str, now: str = DAY3) -> tuple[int, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
        env.update(OUTREACH_HOME=str(self.home), OUTREACH_NOW=now, PYTHONPATH=str(self.code))
        # cwd is the tree: `python -m` puts the current folder first on sys.path.
        done = subprocess.run([sys.executable, "-m", "outreach", *args], env=env,
                              cwd=self.code, capture_output=True, text=True, check=False)
        look(self.home, self.seen)
        lines = [ln for ln in (done.stderr + done.stdout).splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith("Error:")]
        return done.returncode, (errors or lines or [""])[0][:150]


def people_csv(path: Path) -> Path:
    rows = ["Name,Email,Company,Connection,Tags"]
    rows += [f"Person {i:03d},person{i:03d}@example.org,Org {i},the alumni directory,batch"
             for i in range(40)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def look(home: Path, seen: set[tuple[str, str]]) -> None:
    """Note every (recipient, Message-ID) in sent/ now. Taken after every command: a second
    send may overwrite the first one's file, and a count of files would hide the double."""
    folder = home / "sent" / "cur"
    for path in folder.iterdir() if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        seen.add((str(message["To"].addresses[0].addr_spec), str(message["Message-ID"])))


def received(seen: set[tuple[str, str]]) -> Counter[str]:
    """Messages each recipient got: distinct Message-IDs ever seen in sent/."""
    return Counter(to for to, _ in seen)


def summary(counts: Counter[str]) -> str:
    spread = Counter(counts.values())
    return (f"{len(counts)} people got mail; " +
            ", ".join(f"{people} got {n}" for n, people in sorted(spread.items())))


def harm(case: str, home: Path, rng: random.Random) -> None:
    db = home / "outreach.db"
    if case == "emptied, WAL beside":
        keeper = sqlite3.connect(db)
        keeper.execute("PRAGMA wal_autocheckpoint=0")
        keeper.execute("UPDATE contacts SET notes = notes || ' ' WHERE id = 1")
        keeper.commit()
        wal = Path(f"{db}-wal").read_bytes()
        keeper.close()
        db.write_bytes(b"")
        Path(f"{db}-wal").write_bytes(wal)
        Path(f"{db}-shm").unlink(missing_ok=True)
    elif case == "emptied, no WAL":
        for extra in ("-wal", "-shm"):
            Path(f"{db}{extra}").unlink(missing_ok=True)
        db.write_bytes(b"")
    elif case == "deleted":
        for extra in ("", "-wal", "-shm"):
            Path(f"{db}{extra}").unlink(missing_ok=True)
    elif case == "random pages damaged":
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            size = conn.execute("PRAGMA page_size").fetchone()[0]
        with open(db, "r+b") as handle:
            for page in rng.sample(range(2, pages + 1), min(3, pages - 1)):
                handle.seek((page - 1) * size)
                handle.write(bytes(rng.randrange(256) for _ in range(size)))
    elif case == "an index page damaged":  # one no command reads: only a check finds it
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                                ("meetings_by_calendar_event",)).fetchone()[0]
            size = conn.execute("PRAGMA page_size").fetchone()[0]
        with open(db, "r+b") as handle:
            handle.seek((root - 1) * size)
            handle.write(b"\xa5" * 64)
    elif case == "rolled back to a backup":
        backup = home / "backups" / "outreach-2026-03-03.db"
        for extra in ("", "-wal", "-shm"):
            Path(f"{db}{extra}").unlink(missing_ok=True)
        shutil.copy(backup, db)


def play(case: str, code: Path, tmp: Path, seed: int) -> list[str]:
    home = tmp / f"{code.name}-{CASES.index(case)}"
    user = User(home, code)
    csv = people_csv(tmp / "people.csv")
    user("init", "--name", "Sam Rivera", "--email", "sam@example.edu", now=DAY1)
    config = home / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    assert user("contacts", "import", str(csv), now=DAY1)[0] == 0
    first = [f"person{i:03d}@example.org" for i in range(20)]
    assert user("draft", "outreach", *first, now=DAY2)[0] == 0, user("draft", "x", now=DAY2)
    assert user("send", "--yes", now=DAY2)[0] == 0
    harm(case, home, random.Random(seed))
    lines = []
    for args in (("contacts", "import", str(csv)), ("draft", "outreach", "--tag", "batch"),
                 ("send", "--yes")):
        code_, said = user(*args, now=DAY2)  # the same day: today's backup is taken already
        lines.append(f"    {' '.join(args[:2]):<16} exit {code_}  {said}")
    lines.append(f"    after: {summary(received(user.seen))}")
    # The user follows the hint: put the newest backup back (or start again), then sync.
    restored, _ = user("restore", "--yes")
    if restored != 0:
        user("init")
        user("contacts", "import", str(csv))
    for args in (("sync", "--full"), ("draft", "outreach", "--tag", "batch"), ("send", "--yes")):
        code_, said = user(*args)
        lines.append(f"    hint: {' '.join(args[:2]):<10} exit {code_}  {said}")
    lines.append(f"    after the hint: {summary(received(user.seen))}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", help="git commit measured as 'before'")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    ref = args.against or subprocess.run(
        ["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True,
        check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="outreach-bench-damage-") as name:
        tmp = Path(name)
        before = extract(ref, tmp)
        before = before.rename(tmp / "before")
        trees = {f"before ({ref[:7]})": before, "after (this tree)": ROOT}
        for case in CASES:
            print(f"\n{case} (20 of 40 people written to before the harm):")
            for label, code in trees.items():
                print(f"  {label}")
                for line in play(case, code, tmp, args.seed):
                    print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
