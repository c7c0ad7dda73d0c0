"""Printing helpers shared by commands: JSON with stable keys, rich tables on demand."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (stable keys).")


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


def print_table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    alarm: frozenset[str] = frozenset(),
) -> None:
    """A rich table for a short listing on a terminal; plain aligned columns otherwise
    (piped into another program, or too long to be worth rich's layout time). Cells whose
    text is in ``alarm`` (e.g. "OVERDUE") stand out in bold red on a terminal. Cell text is
    shown as it is (a contact named "[bold]" is not rich markup)."""
    cells = [["" if cell is None else str(cell) for cell in row] for row in rows]
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
