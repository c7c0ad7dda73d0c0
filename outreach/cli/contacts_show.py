"""`outreach contacts show`, `close` and `reopen`: one contact's picture, and its end."""

from __future__ import annotations

from typing import Any

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, json_option, zone_note


@click.command("show")
@click.argument("contact")
@json_option
@pass_app
def show(app: AppContext, contact: str, as_json: bool) -> None:
    """Show one CONTACT (email or id) with its timeline."""
    from outreach.services.contacts.timeline import contact_detail

    detail = contact_detail(app.store, contact, app.config.user.zone, app.now())
    if as_json:
        emit_json(detail)
        return
    _print_detail(detail, zone_note(app.store.contacts.get(contact)))


def _print_detail(detail: dict[str, Any], zone: str) -> None:
    click.secho(f"{detail['name']} <{detail['email'] or 'no email'}>", bold=True)
    detail = {**detail, "timezone": zone}
    if detail.get("referrer"):
        detail["referred_by"] = detail["referrer"]
    for key in (
        "id",
        "stage",
        "org",
        "title",
        "timezone",
        "source",
        "tags",
        "referred_by",
        "closed_reason",
        "notes",
    ):
        value = detail.get(key)
        if value not in (None, "", []):
            shown = ", ".join(value) if isinstance(value, list) else value
            click.echo(f"  {key:<12} {shown}")
    for key, value in sorted(detail.get("extra", {}).items()):
        click.echo(f"  {key:<12} {value}")
    if detail.get("cc"):
        copied = ", ".join(detail["cc"])
        click.echo(f"  {'cc':<12} {copied} (copied on invites, their updates and confirmations)")
    offered = detail.get("offered", [])
    if offered:
        click.secho("Offered times (book with --slot N)", bold=True)
        for slot in offered:
            state = "" if slot["state"] == "held" else f"  ({slot['state']})"
            click.echo(f"  {slot['slot']}. {slot['when']}{state}")
    open_promises = [p for p in detail.get("promises", []) if not p["done_at"]]
    if open_promises:
        click.secho("Open promises (mark kept with `outreach promises --done N`)", bold=True)
        for promise in open_promises:
            click.echo(f"  {promise['id']}. {promise['promise']}")
    timeline = detail.get("timeline", [])
    if timeline:
        click.secho("Timeline", bold=True)
        for entry in timeline:
            click.echo(f"  {entry['at']}  {entry['what']}")


@click.command("close")
@click.argument("contact")
@click.option(
    "--reason",
    default="other",
    show_default=True,
    help='Why: "declined" (they said no to a conversation), "no reply", "not now", or any '
    "words of your own.",
)
@json_option
@pass_app
def close(app: AppContext, contact: str, reason: str, as_json: bool) -> None:
    """Close CONTACT: nothing more is due for them; `status` counts them by reason."""
    from outreach.clock import iso
    from outreach.services.contacts.closing import close_contact

    closed = close_contact(app.store, contact, reason, iso(app.now()))
    if as_json:
        emit_contact(app, closed.id)
        return
    click.echo(f"Closed {closed.label()} ({reason}). `outreach contacts reopen` undoes it.")


@click.command("reopen")
@click.argument("contact")
@json_option
@pass_app
def reopen(app: AppContext, contact: str, as_json: bool) -> None:
    """Reopen a closed CONTACT: their next steps show in `outreach due` again."""
    from outreach.clock import iso
    from outreach.services.contacts.closing import reopen_contact

    opened = reopen_contact(app.store, contact, iso(app.now()))
    if as_json:
        emit_contact(app, opened.id)
        return
    click.echo(f"Reopened {opened.label()}.")


def emit_contact(app: AppContext, contact_id: int) -> None:
    """One contact in the stable JSON shape of `contacts list`."""
    from outreach.services.contacts.manage import contact_summary
    from outreach.track.pipeline import stage

    contact = app.store.contacts.get(contact_id)
    emit_json(contact_summary(contact, stage(app.store.facts(contact.id)[contact.id])))
