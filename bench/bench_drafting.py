"""Drafting 500 contacts into Gmail: batched and paced, against one call at a time.

The fake Google server adds 100 ms to every HTTP request (a network round trip) and enforces
Gmail's per-user quota at 100 units a second (6,000 a minute, the limit of Cloud projects created
on or after 1 May 2026; drafts.create costs 10, so at most 10 drafts a second; --quota 250 for
an older project's 15,000 a minute). Both runs draft the same 500 rendered messages, side by
side in one process:

- outreach: `outreach draft` as shipped (render, record intent, batches sized to one second of
  quota, client-side pace, retries);
- one at a time: drafts.create(...).execute(num_retries=5) per message, the usual way.

Usage: python bench/bench_drafting.py [--contacts 500] [--latency 0.1] [--quota 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from google.oauth2.credentials import Credentials

from outreach.app import AppContext
from outreach.config import Workspace
from outreach.contacts.model import ContactRecord
from outreach.google.services import build_service
from outreach.mail.gmail import GmailBackend, encode_raw
from outreach.mail.pacing import QuotaPacer
from outreach.services.drafting.drafts import _mime, draft_messages, plan_messages
from outreach.services.workspace.setup import init_workspace
from tests.fakegoogle.server import FakeGoogle

TOKEN = "bench-access-token"


def make_app(root: Path, fake: FakeGoogle, quota: int, contacts: int) -> AppContext:
    workspace = Workspace(root)
    init_workspace(workspace, name="Sam Rivera", email=fake.email, timezone="America/New_York")
    text = workspace.config_file.read_text()
    text = text.replace('backend = "local"', 'backend = "gmail"').replace(
        'busy = ["google"]', "busy = []"
    )
    workspace.config_file.write_text(text)
    app = AppContext(workspace=workspace)
    service = build_service("gmail", Credentials(token=TOKEN), fake.url)
    app._mail = GmailBackend(service, QuotaPacer(quota))
    records = [
        ContactRecord(
            name=f"Person {i:04d}",
            email=f"person{i:04d}@example.org",
            org=f"Org {i}",
            timezone=("Europe/London", "America/Los_Angeles", "Asia/Kolkata", "")[i % 4],
            source="csv",
            tags=["bench"],
        )
        for i in range(contacts)
    ]
    with app.store.transaction():
        app.store.contacts.upsert(records, "2026-03-02T09:00:00-05:00")
    return app


def run_outreach(fake: FakeGoogle, app: AppContext) -> dict[str, float]:
    contacts = app.store.contacts.all(tag="bench")
    started = time.perf_counter()
    planned, _ = plan_messages(app, "outreach", contacts)
    rendered_at = time.perf_counter()
    fake.reset_log()
    report = draft_messages(app, planned)
    finished = time.perf_counter()
    assert not report.failed, report.failed[:3]
    assert len(fake.drafts()) == len(contacts), len(fake.drafts())
    return {
        "wall": finished - started,
        "api": finished - rendered_at,
        "drafts": len(report.created),
        "requests": len(fake.requests),
        "429s": fake.status_counts.get(429, 0),
    }


def run_one_at_a_time(fake: FakeGoogle, app: AppContext) -> dict[str, float]:
    contacts = app.store.contacts.all(tag="bench")
    planned, _ = plan_messages(app, "outreach", contacts)
    service = build_service("gmail", Credentials(token=TOKEN), fake.url)
    rows = {p.idem_key: p for p in planned}
    fake.reset_log()
    started = time.perf_counter()
    for key, plan in rows.items():
        row = app.store.messages.by_key(key)
        message_id = row.message_id if row else f"<bench.{key.replace(':', '.')}@example.org>"
        from outreach.store import MessageRow

        stub = MessageRow(
            0,
            plan.contact.id,
            "outreach",
            "outreach",
            key,
            "",
            message_id,
            "",
            None,
            None,
            None,
            None,
            "pending",
            None,
            None,
            None,
            "",
            "",
        )
        body = {"message": {"raw": encode_raw(_mime(app, plan, stub, app.now()))}}
        service.users().drafts().create(userId="me", body=body).execute(num_retries=5)
    finished = time.perf_counter()
    assert len(fake.drafts()) == len(contacts)
    return {
        "wall": finished - started,
        "api": finished - started,
        "drafts": len(contacts),
        "requests": len(fake.requests),
        "429s": fake.status_counts.get(429, 0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--quota", type=int, default=100)
    args = parser.parse_args()
    limit = args.quota / 10  # drafts.create costs 10 units
    results = {}
    for name, runner in (
        ("outreach (batched, paced)", run_outreach),
        ("one call at a time", run_one_at_a_time),
    ):
        with FakeGoogle() as fake, tempfile.TemporaryDirectory() as tmp:
            fake.set_access_token(TOKEN)
            fake.quota(args.quota)
            fake.inject(latency=args.latency, wire_only=True)
            app = make_app(Path(tmp) / "ws", fake, args.quota, args.contacts)
            results[name] = runner(fake, app)
            app.close()
    print(
        f"Drafting {args.contacts} contacts; {args.latency * 1000:.0f} ms per request; "
        f"quota {args.quota} units/s = {limit:.0f} drafts.create/s"
    )
    header = f"{'run':<28}{'wall s':>8}{'api s':>8}{'drafts/s':>10}{'of quota':>10}"
    print(header + f"{'requests':>10}{'429s':>7}")
    for name, r in results.items():
        rate = r["drafts"] / r["api"]
        print(
            f"{name:<28}{r['wall']:>8.1f}{r['api']:>8.1f}{rate:>10.1f}{rate / limit:>10.2f}"
            f"{r['requests']:>10.0f}{r['429s']:>7.0f}"
        )
    fast, slow = results["outreach (batched, paced)"], results["one call at a time"]
    print(f"speed-up (API phase): {slow['api'] / fast['api']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
