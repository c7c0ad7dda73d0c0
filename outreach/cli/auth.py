"""`outreach auth ...`: connect, inspect or disconnect the Google account."""

from __future__ import annotations

from pathlib import Path

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, json_option


@click.group()
def auth() -> None:
    """Connect, inspect or disconnect your Google account (token kept in the OS keyring)."""


@auth.command()
@click.option("--no-browser", is_flag=True, help="Print the URL to open instead of a browser.")
@pass_app
def login(app: AppContext, no_browser: bool) -> None:
    """Authorise outreach in your browser (Google's installed-app flow)."""
    from outreach.google.auth import SCOPES
    from outreach.google.auth import login as run_login

    config = app.config
    secrets = app.workspace.resolve(config.google.client_secrets_file)
    click.echo("Asking for: " + ", ".join(scope.rsplit("/", 1)[-1] for scope in SCOPES))
    summary = run_login(secrets, config.user.email, open_browser=not no_browser)
    click.echo(f"Connected {summary['account']}; the token is in your OS keyring.")


@auth.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def import_(app: AppContext, file: Path) -> None:
    """Store a Google token file (Credentials.to_json(), type authorized_user) in the keyring."""
    from outreach.google.auth import import_token

    summary = import_token(file, app.config.user.email)
    click.echo(f"Imported the token for {summary['account']} into the OS keyring.")
    click.echo(f"You can now delete {file}: outreach never reads it again.")


@auth.command()
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Show the connected account, its scopes and the token's state (never the token)."""
    from outreach.google.auth import status as auth_status

    result = auth_status(app.config.user.email)
    if as_json:
        emit_json({"connected": result.connected, **result.summary})
        return
    if not result.connected:
        click.echo(f"{result.account}: not connected. Run `outreach auth login`.")
        return
    summary = result.summary
    click.echo(f"account  {summary['account']}")
    click.echo(f"scopes   {', '.join(summary['scopes']) or '(as granted at login)'}")
    click.echo(f"token    {summary['token']}")


@auth.command()
@pass_app
def logout(app: AppContext) -> None:
    """Remove the token from the keyring."""
    from outreach.google.auth import logout as run_logout

    if run_logout(app.config.user.email):
        click.echo(f"Removed the token for {app.config.user.email} from the keyring.")
    else:
        click.echo(f"No token for {app.config.user.email}; nothing to remove.")
