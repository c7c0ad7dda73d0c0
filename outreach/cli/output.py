"""Printing helpers shared by commands: JSON with stable keys, rich tables on demand."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from outreach.contacts.model import Contact

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (stable keys).")


class Bar:
    """A rich progress bar on stderr (see :class:`outreach.progress.Progress`)."""

    def __init__(self, progress: Any, task: Any) -> None:
        self._progress, self._task = progress, task

    def __call__(self, steps: int = 1, /) -> None:
        self._progress.advance(self._task, steps)

    def expect(self, total: int) -> None:
        self._progress.update(self._task, total=total)


# Runs shorter than this many steps finish too fast for a bar to help.
PROGRESS_MIN_STEPS = 10


@contextmanager
def progress_bar(
    label: str, total: int | None = None, *, enabled: bool = True
) -> Iterator[Bar | None]:
    """A progress bar for a long run on a terminal (drawn on stderr, gone when done); None
    when stderr is not a terminal, with ``--json`` (``enabled=False``) or for a short run.

    ``total`` may be left out and set later with ``bar.expect(n)``, once the work is planned.
    """
    if not enabled or not sys.stderr.isatty() or (total is not None and total < PROGRESS_MIN_STEPS):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield Bar(progress, progress.add_task(label, total=total))


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
