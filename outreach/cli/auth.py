"""`outreach auth ...`: connect, inspect or disconnect the Google account."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, json_option


@click.group()
def auth() -> None:
    """Connect, inspect or disconnect your Google account (token kept in the OS keyring)."""


@auth.command()
@click.option("--no-browser", is_flag=True, help="Print the URL to open instead of a browser.")
@click.option("--imap", "imap", is_flag=True, help="Store the IMAP password in the keyring.")
@click.option("--smtp", is_flag=True, help="With --imap: the SMTP password (other username).")
@click.option("--password-stdin", is_flag=True, help="With --imap: read it from standard input.")
@click.option(
    "--microsoft",
    is_flag=True,
    help="Sign in to Microsoft 365 / Outlook.com instead (also when [mail] backend = "
    '"microsoft").',
)
@click.option(
    "--device-code", is_flag=True, help="Microsoft: sign in with a code on another device."
)
@pass_app
def login(
    app: AppContext,
    no_browser: bool,
    imap: bool,
    smtp: bool,
    password_stdin: bool,
    microsoft: bool,
    device_code: bool,
) -> None:
    """Authorise outreach in your browser (Google's installed-app flow, or Microsoft's with
    PKCE; `--device-code` where there is no browser), or with --imap store your IMAP/SMTP
    password (or app password) in the OS keyring.

    Google: gmail.compose, calendar.freebusy and, for sync, gmail.metadata, or gmail.readonly
    instead when [google] read_scope = "readonly". Microsoft: Mail.ReadWrite, Mail.Send,
    Calendars.ReadWrite and offline_access.
    """
    if imap or smtp or password_stdin:
        _login_imap(app, smtp, password_stdin)
        return
    if microsoft or device_code or app.config.mail.backend == "microsoft":
        _login_microsoft(app, device_code=device_code or no_browser)
        return
    from outreach.services.accounts.google import purpose, requested_scopes, short, sign_in

    click.echo("Asking Google for:")
    for scope in requested_scopes(app):
        click.echo(f"  {short(scope):<18} {purpose(scope)}")
    result = sign_in(app, open_browser=not no_browser)
    summary = result.summary
    click.echo(f"Connected {summary['account']}; the token is in your OS keyring.")
    click.echo(f"Mail read access: {summary['mail_read']}.")
    for scope in result.missing:
        click.secho(
            f"Warning: Google did not grant {short(scope)} (its box was unticked): "
            f"{purpose(scope, 'needed')} will not work. Run `outreach auth login` "
            "again and leave every box ticked.",
            fg="yellow",
            err=True,
        )


def _login_imap(app: AppContext, smtp: bool, password_stdin: bool) -> None:
    from outreach.services.accounts.imap import save_imap_password, smtp_password_needed

    what = "SMTP" if smtp else "IMAP"
    if password_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        secret = click.prompt(f"{what} password (or app password)", hide_input=True)
    who = save_imap_password(app, secret, for_smtp=smtp)
    click.echo(f"Stored the {what} password for {who} in your OS keyring.")
    if not smtp and smtp_password_needed(app):
        click.echo("[smtp] username differs: store its password with `outreach auth login --smtp`.")


def _login_microsoft(app: AppContext, *, device_code: bool) -> None:
    from outreach.services.accounts.microsoft import purpose, scopes_asked, sign_in

    config = app.config
    click.echo("Asking Microsoft for:")
    for scope, why in scopes_asked():
        click.echo(f"  {scope:<20} {why}")
    result = sign_in(app, device_code=device_code, say=click.echo)
    click.echo(f"Connected {result.account}; the token cache is in your OS keyring.")
    if result.account.casefold() != config.user.email.casefold():
        click.secho(
            f"Warning: you signed in as {result.account}, but [user] email is "
            f"{config.user.email}: set [user] email to the address you send from.",
            fg="yellow",
            err=True,
        )
    for scope in result.missing:
        click.secho(
            f"Warning: Microsoft did not grant {scope}: {purpose(scope)} will "
            "not work. Add it to the app registration's API permissions and sign in again.",
            fg="yellow",
            err=True,
        )


@auth.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def import_(app: AppContext, file: Path) -> None:
    """Store a token file in the keyring: Google's authorized-user JSON
    (Credentials.to_json()), or an msal token cache (SerializableTokenCache.serialize())."""
    from outreach.services.accounts.google import import_google_token
    from outreach.services.accounts.microsoft import import_microsoft_cache

    found = import_microsoft_cache(app, file)
    if found is not None:
        click.echo(f"Imported the Microsoft token cache for {found['account']} into the OS "
                   "keyring.")
        click.echo(f"You can now delete {file}: outreach never reads it again.")
        return

    summary = import_google_token(app, file)
    click.echo(f"Imported the token for {summary['account']} into the OS keyring.")
    click.echo(f"You can now delete {file}: outreach never reads it again.")


@auth.command()
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Show the connected account, its scopes and the token's state (never the token); with
    the IMAP backend, whether its passwords are in the keyring."""
    from outreach.services.accounts.imap import imap_status, uses_imap

    if app.config.mail.backend == "microsoft":
        from outreach.services.accounts.microsoft import microsoft_status

        found = microsoft_status(app)
        if as_json:
            emit_json(found)
        elif not found["connected"]:
            click.echo(f"{found['account']}: not connected. Run `outreach auth login`.")
        else:
            click.echo(f"account    {found['account']} (Microsoft)")
            click.echo(f"scopes     {', '.join(found['scopes']) or '(as granted at login)'}")
            click.echo(f"token      {found['token']}")
        return
    if uses_imap(app):
        found = imap_status(app)
        if as_json:
            emit_json(found)
            return
        for prefix, flag in (("", "--imap"), ("smtp_", "--smtp")):
            if f"{prefix}account" in found:
                state = (
                    "password in the OS keyring"
                    if found[f"{prefix}connected"]
                    else f"no password: run `outreach auth login {flag}`"
                )
                click.echo(f"{found[f'{prefix}account']}: {state}")
        return
    from outreach.services.accounts.google import google_status, read_scope_mismatch

    result = google_status(app)
    if as_json:
        emit_json({"connected": result.connected, **result.summary})
        return
    if not result.connected:
        click.echo(f"{result.account}: not connected. Run `outreach auth login`.")
        return
    summary = result.summary
    click.echo(f"account    {summary['account']}")
    click.echo(f"scopes     {', '.join(summary['scopes']) or '(as granted at login)'}")
    click.echo(f"mail read  {summary['mail_read']}")
    click.echo(f"token      {summary['token']}")
    if "login_at" in summary:
        click.echo(
            f"login      {summary['login_at']}; if the OAuth app is in Testing mode, Google "
            f"expires this login at {summary['testing_expiry']}"
        )
    if read_scope_mismatch(app, summary["scopes"]):
        click.secho(
            f"Warning: config.toml says read_scope = \"{app.config.google.read_scope}\", "
            "but the token was granted otherwise: run `outreach auth login` again.",
            fg="yellow",
            err=True,
        )


@auth.command()
@pass_app
def logout(app: AppContext) -> None:
    """Remove the token (or, with the IMAP backend, the passwords) from the keyring."""
    from outreach.services.accounts.imap import imap_logout, uses_imap

    if uses_imap(app):
        removed = imap_logout(app)
        click.echo("Removed the IMAP/SMTP passwords from the keyring." if removed
                   else "No IMAP/SMTP password in the keyring; nothing to remove.")
        return
    from outreach.services.accounts.google import google_logout
    from outreach.services.accounts.microsoft import microsoft_logout

    microsoft = app.config.mail.backend == "microsoft"
    if (microsoft_logout if microsoft else google_logout)(app):
        click.echo(f"Removed the token for {app.config.user.email} from the keyring.")
    else:
        click.echo(f"No token for {app.config.user.email}; nothing to remove.")
