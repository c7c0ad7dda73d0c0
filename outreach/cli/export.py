"""`outreach export`: every contact with its stage, for a spreadsheet or another tool."""

from __future__ import annotations

from typing import IO

import click

from outreach.app import AppContext, pass_app


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Write to this file instead of standard output.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@pass_app
def export(app: AppContext, fmt: str, output: IO[str], as_json: bool) -> None:
    """Export contacts, their stage, tags and extra fields.

    The CSV re-imports into the same workspace without a single new or changed contact
    (`outreach contacts import FILE` recognises it), so it doubles as a backup you can edit in
    a spreadsheet.
    """
    from outreach.services.reporting.export import export_contacts

    output.write(export_contacts(app.store, "json" if as_json else fmt))
