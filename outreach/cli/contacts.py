"""`outreach contacts ...`: import, add, list, show, edit, delete, merge."""

from __future__ import annotations

from typing import Any

import click

from outreach.app import AppContext, pass_app
from outreach.cli.contacts_import import import_
from outreach.cli.contacts_manage import delete, merge
from outreach.cli.contacts_show import close, emit_contact, reopen, show
from outreach.cli.output import (
    emit_json,
    json_option,
    plural,
    print_table,
    zone_note,
)
from outreach.track.model import STAGES


@click.group()
def contacts() -> None:
    """Import, add, list (and search), show, edit, merge and delete contacts."""


@contacts.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--first-name", default="", help="First name for greetings (default: from name).")
@click.option("--org", default="", help="Organisation.")
@click.option("--title", default="", help="Job title.")
@click.option("--tz", "timezone", default="", help="IANA time zone, e.g. Europe/Berlin.")
@click.option("--notes", default="", help="How you know them, what interests you.")
@click.option("--referred-by", default=None, help="The CONTACT (email or id) who referred them.")
@click.option(
    "--takes-over-from",
    default=None,
    metavar="CONTACT",
    help="A colleague of CONTACT who took the conversation over: referred by them, inherits "
    "the thread and the times offered; CONTACT is not written to again.",
)
@click.option(
    "--assistant-of",
    default=None,
    metavar="CONTACT",
    help="CONTACT's assistant: not a contact of their own, copied on CONTACT's invites and "
    "confirmations.",
)
@click.option("--tag", "tags", multiple=True, help="Tag (repeatable).")
@click.option(
    "--set",
    "extra",
    multiple=True,
    metavar="KEY=VALUE",
    help="An extra field for templates, e.g. --set how_we_met='PyCon 2025'.",
)
@json_option
@pass_app
def add(
    app: AppContext,
    email: str,
    name: str,
    first_name: str,
    org: str,
    title: str,
    timezone: str,
    notes: str,
    referred_by: str | None,
    takes_over_from: str | None,
    assistant_of: str | None,
    tags: tuple[str, ...],
    extra: tuple[str, ...],
    as_json: bool,
) -> None:
    """Add one contact by EMAIL (or, with --assistant-of, a contact's assistant)."""
    from outreach.clock import iso
    from outreach.contacts.model import ContactRecord
    from outreach.services.contacts.manage import add_contact

    if sum(x is not None for x in (referred_by, takes_over_from, assistant_of)) > 1:
        raise click.UsageError(
            "Give at most one of --referred-by, --takes-over-from and --assistant-of."
        )
    if assistant_of is not None:
        _add_assistant(app, email, name, assistant_of, as_json)
        return

    record = ContactRecord(
        name=name,
        email=email,
        first_name=first_name,
        org=org,
        title=title,
        timezone=timezone,
        notes=notes,
        source="manual",
        tags=list(tags),
        extra=_parse_assignments(extra),
    )
    if takes_over_from is not None:
        from outreach.services.conversation.their_side import take_over

        contact = take_over(app, record, takes_over_from)
    else:
        contact = add_contact(app.store, record, referred_by=referred_by, now=iso(app.now()))
    if as_json:
        emit_contact(app, contact.id)
        return
    click.echo(f"Added {contact.label()} (#{contact.id}).")
    if takes_over_from is not None:
        click.echo(
            f"  takes the conversation over from {takes_over_from}, in the same thread; "
            "`outreach due` shows the next step with them."
        )
    if not contact.timezone:
        click.echo(f"  time zone: {zone_note(contact)}")


def _add_assistant(app: AppContext, email: str, name: str, of: str, as_json: bool) -> None:
    from outreach.services.conversation.their_side import add_assistant

    contact = add_assistant(app, email, of)
    if as_json:
        emit_json({"contact": contact.email or str(contact.id), "assistant": email.casefold(),
                   "name": name})
        return
    click.echo(
        f"{name} <{email}> is recorded as {contact.label()}'s assistant: copied on the invites "
        "and confirmations."
    )


def _parse_assignments(pairs: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--set")
        values[key.strip()] = value
    return values


@contacts.command("list")
@click.option("--stage", type=click.Choice(STAGES), help="Only contacts in this stage.")
@click.option("--tag", help="Only contacts with this tag.")
@click.option(
    "--search", "-s", metavar="TEXT", help="Only contacts whose name, organisation, title or "
    "email contains TEXT (any case)."
)
@click.option("--no-email", is_flag=True, help="Only contacts without an email address.")
@click.option(
    "--no-timezone", is_flag=True, help="Only contacts whose time zone is unknown (not given, "
    "no guess)."
)
@json_option
@pass_app
def list_(
    app: AppContext,
    stage: str | None,
    tag: str | None,
    search: str | None,
    no_email: bool,
    no_timezone: bool,
    as_json: bool,
) -> None:
    """List contacts with their stage (filters combine)."""
    from outreach.services.contacts.listing import json_chunks, listed_contacts, table_rows

    filters: dict[str, Any] = {
        "stage_filter": stage, "tag": tag, "search": search, "no_email": no_email,
        "no_timezone": no_timezone,
    }
    if as_json:
        # Written as read: 50,000 contacts are 16 MB of JSON.
        for chunk in json_chunks(listed_contacts(app.store, **filters)):
            click.echo(chunk, nl=False)
        click.echo()
        return
    shown = table_rows(app.store, **filters)
    if not shown:
        if app.store.contacts.count():
            click.echo("No contacts match these filters.")
        else:
            click.echo("No contacts yet. Import some with `outreach contacts import FILE`.")
        return
    print_table(plural(len(shown), "contact"), ["id", "name", "email", "org", "stage", "tags"],
                shown, text=True)


@contacts.command("edit")
@click.argument("contact")
@click.option("--name", help="Full name.")
@click.option("--email", help="Email address (e.g. for a LinkedIn contact without one).")
@click.option("--first-name", help="First name for greetings.")
@click.option("--org", help="Organisation.")
@click.option("--title", help="Job title.")
@click.option("--tz", "timezone", help="IANA time zone.")
@click.option("--notes", help="Notes.")
@click.option("--referred-by", help="The CONTACT who referred them.")
@click.option("--set", "extra", multiple=True, metavar="KEY=VALUE", help="Set an extra field.")
@click.option("--unset", multiple=True, metavar="KEY", help="Remove an extra field.")
@click.option("--tag", "add_tags", multiple=True, help="Add a tag.")
@click.option("--untag", "remove_tags", multiple=True, help="Remove a tag.")
@click.option(
    "--close/--reopen",
    "closed",
    default=None,
    help="Close the contact (no more actions due), or reopen it.",
)
@click.option(
    "--cc",
    "cc",
    multiple=True,
    metavar="ADDRESS",
    help="Copy ADDRESS (their assistant) on their invites from now on (repeatable; replaces "
    "the list).",
)
@click.option("--no-cc", is_flag=True, help="Copy nobody on their invites any more.")
@json_option
@pass_app
def edit(
    app: AppContext,
    /,
    contact: str,
    cc: tuple[str, ...],
    no_cc: bool,
    extra: tuple[str, ...],
    unset: tuple[str, ...],
    add_tags: tuple[str, ...],
    remove_tags: tuple[str, ...],
    as_json: bool,
    **fields: Any,
) -> None:
    """Change fields, extra fields or tags of CONTACT (--cc: who is copied on their
    invites)."""
    from outreach.clock import iso
    from outreach.services.contacts.manage import edit_contact

    changes = {key: value for key, value in fields.items() if value is not None}
    if cc and no_cc:
        raise click.UsageError("Give --cc ADDRESS or --no-cc, not both.")
    if not (changes or extra or unset or add_tags or remove_tags or cc or no_cc):
        raise click.UsageError("Nothing to change: give at least one option (see --help).")
    updated = edit_contact(
        app.store,
        contact,
        changes=changes,
        set_extra=_parse_assignments(extra),
        unset_extra=unset,
        add_tags=add_tags,
        remove_tags=remove_tags,
        now=iso(app.now()),
    )
    copied: list[str] | None = None
    if cc or no_cc:
        from outreach.services.meetings.copied import set_copied

        copied = set_copied(app, updated, cc)
    if as_json:
        emit_contact(app, updated.id)
        return
    click.echo(f"Updated {updated.label()}.")
    if copied is not None:
        whom = ", ".join(copied) if copied else "nobody"
        click.echo(f"Copied on their invites, updates and confirmations from now on: {whom}.")
    if "email" in changes:
        _say_if_fresh_start(app, updated)


def _say_if_fresh_start(app: AppContext, contact: Any) -> None:
    """After a corrected address: say when the contact can be written to afresh."""
    from outreach.track.model import Stage
    from outreach.track.pipeline import stage

    facts = app.store.facts(contact.id)[contact.id]
    sent_aside = any(m.state == "bounced" for m in app.store.messages.for_contact(contact.id))
    if sent_aside and stage(facts) is Stage.NEW:
        click.echo(
            "The old address bounced: its messages stay in the history, and the contact is "
            f"ready for a first message again (`outreach draft outreach {contact.email}`)."
        )


for _command in (import_, show, close, reopen, delete, merge):
    contacts.add_command(_command)
