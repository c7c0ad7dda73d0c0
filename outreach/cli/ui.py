"""`outreach ui`: the local web app."""

from __future__ import annotations

import contextlib

import click

from outreach.app import AppContext, pass_app


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=0,
              help="Port on 127.0.0.1 (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Print the address; do not open a browser.")
@click.option("--host", default="127.0.0.1", hidden=True,
              help="Only 127.0.0.1 is accepted (anything else is refused).")
@pass_app
def ui(app: AppContext, port: int, no_browser: bool, host: str) -> None:
    """Open the pipeline in your browser: Today, Pipeline, Contact, Compose, Meetings, Network,
    What works, Import and Settings, over the same workspace as the commands.

    Listens on 127.0.0.1 only. The first line printed is the address with this run's token;
    the app takes the writer lock only while it writes, so commands keep working beside it.
    Ctrl-C stops it.
    """
    from outreach.web.server import LOOPBACK, serve

    if host != LOOPBACK:
        from outreach.web.server import bind

        bind(port, host)  # raises the explanation
    _ = app.store  # no workspace, or a bad config: said now, as every command says it
    app.close()

    def say(line: str) -> None:
        click.echo(line)

    with contextlib.suppress(KeyboardInterrupt):  # uvicorn stopped cleanly, then passes it on
        serve(app.workspace, port=port, open_browser=not no_browser, say=say)
    click.echo("Stopped; everything done in the app is saved.")
