"""`outreach restore`: put an automatic backup of the database back."""

from __future__ import annotations

import click

from outreach.app import AppContext, pass_app


@click.command()
@click.argument("backup", required=False)
@click.option("--list", "list_only", is_flag=True, help="List the backups; change nothing.")
@click.option("--yes", is_flag=True, help="Restore without asking for confirmation.")
@pass_app
def restore(app: AppContext, backup: str | None, list_only: bool, yes: bool) -> None:
    """Put back the newest automatic backup of outreach.db (or the one named BACKUP).

    outreach backs the database up once a day of use and before each upgrade of its schema
    (in the workspace's backups/ folder). The database being replaced is kept beside it as
    outreach.db.damaged-TIME, never deleted.
    """
    from outreach.services.workspace.restore import backups, choose
    from outreach.services.workspace.restore import restore as run_restore

    if list_only:
        found = backups(app)
        if not found:
            click.echo(f"No automatic backups in {app.workspace.backups_dir} yet.")
            return
        for item in found:
            when = item.taken_at.strftime("%a %d %b %Y %H:%M")
            click.echo(f"{item.name:<48} {item.kind:<9} {when}  {item.size // 1024} KB")
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
    gmail = app.config.mail.backend == "gmail"
    click.echo(
        "Next: `outreach sync` records the sends and replies since the backup. "
        + (
            "Drafts made since then are still in Gmail but unknown to the database: check "
            "Gmail's Drafts for doubles before drafting those contacts again."
            if gmail
            else "Drafts made since then are still in the outbox; drafting the same contacts "
            "again replaces them (the file names come from the contact and the message)."
        )
    )
