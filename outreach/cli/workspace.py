"""`outreach init` and `outreach demo`."""

from __future__ import annotations

from pathlib import Path

import click

from outreach.app import AppContext, pass_app


@click.command()
@click.option("--name", help="Your name (written into config.toml).")
@click.option("--email", help="Your email address.")
@click.option("--timezone", help="Your IANA time zone, e.g. Europe/Berlin.")
@pass_app
def init(app: AppContext, name: str | None, email: str | None, timezone: str | None) -> None:
    """Create a workspace: config.toml, templates/ and outreach.db.

    The workspace is $OUTREACH_HOME, else your platform's user data folder. Running init again
    creates only what is missing and never overwrites anything.
    """
    from outreach.services.workspace import init_workspace

    result = init_workspace(app.workspace, name=name, email=email, timezone=timezone)
    if not result.changed:
        click.echo(f"Workspace {app.workspace.root} already exists; nothing changed.")
        return
    for path in result.created:
        click.echo(f"created {path}")
    click.echo(
        f"Next: edit {app.workspace.config_file} ([user] name, email, timezone), then "
        "`outreach contacts import FILE`."
    )


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to make the demo workspace (default: a new temporary folder).",
)
def demo(directory: Path | None) -> None:
    """Run the whole pipeline on sample contacts in a throwaway workspace (offline, no prompts).

    Imports bundled contacts, proposes meeting times, drafts personal notes into a local Maildir,
    sends them (locally), simulates replies, syncs, books a meeting, records a conversation with
    a referral and drafts the thank-you: everything `outreach` does, without a Google account.
    """
    from outreach.services.demo import run_demo

    run_demo(directory, echo=click.echo)
