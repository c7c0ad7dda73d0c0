"""CSV contact files: LinkedIn's Connections.csv, Google Contacts (new and old export), and any
spreadsheet with a header row.

All three share one reader: the header row is searched for (LinkedIn puts a few lines of notes
before it), the delimiter is chosen by which one makes the most sense of that header, and each
column gets a role from its name. The format only decides the records' source and what the
user may ask for with --format. Rows are read one at a time with their physical line number, so
a broken quote costs one row, not the rest of the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from outreach.contacts.csvrows import Header, LineWindow, RawRow, find_header, iter_rows
from outreach.contacts.model import ContactRecord
from outreach.contacts.validate import extra_key, header_key, split_tags

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


def _header_score(cells: list[str]) -> int:
    roles = [column_role(c) for c in cells if c.strip()]
    if not _PERSON_ROLES.intersection(roles):
        return 0
    return sum(1 for r in roles if r != "extra")


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
    """A CSV file's lines (read as they are needed), with its header row found."""

    lines: LineWindow
    header: Header

    @property
    def detected(self) -> str:
        """Which export the header row comes from."""
        return classify_header(self.header.cells)


def read_header(lines: Iterator[str]) -> CsvFile | None:
    """The file's lines and header row, or None when no row looks like a header."""
    window = LineWindow(lines)
    header = find_header(window, _header_score)
    return None if header is None else CsvFile(window, header)


def parse_csv(csv_file: CsvFile, fmt: str) -> Iterator[ContactRecord | tuple[int, str]]:
    """The records of a CSV file read as format `fmt`, in file order, and its structural
    problems as (line, reason) where they occur."""
    header = csv_file.header
    columns = _Columns.from_header(header.cells, fmt)
    for item in iter_rows(csv_file.lines, header.next_index, header.delimiter, len(header.cells)):
        if isinstance(item, tuple):
            yield item
        else:
            yield row_to_record(columns, item, fmt)
