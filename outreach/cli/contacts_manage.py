"""`outreach contacts delete` and `contacts merge`: the commands that remove a record."""

from __future__ import annotations

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, interactive, json_option, plural


def _confirm(question: str, yes: bool, what: str) -> bool:
    """True to go ahead: --yes, or an answer at a terminal; without one, a usage error."""
    if yes:
        return True
    if not interactive():
        raise click.UsageError(f"{what} asks first; without a terminal, add --yes.")
    return click.confirm(question, default=False)


@click.command("delete")
@click.argument("refs", nargs=-1, required=True, metavar="CONTACT...")
@click.option("--yes", is_flag=True, help="Delete without asking.")
@json_option
@pass_app
def delete(app: AppContext, refs: tuple[str, ...], yes: bool, as_json: bool) -> None:
    """Delete CONTACTs and everything recorded about them (messages, events, meetings).

    Their unsent drafts are removed from your outbox or Gmail too. Contacts they referred
    are kept. To combine two records of one person, use `merge`.
    """
    from outreach.services.contacts.manage import delete_contacts, footprint, remove_unsent_drafts

    people = list({c.id: c for c in (app.store.contacts.get(ref) for ref in refs)}.values())
    prints = {person.id: footprint(app.store, person) for person in people}
    if not as_json:
        for person in people:
            click.echo(f"  {person.label()}: {prints[person.id].describe()}")
    question = f"Delete {plural(len(people), 'contact')} and their history?"
    if not _confirm(question, yes, "contacts delete"):
        click.echo("Nothing deleted.")
        return
    removed = remove_unsent_drafts(app, people)
    delete_contacts(app.store, people)
    drafts = max(0, sum(fp.unsent_drafts for fp in prints.values()) - removed)
    if as_json:
        emit_json(
            {
                "deleted": [{"id": p.id, "email": p.email, "name": p.name} for p in people],
                "unsent_drafts_removed": removed,
                "unsent_drafts_left": drafts,
            }
        )
        return
    click.echo(
        f"Deleted {plural(len(people), 'contact')}"
        + (f" and removed {plural(removed, 'unsent draft')}." if removed else ".")
    )
    if drafts:
        from outreach.cli.draft_report import where_drafts

        where = where_drafts(app)
        click.secho(
            f"{plural(drafts, 'unsent draft')} to them {'is' if drafts == 1 else 'are'} still in "
            f"{where}: delete {'it' if drafts == 1 else 'them'} there.",
            fg="yellow",
            err=True,
        )


@click.command("merge")
@click.argument("keep", metavar="KEEP")
@click.argument("other", metavar="OTHER")
@click.option("--yes", is_flag=True, help="Merge without asking.")
@json_option
@pass_app
def merge(app: AppContext, keep: str, other: str, yes: bool, as_json: bool) -> None:
    """Merge contact OTHER into KEEP: one person, both histories.

    KEEP's fields win and its empty ones are filled from OTHER; extra fields and tags are
    combined; OTHER's messages, events, proposals, meetings and referrals move to KEEP. OTHER's
    address (or LinkedIn row) still finds KEEP afterwards, so a re-import adds no duplicate.
    """
    from outreach.clock import iso
    from outreach.services.contacts.manage import footprint, merge_contacts

    kept, gone = app.store.contacts.get(keep), app.store.contacts.get(other)
    if not as_json and kept.id != gone.id:
        click.echo(f"  keep   {kept.label()}: {footprint(app.store, kept).describe()}")
        click.echo(f"  merge  {gone.label()}: {footprint(app.store, gone).describe()}")
    if kept.id != gone.id and not _confirm(
        f"Merge {gone.label()} into {kept.label()}?", yes, "contacts merge"
    ):
        click.echo("Nothing merged.")
        return
    result = merge_contacts(app.store, keep, other, iso(app.now()))
    if as_json:
        emit_json(
            {
                "kept": result.kept.id,
                "merged": result.merged.id,
                "filled": result.filled,
                "conflicts": {
                    key: {"kept": mine, "dropped": theirs}
                    for key, (mine, theirs) in result.conflicts.items()
                },
            }
        )
        return
    click.echo(f"Merged {result.merged.label()} into {result.kept.label()}.")
    if result.filled:
        click.echo(f"  filled from it: {', '.join(result.filled)}")
    for key, (mine, theirs) in result.conflicts.items():
        click.secho(f"  kept {key} = {mine!r} (it had {theirs!r})", fg="yellow", err=True)
