"""Reading a CSV file's rows a line at a time: finding the header row, and each data row with
the physical lines it spans, so a broken quote costs one row, not the rest of the file.

Lines come from a :class:`LineWindow`, which reads ahead only as far as a row needs and forgets
the lines behind the row being read: a file of any length costs a few rows of memory.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass

DELIMITERS = (",", ";", "\t")
# How far into the file the header row may be (LinkedIn's preamble is three lines).
_HEADER_SEARCH_ROWS = 30


class LineWindow:
    """A text's physical lines by 0-based index, read lazily from ``source``; lines before
    the index given to :meth:`release` are forgotten."""

    def __init__(self, source: Iterator[str]) -> None:
        self._source = source
        self._kept: list[str] = []
        self._base = 0
        self._done = False

    def has(self, index: int) -> bool:
        """Whether the text has a line ``index`` (reading up to it)."""
        while index >= self._base + len(self._kept):
            if self._done:
                return False
            line = next(self._source, None)
            if line is None:
                self._done = True
                return False
            self._kept.append(line)
        return True

    def __getitem__(self, index: int) -> str:
        if not self.has(index) or index < self._base:
            raise IndexError(index)
        return self._kept[index - self._base]

    def span(self, start: int, stop: int) -> list[str]:
        """Lines ``start`` up to (not including) ``stop``."""
        self.has(stop - 1)
        return self._kept[start - self._base : stop - self._base]

    def release(self, before: int) -> None:
        """Forget the lines before ``before``: no row will read them again."""
        drop = before - self._base
        if drop > 0:
            del self._kept[:drop]
            self._base = before


@dataclass
class RawRow:
    """One row as the csv module read it, with the physical lines it spans."""

    line: int
    end_line: int
    cells: list[str]


@dataclass
class Header:
    line: int  # 1-based physical line of the header row
    next_index: int  # 0-based index of the first physical line after it
    delimiter: str
    cells: list[str]
    score: int


def _from(lines: LineWindow, start: int) -> Iterator[str]:
    index = start
    while lines.has(index):
        yield lines[index]
        index += 1


def _one_row(lines: LineWindow, start: int, delimiter: str) -> tuple[list[str], int] | str | None:
    """Read the row starting at lines[start]: (cells, lines used), a csv error, or None at end."""
    reader = csv.reader(_from(lines, start), delimiter=delimiter, strict=False)
    try:
        cells = next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        return str(exc)
    return cells, max(reader.line_num, 1)


def find_header(lines: LineWindow, score: Callable[[list[str]], int]) -> Header | None:
    """The header row: within the first rows, the first whose columns name a person (``score``
    above 0), read with whichever delimiter recognises the most columns."""
    start = 0
    forced: tuple[str, ...] = DELIMITERS
    first = lines[0].rstrip("\r\n") if lines.has(0) else ""
    if first.casefold().startswith("sep=") and len(first) == 5:
        # Excel's "sep=;" first line states the delimiter.
        forced, start = (first[4],), 1
    best: Header | None = None
    for delimiter in forced:
        index, rows = start, 0
        while lines.has(index) and rows < _HEADER_SEARCH_ROWS:
            got = _one_row(lines, index, delimiter)
            if got is None:
                break
            if isinstance(got, str):
                index, rows = index + 1, rows + 1
                continue
            cells, used = got
            points = score(cells)
            if points:
                if best is None or points > best.score:
                    best = Header(index + 1, index + used, delimiter, cells, points)
                break
            index += used
            rows += 1
    return best


def _quotes_balanced(lines: LineWindow, start: int, used: int, delimiter: str) -> bool:
    """Whether lines[start:start + used] form one properly quoted row.

    The tolerant reader accepts a quote that never closes by swallowing the lines after it;
    the strict reader refuses it ("unexpected end of data", "',' expected after '\"'"), while a
    genuine multi-line cell (a note with a line break) passes both.
    """
    reader = csv.reader(lines.span(start, start + used), delimiter=delimiter, strict=True)
    try:
        next(reader)
    except (csv.Error, StopIteration):
        return False
    return True


def iter_rows(
    lines: LineWindow, start: int, delimiter: str, width: int
) -> Iterator[RawRow | tuple[int, str]]:
    """Data rows from lines[start:], or (line, reason) for a row that cannot be trusted.

    A row spanning several lines whose quotes do not balance, or which has more fields than the
    header, is a quote that was never closed: it is reported, and reading resumes on the next
    physical line so the rows it swallowed still import.
    """
    index = start
    while lines.has(index):
        lines.release(index)
        got = _one_row(lines, index, delimiter)
        if got is None:
            return
        if isinstance(got, str):
            yield index + 1, f"cannot read this row as CSV ({got})"
            index += 1
            continue
        cells, used = got
        if not any(c.strip() for c in cells):
            index += used
            continue
        surplus = any(c.strip() for c in cells[width:])
        if used > 1 and (surplus or not _quotes_balanced(lines, index, used, delimiter)):
            yield (
                index + 1,
                "a quoted field on this line is never closed properly "
                f"(it would swallow the lines up to line {index + used})",
            )
            index += 1
            continue
        if surplus:
            yield (
                index + 1,
                f"the row has {len(cells)} fields but the header has {width} "
                "(an unquoted delimiter or a broken quote?)",
            )
            index += used
            continue
        yield RawRow(index + 1, index + used, cells[:width] + [""] * (width - len(cells)))
        index += used
