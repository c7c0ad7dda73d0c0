"""Reading contact files: the one entry point imports use.

`open_contacts` decodes, detects the format, parses, validates each row and merges duplicates
a few rows at a time, so a file of any size costs little memory: the valid records wait on
disk until the import writes them. `parse_contacts` (bytes in, records out) gives the same
result as a list, so every real-world quirk can be tested without files or a database. A bad
row becomes a `RowProblem` naming the file and line and the rest still import; only a file
that cannot be read at all raises `ImportFileError`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from outreach.contacts.csvformats import parse_csv, read_header
from outreach.contacts.decode import FORMATS_HINT, ContactText, Opener, open_text
from outreach.contacts.model import ContactRecord
from outreach.contacts.spill import RecordSpill
from outreach.contacts.validate import clean_text, normalise_record
from outreach.contacts.vcard import contains_vcard, iter_vcards, looks_like_vcard
from outreach.errors import ContactError, ImportFileError

__all__ = [
    "FORMATS",
    "ContactFile",
    "ImportResult",
    "RowProblem",
    "normalise_record",
    "open_contacts",
    "open_contacts_file",
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


class ContactFile:
    """A contacts file read, checked and validated, its records kept on disk (see
    :mod:`outreach.contacts.spill`) until :meth:`records` hands them out: each person once,
    in file order. Close it (or use it as a context manager) to drop the kept records."""

    def __init__(
        self, fmt: str, encoding: str, spill: RecordSpill, problems: list[RowProblem],
        merged: list[RowProblem], source: str,
    ) -> None:
        self.format, self.encoding = fmt, encoding
        self.problems, self.merged = problems, merged
        self._spill, self._source = spill, source

    @property
    def count(self) -> int:
        """How many records :meth:`records` gives."""
        return self._spill.count

    @property
    def unreachable(self) -> int:
        """Records without an email address (most LinkedIn connections): kept, not mailable."""
        return self._spill.unreachable

    def records(self) -> Iterator[ContactRecord]:
        """The valid records, each email once (later rows merged into the first)."""
        for record in self._spill.records():
            if self._source:
                record.source = self._source
            yield record

    def close(self) -> None:
        self._spill.close()

    def __enter__(self) -> ContactFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_records(
    text: ContactText, name: str, fmt: str, spill: RecordSpill, problems: list[RowProblem]
) -> str:
    """Parse and validate the file's records into ``spill``; the format it was read as."""
    vcard_name = name.casefold().endswith(_VCARD_SUFFIXES)
    if looks_like_vcard(text.head(4096)) or (
        (vcard_name or fmt == "vcard") and contains_vcard(text.whole())
    ):
        if fmt not in ("auto", "vcard"):
            raise _mismatch(name, fmt, "vcard")
        with closing(text.lines()) as lines:
            cards = _take(name, iter_vcards(lines), spill, problems)
        if not cards:
            raise ImportFileError(f"{name} contains no vCards", FORMATS_HINT)
        return "vcard"
    with closing(text.lines()) as lines:
        csv_file = read_header(lines)
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
        rows = _take(name, parse_csv(csv_file, final), spill, problems)
        if not rows:
            raise ImportFileError(
                f"{name} has a header row (line {csv_file.header.line}) but no contacts below it",
                FORMATS_HINT,
            )
    return final


def _take(
    name: str,
    items: Iterable[ContactRecord | tuple[int, str]],
    spill: RecordSpill,
    problems: list[RowProblem],
) -> int:
    """Each parsed item into the spill (a record) or the problems (a (line, why) the parser
    gave); returns how many items the file held."""
    count = 0
    for item in items:
        count += 1
        if isinstance(item, tuple):
            problems.append(RowProblem(name, *item))
        else:
            _validate_into(name, item, spill, problems)
    return count


def _validate_into(
    name: str, raw: ContactRecord, spill: RecordSpill, problems: list[RowProblem]
) -> None:
    """Keep a valid record in the spill; a row that fails validation is a problem at its line."""
    try:
        record = normalise_record(raw)
    except ContactError as exc:
        problems.append(RowProblem(name, raw.line, exc.message))
        return
    spill.add(record)


def open_contacts(
    opener: Opener, name: str, fmt: str = "auto", source: str | None = None
) -> ContactFile:
    """Read a contacts file (``opener`` gives its bytes, as often as needed; `name` is used in
    messages and to recognise ".vcf"), holding a few rows at a time; `source`, when given,
    labels every record instead of the format name (e.g. "pycon-2024").

    Raises ImportFileError when the file as a whole cannot be used: unknown format, empty,
    binary, no header row, no contacts, or not the format asked for.
    """
    if fmt not in FORMATS:
        raise ImportFileError(f"unknown contacts format {fmt!r}", FORMATS_HINT)
    text = open_text(opener, name)
    spill = RecordSpill()
    problems: list[RowProblem] = []
    try:
        final = _read_records(text, name, fmt, spill, problems)
        spill.finish()
    except UnicodeDecodeError as exc:
        spill.close()
        raise ImportFileError(
            f"{name} changed while it was being read", "run the import again"
        ) from exc
    except BaseException:
        spill.close()
        raise
    problems.sort(key=lambda problem: problem.line)
    merged = [RowProblem(name, line, reason) for line, reason in spill.merged]
    label = clean_text(source) if source is not None else ""
    return ContactFile(final, text.encoding, spill, problems, merged, label)


def open_contacts_file(path: Path, fmt: str = "auto", source: str | None = None) -> ContactFile:
    """:func:`open_contacts` for a file on disk, with a clear error when it cannot be read."""
    try:
        return open_contacts(lambda: open(path, "rb"), path.name, fmt, source)
    except FileNotFoundError as exc:
        raise ImportFileError(f"{path} does not exist", "check the path") from exc
    except IsADirectoryError as exc:
        raise ImportFileError(f"{path} is a directory, not a contacts file", FORMATS_HINT) from exc
    except OSError as exc:
        raise ImportFileError(
            f"cannot read {path}: {exc.strerror or exc}", "check the file's permissions"
        ) from exc


def _collected(contacts: ContactFile) -> ImportResult:
    with contacts:
        records = list(contacts.records())
        return ImportResult(
            contacts.format, contacts.encoding, records, contacts.problems, contacts.merged
        )


def parse_contacts(data: bytes, name: str, fmt: str = "auto") -> ImportResult:
    """Parse a contacts file's bytes, all records in a list (for small files and tests)."""
    return _collected(open_contacts(lambda: io.BytesIO(data), name, fmt))


def read_contacts(path: Path, fmt: str = "auto", source: str | None = None) -> ImportResult:
    """Read a contacts file, all records in a list (imports use :func:`open_contacts_file`,
    which keeps them on disk)."""
    return _collected(open_contacts_file(path, fmt, source))
