"""The Microsoft Graph requests each command makes, measured from the fake Microsoft's log.

A workspace on the Microsoft backend (token cache signed in to the fake with msal), ``--contacts``
people, busy times from the Outlook calendar (``getSchedule``); each command runs as a user runs
it (``python -m outreach ...``), and the fake's log of that run gives the Graph requests (a JSON
batch counts once; the steps inside it are listed), and the sign-in server's requests (msal
reads the authority's OpenID configuration once per command: the access token itself comes
from the keyring's cache).

    .venv/bin/python bench/bench_graph_calls.py [--contacts 20]

Prints a Markdown table; exits 0.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakemicrosoft.server import FakeMicrosoft
from tests.microsoft_env import configure, signed_in_cache

NY = ZoneInfo("America/New_York")
USER = "sam@example.edu"
Row = tuple[str, str, int, int]


class Site:
    def __init__(self, root: Path, fake: FakeMicrosoft, keyring_file: Path) -> None:
        self.root = root
        self.fake = fake
        self.env = {
            **os.environ,
            "OUTREACH_HOME": str(root),
            "PYTHONPATH": str(ROOT),
            "PYTHON_KEYRING_BACKEND": "tests.keyrings.FileKeyring",
            "OUTREACH_TEST_KEYRING": str(keyring_file),
            "OUTREACH_NOW": "2026-03-02T09:00:00-05:00",
            "REQUESTS_CA_BUNDLE": fake.ca_file(),
        }

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "outreach", *args], env=self.env, cwd=ROOT,
            capture_output=True, text=True, timeout=300, check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"outreach {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done

    def measure(self, label: str, *args: str) -> Row:
        fake = self.fake
        mark, graph, identity = len(fake.log), fake.graph_requests, fake.identity_requests
        self.cli(*args)
        counts = Counter(
            f"{e.method} {_shape(e.path)}" + (" (in $batch)" if e.in_batch else "")
            for e in fake.log[mark:]
        )
        methods = ", ".join(f"{m} x{n}" for m, n in sorted(counts.items())) or "(none)"
        return label, methods, fake.graph_requests - graph, fake.identity_requests - identity


def _shape(path: str) -> str:
    """A path with its ids replaced by {id}."""
    parts = path.split("/")
    return "/".join("{id}" if p.startswith(("AAMk", "AAQk")) else p for p in parts)


def _reply(original: EmailMessage, sender: str, text: str) -> EmailMessage:
    answer = EmailMessage()
    answer["From"] = sender
    answer["To"] = USER
    answer["Subject"] = "Re: " + str(original["Subject"])
    answer["Date"] = format_datetime(datetime(2026, 3, 2, 12, tzinfo=NY))
    answer["Message-ID"] = make_msgid(domain="example.org")
    answer["In-Reply-To"] = str(original["Message-ID"])
    answer["References"] = str(original["Message-ID"])
    answer.set_content(text)
    return answer


def run(base: Path, contacts: int) -> list[Row]:
    import email
    import email.policy

    fake = FakeMicrosoft(user=USER).start()
    os.environ["REQUESTS_CA_BUNDLE"] = fake.ca_file()
    try:
        root = base / "ws"
        site = Site(root, fake, base / "keyring.json")
        fake.set_now(datetime(2026, 3, 2, 9, tzinfo=NY))
        site.cli("init", "--name", "Sam Rivera", "--email", USER, "--timezone",
                 "America/New_York")
        configure(root, fake)
        config = root / "config.toml"
        config.write_text(config.read_text().replace("busy = []", 'busy = ["microsoft"]'))
        cache = base / "cache.json"
        cache.write_text(signed_in_cache(fake))
        site.cli("auth", "import", str(cache))
        people = base / "people.csv"
        people.write_text("Name,Email,Company,Tags\n" + "".join(
            f"Person {i:03d},person{i:03d}@example.org,Org {i},batch\n" for i in range(contacts)
        ))
        site.cli("contacts", "import", str(people))
        monday = datetime(2026, 3, 2, tzinfo=NY)
        fake.calendar.busy.append((monday.replace(hour=14), monday.replace(hour=15)))
        n = contacts
        rows = [
            site.measure("doctor", "doctor"),
            site.measure("slots", "slots"),
            site.measure(f"draft outreach ({n} new)", "draft", "outreach", "--tag", "batch"),
            site.measure(f"draft outreach again ({n} re-drafts)", "draft", "outreach", "--tag",
                         "batch"),
        ]
        half = [f"person{i:03d}@example.org" for i in range(n // 2)]
        rows.append(site.measure(f"send --yes ({len(half)})", "send", "--yes", *half))
        rows.append(site.measure(f"sync, first after {len(half)} sends", "sync"))
        rows.append(site.measure("sync, nothing new", "sync"))
        sent = [email.message_from_bytes(m, policy=email.policy.default)
                for m in fake.delivered()]
        for message in sent[:4]:
            fake.deliver(_reply(message, str(message["To"]), "Happy to talk; Tuesday works."))
        rows.append(site.measure("sync, 4 replies", "sync"))
        for message in sent[:10]:
            fake.deliver(_reply(message, str(message["To"]), "One more thought."))
        for i in range(10):
            stranger = EmailMessage()
            stranger["From"] = f"news{i}@example.com"
            stranger["To"] = USER
            stranger["Subject"] = f"Newsletter {i}"
            stranger.set_content("x")
            fake.deliver(stranger)
        rows.append(site.measure("sync, 20 new (10 replies, 10 newsletters)", "sync"))
        rows.append(site.measure("book --slot 1 (invite drafted)", "book", "person000@example.org",
                                 "--slot", "1"))
        rows.append(site.measure("reschedule (invite re-drafted)", "reschedule",
                                 "person000@example.org", "--at", "2026-03-12T10:00"))
        rows.append(site.measure("cancel (unsent invite removed)", "cancel",
                                 "person000@example.org"))
        rows.append(site.measure("book --at --send", "book", "person001@example.org", "--at",
                                 "2026-03-13T11:00", "--send"))
        rows.append(site.measure("reschedule --send", "reschedule", "person001@example.org",
                                 "--at", "2026-03-13T14:00", "--send"))
        rows.append(site.measure("cancel --send", "cancel", "person001@example.org", "--send"))
        assert fake.calendar.invitations == [], "Outlook must mail no invitation of its own"
        return rows
    finally:
        fake.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--contacts", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="outreach-graph-calls-") as tmp:
        rows = run(Path(tmp), args.contacts)
    print(f"Graph requests per command, {args.contacts} contacts (fake Microsoft's log)\n")
    print("| command | Graph calls | Graph HTTP requests | sign-in requests |")
    print("|---|---|---|---|")
    for label, methods, graph, identity in rows:
        print(f"| `{label}` | {methods} | {graph} | {identity} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
