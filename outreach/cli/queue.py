"""`outreach queue`: what waits for its recipient's morning; and how `send` shows it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, json_option, plural
from outreach.services.sending.queue import MessageRow

if TYPE_CHECKING:
    from outreach.services.sending.server_hold import HoldReport


def print_queued(app: AppContext, later: Sequence[tuple[MessageRow, datetime]], verb: str) -> None:
    from outreach.services.sending.queue import when_both

    labels = app.store.contacts.labels()
    for row, at in later:
        click.echo(f"  {verb} {labels[row.contact_id][0]}: {when_both(app, row.contact_id, at)}")


def queued_note(app: AppContext, count: int, held: HoldReport | None = None) -> str:
    """What happens to queued mail, honestly: it needs `watch` running on this machine,
    unless the mail server holds it (``held``)."""
    from outreach.services.background.heartbeat import watch_running

    if held is not None:
        line = (
            f"Outlook holds {plural(count, 'message')} until the recipients' morning "
            f"([mail] deliver_window = \"{app.config.mail.deliver_window}\"): "
            f"{'it goes' if count == 1 else 'they go'} even with this machine off. "
            "`outreach queue` lists them, `outreach queue cancel CONTACT` takes one back."
        )
        for label, why in held.not_held:
            line += f"\n  not held {label}: {why}"
        for label, why in held.uncertain:
            line += f"\n  unknown  {label}: {why} (never handed over twice; `sync` will tell)"
        return line
    line = (
        f"Queued {plural(count, 'message')} for the recipients' morning "
        f"([mail] deliver_window = \"{app.config.mail.deliver_window}\"); `outreach queue` lists "
        "them, `outreach queue cancel CONTACT` takes one off, `outreach send --now` sends at once."
    )
    if not watch_running(app):
        line += (
            " They go out only while `outreach watch` runs on this machine: start it, or "
            "install it as a background service with `outreach service install`."
        )
    return line


@click.group(invoke_without_command=True)
@json_option
@pass_app
@click.pass_context
def queue(ctx: click.Context, app: AppContext, as_json: bool) -> None:
    """Messages waiting for their recipient's morning ([mail] deliver_window), soonest first.

    `outreach watch` sends each when its time comes (under the daily cap, once); `outreach
    queue cancel CONTACT` takes a message off the queue (it stays a draft)."""
    if ctx.invoked_subcommand is not None:
        return
    from outreach.services.sending.queue import queued_items

    items = queued_items(app)
    zone = app.config.user.zone
    if as_json:
        emit_json([item.to_json(zone) for item in items])
        return
    if not items:
        click.echo("Nothing is queued.")
        return
    for item in items:
        where = ", held by Outlook" if item.held_by_server else ""
        click.echo(
            f"  {item.name} ({item.kind}{where}): {item.at.astimezone(zone):%a %d %b %H:%M}"
        )
    click.echo(f"{plural(len(items), 'message')} queued; times are yours.")


@queue.command("cancel")
@click.argument("contacts", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Take every message off the queue.")
@pass_app
def cancel(app: AppContext, contacts: tuple[str, ...], everything: bool) -> None:
    """Take CONTACTS' queued messages off the queue (or --all); they stay drafts, to send
    with `outreach send --now` or to discard."""
    if not contacts and not everything:
        raise click.UsageError("Name the contacts whose messages to take off, or pass --all.")
    from outreach.services.sending.queue import cancel_from_queue

    with app.writing():
        report = cancel_from_queue(app, contacts)
    zone = app.config.user.zone
    for label, at in report.gone:
        click.echo(f"  already sent: {label} went at {at.astimezone(zone):%a %d %b %H:%M}; "
                   "it cannot be taken back (`outreach sync` records it)")
    if not report.taken:
        if not report.gone:
            click.echo("Nothing was queued for them.")
        return
    for label in report.taken:
        click.echo(f"  off the queue: {label}")
    click.echo(
        f"Took {plural(len(report.taken), 'message')} off the queue; they are still drafts."
    )
