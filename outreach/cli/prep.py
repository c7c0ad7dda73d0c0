"""`outreach prep`: the one-page brief before a conversation."""

from __future__ import annotations

from pathlib import Path

import click

from outreach.app import AppContext, pass_app


def _write(path: Path, text: str) -> None:
    """Write the brief whole or not at all (a temporary file renamed into place)."""
    from outreach.errors import OutreachError

    target = path.expanduser()
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OutreachError(
            f"Cannot write the brief to {target}: {exc.strerror or exc}.",
            hint="Check that the folder exists and you may write there, or leave out --output.",
        ) from None


@click.command()
@click.argument("contact")
@click.option(
    "--output",
    "output",
    metavar="FILE",
    help="Write the brief as Markdown to FILE (- for standard output) instead of showing it.",
)
@click.option(
    "--no-calendar",
    is_flag=True,
    help="With Gmail: do not put the brief on your Google Calendar beside the meeting.",
)
@pass_app
def prep(app: AppContext, contact: str, output: str | None, no_calendar: bool) -> None:
    """A one-page brief for the conversation with CONTACT.

    Who they are and how you are connected (who referred them), the thread so far, the
    meeting in both time zones with how to join, 6-10 questions fitted to their role and your
    [user] field, your introduction ([user] pitch), and the reminder to ask "who else should
    I talk to?". Add questions of your own in questions.toml in your workspace. Printing the
    brief for a booked meeting takes the prepare step out of `outreach due`. With Gmail, the
    brief also goes on your Google Calendar as a private event beside the meeting, shown as
    free: you, and anyone you let make changes to your calendar, can open it; people who only
    see your calendar (shared, or public) see neither it nor its time; never in the invite.
    """
    from outreach.services.meetings.brief import brief_text, mark_prepared, put_on_calendar

    text = brief_text(app, contact)
    if output == "-":
        click.echo(text, nl=False)
    elif output:
        _write(Path(output), text)
        click.echo(f"Brief written to {output}.")
    else:
        from rich.console import Console
        from rich.markdown import Markdown

        Console(soft_wrap=False, highlight=False).print(Markdown(text, hyperlinks=False))
    mark_prepared(app, contact)
    if not no_calendar:
        note = put_on_calendar(app, contact, text)
        if note == "":
            from outreach.services.meetings.calendar_brief import WHO_SEES

            click.echo(
                "Also on your Google Calendar, as a private event beside the meeting "
                f"({WHO_SEES}).",
                err=output == "-",
            )
        elif note:
            click.secho(f"Not on your calendar: {note}", fg="yellow", err=True)
