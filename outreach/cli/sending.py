"""`outreach send` and `outreach discard`: sending is explicit, capped, and never twice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from outreach.app import AppContext, pass_app
from outreach.cli.draft_report import print_skipped, problems_json
from outreach.cli.output import emit_json, json_option, plural, progress_bar

if TYPE_CHECKING:
    from outreach.services.sending.queue import MessageRow


# --- send ---------------------------------------------------------------------------------


def _send_question(app: AppContext, count: int) -> str:
    if app.mail_kind().files_on_disk:
        return (
            f"Mark {'this' if count == 1 else 'these'} {plural(count, 'message')} as sent? "
            "(local backend: nothing is emailed)"
        )
    return f"Send {'this' if count == 1 else 'these'} {plural(count, 'message')} now?"


def _send_json(
    app: AppContext, rows: Sequence[MessageRow], report: Any,
    queued: Sequence[tuple[MessageRow, Any]] = (),
) -> dict[str, Any]:
    local = app.mail_kind().files_on_disk
    labels = app.store.contacts.labels()
    sent = set(report.sent)
    already = set(getattr(report, "already", []))
    return {
        "backend": app.mail_kind().name,
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
@click.option(
    "--no-attachment-check",
    is_flag=True,
    help="Send a message that says it includes something even though nothing is attached.",
)
@json_option
@pass_app
def send(
    app: AppContext,
    contacts: tuple[str, ...],
    yes: bool,
    limit: int | None,
    no_attachment_check: bool,
    right_now: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Send drafted messages (all, or those of CONTACTS). Asks first unless --yes.

    Never sends a message twice, and never more than mail.daily_send_cap in any rolling 24
    hours: it sends up to the cap, oldest first, and says how many wait and when room frees
    up (`outreach due` lists them; each is re-planned, fresh times and today's date, before it
    goes). A stale draft is left unsent with what to do; so is one that says it includes
    something while nothing is attached (--no-attachment-check sends it). With the local
    backend nothing is emailed: the drafts move to the workspace's sent/ folder (to rehearse;
    connect Gmail to send for real).
    """
    from outreach.cli.queue import print_queued, queued_note
    from outreach.services.sending.held import frees_up_at, when_text
    from outreach.services.sending.queue import plan_delivery, queue_for_later, server_holds
    from outreach.services.sending.replan import replan_waiting
    from outreach.services.sending.send import (
        SendReport,
        check_cap,
        send_messages,
        sendable,
        split_stale,
        split_unattached,
        within_cap,
    )

    if as_json and not yes:
        raise click.UsageError("send --json does not ask; add --yes to send.")
    from outreach.services.drafting.discard import notice_gone_drafts

    for label in notice_gone_drafts(app):
        click.echo(f"deleted  {label}: the draft was deleted by hand; `outreach due` says what "
                   "is next", err=True)
    waiting, replanned = replan_waiting(app, sendable(app, contacts))
    rows, stale = split_stale(app, waiting)
    rows, unattached = (rows, []) if no_attachment_check else split_unattached(app, rows)
    if not as_json:
        print_skipped(app, stale, verb="stale   ")
        for label, claim in unattached:
            click.secho(
                f"not sent {label}: it says \"{claim}\" but nothing is attached; attach it "
                "(`outreach draft TEMPLATE CONTACT --attach FILE --force`, or in your mail "
                "client), or send it as it is with --no-attachment-check",
                fg="red",
                err=True,
            )
    if limit is not None:
        rows = rows[:limit]
    rows, later = plan_delivery(app, rows, app.now()) if not right_now else (rows, [])
    if dry_run:
        held_by_server = bool(later) and server_holds(app)
        print_queued(app, [(row, app.now()) for row in rows], verb="now     ")
        print_queued(app, later, verb="held    " if held_by_server else "queued  ")
        wait_text = (f"{len(later)} Outlook would hold until their morning" if held_by_server
                   else f"{len(later)} would wait")
        click.echo(f"Dry run: {len(rows)} would go now, {wait_text}; nothing sent.")
        return
    if later and not as_json:
        print_queued(app, later, verb="queue   ")
    if later and (yes or click.confirm(
        f"Queue {plural(len(later), 'message')} for the recipients' morning?", default=False
    )):
        on_server = queue_for_later(app, later)
        if on_server is not None:  # the mail server holds them (Outlook's deferred send)
            later = on_server.held
            stale = [*stale, *on_server.not_held]
        if not as_json:
            click.echo(queued_note(app, len(later), on_server))
    local = app.mail_kind().files_on_disk
    if not rows:
        if as_json:
            shape = _send_json(app, [], SendReport(stale=stale), queued=later)
            shape["unattached"] = [{"contact": c, "reason": r} for c, r in unattached]
            emit_json(shape)
            if unattached:
                raise SystemExit(1)
            return
        if unattached:
            click.echo("Nothing sent: a message says it carries something it does not.")
            raise SystemExit(1)
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
        shape["unattached"] = [{"contact": c, "reason": r} for c, r in unattached]
        emit_json(shape)
        if report.failed or report.uncertain or report.stopped or unattached:
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
    if report.failed or report.uncertain or report.stopped or unattached:
        raise SystemExit(1)


@click.command()
@click.argument("contact")
@pass_app
def discard(app: AppContext, contact: str) -> None:
    """Remove CONTACT's unsent drafts (from the outbox or Gmail) and what they held.

    The times they offered are free again, and `outreach due` goes back to the step they were
    for ("propose new times", "nudge", ...). Invites belong to their meeting: change those with
    `outreach reschedule` or `outreach cancel`. Nothing sent is touched.
    """
    from outreach.services.drafting.discard import discard_drafts

    report = discard_drafts(app, contact)
    what = ", ".join(f"the {item}" for item in report.discarded)
    released = (
        f"; {plural(report.released, 'offered time')} released" if report.released else ""
    )
    click.echo(f"Discarded {what} to {report.label}{released}.")
    if report.kept_invites:
        click.echo("Their invite is kept: `outreach reschedule` or `outreach cancel` change it.")
    click.echo("Next: `outreach due` says what to do now.")
