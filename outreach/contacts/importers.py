"""Reading contact files: the one entry point the CLI uses.

`parse_contacts` is pure (bytes in, records out) so every real-world quirk can be tested
without files or a database: it decodes, detects the format, parses, validates each row and
merges duplicates. A bad row becomes a `RowProblem` naming the file and line and the rest still
import; only a file that cannot be read at all raises `ImportFileError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from outreach.contacts.bounded import read_bounded
from outreach.contacts.csvformats import parse_csv, read_header
from outreach.contacts.decode import FORMATS_HINT, decode_contacts
from outreach.contacts.model import CORE_FIELDS, ContactRecord
from outreach.contacts.validate import clean_text, normalise_record
from outreach.contacts.vcard import contains_vcard, looks_like_vcard, parse_vcards
from outreach.errors import ContactError, ImportFileError

__all__ = [
    "FORMATS",
    "ImportResult",
    "RowProblem",
    "normalise_record",
    "parse_contacts",
    "read_contacts",
]

FORMATS = ("auto", "csv", "linkedin", "google", "vcard")

_DESCRIPTIONS = {
    "linkedin": "a LinkedIn connections export",
    "google": "a Google Contacts CSV",
    "csv": "a CSV file",
    "vcard": "a vCard file",
    "outreach": "an `outreach export` CSV",
}
_VCARD_SUFFIXES = (".vcf", ".vcard")


@dataclass
class RowProblem:
    """A row (or card) that was skipped or merged, and why; prints as "file line N: reason"."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.reason}"


@dataclass
class ImportResult:
    """Everything one file yielded: valid records (each email once), skipped rows, and rows
    merged into an earlier row with the same email address."""

    format: str
    encoding: str
    records: list[ContactRecord]
    problems: list[RowProblem]
    merged: list[RowProblem] = field(default_factory=list)

    @property
    def unreachable(self) -> int:
        """Records without an email address (most LinkedIn connections): kept, not mailable."""
        return sum(1 for record in self.records if not record.email)


def _mismatch(name: str, fmt: str, detected: str) -> ImportFileError:
    return ImportFileError(
        f"{name} does not look like {_DESCRIPTIONS[fmt]} (--format {fmt}): "
        f"it looks like {_DESCRIPTIONS[detected]} (detected format: {detected})",
        f"try --format {detected}, or --format auto",
    )


def _identity(record: ContactRecord) -> str | None:
    """What makes two rows of one file the same person: the email, else the LinkedIn URL."""
    if record.email:
        return "email:" + record.email.casefold()
    if record.linkedin_url:
        return "linkedin:" + record.linkedin_url.casefold().rstrip("/")
    return None


def _merge(into: ContactRecord, later: ContactRecord) -> None:
    """Fill the earlier record's empty fields from a later row; tags and extras accumulate."""
    for name in CORE_FIELDS:
        if name != "email" and not getattr(into, name) and getattr(later, name):
            setattr(into, name, getattr(later, name))
    for key, value in later.extra.items():
        into.extra.setdefault(key, value)
    known = {tag.casefold() for tag in into.tags}
    into.tags.extend(tag for tag in later.tags if tag.casefold() not in known)


def _validated(
    name: str, raw_records: list[ContactRecord], problems: list[RowProblem]
) -> tuple[list[ContactRecord], list[RowProblem]]:
    records: list[ContactRecord] = []
    merged: list[RowProblem] = []
    seen: dict[str, ContactRecord] = {}
    for raw in raw_records:
        try:
            record = normalise_record(raw)
        except ContactError as exc:
            problems.append(RowProblem(name, raw.line, exc.message))
            continue
        identity = _identity(record)
        if identity is not None and identity in seen:
            first = seen[identity]
            _merge(first, record)
            what = "email address" if identity.startswith("email:") else "LinkedIn URL"
            merged.append(
                RowProblem(name, record.line, f"same {what} as line {first.line}; merged")
            )
            continue
        if identity is not None:
            seen[identity] = record
        records.append(record)
    return records, merged


def parse_contacts(data: bytes, name: str, fmt: str = "auto") -> ImportResult:
    """Parse a contacts file's bytes; `name` is used in messages and to recognise ".vcf".

    Raises ImportFileError when the file as a whole cannot be used: unknown format, empty,
    binary, no header row, no contacts, or not the format asked for.
    """
    if fmt not in FORMATS:
        raise ImportFileError(f"unknown contacts format {fmt!r}", FORMATS_HINT)
    text, encoding = decode_contacts(data, name)

    problems: list[RowProblem] = []
    vcard_name = name.casefold().endswith(_VCARD_SUFFIXES)
    if looks_like_vcard(text) or ((vcard_name or fmt == "vcard") and contains_vcard(text)):
        if fmt not in ("auto", "vcard"):
            raise _mismatch(name, fmt, "vcard")
        parsed = parse_vcards(text)
        if not parsed.cards:
            raise ImportFileError(f"{name} contains no vCards", FORMATS_HINT)
        final, raw_records = "vcard", parsed.records
        problems.extend(RowProblem(name, line, reason) for line, reason in parsed.problems)
    else:
        csv_file = read_header(text)
        if csv_file is None:
            if fmt == "vcard" or vcard_name:
                raise ImportFileError(
                    f"{name} is not a vCard file: it has no BEGIN:VCARD line", FORMATS_HINT
                )
            raise ImportFileError(
                f"{name} has no header row: none of its first lines names a name or email "
                "column (a CSV needs a header such as Name,Email,Company)",
                FORMATS_HINT,
            )
        detected = csv_file.detected
        # "csv" reads any CSV flavour generically, so only the specific formats can mismatch.
        if fmt == "vcard" or (fmt in ("linkedin", "google") and fmt != detected):
            raise _mismatch(name, fmt, detected)
        final = detected if fmt == "auto" or (fmt == "csv" and detected == "outreach") else fmt
        parsed_csv = parse_csv(csv_file, final)
        raw_records = parsed_csv.records
        problems.extend(RowProblem(name, line, reason) for line, reason in parsed_csv.problems)
        if not raw_records and not problems:
            raise ImportFileError(
                f"{name} has a header row (line {csv_file.header.line}) but no contacts below it",
                FORMATS_HINT,
            )

    records, merged = _validated(name, raw_records, problems)
    problems.sort(key=lambda problem: problem.line)
    return ImportResult(final, encoding, records, problems, merged)


def read_contacts(path: Path, fmt: str = "auto", source: str | None = None) -> ImportResult:
    """Read and parse a contacts file; `source`, when given, labels every record instead of
    the format name (e.g. "pycon-2024")."""
    try:
        data = read_bounded(path)
    except FileNotFoundError as exc:
        raise ImportFileError(f"{path} does not exist", "check the path") from exc
    except IsADirectoryError as exc:
        raise ImportFileError(f"{path} is a directory, not a contacts file", FORMATS_HINT) from exc
    except OSError as exc:
        raise ImportFileError(
            f"cannot read {path}: {exc.strerror or exc}", "check the file's permissions"
        ) from exc
    result = parse_contacts(data, path.name, fmt)
    label = clean_text(source) if source is not None else ""
    if label:
        for record in result.records:
            record.source = label
    return result
