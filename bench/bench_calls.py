"""The Gmail and Calendar calls each command makes, measured from the fake Google's call log.

A workspace on the Gmail backend (the tool's own scopes, no snippets: the fake's defaults),
``--contacts`` people, busy times from Google Calendar; each command runs as a user runs it
(``python -m outreach ...``), and the fake's log of that run gives the API methods called,
how often, the HTTP requests (a batch counts once) and the Gmail quota units (Gmail's
per-method costs; Calendar has a quota of its own, counted in queries).

    .venv/bin/python bench/bench_calls.py [--contacts 20]

Prints a Markdown table; exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_faults import USER_EMAIL, Site, make_site
from tests.fakegoogle.server import DEFAULT_COSTS, FakeGoogle

NY = ZoneInfo("America/New_York")
GMAIL = "gmail.users."


def units(method_id: str, count: int) -> int:
    if not method_id.startswith(GMAIL):
        return 0
    return DEFAULT_COSTS.get(method_id[len(GMAIL):], 5) * count


def short(method_id: str) -> str:
    name = method_id.replace(GMAIL, "")
    return name.replace("calendar.", "calendar ").replace("oauth.", "oauth ")


def measure(site: Site, fake: FakeGoogle, label: str, *args: str,
            env: dict[str, str] | None = None) -> tuple[str, str, int, int, int]:
    fake.reset_log()
    done = site.cli(*args) if env is None else _cli_with(site, env, *args)
    if done.returncode != 0:
        raise RuntimeError(f"{label} failed: {done.stderr[-600:]}")
    counts = Counter(call.method_id for call in fake.calls)
    methods = ", ".join(f"{short(m)} x{n}" for m, n in sorted(counts.items())) or "(none)"
    total_units = sum(units(m, n) for m, n in counts.items())
    calendar = sum(n for m, n in counts.items() if m.startswith("calendar."))
    return label, methods, len(fake.requests), total_units, calendar


def _cli_with(site: Site, env: dict[str, str], *args: str) -> object:
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "outreach", *args],
        env={**site.env, **env}, cwd=ROOT, capture_output=True, text=True, timeout=300,
        check=False,
    )


def run(base: Path, contacts: int) -> list[tuple[str, str, int, int, int]]:
    from tests.helpers_sync import out_of_office, reply

    rows: list[tuple[str, str, int, int, int]] = []
    with FakeGoogle(email=USER_EMAIL) as fake:
        fake.set_now(datetime(2026, 3, 2, 9, tzinfo=NY))
        site = make_site(base, fake, contacts, quota=10_000)
        config = site.root / "config.toml"
        config.write_text(config.read_text().replace("busy = []", 'busy = ["google"]'))
        monday = datetime(2026, 3, 2, tzinfo=NY)
        fake.set_busy("primary", [(monday + timedelta(hours=14), monday + timedelta(hours=15))])
        n = contacts
        rows.append(measure(site, fake, "doctor", "doctor"))
        rows.append(measure(site, fake, "auth status", "auth", "status"))
        rows.append(measure(site, fake, "slots", "slots"))
        rows.append(measure(site, fake, f"draft outreach ({n} new)", "draft", "outreach",
                            "--tag", "batch"))
        rows.append(measure(site, fake, f"draft outreach again ({n} updates)", "draft",
                            "outreach", "--tag", "batch"))
        half = [f"person{i:03d}@example.org" for i in range(n // 2)]
        rows.append(measure(site, fake, f"send --yes ({len(half)})", "send", "--yes", *half))
        for draft in fake.drafts():  # the rest are sent from Gmail's own interface
            fake.send_draft_as_user(draft.id)
        rows.append(measure(site, fake, f"sync, first after {n} sends", "sync"))
        rows.append(measure(site, fake, "sync, nothing new", "sync"))
        with site.db() as conn:
            from outreach.store.messages import MessageRow

            conn.row_factory = __import__("sqlite3").Row
            sent = [MessageRow(**dict(r)) for r in conn.execute("SELECT * FROM messages")]
        when = datetime(2026, 3, 2, 12, tzinfo=NY)
        for row in sent[:3]:
            to = f"person{row.contact_id - 1:03d}@example.org"
            fake.deliver(reply(row, to, when), internal_date=when)
        fake.deliver(out_of_office(sent[3], "Away <person003@example.org>", when, "16 March"),
                     internal_date=when)
        rows.append(measure(site, fake, "sync, 4 new messages (incremental)", "sync"))
        rows.append(measure(site, fake, "watch, 2 cycles, nothing new", "watch", "--interval",
                            "1", "--max-cycles", "2"))
        rows.append(measure(site, fake, "status", "status"))
        rows.append(measure(site, fake, "due", "due"))
        rows.append(measure(site, fake, "book (invite drafted)", "book",
                            "person000@example.org", "--slot", "1"))
        rows.append(measure(site, fake, "reschedule (invite updated)", "reschedule",
                            "person000@example.org", "--at", "2026-03-05T10:00-05:00"))
        rows.append(measure(site, fake, "cancel (cancellation drafted)", "cancel",
                            "person000@example.org"))
        later = {"OUTREACH_NOW": "2026-03-10T09:00:00-04:00"}
        rows.append(measure(site, fake, "followup (nudges due)", "followup", env=later))
        rows.append(_readonly_new_threads(site, fake, when))
    return rows


def _readonly_new_threads(
    site: Site, fake: FakeGoogle, when: datetime
) -> tuple[str, str, int, int, int]:
    """With [google] read_scope = "readonly": two contacts write in threads of their own (a
    German out-of-office note, Apple Calendar's answer with its .ics attached) and a stranger
    sends a newsletter. Headers of all three, then the contacts' two bodies in one batch, and
    Apple's attachment."""
    from email.message import EmailMessage

    from outreach.google.auth import scopes_for
    from tests.gmail_env import ACCESS_TOKEN, REFRESH_TOKEN
    from tests.helpers_sync import configure, newsletter

    at_ten = {"OUTREACH_NOW": "2026-03-10T10:00:00-04:00"}
    measure(site, fake, "sync (before: what the earlier commands left)", "sync", env=at_ten)
    readonly = scopes_for("readonly")
    fake.set_access_token(ACCESS_TOKEN, scopes=readonly)
    fake.set_refresh_token_scopes(REFRESH_TOKEN, readonly)
    configure(site.root, google={"read_scope": "readonly"})
    token = site.root / "readonly-token.json"  # as after `outreach auth login` again
    info = {**fake.authorized_user_info(refresh_token=REFRESH_TOKEN), "token": ACCESS_TOKEN,
            "scopes": readonly}
    token.write_text(json.dumps(info))
    done = site.cli("auth", "import", str(token))
    token.unlink()
    if done.returncode != 0:
        raise RuntimeError(f"auth import failed: {done.stderr[-600:]}")
    note = EmailMessage()
    note["From"], note["To"] = "person005@example.org", USER_EMAIL
    note["Subject"], note["Auto-Submitted"] = "Abwesenheitsnotiz: Ihre Nachricht", "auto-replied"
    note.set_content("Ich bin ab dem 24. wieder im Büro.")
    answer = EmailMessage()
    answer["From"], answer["To"] = "person006@example.org", USER_EMAIL
    answer["Subject"] = "Invitation Declined: Chat"
    answer.set_content("person006 has declined your invitation.")
    answer.add_attachment(b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n",
                          maintype="text", subtype="calendar", filename="iCal-1.ics")
    for message in (note, answer, newsletter(when)):
        fake.deliver(message, internal_date=when)
    return measure(site, fake, "sync, readonly: 2 contacts in new threads + 1 newsletter",
                   "sync", env=at_ten)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="outreach-calls-") as tmp:
        rows = run(Path(tmp), args.contacts)
    print(f"Calls per command, {args.contacts} contacts (fake Google's call log)\n")
    print("| command | API methods (calls) | HTTP requests | Gmail units | Calendar queries |")
    print("|---|---|---|---|---|")
    for label, methods, requests, gmail_units, calendar in rows:
        print(f"| `{label}` | {methods} | {requests} | {gmail_units} | {calendar} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
