"""`outreach draft`, `send` and `followup`: drafting is the default, sending is explicit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from outreach.app import AppContext, pass_app
from outreach.track.model import STAGES


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar for long runs on a terminal; silent otherwise."""
    import sys

    if total < 10 or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def _print_plan_preview(planned: list[object]) -> None:
    from outreach.services.drafting import PlannedMessage

    for plan in planned:
        assert isinstance(plan, PlannedMessage)
        click.echo(f"--- {plan.contact.label()}: {plan.subject}")
        if plan.note:
            click.echo(f"    note: {plan.note}")
        for slot in plan.slots:
            click.echo(f"    slot: {slot}")
        _print_reminders([plan])


def _print_reminders(planned: list[object]) -> None:
    """What the user must do to a draft before sending it (never written into it)."""
    from outreach.services.drafting import PlannedMessage

    for plan in planned:
        assert isinstance(plan, PlannedMessage)
        for reminder in plan.reminders:
            click.secho(f"remember {plan.contact.label()}: {reminder}", fg="cyan")


def _print_report(report: object, dry_run: bool = False) -> None:
    from outreach.services.drafting import DraftReport

    assert isinstance(report, DraftReport)
    for label, reason in report.skipped:
        click.secho(f"skipped {label}: {reason}", fg="yellow", err=True)
    for label, reason in report.failed:
        click.secho(f"failed  {label}: {reason}", fg="red", err=True)
    click.echo(
        f"Drafts: {len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.failed)} failed, {len(report.skipped)} skipped."
    )
    if report.failed:
        click.echo("Re-run the same command to retry the failures; nothing will be doubled.")


ignore_lint_option = click.option(
    "--ignore-lint",
    is_flag=True,
    help="Draft even what breaks the etiquette rules (`outreach templates lint`).",
)


@click.command()
@click.argument("template")
@click.argument("contacts", nargs=-1)
@click.option("--tag", help="Draft for every contact with this tag.")
@click.option("--stage", type=click.Choice(STAGES), help="Only contacts in this stage.")
@click.option("--dry-run", is_flag=True, help="Render and show; write nothing.")
@ignore_lint_option
@pass_app
def draft(
    app: AppContext,
    template: str,
    contacts: tuple[str, ...],
    tag: str | None,
    stage: str | None,
    dry_run: bool,
    ignore_lint: bool,
) -> None:
    """Create one draft per contact from TEMPLATE (never sends).

    Re-running replaces each contact's draft instead of adding a second one. Templates that use
    `slots` propose times from your free time, held so no two contacts get the same slot.
    Every message is checked against the etiquette rules (`outreach templates lint`) first: an
    error stops the run before anything is written.
    """
    from outreach.services.drafting import draft_messages, plan_messages, select_contacts

    chosen = select_contacts(app, contacts, tag, stage)
    planned, skipped = plan_messages(app, template, chosen, ignore_lint=ignore_lint)
    if dry_run:
        _print_plan_preview(list(planned))
        for label, reason in skipped:
            click.secho(f"skipped {label}: {reason}", fg="yellow", err=True)
        click.echo(f"Dry run: {len(planned)} draft(s) would be written; nothing was written.")
        return
    if not planned:
        for label, reason in skipped:
            click.secho(f"skipped {label}: {reason}", fg="yellow", err=True)
        click.echo("Nothing to draft.")
        return
    for plan in planned:
        if plan.note:
            click.secho(f"note    {plan.contact.label()}: {plan.note}", fg="yellow", err=True)
    with _progress(len(planned), f"Drafting {template}") as advance:
        report = draft_messages(app, planned, progress=advance)
    report.skipped[:0] = skipped
    _print_report(report)
    _print_reminders(list(planned))
    where = (
        f"the outbox Maildir {app.workspace.outbox_dir}"
        if app.config.mail.backend == "local"
        else "your Gmail drafts"
    )
    click.echo(f"Review them in {where}; send with `outreach send` or from your mail client.")
    if report.failed:
        raise SystemExit(1)


@click.command()
@click.argument("contacts", nargs=-1)
@click.option("--yes", is_flag=True, help="Send without asking for confirmation.")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most N messages.")
@pass_app
def send(app: AppContext, contacts: tuple[str, ...], yes: bool, limit: int | None) -> None:
    """Send drafted messages (all, or those of CONTACTS). Asks first unless --yes.

    Never sends a message twice, and refuses a run that would pass mail.daily_send_cap in any
    rolling 24 hours.
    """
    from outreach.services.sending import check_cap, send_messages, sendable, split_stale

    rows, stale = split_stale(app, sendable(app, contacts))
    for label, reason in stale:
        click.secho(f"stale    {label}: {reason}", fg="yellow", err=True)
    if limit is not None:
        rows = rows[:limit]
    if not rows:
        if stale:
            click.echo("Nothing to send: every drafted message is stale (see above).")
        else:
            click.echo("Nothing to send: no drafted, unsent messages. Draft with `outreach draft`.")
        return
    check_cap(app, len(rows), app.now())
    for row in rows:
        click.echo(f"  {app.store.contacts.get(row.contact_id).label()}: {row.subject}")
    if not yes and not click.confirm(f"Send these {len(rows)} message(s) now?", default=False):
        click.echo("Nothing sent.")
        return
    report = send_messages(app, rows)
    for label, reason in report.stale:
        click.secho(f"stale    {label}: {reason}", fg="yellow", err=True)
    for label, reason in report.failed:
        click.secho(f"not sent {label}: {reason}", fg="red", err=True)
    for label, reason in report.uncertain:
        click.secho(
            f"unknown  {label}: {reason} (it will not be re-sent; `outreach sync` will tell)",
            fg="yellow",
            err=True,
        )
    click.echo(f"Sent {len(report.sent)} of {len(rows)}.")
    if report.failed or report.uncertain:
        raise SystemExit(1)


@click.command()
@click.option("--dry-run", is_flag=True, help="Show what would be drafted; write nothing.")
@ignore_lint_option
@pass_app
def followup(app: AppContext, dry_run: bool, ignore_lint: bool) -> None:
    """Draft every due nudge, new times, thank-you, referral outreach and keep-in-touch note.

    Each goes in the contact's thread. Messages already drafted are listed, not drafted again:
    send them with `outreach send`.
    """
    from outreach.services.followups import draft_due

    outcome = draft_due(app, dry_run=dry_run, ignore_lint=ignore_lint)
    for label, reason in outcome.skipped:
        click.secho(f"waiting {label}: {reason}", fg="yellow", err=True)
    for label, what in outcome.waiting_to_send:
        click.echo(f"to send  {label}: {what}; send it with `outreach send`")
    for template, planned in outcome.planned.items():
        for plan in planned:
            click.echo(f"{template:<12} {plan.contact.label()}: {plan.subject}")
            _print_reminders([plan])
    if dry_run:
        click.echo(f"Dry run: {outcome.total} draft(s) would be written; nothing was written.")
        return
    if outcome.total == 0:
        if outcome.waiting_to_send:
            click.echo("Nothing new to draft; the messages above wait to be sent.")
        else:
            click.echo("Nothing is due. `outreach due` shows what is coming up.")
        return
    for report in outcome.reports:
        report.skipped = [s for s in report.skipped if s not in outcome.skipped]
        _print_report(report)
