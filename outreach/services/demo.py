"""`outreach demo`: the pipeline end to end on bundled sample contacts, offline.

It uses the same service functions as the real commands, in a throwaway workspace with the
local backend, so what it prints is what a user would get.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from outreach.app import AppContext
from outreach.clock import iso
from outreach.config import Workspace
from outreach.services.contacts import import_contacts, stage_counts
from outreach.services.drafting import draft_messages, plan_messages, select_contacts
from outreach.services.workspace import init_workspace

SAMPLE_CONTACTS = Path(__file__).parents[1] / "_data" / "sample_contacts.csv"

Echo = Callable[[str], None]


def run_demo(directory: Path | None, echo: Echo) -> AppContext:
    root = directory or Path(tempfile.mkdtemp(prefix="outreach-demo-"))
    workspace = Workspace(root)
    init_workspace(
        workspace,
        name="Sam Rivera",
        email="sam.rivera@example.edu",
        timezone="America/New_York",
        user_extras={"school": "State University"},
    )
    app = AppContext(workspace=workspace)
    echo(f"Demo workspace: {root}")

    report = import_contacts(
        app.store, SAMPLE_CONTACTS, fmt="auto", tags=("demo",), dry_run=False, now=iso(app.now())
    )
    echo(
        f"1. Imported {len(report.summary.added)} sample contacts "
        f"({report.result.format} format) into {workspace.db_file}."
    )

    contacts = select_contacts(app, [], "demo", None)
    planned, _skipped = plan_messages(app, "outreach", contacts)
    drafts = draft_messages(app, planned)
    echo(
        f"2. Drafted {len(drafts.created) + len(drafts.updated)} personal outreach notes, each "
        f"proposing {app.config.schedule.slot_count} times from your free time, shown in "
        "both time zones."
    )
    if planned:
        first = planned[0]
        echo(f"   For example, to {first.contact.label()}:")
        echo(f"   Subject: {first.rendered.subject}")
        for line in first.rendered.text.splitlines():
            echo(f"   | {line}")
    echo(f"   The drafts are .eml files in the Maildir {workspace.outbox_dir}.")

    counts = {stage: n for stage, n in stage_counts(app.store).items() if n}
    echo("3. Pipeline now: " + ", ".join(f"{n} {stage}" for stage, n in counts.items()))
    echo(
        f"Explore it: OUTREACH_HOME={root} outreach contacts list   "
        f"(or `outreach status`, `outreach templates preview outreach ada@example.org`)"
    )
    return app
