"""`outreach service`: run `watch` in the background as a per-user service."""

from __future__ import annotations

import click

from outreach.app import AppContext, pass_app


@click.group()
def service() -> None:
    """Install `outreach watch` as a background service for your user (a systemd user unit
    on Linux, a launchd agent on macOS, a Task Scheduler entry on Windows), so replies are
    noticed, reminders shown and queued mail delivered without a terminal open. This
    machine must be on for it to run."""


@service.command()
@click.option("--interval", type=click.IntRange(min=30), default=300, show_default=True,
              help="Seconds between syncs.")
@pass_app
def install(app: AppContext, interval: int) -> None:
    """Install and start the service (again: rewrites it)."""
    from outreach.services.background.service import install as do_install
    from outreach.services.background.service import plan_for

    plan = plan_for(app.workspace, interval=interval)
    for line in do_install(plan):
        click.echo(f"  {line}")
    click.echo(f"Installed {plan.name}: `outreach watch --interval {interval}` runs in the "
               "background from now on and at each login. `outreach service status` checks it.")


@service.command()
@pass_app
def uninstall(app: AppContext) -> None:
    """Stop the service and remove it (its log stays)."""
    from outreach.services.background.service import plan_for
    from outreach.services.background.service import uninstall as do_uninstall

    plan = plan_for(app.workspace)
    for line in do_uninstall(plan):
        click.echo(f"  {line}")
    click.echo(f"Uninstalled {plan.name}; queued mail now goes only while `outreach watch` runs.")


@service.command()
@pass_app
def status(app: AppContext) -> None:
    """Whether the service is installed and running, and when `watch` last ran."""
    from outreach.services.background.heartbeat import last_beat, watch_running
    from outreach.services.background.service import plan_for, service_status

    state = service_status(plan_for(app.workspace))
    running = {True: "running", False: "not running", None: "unknown (service manager not "
               "reachable)"}[state.running]
    installed = "installed" if state.installed else "not installed"
    click.echo(f"{state.name}: {installed}, {running}" + (f" ({state.detail})" if
                                                          state.detail else ""))
    beat = last_beat(app)
    if beat is None:
        click.echo("watch: no run seen in this workspace.")
    else:
        alive = "running" if watch_running(app) else "stopped"
        seen = beat.at.astimezone(app.config.user.zone).strftime("%a %d %b %H:%M")
        click.echo(f"watch: {alive}; last cycle {seen} (pid {beat.pid}).")
    click.echo(f"log: {state.log}")
