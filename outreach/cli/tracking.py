"""`outreach status`, `due`, `sync` and `watch`."""

from __future__ import annotations

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, json_option, plural, print_table, progress_bar


@click.command()
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Counts per stage; reply rates per template; and what works per source and per tag:
    contacted, replied, reply rate, conversations held, referrals gained, and median days
    from the first message to a meeting (groups where nobody was contacted are left out of
    the tables; --json has them all)."""
    from outreach.services.reporting.summary import status_report
    from outreach.services.sending.waiting import queued_items

    report = status_report(app.store)
    report["queued"] = [item.to_json(app.config.user.zone) for item in queued_items(app)]
    if as_json:
        emit_json(report)
        return
    click.echo(
        f"{plural(report['contacts'], 'contact')}; "
        f"{plural(report['meetings_held'], 'conversation')} held"
        + (f", {report['meetings_missed']} missed." if report["meetings_missed"] else ".")
    )
    click.echo("  " + "  ".join(f"{stage}: {n}" for stage, n in report["stages"].items()))
    if report["closed"]:
        click.echo(
            "  closed: " + ", ".join(f"{n} {why}" for why, n in report["closed"].items())
        )
    _print_queue_line(app)
    if report["templates"]:
        print_table(
            "By template",
            ["template", "sent", "replied", "reply rate", "median hours to reply"],
            [
                [
                    t["template"],
                    t["sent"],
                    t["replied"],
                    f"{t['reply_rate']:.0%}",
                    t["median_hours_to_reply"] if t["median_hours_to_reply"] is not None else "-",
                ]
                for t in report["templates"]
            ],
        )
    for key, title in (("by_source", "By source"), ("by_tag", "By tag")):
        groups = [g for g in report[key] if g["contacted"] or g["meetings_held"]]
        if not groups:
            continue
        print_table(
            title,
            ["group", "contacted", "replied", "reply rate", "held", "referrals",
             "median days to meeting"],
            [
                [
                    g["group"],
                    g["contacted"],
                    g["replied"],
                    "-" if g["reply_rate"] is None else f"{g['reply_rate']:.0%}",
                    g["meetings_held"],
                    g["referrals"],
                    "-" if g["median_days_to_meeting"] is None else g["median_days_to_meeting"],
                ]
                for g in groups
            ],
        )


# --- sync and watch ---------------------------------------------------------------------


def _when(app: AppContext, moment: object) -> str:
    from datetime import datetime

    assert isinstance(moment, datetime)
    return moment.astimezone(app.config.user.zone).strftime("%a %d %b %H:%M")


def _print_changes(app: AppContext, report: object, prefix: str = "  ") -> None:
    from outreach.services.sync.run import SyncReport

    assert isinstance(report, SyncReport)
    for change in report.changes:
        click.echo(f"{prefix}{_when(app, change.at)}  {change.contact}: {change.text}")


def _print_notes(report: object) -> None:
    from outreach.services.sync.run import SyncReport

    assert isinstance(report, SyncReport)
    for note in report.notes:
        click.secho(f"Note: {note}", fg="yellow", err=True)


def _summary(app: AppContext, report: object) -> str:
    from outreach.services.sync.run import SyncReport
    from outreach.services.workspace.mailbox_words import calendar_shown, mailbox_shown

    assert isinstance(report, SyncReport)
    counts = report.counts()
    names = {
        "sent": ("sent", "sent"),
        "reply": ("reply", "replies"),
        "auto_reply": ("auto-reply", "auto-replies"),
        "bounce": ("bounce", "bounces"),
        "rsvp": ("answer to an invite", "answers to invites"),
        "calendar": ("calendar change", "calendar changes"),
    }
    found = (
        ", ".join(plural(counts[k], *names[k]) for k in names if counts.get(k)) or "nothing new"
    )
    where = mailbox_shown(app)
    if report.mode == "local":  # files on this machine: no requests, nothing to tell of how
        return f"Synced {where}: {found}."
    how = f"{report.mode}"
    if report.reason:
        how += f": {report.reason}"
    if report.requests:  # counted by the HTTP backends (an IMAP server's log counts its own)
        calendar = (
            f" + {report.calendar_requests} to {calendar_shown(app)}"
            if report.calendar_requests else ""
        )
        how += f"; {plural(report.requests, 'request')}{calendar}"
    return f"Synced {where} ({how}): {found}."


def _sync_json(app: AppContext, report: object) -> dict[str, object]:
    from outreach.services.sync.run import SyncReport

    assert isinstance(report, SyncReport)
    refs = {label: ref for label, ref in app.store.contacts.labels().values()}
    zone = app.config.user.zone
    return {
        "backend": report.backend,
        "mode": report.mode,
        "reason": report.reason or None,
        "dry_run": report.dry_run,
        "requests": report.requests if report.backend != "local" else None,
        "calendar_requests": report.calendar_requests if report.backend != "local" else None,
        "counts": {kind: report.counts().get(kind, 0) for kind in (
            "sent", "reply", "auto_reply", "bounce", "rsvp")},
        "notes": list(report.notes),
        "changes": [
            {
                "contact": refs.get(change.contact, change.contact),
                "name": change.contact,
                "kind": change.kind,
                "at": change.at.astimezone(zone).isoformat(timespec="seconds"),
                "text": change.text,
            }
            for change in report.changes
        ],
    }


@click.command()
@click.option("--full", is_flag=True, help="Re-read every tracked thread instead of the history.")
@click.option("--dry-run", is_flag=True, help="Show what sync would record; write nothing.")
@json_option
@pass_app
def sync(app: AppContext, full: bool, dry_run: bool, as_json: bool) -> None:
    """Record sends, replies, auto-replies and bounces in your contacts' threads.

    With Gmail, only what changed since the last sync is read (one request when nothing did);
    the first sync, --full, or a history too old to read resyncs the tracked threads. While a
    meeting is on your Google Calendar, the answers given there are read too (one more
    request). With the local backend, .eml files in the workspace's inbox/ Maildir are read.
    """
    from outreach.progress import NO_PROGRESS
    from outreach.services.drafting.discard import notice_gone_drafts
    from outreach.services.sync.run import sync as run_sync

    with progress_bar("Reading tracked threads", enabled=not as_json) as bar:
        report = run_sync(app, full=full, dry_run=dry_run, progress=bar or NO_PROGRESS)
    gone = [] if dry_run else notice_gone_drafts(app)  # drafts deleted by hand
    if as_json:
        emit_json(_sync_json(app, report))
        return
    for label in gone:
        click.echo(f"  {label}: a draft was deleted by hand; it will be drafted again when due")
    _print_changes(app, report)
    _print_notes(report)
    click.echo(_summary(app, report))
    if dry_run:
        click.echo("Dry run: nothing was recorded.")
    elif report.changes:
        click.echo("Next: `outreach due` shows what to do now.")


@click.command()
@click.option(
    "--interval",
    type=click.FloatRange(min=1.0),
    default=60.0,
    show_default=True,
    help="Seconds between syncs.",
)
@click.option(
    "--max-cycles", type=click.IntRange(min=1), hidden=True, help="Stop after N syncs (for tests)."
)
@pass_app
def watch(app: AppContext, interval: float, max_cycles: int | None) -> None:
    """Sync every --interval seconds and print what changed; Ctrl-C stops.

    Network errors do not stop it: it warns, waits longer each time (up to 10 minutes) and
    carries on. Nor does an expired Google login: it says so once, then waits for
    `outreach auth login` (in another terminal) and carries on.
    """
    from outreach.services.background.cycle import CycleReport
    from outreach.services.sync.run import SyncReport
    from outreach.services.sync.watch import watch as run_watch

    first = True

    def on_report(report: SyncReport) -> None:
        nonlocal first
        _print_changes(app, report, prefix="")
        _print_notes(report)
        if first or report.changes or report.reason:
            click.echo(f"{_when(app, app.now())}  {_summary(app, report)}")
        first = False

    def on_error(message: str, retry_in: float) -> None:
        click.secho(f"Warning: {message} Retrying in {retry_in:.0f}s.", fg="yellow", err=True)

    def on_token_dead(message: str, hint: str | None) -> None:
        click.secho(f"Warning: {message}", fg="yellow", err=True)
        if hint:
            click.secho(f"Hint: {hint}", err=True)
        click.secho(
            "Waiting for a new sign-in: watch carries on by itself once you have signed in "
            "again (the hint above says how).",
            err=True,
        )

    def on_reconnected() -> None:
        click.echo(f"{_when(app, app.now())}  A new sign-in is in the keyring: syncing again.")

    def on_cycle(cycle: CycleReport) -> None:
        stamp = _when(app, app.now())
        if cycle.delivered is not None:
            for label in cycle.delivered.sent:
                click.echo(f"{stamp}  delivered from the queue: {label}")
            for label, reason in [*cycle.delivered.stale, *cycle.delivered.failed,
                                  *cycle.delivered.uncertain]:
                click.secho(f"{stamp}  not delivered {label}: {reason}", fg="yellow", err=True)
        for line in cycle.lines:
            click.echo(f"{stamp}  {line}")

    click.echo(f"Watching every {interval:g}s; press Ctrl-C to stop.")
    try:
        run_watch(
            app,
            interval,
            on_report=on_report,
            on_error=on_error,
            on_token_dead=on_token_dead,
            on_reconnected=on_reconnected,
            max_cycles=max_cycles,
            on_cycle=on_cycle,
        )
    except KeyboardInterrupt:
        click.echo("Stopped watching; everything seen so far is recorded.")


# --- due ----------------------------------------------------------------------------------


def _why(item: object) -> str:
    """The reason, with what a reply to read said (subject, first line, link)."""
    from outreach.services.reporting.due import DueItem

    assert isinstance(item, DueItem)
    why = item.action.reason
    evidence = item.action.detail("evidence")
    if evidence:
        why += f' ("{evidence}")'
    if item.reply is not None:
        why += f": \"{item.reply['subject']}\""
        if "first_line" in item.reply:
            why += f" {item.reply['first_line']}"
        if "link" in item.reply:
            why += f" {item.reply['link']}"
    return why

@click.command()
@click.option(
    "--ics", "ics_file", type=click.Path(dir_okay=False, writable=True),
    help="Also write the due items to FILE as a calendar (one event each, the command in it).",
)
@json_option
@pass_app
def due(app: AppContext, as_json: bool, ics_file: str | None) -> None:
    """What to do now, with the command that does each: nudge, book, prepare for a call,
    propose new times, thank, keep a promise, write to a referral, keep in touch,
    congratulate on a new job, or close a contact who never answered.

    Overdue actions come first. A message already drafted stays here until it is sent. Set
    OUTREACH_NOW to see what will be due at another time.
    """
    from outreach.services.drafting.outbox import outbox_notes
    from outreach.services.reporting.due import due_items

    items = due_items(app)
    zone = app.config.user.zone
    if ics_file is not None:
        from outreach.services.reporting.due_calendar import write_due_calendar

        written = write_due_calendar(app, items, ics_file)
        if not as_json:
            click.echo(f"Wrote {plural(len(items), 'due item')} to {written} as a calendar.")
    if as_json:
        emit_json([item.to_json(zone) for item in items])
        return
    _print_queue_line(app)
    # Held, stale and hand-deleted drafts (services/drafting/outbox.py), in send's words.
    notes = outbox_notes(app)
    for note in notes:
        click.echo(f"Drafts: {note}")
    if not items:
        if not notes:
            click.echo("Nothing is due. Run `outreach sync` to see new replies first.")
        return
    print_table(
        f"Due ({len(items)})",
        ["contact", "action", "due", "", "why", "next"],
        [
            [
                item.name,
                item.text,
                item.action.due.astimezone(zone).strftime("%a %d %b %H:%M"),
                "OVERDUE" if item.action.overdue else "",
                _why(item),
                " or ".join((item.command, *item.alternatives)),
            ]
            for item in items
        ],
        alarm=frozenset({"OVERDUE"}),
    )


def _print_queue_line(app: AppContext) -> None:
    """One line on the delivery queue, when something waits on it."""
    from outreach.services.sending.waiting import queued_items

    queued = queued_items(app)
    if queued:
        click.echo(
            f"Queued: {plural(len(queued), 'message')} wait for their recipients' morning "
            f"(next {_when(app, queued[0].at)}); `outreach queue` lists them."
        )
