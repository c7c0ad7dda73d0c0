"""`outreach reply`: what a reply said, when outreach could not read it, or that it was read."""

from __future__ import annotations

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, json_option


@click.command()
@click.argument("contact")
@click.option("--picked", type=int, metavar="N", help="They picked time N of those offered.")
@click.option(
    "--proposes",
    metavar="TIME",
    help="They proposed a time of their own, e.g. 2026-11-10T10:00+01:00 (without an offset: "
    "their time zone when known, else yours), or a range START/END (\"any morning next "
    "week\").",
)
@click.option(
    "--later",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[DATE]",
    help="They will get back to you (by DATE, YYYY-MM-DD, when they said): the conversation "
    "waits.",
)
@click.option("--no", "no", is_flag=True, help="They said no to the conversation.")
@click.option(
    "--referral",
    "referrals",
    multiple=True,
    metavar='"NAME <EMAIL>"',
    help="Someone they suggested you talk to (repeatable).",
)
@click.option(
    "--seen",
    is_flag=True,
    help="You read their latest reply and nothing more is needed: `outreach due` stops "
    "asking you to read it.",
)
@json_option
@pass_app
def reply(
    app: AppContext,
    contact: str,
    picked: int | None,
    proposes: str | None,
    later: str | None,
    no: bool,
    referrals: tuple[str, ...],
    seen: bool,
    as_json: bool,
) -> None:
    """Tell outreach what CONTACT's latest reply said, when it could not read it (Gmail
    without gmail.readonly): --picked N, --proposes TIME, --later [DATE], --no, --referral;
    `outreach due` then acts on it as on a reply it read. Or --seen: you read it, nothing to
    do."""
    from outreach.errors import OutreachError
    from outreach.services.conversation.outcomes import (
        SaidByHand,
        mark_replies_seen,
        record_reply_said,
    )

    said = SaidByHand(picked, proposes, later, no, referrals)
    if seen:
        if said != SaidByHand():
            raise OutreachError(
                "--seen says there is nothing to act on; it takes no other option.",
                hint=f"Run `outreach reply {contact} --seen` alone.",
            )
        who = mark_replies_seen(app, contact)
        if as_json:
            emit_json({"contact": who.email or str(who.id), "seen": True})
            return
        click.echo(f"Marked {who.label()}'s replies so far as read.")
        return
    from outreach.track.reader import reading_to_json

    who, reading = record_reply_said(app, contact, said)
    if as_json:
        emit_json({"contact": who.email or str(who.id), "reading": reading_to_json(reading)})
        return
    click.echo(f"Recorded what {who.label()}'s reply said; `outreach due` shows what follows.")
