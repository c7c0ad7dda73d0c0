"""`outreach restore`: put an automatic backup of the database back."""

from __future__ import annotations

from typing import Any

import click

from outreach.app import AppContext, pass_app


@click.command()
@click.argument("backup", required=False)
@click.option("--list", "list_only", is_flag=True, help="List the backups; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print JSON.")
@click.option(
    "--prune",
    is_flag=True,
    help="Remove backups beyond the newest week, even ones holding history the newer lack.",
)
@click.option("--yes", is_flag=True, help="Restore without asking for confirmation.")
@pass_app
def restore(
    app: AppContext, backup: str | None, list_only: bool, as_json: bool, prune: bool, yes: bool
) -> None:
    """Put back the newest automatic backup of outreach.db (or the one named BACKUP).

    outreach backs the database up once a day of use and before each upgrade of its schema
    (in the workspace's backups/ folder). The database being replaced is kept beside it as
    outreach.db.damaged-TIME, never deleted. Rotation never removes a backup holding more
    history than the newer ones (after a loss, the last good copies stay); --prune does.
    """
    from outreach.services.workspace.restore import choose, holdings
    from outreach.services.workspace.restore import prune as run_prune
    from outreach.services.workspace.restore import restore as run_restore

    if prune:
        removed = run_prune(app)
        click.echo(f"Removed {len(removed)} old backup{'' if len(removed) == 1 else 's'}.")
        return
    if list_only or as_json:
        _list(app, holdings(app), as_json)
        return
    chosen = choose(app, backup)
    when = chosen.taken_at.strftime("%a %d %b %Y %H:%M")
    click.echo(f"Backup: {chosen.path} (taken {when}).")
    click.echo(
        "Anything recorded after that time is not in it; the current outreach.db is kept "
        "beside it."
    )
    if not yes and not click.confirm("Restore it now?", default=False):
        click.echo("Nothing changed.")
        return
    result = run_restore(app, chosen)
    click.echo(f"Restored {app.workspace.db_file} from {result.backup.name}.")
    for path in result.moved:
        click.echo(f"  kept the replaced file as {path.name}")
    click.echo(
        "Next: `outreach sync` records the sends and replies since the backup. "
        + (
            "Drafts made since then are still in the outbox; drafting the same contacts "
            "again replaces them (the file names come from the contact and the message)."
            if result.drafts_on_disk
            else f"Drafts made since then are still in {result.drafts_shown} but unknown to "
            "the database: check them for doubles before drafting those contacts again."
        )
    )


def _list(app: AppContext, found: list[tuple[Any, Any]], as_json: bool) -> None:
    """Each backup with what it holds: contacts, messages and the last send."""
    from outreach.cli.output import emit_json, plural

    if as_json:
        emit_json(
            [
                {
                    "file": item.name,
                    "taken_at": item.taken_at.isoformat(),
                    "contacts": None if held is None else held.contacts,
                    "messages": None if held is None else held.messages,
                    "last_send": None if held is None else held.last_send,
                }
                for item, held in found
            ]
        )
        return
    if not found:
        click.echo(f"No automatic backups in {app.workspace.backups_dir} yet.")
        return
    for item, held in found:
        when = item.taken_at.strftime("%a %d %b %Y %H:%M")
        if held is None:
            holds = "cannot be read (damaged?)"
        else:
            last = held.last_send[:16].replace("T", " ") if held.last_send else "none"
            holds = (
                f"{plural(held.contacts, 'contact')}, {plural(held.messages, 'message')}, "
                f"last send {last}"
            )
        click.echo(f"{item.name:<40} {item.kind:<9} {when}  {holds}")
