"""`outreach demo`: the pipeline end to end on bundled sample contacts, offline.

It uses the same service functions as the real commands, in a throwaway workspace with the
local backend, so what it prints is what a user would get. Replies are simulated the way the
local backend receives mail: as messages dropped into the workspace's inbox Maildir.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from outreach.app import AppContext
from outreach.clock import iso
from outreach.config import Workspace
from outreach.mail.maildir import ensure_maildir
from outreach.services.contacts.manage import import_contacts
from outreach.services.drafting.drafts import draft_messages, plan_messages, select_contacts
from outreach.services.drafting.followups import draft_due
from outreach.services.meetings.booking import book
from outreach.services.meetings.meetings_log import record_meeting
from outreach.services.reporting.due import due_now
from outreach.services.reporting.summary import stage_counts
from outreach.services.sending.send import send_messages, sendable
from outreach.services.sync.run import sync
from outreach.services.workspace.setup import UserValues, init_workspace
from outreach.store import MessageRow

SAMPLE_CONTACTS = Path(__file__).parents[2] / "_data" / "sample_contacts.csv"

Echo = Callable[[str], None]


def run_demo(directory: Path | None, echo: Echo) -> AppContext:
    root = directory or Path(tempfile.mkdtemp(prefix="outreach-demo-"))
    workspace = Workspace(root)
    init_workspace(
        workspace,
        UserValues(
            name="Sam Rivera",
            email="sam.rivera@example.edu",
            timezone="America/New_York",
            school="State University",
        ),
    )
    config = workspace.config_file
    config.write_text(config.read_text("utf-8").replace('busy = ["google"]', "busy = []"), "utf-8")
    app = AppContext(workspace=workspace)
    echo(f"Demo workspace: {root}  (local backend: nothing leaves this machine)")

    report = import_contacts(
        app.store, SAMPLE_CONTACTS, fmt="auto", tags=("demo",), dry_run=False, now=iso(app.now())
    )
    echo(f"1. Imported {len(report.summary.added)} sample contacts ({report.result.format}).")

    planned, _skipped = plan_messages(app, "outreach", select_contacts(app, [], "demo", None))
    drafts = draft_messages(app, planned)
    echo(
        f"2. Drafted {len(drafts.created) + len(drafts.updated)} personal notes, each proposing "
        f"{app.config.schedule.slot_count} times you are free, in both time zones. The first:"
    )
    first = planned[0]
    echo(f"   To: {first.contact.label()}\n   Subject: {first.subject}")
    for line in first.rendered.text.splitlines():
        echo(f"   | {line}")
    echo(f"   The drafts are .eml files in the Maildir {workspace.outbox_dir}.")

    sent = send_messages(app, sendable(app, []))
    echo(f"3. `outreach send --yes` 'sent' {len(sent.sent)} (locally: moved to {root / 'sent'}).")

    _simulate_inbox(app)
    app.now_override = app.now() + timedelta(days=1)
    result = sync(app)
    echo(f"4. A day later, replies are in {workspace.inbox_dir}; `outreach sync` saw:")
    for change in result.changes:
        echo(f"   {change.contact}: {change.text}")

    echo("5. `outreach due` lists what to do now:")
    for action in due_now(app):
        contact = app.store.contacts.get(action.contact_id)
        echo(f"   {action.action.value:<15} {contact.label()}")

    booking = book(app, "ada@example.org", slot=2, at=None, send=False, confirm=lambda _q: True)
    echo(
        f"6. `outreach book ada@example.org --slot 2`: invite for {booking.when} drafted "
        "in Ada's thread (Gmail, Outlook and Apple Mail show it as an invitation)."
    )

    app.now_override = datetime.fromisoformat(booking.meeting.end) + timedelta(minutes=30)
    met = record_meeting(
        app,
        "ada@example.org",
        notes="how she moved from pure maths into research leadership",
        takeaways="publish small finished projects rather than one big one",
        referrals=["Mary Jackson <mary.jackson@example.org>"],
    )
    echo(
        f"7. After the call, `outreach met ada@example.org --notes ... --referral ...`: notes; "
        f"{len(met.added)} referral added ({met.added[0].label() if met.added else '-'})."
    )

    outcome = draft_due(app)
    echo("8. `outreach followup` drafted what is due:")
    for template, plans in outcome.planned.items():
        for plan in plans:
            echo(f"   {template:<12} {plan.contact.label()}: {plan.subject}")

    counts = {stage: n for stage, n in stage_counts(app.store).items() if n}
    echo("9. Where everyone stands: " + ", ".join(f"{n} {stage}" for stage, n in counts.items()))
    echo(
        f"Explore it: OUTREACH_HOME={root} outreach status   (or `contacts list`, `due`, "
        "`contacts show ada@example.org`, `referrals`)"
    )
    return app


def _sent_to(app: AppContext, address: str) -> MessageRow:
    contact = app.store.contacts.get(address)
    return next(m for m in app.store.messages.for_contact(contact.id) if m.state == "sent")


def _drop(app: AppContext, message: EmailMessage, name: str) -> None:
    inbox = app.workspace.inbox_dir
    ensure_maildir(inbox)
    (inbox / "new" / f"demo-{name}.eml").write_bytes(message.as_bytes())


def _inbound(
    app: AppContext, original: MessageRow, sender: str, subject: str, body: str, **headers: str
) -> EmailMessage:
    """A message arriving in ``original``'s thread, three hours after the send."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = app.config.user.email
    message["Subject"] = subject
    message["Date"] = format_datetime(app.now() + timedelta(hours=3))
    message["Message-ID"] = f"<demo-{original.id}-{len(subject)}@example.org>"
    message["In-Reply-To"] = original.message_id
    message["References"] = original.message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def _simulate_inbox(app: AppContext) -> None:
    """A reply from Ada, an out-of-office from Grace, and a bounce for Hedy."""
    ada = _sent_to(app, "ada@example.org")
    reply = _inbound(
        app,
        ada,
        "Ada Lovelace <ada@example.org>",
        f"Re: {ada.subject}",
        "Hi Sam, happy to talk. Your second time works well for me. Ada",
    )
    _drop(app, reply, "ada-reply")

    grace = _sent_to(app, "grace@example.com")
    back = (app.now() + timedelta(days=9)).strftime("%A %d %B %Y")
    away = _inbound(
        app,
        grace,
        "Grace Hopper <grace@example.com>",
        f"Automatic reply: {grace.subject}",
        f"I am out of the office and will be back on {back}.",
        Auto_Submitted="auto-replied",
    )
    _drop(app, away, "grace-ooo")

    hedy = _sent_to(app, "hedy@example.at")
    bounce = _inbound(
        app,
        hedy,
        "Mail Delivery Subsystem <mailer-daemon@example.at>",
        "Delivery Status Notification (Failure)",
        "Address not found: your message wasn't delivered to hedy@example.at.",
        X_Failed_Recipients="hedy@example.at",
    )
    report = EmailMessage()
    report.set_content(
        "Reporting-MTA: dns; mx.example.at\n\nFinal-Recipient: rfc822; "
        "hedy@example.at\nAction: failed\nStatus: 5.1.1\n"
    )
    bounce.make_mixed()
    bounce.attach(report)
    bounce.replace_header(
        "Content-Type",
        bounce.get("Content-Type", "").replace("multipart/mixed", "multipart/report"),
    )
    bounce.set_param("report-type", "delivery-status")
    _drop(app, bounce, "hedy-bounce")
