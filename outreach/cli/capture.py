"""After the call: `outreach met` asks its questions on a terminal, and `outreach promises`.

`met` with no flags on a terminal walks the user through what the guides say to write down
right away: what they said, what the user will do, resources they mentioned, promises made,
and whom to talk to next (with the address when known, and whether the referrer may be
named). Without a terminal nothing is asked and no editor opens: the error names the flags.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, json_option, print_table
from outreach.contacts.model import Contact

__all__ = ["MET_FLAGS", "Interview", "interview", "promises"]

MET_FLAGS = (
    '--notes "what they said" [--takeaways "what you will do"] [--resources "..."] '
    '[--promise "send my résumé"] [--referral "Name <email>"]'
)


@dataclass
class Interview:
    """What the user answered, shaped like `met`'s flags."""

    notes: str = ""
    takeaways: str = ""
    resources: str = ""
    promises: list[str] = field(default_factory=list)
    # "Name <email>", or a name alone until the address is known: may name the contact ...
    referrals: list[str] = field(default_factory=list)
    unnamed_referrals: list[str] = field(default_factory=list)  # ... or may not

    @property
    def empty(self) -> bool:
        return not (
            self.notes
            or self.takeaways
            or self.resources
            or self.promises
            or self.referrals
            or self.unnamed_referrals
        )


Ask = Callable[[str], str]


def _prompt(text: str) -> str:
    return str(click.prompt(text, default="", show_default=False, prompt_suffix=" ")).strip()


def _items(ask: Ask, question: str, example: str) -> list[str]:
    """Ask for items one per line until an empty answer."""
    click.secho(question, bold=True)
    click.echo(f"  {example}; one per line, an empty line moves on.")
    found: list[str] = []
    while True:
        answer = ask("  >")
        if not answer:
            return found
        found.append(answer)


def _referrals(ask: Ask, confirm: Callable[[str], bool], contact: Contact, into: Interview) -> None:
    from outreach.errors import ContactError
    from outreach.services.meetings.meetings_log import parse_referral

    first = contact.display_first_name
    click.secho("Who did they suggest you talk to next?", bold=True)
    click.echo("  A name per person (an empty name moves on); the address if you know it.")
    while True:
        name = ask("  name >")
        if not name:
            return
        while True:
            address = ask(f"  {name}'s email (Enter if you don't know it yet) >")
            if not address:
                break
            try:
                parse_referral(f"{name} <{address}>")
            except ContactError:
                click.secho(
                    f"  {address!r} is not an email address; try again, or press Enter if you "
                    "don't know it.",
                    fg="yellow",
                )
                continue
            break
        may_name = confirm(f"  May you mention {first} when you write to {name}?")
        text = f"{name} <{address}>" if address else name
        (into.referrals if may_name else into.unnamed_referrals).append(text)


def interview(
    contact: Contact,
    ask: Ask = _prompt,
    confirm: Callable[[str], bool] | None = None,
) -> Interview:
    """Ask, on the terminal, what `met` records; every question may be skipped."""
    yes = confirm or (lambda text: bool(click.confirm(text, default=True)))
    click.echo(
        f"Recording your conversation with {contact.label()}. Write it down while it is "
        "fresh; press Enter to skip any question."
    )
    answers = Interview()
    answers.notes = "\n".join(
        _items(
            ask,
            "What did they say?",
            'Their advice, a topic or a sentence, e.g. "start with the data, not the model"',
        )
    )
    answers.takeaways = "\n".join(
        _items(ask, "What will you do with it?", 'e.g. "take the battery systems course"')
    )
    answers.resources = "\n".join(
        _items(
            ask,
            "Resources they mentioned?",
            'Books, courses, groups, links, e.g. "Forecasting: Principles and Practice"',
        )
    )
    answers.promises = _items(
        ask,
        "Did you promise anything?",
        'e.g. "send my résumé", "introduce you to Grace"',
    )
    _referrals(ask, yes, contact, answers)
    return answers


# --- promises -------------------------------------------------------------------------------


@click.command()
@click.option(
    "--done",
    "done",
    multiple=True,
    type=click.IntRange(min=1),
    metavar="N",
    help="Mark promise N as kept (repeatable); it leaves `outreach due`.",
)
@click.option("--undo", "undo", multiple=True, type=click.IntRange(min=1), metavar="N",
              help="Mark promise N as open again.")
@click.option("--all", "show_all", is_flag=True, help="List kept promises too.")
@json_option
@pass_app
def promises(
    app: AppContext, done: tuple[int, ...], undo: tuple[int, ...], show_all: bool, as_json: bool
) -> None:
    """What you promised in your conversations ("send my résumé"), and marking them kept.

    Promises are recorded with `outreach met CONTACT --promise "..."` (or its questions on a
    terminal); each stays in `outreach due` until you mark it done here.
    """
    from outreach.services.drafting.promises import list_promises, mark_promises

    if done or undo:
        changed = mark_promises(app, done=done, undo=undo)
        for item in changed:
            state = "kept" if item.done_at else "open again"
            click.echo(f"Promise {item.id} to {item.contact}: {item.text!r} is {state}.")
        return
    rows = list_promises(app, include_done=show_all)
    if as_json:
        emit_json([row.to_json() for row in rows])
        return
    if not rows:
        click.echo(
            "No open promises. Record one with `outreach met CONTACT --promise \"...\"`."
            if not show_all
            else 'No promises recorded yet (`outreach met CONTACT --promise "..."`).'
        )
        return
    print_table(
        f"Promises ({len(rows)})",
        ["#", "to", "promise", "made", "kept"],
        [[row.id, row.contact, row.text, row.made_on, row.done_on or ""] for row in rows],
    )
    if not show_all:
        click.echo("Mark one kept with `outreach promises --done N`.")
