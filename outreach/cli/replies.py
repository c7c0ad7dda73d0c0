"""`outreach reply`: what a reply said, when outreach could not read it, or that it was read."""

from __future__ import annotations

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, json_option


@click.command()
@click.argument("contact")
@click.option(
    "--seen",
    is_flag=True,
    help="You read their latest reply and nothing more is needed: `outreach due` stops "
    "asking you to read it.",
)
@json_option
@pass_app
def reply(app: AppContext, contact: str, seen: bool, as_json: bool) -> None:
    """Tell outreach about CONTACT's latest reply: that you read it (--seen)."""
    from outreach.errors import OutreachError
    from outreach.services.conversation.outcomes import mark_replies_seen

    if not seen:
        raise OutreachError(
            "Say what their reply said, or that you read it.",
            hint=f"`outreach reply {contact} --seen`.",
        )
    who = mark_replies_seen(app, contact)
    if as_json:
        emit_json({"contact": who.email or str(who.id), "seen": True})
        return
    click.echo(f"Marked {who.label()}'s replies so far as read.")
