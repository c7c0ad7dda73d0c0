"""Benchmark: what `outreach sync` costs in Calendar requests to read the contacts' answers.

Starts the fake Google server in-process, books ``--meetings`` meetings (each an event on the
user's calendar, made through the tool's own path), stores a Gmail history id as a first sync
would, then compares, side by side in one run:

- sync with a sync token (what `outreach sync` does): ``events.list`` of what changed since
  the last sync, idle and with answers waiting, and once after Google expired the token;
- a bounded poll: ``events.get`` for every meeting on the calendar, on every sync.

Both go through the real client. Prints a table; exits 0.

    .venv/bin/python bench/bench_calendar.py [--meetings 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from google.oauth2.credentials import Credentials

from outreach.app import AppContext
from outreach.clock import iso
from outreach.config import Workspace
from outreach.contacts.model import ContactRecord
from outreach.google.calendar_events import CalendarEvents
from outreach.google.services import build_service, token_uri
from outreach.mail.gmail import GmailBackend
from outreach.mail.gmail_sync import GmailSync
from outreach.mail.pacing import QuotaPacer
from outreach.schedule.invites import new_uid
from outreach.services.meetings.calendar_sync import keep_in_step
from outreach.services.sync.run import SyncReport, sync
from outreach.services.workspace.setup import init_workspace
from tests.fakegoogle import FakeGoogle

USER = "sam@example.edu"
START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def measure(
    label: str, fake: FakeGoogle, work: Callable[[], object]
) -> tuple[str, int, int, float, object]:
    fake.reset_log()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    calendar = sum(1 for c in fake.calls if c.path.startswith("/calendar/"))
    gmail = sum(1 for c in fake.calls if c.path.startswith("/gmail/"))
    return label, gmail, calendar, seconds, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=100)
    parser.add_argument("--answers", type=int, default=10)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="outreach-bench-") as tmp,
        FakeGoogle(email=USER) as fake,
    ):
        workspace = Workspace(Path(tmp) / "ws")
        init_workspace(workspace, name="Sam Rivera", email=USER, timezone="America/New_York")
        text = workspace.config_file.read_text().replace('backend = "local"', 'backend = "gmail"')
        workspace.config_file.write_text(text)
        credentials = Credentials(  # type: ignore[no-untyped-call]
            token="fake-access-token", client_id="fake-client-id", token_uri=token_uri(fake.url)
        )
        backend = GmailBackend(
            build_service("gmail", credentials, api_root=fake.url, timeout=60),
            QuotaPacer(1_000_000),
        )
        events = CalendarEvents(build_service("calendar", credentials, api_root=fake.url))
        app = AppContext(workspace=workspace, _mail=backend, _calendar=events)
        app.now_override = START
        fake.set_now(START)
        store = app.store
        stamp = iso(START)
        setup = time.perf_counter()
        with store.transaction():
            store.contacts.upsert(
                [
                    ContactRecord(name=f"Contact {i}", email=f"c{i}@example.org")
                    for i in range(args.meetings)
                ],
                stamp,
            )
        contacts = store.contacts.all()
        for index, contact in enumerate(contacts):
            begin = START + timedelta(days=1 + index // 16, minutes=30 * (index % 16))
            with store.transaction():
                meeting = store.meetings.create(
                    contact_id=contact.id,
                    start=iso(begin),
                    end=iso(begin + timedelta(minutes=20)),
                    uid=new_uid("example.edu"),
                    now=stamp,
                )
            keep_in_step(app, contact, meeting)
        with store.transaction():
            store.sync.save(USER, GmailSync(backend).current_history_id(), stamp, full=True)
        print(
            f"Booked {args.meetings} meetings on the fake calendar in "
            f"{time.perf_counter() - setup:.1f}s."
        )
        rows = [measure("first sync (lists the calendar)", fake, lambda: sync(app))]
        rows.append(measure("idle sync (sync token)", fake, lambda: sync(app)))
        declined = store.meetings.scheduled()[: args.answers]
        for meeting in declined:
            fake.calendar_events.respond(
                meeting.uid, _email(store, meeting.contact_id), "declined"
            )
        rows.append(measure(f"sync, {args.answers} declines waiting", fake, lambda: sync(app)))
        fake.calendar_events.expire_sync_tokens()
        rows.append(measure("sync after Google expired the token", fake, lambda: sync(app)))
        open_ids = [m.calendar_event_id for m in store.calendar.on_calendar(iso(START))]
        rows.append(
            measure(
                "bounded poll (events.get each)",
                fake,
                lambda: [events.get(str(event_id)) for event_id in open_ids],
            )
        )
        assert store.meetings.count_held() == 0
        recorded = sum(1 for m in declined if store.meetings.by_id(m.id).state == "declined")
        assert recorded == args.answers, f"recorded {recorded} of {args.answers} declines"

    header = f"{'sync':<38} {'Gmail reqs':>10} {'Calendar reqs':>14} {'wall s':>8} {'recorded':>9}"
    print()
    print(f"Answers from the calendar, {args.meetings} meetings on it")
    print(header)
    print("-" * len(header))
    for label, gmail, calendar, seconds, result in rows:
        changes = len(result.changes) if isinstance(result, SyncReport) else "-"
        print(f"{label:<38} {gmail:>10} {calendar:>14} {seconds:>8.2f} {changes!s:>9}")
    return 0


def _email(store: object, contact_id: int) -> str:
    from outreach.store import Store

    assert isinstance(store, Store)
    address = store.contacts.get(contact_id).email
    assert address is not None
    return address


if __name__ == "__main__":
    sys.exit(main())
