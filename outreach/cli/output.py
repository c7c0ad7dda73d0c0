"""Printing helpers shared by commands: JSON with stable keys, rich tables on demand."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from outreach.contacts.model import Contact

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (stable keys).")


class Bar:
    """A rich progress bar on stderr (see :class:`outreach.progress.Progress`).

    It appears only once a run is known to be long (``expect(n)`` with n of at least
    :data:`PROGRESS_MIN_STEPS`) and is still going after :data:`PROGRESS_DELAY` seconds, so a
    quick run never flashes a bar.
    """

    def __init__(self, label: str, delay: float | None = None) -> None:
        self.label = label
        self.delay = PROGRESS_DELAY if delay is None else delay
        self._progress: Any = None
        self._task: Any = None
        self._done = 0
        self._total: int | None = None
        self._since = time.monotonic()

    def __call__(self, steps: int = 1, /) -> None:
        self._done += steps
        if self._progress is not None:
            self._progress.advance(self._task, steps)
        elif self._due():
            self._start()

    def expect(self, total: int) -> None:
        self._total = total
        if self._progress is not None:
            self._progress.update(self._task, total=total)
        elif self._due():
            self._start()

    def _due(self) -> bool:
        long_run = self._total is not None and self._total >= PROGRESS_MIN_STEPS
        return long_run and time.monotonic() - self._since >= self.delay

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=self._total, completed=self._done)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


# Runs shorter than this many steps, or than this many seconds, need no bar.
PROGRESS_MIN_STEPS = 10
PROGRESS_DELAY = 0.5


@contextmanager
def progress_bar(
    label: str, total: int | None = None, *, enabled: bool = True, delay: float | None = None
) -> Iterator[Bar | None]:
    """A progress bar for a long run on a terminal (drawn on stderr, gone when done); None
    when stderr is not a terminal or with ``--json`` (``enabled=False``).

    ``total`` may be left out and given later with ``bar.expect(n)``, once the work is
    planned; a run of fewer than :data:`PROGRESS_MIN_STEPS` steps shows nothing.
    """
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    bar = Bar(label, delay)
    if total is not None:
        bar.expect(total)
    try:
        yield bar
    finally:
        bar.close()


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


def slot_json(slot: Any, contact: Contact) -> dict[str, Any]:
    """A slot with both zones: the user's (start, end) and the contact's, when known."""
    data: dict[str, Any] = dict(slot.to_json())
    zone = slot.contact_tz
    data["contact_timezone"] = contact.zone_name or None
    data["contact_timezone_guessed"] = bool(contact.zone_name and not contact.timezone)
    if zone is not None:
        span = slot.in_zone(zone)
        data["contact_start"] = span.start.isoformat(timespec="seconds")
        data["contact_end"] = span.end.isoformat(timespec="seconds")
    else:
        data["contact_start"] = data["contact_end"] = None
    data["text"] = str(slot)
    return data


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


RICH_ROW_LIMIT = 100  # rich lays out every cell (~1.5 ms a row); longer listings go plain


def _plain_table(title: str | None, columns: Sequence[str], rows: list[list[str]]) -> None:
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    widths = [
        max(len(column), *map(len, cells)) if cells else len(column)
        for column, cells in zip(columns, by_column, strict=True)
    ]
    # One format for every line (each cell padded to its column's width): 50,000 rows of
    # `contacts list` in a tenth of the time of padding cell by cell.
    line = "  ".join(f"{{:<{width}}}" for width in widths).format
    lines = [] if title is None else [title]
    lines.append(line(*columns).rstrip())
    lines.extend(line(*row).rstrip() for row in rows)
    click.echo("\n".join(lines))


def print_table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    alarm: frozenset[str] = frozenset(),
    text: bool = False,
) -> None:
    """A rich table for a short listing on a terminal; plain aligned columns otherwise
    (piped into another program, or too long to be worth rich's layout time). Cells whose
    text is in ``alarm`` (e.g. "OVERDUE") stand out in bold red on a terminal. Cell text is
    shown as it is (a contact named "[bold]" is not rich markup). ``text``: every cell is
    already a string (50,000 rows of `contacts list` need no conversion)."""
    cells: Any = rows if text else [
        ["" if cell is None else str(cell) for cell in row] for row in rows
    ]
    if len(cells) > RICH_ROW_LIMIT or not sys.stdout.isatty():
        _plain_table(title, columns, cells)
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in cells:
        table.add_row(*(Text(cell, style="bold red" if cell in alarm else "") for cell in row))
    Console(soft_wrap=False).print(table)
