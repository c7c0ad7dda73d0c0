"""Benchmark: `outreach sync` with 10,000 tracked threads, against a naive per-thread poll.

Starts the fake Google server in-process, puts 10,000 sent outreach messages (one thread each)
in its mailbox and in a fresh workspace, stores the mailbox's history id as a first sync would,
then for 0, 20 and 500 new replies compares:

- history sync: ``history.list`` from the stored id, then ``messages.get`` (format=metadata,
  batched) for new messages in tracked threads only;
- naive poll: ``threads.get`` (format=metadata, batched by 50) for every tracked thread, which
  is what a tool without history would do on every run.

A first sync (or ``--full``, or an expired history id) costs what the naive poll costs plus
one getProfile; ``--with-full`` measures it too (about 30 s more).

Both go through the real client and the same pacing. The client-side pace is raised to
1,000,000 units/s so the fake's speed, not the pace, is measured; the last column gives the
least time the same work takes at Gmail's real per-user limit (250 units/s). The fake runs in
this process, so client and server share one interpreter: wall times are for comparison.
Prints a table; exits 0.

    .venv/bin/python bench/bench_sync.py [--threads 10000] [--with-full]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from google.oauth2.credentials import Credentials

from outreach.app import AppContext
from outreach.clock import iso
from outreach.config import Workspace
from outreach.contacts.model import ContactRecord
from outreach.google.services import build_service, token_uri
from outreach.mail.gmail import GmailBackend
from outreach.mail.gmail_sync import GmailSync
from outreach.mail.pacing import QuotaPacer
from outreach.services.sync.run import sync
from outreach.services.workspace.setup import init_workspace
from tests.fakegoogle import DEFAULT_COSTS, FakeGoogle

USER = "sam@example.edu"
GMAIL_UNITS_PER_SECOND = 250
BENCH_UNITS_PER_SECOND = 1_000_000
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@dataclass
class Measure:
    label: str
    new: int
    requests: int  # HTTP requests (a batch counts once)
    calls: int  # API calls (batch parts counted)
    units: int  # Gmail quota units
    seconds: float

    @property
    def at_quota(self) -> float:
        return self.units / GMAIL_UNITS_PER_SECOND


def outreach_message(index: int) -> bytes:
    """Our sent outreach, as raw bytes (built by hand: 10,000 EmailMessage objects are slow)."""
    return (
        f"From: Sam Rivera <{USER}>\r\n"
        f"To: Contact {index} <c{index}@example.org>\r\n"
        f"Subject: A question about your work ({index})\r\n"
        f"Message-ID: <outreach.{index:05d}@example.edu>\r\n"
        f"Date: {format_datetime(START)}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Would you have 20 minutes next week?\r\n"
    ).encode()


def reply_message(index: int, when: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Contact {index} <c{index}@example.org>"
    message["To"] = USER
    message["Subject"] = f"Re: A question about your work ({index})"
    message["Message-ID"] = f"<reply.{index:05d}.{when.timestamp():.0f}@example.org>"
    message["In-Reply-To"] = f"<outreach.{index:05d}@example.edu>"
    message["References"] = f"<outreach.{index:05d}@example.edu>"
    message["Date"] = format_datetime(when)
    message.set_content("Happy to talk.")
    return message


def measure(label: str, new: int, fake: FakeGoogle, work: Callable[[], object]) -> Measure:
    fake.reset_log()
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    counts = fake.method_counts
    units = sum(
        DEFAULT_COSTS.get(method.removeprefix("gmail.users."), 5) * n
        for method, n in counts.items()
        if method.startswith("gmail.")
    )
    return Measure(label, new, len(fake.requests), len(fake.calls), units, seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--with-full", action="store_true", help="also measure a full resync")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with (
        tempfile.TemporaryDirectory(prefix="outreach-bench-") as tmp,
        FakeGoogle(email=USER) as fake,
    ):
        workspace = Workspace(Path(tmp) / "ws")
        init_workspace(workspace, name="Sam Rivera", email=USER, timezone="America/New_York")
        credentials = Credentials(  # type: ignore[no-untyped-call]
            token="fake-access-token",
            refresh_token=None,
            client_id="fake-client-id",
            token_uri=token_uri(fake.url),
        )
        backend = GmailBackend(
            build_service("gmail", credentials, api_root=fake.url, timeout=60),
            QuotaPacer(BENCH_UNITS_PER_SECOND),
        )
        app = AppContext(workspace=workspace, _mail=backend)
        text = workspace.config_file.read_text()
        workspace.config_file.write_text(text.replace('backend = "local"', 'backend = "gmail"'))

        setup = time.perf_counter()
        fake.set_now(START)
        thread_ids: list[str] = []
        for index in range(args.threads):
            thread_ids.append(fake.deliver(outreach_message(index), labels=["SENT"]))
        stamp = iso(START)
        store = app.store
        with store.transaction():
            store.contacts.upsert(
                [ContactRecord(name=f"Contact {i}", email=f"c{i}@example.org")
                 for i in range(args.threads)],
                stamp,
            )
            ids = {c.email: c.id for c in store.contacts.all()}
            for index, thread_id in enumerate(thread_ids):
                row = store.messages.reserve(
                    idem_key=f"outreach:{index}", contact_id=ids[f"c{index}@example.org"],
                    kind="outreach", template="outreach", subject=f"({index})",
                    message_id=f"<outreach.{index:05d}@example.edu>", backend="gmail",
                    thread_id=thread_id, in_reply_to=None, now=stamp,
                )
                store.messages.mark_drafted(row.id, draft_id=f"d{index}", gmail_id=None,
                                            thread_id=thread_id, now=stamp)
                store.messages.mark_sent(row.id, gmail_id=thread_id, thread_id=thread_id,
                                         sent_at=stamp)
        print(f"Set up {args.threads:,} tracked threads in {time.perf_counter() - setup:.1f}s "
              f"(fake server at {fake.url}, client pace {BENCH_UNITS_PER_SECOND:,} units/s).")

        reader = GmailSync(backend)
        results: list[Measure] = []
        if args.with_full:
            results.append(measure("first sync (full resync)", 0, fake, lambda: sync(app)))
        else:  # what a first sync stores: the history id read before the threads
            with store.transaction():
                store.sync.save(USER, reader.current_history_id(), stamp, full=True)
        when = START
        for new in (0, 20, 500):
            when += timedelta(hours=1)
            fake.set_now(when)
            for index in rng.sample(range(args.threads), new):
                fake.deliver(reply_message(index, when), thread_id=thread_ids[index])
            before = store.events.count("reply")
            results.append(measure("history sync", new, fake, lambda: sync(app)))
            assert store.events.count("reply") - before == new, "sync missed a reply"
            results.append(measure("naive poll (threads.get each)", new, fake,
                                   lambda: reader.threads(thread_ids)))

    header = (f"{'method':<30} {'new msgs':>8} {'HTTP reqs':>10} {'API calls':>10} "
              f"{'units':>8} {'wall s':>8} {'s at 250 u/s':>13}")
    print()
    print(f"Sync with {args.threads:,} tracked threads")
    print(header)
    print("-" * len(header))
    for m in results:
        print(f"{m.label:<30} {m.new:>8} {m.requests:>10,} {m.calls:>10,} {m.units:>8,} "
              f"{m.seconds:>8.2f} {m.at_quota:>13.1f}")
    print()
    print("HTTP reqs: requests on the wire (a batch of up to 50 calls counts once); units: Gmail "
          "quota units (history.list 2, messages.get 5, threads.get 10, getProfile 1); "
          "s at 250 u/s: least time at Gmail's per-user limit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
