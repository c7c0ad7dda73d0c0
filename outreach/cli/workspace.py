"""`outreach init` and `outreach demo`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import interactive

_OPTIONAL_PROMPTS = {
    "intro": 'One line about you, completing "I\'m NAME, ..." (e.g. a data science student '
    "at Leeds)",
    "field": 'What you are exploring, completing "as I explore ..." (e.g. a move into climate '
    "policy)",
    "school": "Your school or university, for alumni notes",
    "signature": r"Your sign-off (\n for a new line; empty: your name)",
}


def _checked(check: Callable[[str], str]) -> Callable[[str], str]:
    """A click value_proc that re-asks on a bad answer instead of failing."""
    from outreach.errors import OutreachError

    def proc(value: str) -> str:
        try:
            return check(value)
        except OutreachError as exc:
            raise click.BadParameter(exc.message.split(" is ", 1)[-1]) from None

    return proc


def _ask_missing(app: AppContext, given: dict[str, str]) -> dict[str, str]:
    """On a terminal, ask for what init needs and was not given (and, on a first run, for the
    optional values the templates use)."""
    from outreach.services.workspace.setup import (
        PLACEHOLDERS,
        check_email,
        check_text,
        check_timezone,
        system_timezone,
    )

    answers = dict(given)
    first_run = not app.workspace.config_file.exists()
    current: dict[str, object] = {}
    if not first_run:
        import tomllib

        try:
            current = tomllib.loads(app.workspace.config_file.read_text("utf-8")).get("user", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            current = {}

    def needed(key: str) -> bool:
        if key in answers:
            return False
        return first_run or current.get(key, PLACEHOLDERS.get(key)) == PLACEHOLDERS.get(key)

    if first_run:
        click.echo(f"Setting up your workspace in {app.workspace.root}.")
    if needed("name"):
        answers["name"] = click.prompt(
            "Your name", value_proc=_checked(lambda v: check_text("name", v))
        )
    if needed("email"):
        answers["email"] = click.prompt("Your email address", value_proc=_checked(check_email))
    if first_run and "timezone" not in answers:
        answers["timezone"] = click.prompt(
            "Your time zone",
            default=system_timezone() or "UTC",
            value_proc=_checked(check_timezone),
        )
    if first_run:
        click.echo("Optional, used by the built-in templates (press Enter to skip):")
        for key, question in _OPTIONAL_PROMPTS.items():
            if key not in answers:
                value = click.prompt(f"  {question}", default="", show_default=False).strip()
                if value:
                    answers[key] = value
    return answers


@click.command()
@click.option("--name", help="Your name, as it appears in From: and signatures.")
@click.option("--email", help="The address you send from (for Gmail: the account you authorise).")
@click.option("--timezone", help="Your IANA time zone, e.g. Europe/Berlin.")
@click.option("--intro", help="Completes \"I'm NAME, ...\", e.g. 'a data science student'.")
@click.option("--field", help="Completes \"as I explore ...\", e.g. 'a move into climate policy'.")
@click.option("--school", help="Your school or university ({{ user.school }} in templates).")
@click.option("--signature", help=r"Your sign-off; \n for new lines (default: your name).")
@click.option("--no-input", is_flag=True, help="Never ask questions, even on a terminal.")
@pass_app
def init(
    app: AppContext,
    name: str | None,
    email: str | None,
    timezone: str | None,
    intro: str | None,
    field: str | None,
    school: str | None,
    signature: str | None,
    no_input: bool,
) -> None:
    """Create a workspace (config.toml, templates/, outreach.db), or update its [user] keys.

    The workspace is $OUTREACH_HOME, else your platform's user data folder. Every value is
    checked before anything is written. On a terminal, init asks for what is missing (your
    name, email and time zone, and the optional lines the templates use). On an existing
    workspace it changes only the keys you pass, says what changed, and creates what is missing.
    """
    from outreach.services.workspace.setup import UserValues, init_workspace

    options = {
        "name": name,
        "email": email,
        "timezone": timezone,
        "intro": intro,
        "field": field,
        "school": school,
        "signature": signature,
    }
    given = {key: value for key, value in options.items() if value is not None}
    if interactive() and not no_input:
        given = _ask_missing(app, given)
    result = init_workspace(app.workspace, UserValues(**given))
    for path in result.created:
        click.echo(f"created {path}")
    for key, old, new in result.updated:
        before = "(not set)" if old is None else json.dumps(old, ensure_ascii=False)
        click.echo(f"updated [user] {key}: {before} -> {json.dumps(new, ensure_ascii=False)}")
    if not result.changed:
        click.echo(f"Workspace {app.workspace.root} is already set up; nothing changed.")
    if result.placeholders:
        from outreach.services.workspace.setup import placeholder_fix

        keys = " and ".join(result.placeholders)
        one = len(result.placeholders) == 1
        click.secho(
            f"Note: [user] {keys} {'is' if one else 'are'} still the example's "
            f"placeholder{'' if one else 's'}, and `outreach draft` refuses to sign with "
            f"{'it' if one else 'them'}. Set {'it' if one else 'them'}: "
            f"`{placeholder_fix(result.placeholders)}`.",
            fg="yellow",
            err=True,
        )
    elif result.created:
        click.echo(
            f"Next: `outreach contacts import FILE`, then `outreach doctor` checks the setup "
            f"(settings: {app.workspace.config_file})."
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
    "sends" them (locally: nothing is emailed), simulates replies, syncs, books a meeting,
    records a conversation with a referral and drafts the thank-you: everything `outreach` does,
    without a Google account.
    """
    from outreach.services.workspace.demo import run_demo

    run_demo(directory, echo=click.echo)
