"""Printing helpers shared by commands: JSON with stable keys, rich tables on demand."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from outreach.contacts.model import Contact

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (stable keys).")


def interactive() -> bool:
    """Whether a person is at a terminal to answer prompts or use an editor."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 draft``, ``2 drafts``, ``2 replies``: the count with the right form of the noun."""
    if count == 1:
        return f"{count} {singular}"
    if plural_form is None:
        if singular.endswith("y") and singular[-2:-1] not in "aeiou":
            plural_form = singular[:-1] + "ies"
        elif singular.endswith(("s", "x", "ch", "sh")):
            plural_form = singular + "es"
        else:
            plural_form = singular + "s"
    return f"{count} {plural_form}"


def zone_note(person: Contact) -> str:
    """A contact's zone as previews state it: the one given, a guess, or unknown with the fix."""
    if person.timezone:
        return person.timezone
    guess = person.timezone_guess
    ref = person.email or person.id
    if guess is not None:
        return f"{guess.describe()}; confirm it with `outreach contacts edit {ref} --tz ZONE`"
    return (
        "unknown, so times are shown in yours only; set it with "
        f"`outreach contacts edit {ref} --tz Area/City`"
    )


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


RICH_ROW_LIMIT = 100  # rich lays out every cell (~1.5 ms a row); longer listings go plain


def _plain_table(title: str | None, columns: Sequence[str], rows: list[list[str]]) -> None:
    widths = [
        max([len(column), *(len(row[i]) for row in rows)]) for i, column in enumerate(columns)
    ]
    lines = [] if title is None else [title]
    lines.append("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    lines.extend(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
    click.echo("\n".join(lines))


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A rich table for a short listing on a terminal; plain aligned columns otherwise
    (piped into another program, or too long to be worth rich's layout time)."""
    cells = [["" if cell is None else str(cell) for cell in row] for row in rows]
    if len(cells) > RICH_ROW_LIMIT or not sys.stdout.isatty():
        _plain_table(title, columns, cells)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in cells:
        table.add_row(*row)
    Console(soft_wrap=False).print(table)
