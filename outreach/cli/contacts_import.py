"""`outreach contacts import`: contacts from LinkedIn, Google, any CSV or vCard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import (
    emit_json,
    json_option,
    plural,
    progress_bar,
)

FORMATS = ("auto", "csv", "linkedin", "google", "vcard")


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="The file's format; auto detects LinkedIn, Google, vCard or plain CSV.",
)
@click.option("--tag", "tags", multiple=True, help="Tag every imported contact (repeatable).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@json_option
@pass_app
def import_(
    app: AppContext, file: Path, fmt: str, tags: tuple[str, ...], dry_run: bool, as_json: bool
) -> None:
    """Import contacts from FILE (LinkedIn/Google export, any CSV, vCard, or our own export).

    Re-importing a file adds nothing; changed rows update their contact. Bad rows are reported
    with their line number and skipped; the rest are imported in one transaction.
    """
    from outreach.clock import iso
    from outreach.progress import NO_PROGRESS
    from outreach.services.contacts.manage import import_contacts

    with progress_bar(f"Importing {file.name}", enabled=not as_json) as bar:
        report = import_contacts(
            app.store,
            file,
            fmt=fmt,
            tags=tags,
            dry_run=dry_run,
            now=iso(app.now()),
            progress=bar or NO_PROGRESS,
        )
    from outreach.services.contacts.manage import role_text

    result, summary = report.result, report.summary
    if as_json:
        emit_json(
            {
                "file": str(file),
                "format": result.format,
                "encoding": result.encoding,
                "dry_run": dry_run,
                "added": summary.added,
                "updated": summary.updated,
                "unchanged": len(summary.unchanged),
                "skipped": [
                    {"line": p.line, "reason": p.reason} for p in result.problems
                ],
                "merged": [{"line": p.line, "reason": p.reason} for p in result.merged],
                "without_email": result.unreachable,
                "job_changes": [
                    {
                        "contact": contact.email or str(contact.id),
                        "name": contact.name,
                        "from": role_text(change.old_title, change.old_org),
                        "to": role_text(change.new_title, change.new_org),
                    }
                    for contact, change in report.job_changes
                ],
            }
        )
        return
    for problem in result.problems:
        click.secho(f"skipped: {problem}", fg="yellow", err=True)
    verb = "would import" if dry_run else "imported"
    click.echo(
        f"{file.name} ({result.format}, {result.encoding}): {verb} {len(summary.added)} new, "
        f"{len(summary.updated)} updated, {len(summary.unchanged)} unchanged, "
        f"{len(result.problems)} skipped."
    )
    if result.unreachable:
        click.echo(
            f"{plural(result.unreachable, 'contact')} without an email address: kept, but "
            "unreachable until you add one (`outreach contacts list --no-email` lists them; "
            "`outreach contacts edit CONTACT --email ...`)."
        )
    _print_job_changes(app, report.job_changes, dry_run)
    if dry_run:
        click.echo("Dry run: nothing was written.")


def _print_job_changes(app: AppContext, changes: list[Any], dry_run: bool) -> None:
    """New jobs seen in a re-import: congratulations are due (`outreach due`)."""
    from outreach.services.contacts.manage import role_text

    if not changes:
        return
    click.echo(f"{plural(len(changes), 'new job')} since the last import:")
    for contact, change in changes:
        old = role_text(change.old_title, change.old_org)
        new = role_text(change.new_title, change.new_org)
        click.echo(f"  {contact.label()}: {old} -> {new}")
    if not dry_run:
        click.echo(
            "Recorded in their timelines; `outreach due` lists the congratulations to send "
            "(`outreach followup` drafts them)."
        )
