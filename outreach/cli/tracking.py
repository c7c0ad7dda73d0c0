"""`outreach status`, `due`, `sync`, `watch`, `met` and `referrals`."""

from __future__ import annotations

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, json_option, print_table


@click.command()
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Counts per stage, and sent / replied / reply rate per template."""
    from outreach.services.reporting import status_report

    report = status_report(app.store)
    if as_json:
        emit_json(report)
        return
    click.echo(f"{report['contacts']} contact(s); {report['meetings_held']} conversation(s) held.")
    click.echo("  " + "  ".join(f"{stage}: {n}" for stage, n in report["stages"].items()))
    if report["templates"]:
        print_table(
            "By template",
            ["template", "sent", "replied", "reply rate", "median hours to reply"],
            [
                [t["template"], t["sent"], t["replied"], f"{t['reply_rate']:.0%}",
                 t["median_hours_to_reply"] if t["median_hours_to_reply"] is not None else "-"]
                for t in report["templates"]
            ],
        )
