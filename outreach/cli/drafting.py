"""`outreach draft`, `send` and `followup`: drafting is the default, sending is explicit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from outreach.app import AppContext, pass_app
from outreach.cli.draft_report import (
    draft_summary,
    plan_json,
    print_edited,
    print_notes,
    print_preview,
    print_skipped,
    problems_json,
    where_drafts,
    zone_summary,
)
from outreach.cli.output import emit_json, json_option, plural, progress_bar
from outreach.config import WHEN_FULL
from outreach.track.model import STAGES

if TYPE_CHECKING:
    from outreach.store import MessageRow


def _print_reminders(planned: Sequence[object]) -> None:
    """What the user must do to a draft before sending it (never written into it)."""
    from outreach.services.drafting.drafts import PlannedMessage

    for plan in planned:
        assert isinstance(plan, PlannedMessage)
        for reminder in plan.reminders:
            click.secho(f"remember {plan.contact.label()}: {reminder}", fg="cyan")


# --- draft --------------------------------------------------------------------------------

ignore_lint_option = click.option(
    "--ignore-lint",
    is_flag=True,
    help="Draft even what breaks the etiquette rules (`outreach templates lint`).",
)
force_option = click.option(
    "--force",
    is_flag=True,
    help="Replace drafts you edited by hand too (without it they are left as they are).",
)



def _range(between: tuple[str, str] | None) -> tuple[datetime, datetime] | None:
    """--between START END as aware times, START before END."""
    if not between:
        return None
    try:
        start, end = (datetime.fromisoformat(text) for text in between)
    except ValueError:
        raise click.BadParameter(
            f"{' '.join(between)!r} is not two times.", param_hint="--between"
        ) from None
    if start.tzinfo is None or end.tzinfo is None or not start < end:
        raise click.BadParameter(
            "give START before END, each with its offset (2026-03-09T09:00-04:00).",
            param_hint="--between",
        )
    return start, end


@click.command()
@click.argument("template")
@click.argument("contacts", nargs=-1)
@click.option("--tag", help="Draft for every contact with this tag.")
@click.option("--stage", type=click.Choice(STAGES), help="Only contacts in this stage.")
@click.option("--dry-run", is_flag=True, help="Render and show; write nothing.")
@click.option(
    "--limit", type=click.IntRange(min=1), help="Draft at most N messages (a smaller batch)."
)
@click.option(
    "--when-full",
    type=click.Choice(WHEN_FULL),
    help="When free time runs out for more than a few contacts: stop before drafting "
    "(default, or [schedule] when_full), ask the rest for their times, or share times "
    "already offered to others.",
)
@click.option(
    "--between",
    nargs=2,
    metavar="START END",
    help="Only times inside this range (ISO 8601 with offset), e.g. the one a contact "
    "proposed: `outreach due` gives it.",
)
@ignore_lint_option
@force_option
@json_option
@pass_app
def draft(
    app: AppContext,
    template: str,
    contacts: tuple[str, ...],
    tag: str | None,
    stage: str | None,
    dry_run: bool,
    limit: int | None,
    when_full: str | None,
    between: tuple[str, str] | None,
    ignore_lint: bool,
    force: bool,
    as_json: bool,
) -> None:
    """Create one draft per contact from TEMPLATE (never sends).

    Re-running replaces each contact's draft instead of adding a second one, except a draft
    you edited (in the outbox or in Gmail): that is left as it is unless --force. Templates that use
    `slots` propose times from your free time, held so no two contacts get the same slot; if
    free time runs out, nothing is drafted until you choose (--when-full).
    Contacts without an address, bounced, closed or already contacted are skipped and counted.
    Every message is checked against the etiquette rules (`outreach templates lint`) first: an
    error stops the run before anything is written.
    """
    from outreach.services.drafting.drafts import draft_messages, plan_messages, select_contacts

    chosen = select_contacts(app, contacts, tag, stage)
    with progress_bar(f"Preparing {template}", len(chosen), enabled=not as_json) as bar:
        planned, skipped = plan_messages(
            app,
            template,
            chosen,
            progress=bar,
            ignore_lint=ignore_lint,
            when_full=when_full or app.config.schedule.when_full,
            limit=limit,
            within=_range(between),
        )
    if dry_run:
        if as_json:
            emit_json(
                {
                    "template": template,
                    "dry_run": True,
                    "drafts": [plan_json(plan, "would_write") for plan in planned],
                    "skipped": problems_json(skipped),
                    "failed": [],
                }
            )
            return
        print_preview(planned)  # each shows its zone: no summary needed
        _print_reminders(planned)
        print_skipped(app, skipped, tag=tag, stage=stage)
        click.echo(
            f"Dry run: {plural(len(planned), 'draft')} would be written; nothing was written."
        )
        return
    if not planned:
        if as_json:
            emit_json(
                {
                    "template": template,
                    "dry_run": False,
                    "drafts": [],
                    "skipped": problems_json(skipped),
                    "failed": [],
                }
            )
            return
        print_skipped(app, skipped, tag=tag, stage=stage)
        click.echo(f"Nothing to draft: all {plural(len(skipped), 'contact')} were skipped.")
        return
    with progress_bar(f"Drafting {template}", len(planned), enabled=not as_json) as bar:
        report = draft_messages(app, planned, progress=bar, force=force)
    report.skipped[:0] = skipped
    if as_json:
        created, updated = set(report.created), set(report.updated)
        edited = set(report.edited)
        failed = {label for label, _ in report.failed}
        emit_json(
            {
                "template": template,
                "dry_run": False,
                "drafts": [
                    plan_json(
                        plan,
                        "created"
                        if plan.contact.label() in created
                        else "updated"
                        if plan.contact.label() in updated
                        else "failed"
                        if plan.contact.label() in failed
                        else "edited"
                        if plan.contact.label() in edited
                        else "skipped",
                    )
                    for plan in planned
                ],
                "skipped": problems_json(report.skipped),
                "failed": problems_json(report.failed),
            }
        )
        if report.failed:
            raise SystemExit(1)
        return
    print_notes(app, planned)
    _print_reminders(planned)
    print_skipped(app, report.skipped, tag=tag, stage=stage)
    print_edited(report.edited, f"outreach draft {template} CONTACT")
    for label, reason in report.failed:
        click.secho(f"failed  {label}: {reason}", fg="red", err=True)
    zone_summary(planned, tag, stage)
    click.echo(draft_summary(report))
    if report.failed:
        click.echo("Re-run the same command to retry the failures; nothing will be doubled.")
    click.echo(
        f"Review them in {where_drafts(app)}; send with `outreach send` or from your mail client."
    )
    if report.failed:
        raise SystemExit(1)


# --- send ---------------------------------------------------------------------------------


def _send_question(app: AppContext, count: int) -> str:
    if app.config.mail.backend == "local":
        return (
            f"Mark {'this' if count == 1 else 'these'} {plural(count, 'message')} as sent? "
            "(local backend: nothing is emailed)"
        )
    return f"Send {'this' if count == 1 else 'these'} {plural(count, 'message')} now?"


def _send_json(
    app: AppContext, rows: Sequence[MessageRow], report: Any,
    queued: Sequence[tuple[MessageRow, Any]] = (),
) -> dict[str, Any]:
    local = app.config.mail.backend == "local"
    labels = app.store.contacts.labels()
    sent = set(report.sent)
    already = set(getattr(report, "already", []))
    return {
        "backend": app.config.mail.backend,
        "emailed": not local,
        "sent_folder": str(app.workspace.root / "sent") if local else None,
        "sent": [
            {"contact": labels[row.contact_id][1], "subject": row.subject}
            for row in rows
            if labels[row.contact_id][0] in sent
        ],
        "failed": problems_json(report.failed),
        "uncertain": problems_json(report.uncertain),
        "stale": problems_json(report.stale),
        "already_sent": [
            {"contact": labels[row.contact_id][1], "subject": row.subject}
            for row in rows
            if labels[row.contact_id][0] in already
        ],
        "queued": [
            {"contact": labels[row.contact_id][1], "at": at.isoformat(timespec="seconds")}
            for row, at in queued
        ],
    }


@click.command()
@click.argument("contacts", nargs=-1)
@click.option("--yes", is_flag=True, help="Send without asking for confirmation.")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most N messages.")
@click.option(
    "--now", "right_now", is_flag=True,
    help="Send at once, also what would wait for the recipient's morning ([mail] deliver_window).",
)
@click.option("--dry-run", is_flag=True, help="Show what would go now and when the rest would.")
@json_option
@pass_app
def send(
    app: AppContext, contacts: tuple[str, ...], yes: bool, limit: int | None, right_now: bool,
    dry_run: bool, as_json: bool,
) -> None:
    """Send drafted messages (all, or those of CONTACTS). Asks first unless --yes.

    Never sends a message twice, and refuses a run that would pass mail.daily_send_cap in any
    rolling 24 hours. With the local backend nothing is emailed: the drafts move to the
    workspace's sent/ folder (to rehearse; connect Gmail to send for real).
    """
    from outreach.cli.queue import print_queued, queued_note
    from outreach.services.sending.held import frees_up_at, when_text
    from outreach.services.sending.queue import plan_delivery, queue_for_later
    from outreach.services.sending.replan import replan_waiting
    from outreach.services.sending.send import (
        SendReport,
        check_cap,
        send_messages,
        sendable,
        split_stale,
        within_cap,
    )

    if as_json and not yes:
        raise click.UsageError("send --json does not ask; add --yes to send.")
    waiting, replanned = replan_waiting(app, sendable(app, contacts))
    rows, stale = split_stale(app, waiting)
    if not as_json:
        print_skipped(app, stale, verb="stale   ")
    if limit is not None:
        rows = rows[:limit]
    rows, later = plan_delivery(app, rows, app.now()) if not right_now else (rows, [])
    if dry_run:
        print_queued(app, [(row, app.now()) for row in rows], verb="now     ")
        print_queued(app, later, verb="queued  ")
        click.echo(f"Dry run: {len(rows)} would go now, {len(later)} would wait; nothing sent.")
        return
    if later and not as_json:
        print_queued(app, later, verb="queue   ")
    if later and (yes or click.confirm(
        f"Queue {plural(len(later), 'message')} for the recipients' morning?", default=False
    )):
        queue_for_later(app, later)
        if not as_json:
            click.echo(queued_note(app, len(later)))
    local = app.config.mail.backend == "local"
    if not rows:
        if as_json:
            emit_json(_send_json(app, [], SendReport(stale=stale), queued=later))
            return
        if later:
            click.echo("Nothing goes now: every message waits for its recipient's morning.")
        elif stale:
            click.echo("Nothing to send: every drafted message is stale (see above).")
        else:
            click.echo("Nothing to send: no drafted, unsent messages. Draft with `outreach draft`.")
        return
    rows, held = within_cap(app, rows, app.now())
    if not rows:
        check_cap(app, len(held), app.now())  # no room at all: say when it frees up
    if not as_json:
        for label in replanned:
            click.echo(f"re-planned {label}: it waited, so its times are fresh and it is dated now")
        labels = app.store.contacts.labels()
        for row in rows:
            click.echo(f"  {labels[row.contact_id][0]}: {row.subject}")
        if held:
            click.echo(
                f"  ({plural(len(held), 'more message')} wait{'s' if len(held) == 1 else ''} "
                f"for the daily cap of {app.config.mail.daily_send_cap})"
            )
    if not yes and not click.confirm(_send_question(app, len(rows)), default=False):
        click.echo("Nothing sent.")
        return
    with progress_bar("Sending", len(rows), enabled=not as_json) as bar:
        report = send_messages(app, rows, progress=bar)
    report.stale[:0] = stale
    cap_note = ""
    if held:
        cap_note = (
            f"{plural(len(held), 'message')} wait{'s' if len(held) == 1 else ''} for the daily "
            f"cap of {app.config.mail.daily_send_cap}; "
            f"{when_text(app, frees_up_at(app, app.now()))} (`outreach due` lists them)."
        )
    if as_json:
        shape = _send_json(app, rows, report, queued=later)
        shape["held"] = len(held)
        moment = frees_up_at(app, app.now()) if held else None
        shape["room_frees_at"] = None if moment is None else moment.isoformat()
        shape["replanned"] = replanned
        shape["stopped"] = report.stopped
        emit_json(shape)
        if report.failed or report.uncertain or report.stopped:
            raise SystemExit(1)
        return
    print_skipped(app, report.stale[len(stale):], verb="stale   ")
    for label, reason in report.failed:
        click.secho(f"not sent {label}: {reason}", fg="red", err=True)
    for label, reason in report.uncertain:
        click.secho(
            f"unknown  {label}: {reason} (it will not be re-sent; `outreach sync` will tell)",
            fg="yellow",
            err=True,
        )
    for label in report.already:
        click.echo(f"already sent from Gmail: {label} (not sent again)")
    already = f" ({len(report.already)} had been sent from Gmail)" if report.already else ""
    if local:
        click.echo(
            f"Moved {len(report.sent)} of {plural(len(rows), 'message')} to "
            f"{app.workspace.root / 'sent'}: nothing was emailed (the local backend only "
            "writes files)."
        )
        click.echo(
            'To send for real, connect Gmail: set [mail] backend = "gmail" in '
            f"{app.workspace.config_file} and run `outreach auth login` (README, "
            '"Connect your Gmail").'
        )
    else:
        click.echo(f"Sent {len(report.sent)} of {plural(len(rows), 'message')} from "
                   f"{app.config.user.email}{already}.")
    if cap_note:
        click.echo(cap_note)
    if report.stopped:
        click.secho(
            f"Stopped early, {report.stopped}: {len(report.sent)} sent, the rest are still "
            "drafts (nothing half-sent). Free some space and run `outreach send` again.",
            fg="red",
            err=True,
        )
    if report.failed or report.uncertain or report.stopped:
        raise SystemExit(1)


# --- followup -----------------------------------------------------------------------------


@click.command()
@click.option("--dry-run", is_flag=True, help="Show what would be drafted; write nothing.")
@ignore_lint_option
@force_option
@json_option
@pass_app
def followup(
    app: AppContext, dry_run: bool, ignore_lint: bool, force: bool, as_json: bool
) -> None:
    """Draft everything due that a message answers: nudges, new times, thank-yous, referral
    outreach and keep-in-touch notes, each in the contact's thread.

    Booking is not drafted here (it needs a time: `outreach book`). A thank-you waits until
    `outreach met` has recorded what you talked about. Messages already drafted are listed, not
    drafted again: send them with `outreach send`.
    """
    from outreach.progress import NO_PROGRESS
    from outreach.services.drafting.drafts import DraftReport
    from outreach.services.drafting.followups import draft_due

    with progress_bar("Drafting follow-ups", enabled=not as_json and not dry_run) as bar:
        outcome = draft_due(
            app,
            dry_run=dry_run,
            ignore_lint=ignore_lint,
            force=force,
            progress=bar or NO_PROGRESS,
        )
    total = DraftReport()
    for report in outcome.reports:
        total.created += report.created
        total.updated += report.updated
        total.failed += report.failed
        total.edited += report.edited
    waiting = list(dict.fromkeys(outcome.skipped))
    if as_json:
        created, updated, edited = set(total.created), set(total.updated), set(total.edited)
        emit_json(
            {
                "dry_run": dry_run,
                "drafts": [
                    plan_json(
                        plan,
                        "would_write"
                        if dry_run
                        else "created"
                        if plan.contact.label() in created
                        else "updated"
                        if plan.contact.label() in updated
                        else "edited"
                        if plan.contact.label() in edited
                        else "failed",
                    )
                    for plans in outcome.planned.values()
                    for plan in plans
                ],
                "waiting": problems_json(waiting),
                "to_send": [
                    {"contact": label, "what": what} for label, what in outcome.waiting_to_send
                ],
                "failed": problems_json(total.failed),
            }
        )
        if total.failed:
            raise SystemExit(1)
        return
    print_skipped(app, waiting, verb="waiting")
    print_edited(total.edited, "outreach followup")
    for label, what in outcome.waiting_to_send:
        click.echo(f"to send  {label}: {what}; send it with `outreach send`")
    for template, planned in outcome.planned.items():
        for plan in planned:
            click.echo(f"{template:<12} {plan.contact.label()}: {plan.subject}")
            _print_reminders([plan])
    if dry_run:
        click.echo(
            f"Dry run: {plural(outcome.total, 'draft')} would be written; nothing was written."
        )
        return
    if outcome.total == 0:
        if outcome.waiting_to_send:
            click.echo("Nothing new to draft; the messages above wait to be sent.")
        else:
            click.echo("Nothing is due. `outreach due` shows what is coming up.")
        return
    for label, reason in total.failed:
        click.secho(f"failed  {label}: {reason}", fg="red", err=True)
    total.skipped = waiting
    click.echo(draft_summary(total).replace(" skipped", " waiting", 1))
    if total.failed:
        click.echo("Re-run `outreach followup` to retry the failures; nothing will be doubled.")
        raise SystemExit(1)
    click.echo(
        f"Review them in {where_drafts(app)}; send with `outreach send` or from your mail client."
    )
