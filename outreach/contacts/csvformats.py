"""CSV contact files: LinkedIn's Connections.csv, Google Contacts (new and old export), and any
spreadsheet with a header row.

All three share one reader: the header row is searched for (LinkedIn puts a few lines of notes
before it), the delimiter is chosen by which one makes the most sense of that header, and each
column gets a role from its name. The format only decides the records' source and what the
user may ask for with --format. Rows are read one at a time with their physical line number, so
a broken quote costs one row, not the rest of the file.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from outreach.contacts.decode import physical_lines
from outreach.contacts.model import ContactRecord
from outreach.contacts.validate import extra_key, header_key, split_tags

DELIMITERS = (",", ";", "\t")
# How far into the file the header row may be (LinkedIn's preamble is three lines).
_HEADER_SEARCH_ROWS = 30

# Column roles by normalised header name (see `header_key`).
_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "fullname", "displayname", "contactname"),
    "first_name": ("firstname", "givenname", "first", "forename"),
    "middle_name": ("middlename", "additionalname"),
    "last_name": ("lastname", "familyname", "surname", "last"),
    "email": ("email", "emails", "mail", "emailaddress", "emailaddr", "primaryemail"),
    "org": (
        "org",
        "company",
        "companyname",
        "organization",
        "organisation",
        "organizationname",
        "organisationname",
        "employer",
    ),
    "title": ("title", "position", "jobtitle", "role", "organizationtitle", "organisationtitle"),
    "timezone": ("timezone", "tz"),
    "linkedin_url": (
        "linkedin",
        "linkedinurl",
        "linkedinprofile",
        "linkedinprofileurl",
        "profile",
        "profileurl",
        "url",
    ),
    "notes": ("notes", "note"),
    "tags": ("tags", "tag", "labels", "groupmembership", "groups", "categories"),
}
_ROLE_BY_KEY = {alias: role for role, aliases in _ALIASES.items() for alias in aliases}
# Google's numbered columns: "E-mail 1 - Value", "Organization 1 - Title", "Website 2 - Value".
_NUMBERED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^email\d+value$"), "email"),
    (re.compile(r"^(email|website)\d+(label|type)$"), "skip"),
    (re.compile(r"^organi[sz]ation\d+name$"), "org"),
    (re.compile(r"^organi[sz]ation\d+title$"), "title"),
    (re.compile(r"^website\d+value$"), "website"),
)
_PERSON_ROLES = frozenset({"name", "first_name", "last_name", "email"})
_LINKEDIN_COLUMNS = frozenset({"firstname", "lastname", "company", "position", "connectedon"})
_GOOGLE_MARKER = re.compile(r"^(email\d+(value|label|type)|organization\d+(name|title))$")


# The header `outreach export --format csv` writes, in order: a file that starts with it is our
# own export and re-imports as itself (Stage is derived, so it is skipped; Source is kept).
EXPORT_COLUMNS = (
    "Name",
    "Email",
    "First Name",
    "Last Name",
    "Company",
    "Title",
    "Timezone",
    "LinkedIn URL",
    "Notes",
    "Tags",
    "Stage",
    "Source",
)
_EXPORT_ROLES = {"stage": "skip", "source": "source"}


def column_role(header: str) -> str:
    """What a column holds: a core field, "tags", "website", "skip", or "extra"."""
    key = header_key(header)
    if key in _ROLE_BY_KEY:
        return _ROLE_BY_KEY[key]
    for pattern, role in _NUMBERED:
        if pattern.match(key):
            return role
    return "extra"


def classify_header(headers: list[str]) -> str:
    """Which export a header row comes from: "outreach" (ours), "linkedin", "google" or plain
    "csv"."""
    if [header_key(h) for h in headers[: len(EXPORT_COLUMNS)]] == [
        header_key(c) for c in EXPORT_COLUMNS
    ]:
        return "outreach"
    keys = {header_key(h) for h in headers}
    if keys >= _LINKEDIN_COLUMNS:
        return "linkedin"
    if (
        any(_GOOGLE_MARKER.match(k) for k in keys)
        or "groupmembership" in keys
        or {"organizationname", "organizationtitle"} <= keys
        or {"fileas", "labels"} <= keys
    ):
        return "google"
    return "csv"


@dataclass
class RawRow:
    """One row as the csv module read it, with the physical lines it spans."""

    line: int
    end_line: int
    cells: list[str]


@dataclass
class CsvParse:
    """What a CSV file yields before validation: records in file order and structural
    problems as (line, reason)."""

    format: str
    records: list[ContactRecord] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Header:
    line: int  # 1-based physical line of the header row
    next_index: int  # 0-based index of the first physical line after it
    delimiter: str
    cells: list[str]
    score: int


def _from(lines: list[str], start: int) -> Iterator[str]:
    for index in range(start, len(lines)):
        yield lines[index]


def _one_row(lines: list[str], start: int, delimiter: str) -> tuple[list[str], int] | str | None:
    """Read the row starting at lines[start]: (cells, lines used), a csv error, or None at end."""
    reader = csv.reader(_from(lines, start), delimiter=delimiter, strict=False)
    try:
        cells = next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        return str(exc)
    return cells, max(reader.line_num, 1)


def _header_score(cells: list[str]) -> int:
    roles = [column_role(c) for c in cells if c.strip()]
    if not _PERSON_ROLES.intersection(roles):
        return 0
    return sum(1 for r in roles if r != "extra")


def find_header(lines: list[str]) -> _Header | None:
    """The header row: within the first rows, the first whose columns name a person (a name or
    email column), read with whichever delimiter recognises the most columns."""
    start = 0
    forced: tuple[str, ...] = DELIMITERS
    first = lines[0].rstrip("\r\n") if lines else ""
    if first.casefold().startswith("sep=") and len(first) == 5:
        # Excel's "sep=;" first line states the delimiter.
        forced, start = (first[4],), 1
    best: _Header | None = None
    for delimiter in forced:
        index, rows = start, 0
        while index < len(lines) and rows < _HEADER_SEARCH_ROWS:
            got = _one_row(lines, index, delimiter)
            if got is None:
                break
            if isinstance(got, str):
                index, rows = index + 1, rows + 1
                continue
            cells, used = got
            score = _header_score(cells)
            if score:
                if best is None or score > best.score:
                    best = _Header(index + 1, index + used, delimiter, cells, score)
                break
            index += used
            rows += 1
    return best


def _quotes_balanced(lines: list[str], start: int, used: int, delimiter: str) -> bool:
    """Whether lines[start:start + used] form one properly quoted row.

    The tolerant reader accepts a quote that never closes by swallowing the lines after it;
    the strict reader refuses it ("unexpected end of data", "',' expected after '\"'"), while a
    genuine multi-line cell (a note with a line break) passes both.
    """
    reader = csv.reader(lines[start : start + used], delimiter=delimiter, strict=True)
    try:
        next(reader)
    except (csv.Error, StopIteration):
        return False
    return True


def iter_rows(
    lines: list[str], start: int, delimiter: str, width: int
) -> Iterator[RawRow | tuple[int, str]]:
    """Data rows from lines[start:], or (line, reason) for a row that cannot be trusted.

    A row spanning several lines whose quotes do not balance, or which has more fields than the
    header, is a quote that was never closed: it is reported, and reading resumes on the next
    physical line so the rows it swallowed still import.
    """
    index = start
    while index < len(lines):
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


@dataclass
class _Columns:
    """The header turned into roles, with a unique template key for each extra column."""

    roles: list[str]
    keys: list[str]

    @classmethod
    def from_header(cls, cells: list[str], fmt: str = "csv") -> _Columns:
        roles, keys, used = [], [], set()
        for position, cell in enumerate(cells):
            role = column_role(cell) if cell.strip() else "extra"
            if fmt == "outreach" and position < len(EXPORT_COLUMNS):
                role = _EXPORT_ROLES.get(header_key(cell), role)
            key = ""
            if role in ("extra", "website"):
                base = extra_key(cell) if cell.strip() else f"column_{position + 1}"
                key, n = base, 2
                while key in used:
                    key, n = f"{base}_{n}", n + 1
                used.add(key)
            roles.append(role)
            keys.append(key)
        return cls(roles, keys)


def _first(values: list[str]) -> str:
    return next((v for v in values if v), "")


def row_to_record(columns: _Columns, row: RawRow, source: str) -> ContactRecord:
    """A raw (not yet validated) record from one row."""
    found: dict[str, list[str]] = {}
    extra: dict[str, str] = {}
    tags: list[str] = []
    for role, key, cell in zip(columns.roles, columns.keys, row.cells, strict=True):
        value = cell.strip()
        if not value or role == "skip":
            continue
        if role == "tags":
            tags.extend(split_tags(value))
        elif role == "email":
            # Google puts several addresses in one cell: "a@x.org ::: b@y.org".
            found.setdefault("email", []).extend(
                p.strip() for p in re.split(r":::|;", value) if p.strip()
            )
        elif role == "website" and "linkedin.com" in value.casefold():
            found.setdefault("linkedin_url", []).append(value)
        elif role in ("extra", "website"):
            extra[key] = value
        else:
            found.setdefault(role, []).append(value)

    def get(role: str) -> str:
        return _first(found.get(role, []))

    first, middle, last = get("first_name"), get("middle_name"), get("last_name")
    name = get("name") or " ".join(p for p in (first, middle, last) if p)
    return ContactRecord(
        name=name,
        email=get("email") or None,
        first_name=first,
        last_name=last,
        org=get("org"),
        title=get("title"),
        timezone=get("timezone"),
        linkedin_url=get("linkedin_url"),
        notes=" ".join(found.get("notes", [])),
        source=get("source") or source,
        extra=extra,
        tags=tags,
        line=row.line,
    )


@dataclass
class CsvFile:
    """A CSV file split into physical lines, with its header row found."""

    lines: list[str]
    header: _Header

    @property
    def detected(self) -> str:
        """Which export the header row comes from."""
        return classify_header(self.header.cells)


def read_header(text: str) -> CsvFile | None:
    """The file's lines and header row, or None when no row looks like a header."""
    lines = physical_lines(text)
    header = find_header(lines)
    return None if header is None else CsvFile(lines, header)


def parse_csv(csv_file: CsvFile, fmt: str) -> CsvParse:
    """The records and structural problems of a CSV file read as format `fmt`."""
    header = csv_file.header
    result = CsvParse(format=fmt)
    columns = _Columns.from_header(header.cells, fmt)
    for item in iter_rows(csv_file.lines, header.next_index, header.delimiter, len(header.cells)):
        if isinstance(item, tuple):
            result.problems.append(item)
        else:
            result.records.append(row_to_record(columns, item, fmt))
    return result
