"""`outreach doctor`."""

from __future__ import annotations

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, json_option, plural


@click.command()
@json_option
@pass_app
def doctor(app: AppContext, as_json: bool) -> None:
    """Check the setup step by step and name the fix for each problem.

    In setup order: the workspace, config.toml, your [user] details, each busy calendar file,
    the templates (lint), then the mail backend: for local, that its Maildirs are writable;
    for Gmail, the OAuth client file, the keyring, the token and its scopes, that the Gmail
    API answers, and your calendar. Exits 1 if anything fails.
    """
    from outreach.services.doctor.checks import passed, run_checks

    checks = run_checks(app)
    healthy = passed(checks)
    if as_json:
        emit_json({"ok": healthy, "checks": [check.to_json() for check in checks]})
        if not healthy:
            raise SystemExit(1)
        return
    skipped = [check.name for check in checks if check.skipped]
    for check in checks:
        if check.skipped:
            continue
        mark = click.style("ok  ", fg="green") if check.ok else click.style("FAIL", fg="red")
        click.echo(f"{mark} {check.name:<13} {check.detail}")
        if not check.ok and check.fix:
            click.echo(f"     {'':<13} -> {check.fix}")
    if skipped:
        click.echo(f"--   {'not checked':<13} {', '.join(skipped)} (they need the steps above)")
    problems = sum(1 for check in checks if not check.ok and not check.skipped)
    if healthy:
        click.echo("Everything checks out.")
        return
    click.echo(f"{plural(problems, 'problem')}: fix {'it' if problems == 1 else 'them'} and "
               "run `outreach doctor` again.")
    raise SystemExit(1)
