"""`outreach doctor`."""

from __future__ import annotations

import click

from outreach.app import AppContext, pass_app


@click.command()
@pass_app
def doctor(app: AppContext) -> None:
    """Check config, keyring, credentials and that the Gmail API answers."""
    from outreach.services.doctor import run_checks

    checks = run_checks(app)
    for check in checks:
        mark = click.style("ok  ", fg="green") if check.ok else click.style("FAIL", fg="red")
        click.echo(f"{mark} {check.name:<13} {check.detail}")
        if not check.ok and check.fix:
            click.echo(f"     {'':<13} -> {check.fix}")
    if not all(check.ok for check in checks):
        raise SystemExit(1)
