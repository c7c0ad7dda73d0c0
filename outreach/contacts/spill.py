"""A file's validated records kept on disk while it is read, so that rows with the same address
can be merged without holding every row in memory.

Rows of one file with the same email address (or, without one, the same LinkedIn profile) are
one person: the first row is kept, filled from the later ones. Every record is written to a
temporary file as it is read, with a hash of its identity; once the file is read, the hashes
show which few identities occur more than once, and the records come back in file order with
each first row merged with its later rows (read back by their offsets) and the later rows
left out. Memory holds a few numbers per row, not the rows.
"""

from __future__ import annotations

import marshal
import struct
import tempfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import fields
from itertools import pairwise
from typing import BinaryIO

from outreach.contacts.model import CORE_FIELDS, ContactRecord
from outreach.errors import ImportFileError

_FIELDS = tuple(f.name for f in fields(ContactRecord))  # in the constructor's order
_LENGTH = struct.Struct("<I")
_NO_IDENTITY = -1  # hash() never returns -1


def identity(record: ContactRecord) -> str | None:
    """What makes two rows of one file the same person: the email, else the LinkedIn URL."""
    if record.email:
        return "email:" + record.email.casefold()
    if record.linkedin_url:
        return "linkedin:" + record.linkedin_url.casefold().rstrip("/")
    return None


def merge_into(into: ContactRecord, later: ContactRecord) -> None:
    """Fill the earlier record's empty fields from a later row; tags and extras accumulate."""
    for name in CORE_FIELDS:
        if name != "email" and not getattr(into, name) and getattr(later, name):
            setattr(into, name, getattr(later, name))
    for key, value in later.extra.items():
        into.extra.setdefault(key, value)
    known = {tag.casefold() for tag in into.tags}
    into.tags.extend(tag for tag in later.tags if tag.casefold() not in known)


class RecordSpill:
    """Validated records in file order, on disk; :meth:`finish` finds the duplicates, then
    :meth:`records` gives each person once, merged."""

    def __init__(self, hasher: Callable[[str], int] = hash) -> None:
        self._hasher = hasher
        self._file: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._offsets = array("q")
        self._end = 0  # where the next record goes
        self._hashes = array("q")
        self._lines = array("q")
        self._addressed = bytearray()
        self._groups: dict[int, list[int]] = {}  # first ordinal -> later ordinals
        self._later: set[int] = set()
        self.merged: list[tuple[int, str]] = []  # (line, reason) for each later row

    def add(self, record: ContactRecord) -> None:
        """Keep a validated record (in file order)."""
        blob = marshal.dumps(tuple(getattr(record, name) for name in _FIELDS))
        try:
            self._file.write(_LENGTH.pack(len(blob)) + blob)
        except OSError as exc:
            raise ImportFileError(
                "cannot keep the contacts read so far in a temporary file "
                f"({exc.strerror or exc}); nothing was imported",
                f"free some space in {tempfile.gettempdir()} (or set TMPDIR to a folder with "
                "room) and import again",
            ) from exc
        self._offsets.append(self._end)
        self._end += _LENGTH.size + len(blob)
        key = identity(record)
        value = _NO_IDENTITY if key is None else self._hasher(key)
        self._hashes.append(-2 if value == _NO_IDENTITY and key is not None else value)
        self._lines.append(record.line)
        self._addressed.append(1 if record.email else 0)

    def finish(self) -> None:
        """Find the rows that repeat an earlier row's identity (all records added)."""
        self._file.flush()
        repeated = _repeated(self._hashes)
        firsts: dict[str, int] = {}
        for ordinal, value in enumerate(self._hashes):
            if value not in repeated:
                continue
            key = identity(self._read(ordinal))
            if key is None:
                continue
            first = firsts.setdefault(key, ordinal)
            if first != ordinal:
                self._groups.setdefault(first, []).append(ordinal)
                self._later.add(ordinal)
                what = "email address" if key.startswith("email:") else "LinkedIn URL"
                self.merged.append(
                    (self._lines[ordinal], f"same {what} as line {self._lines[first]}; merged")
                )

    @property
    def count(self) -> int:
        """How many records :meth:`records` gives: one per person."""
        return len(self._hashes) - len(self._later)

    @property
    def unreachable(self) -> int:
        """How many of them have no email address."""
        return sum(
            1
            for ordinal, addressed in enumerate(self._addressed)
            if not addressed and ordinal not in self._later
        )

    def records(self) -> Iterator[ContactRecord]:
        """Each person once, in file order, filled from their later rows."""
        self._file.seek(0)
        for ordinal in range(len(self._hashes)):
            record = self._next()
            if ordinal in self._later:
                continue
            group = self._groups.get(ordinal)
            if group:
                position = self._file.tell()
                for later in group:
                    self._file.seek(self._offsets[later])
                    merge_into(record, self._next())
                self._file.seek(position)
            yield record

    def close(self) -> None:
        self._file.close()

    def _read(self, ordinal: int) -> ContactRecord:
        """The record at ``ordinal`` (then back to the end, where :meth:`add` writes)."""
        self._file.seek(self._offsets[ordinal])
        record = self._next()
        self._file.seek(0, 2)
        return record

    def _next(self) -> ContactRecord:
        (size,) = _LENGTH.unpack(self._file.read(_LENGTH.size))
        values = marshal.loads(self._file.read(size))  # noqa: S302 - our own file
        return ContactRecord(*values)


def _repeated(hashes: array[int]) -> set[int]:
    """The hash values that occur more than once (identities shared by several rows, and
    the rare different identities whose hashes collide)."""
    ordered = sorted(value for value in hashes if value != _NO_IDENTITY)
    return {a for a, b in pairwise(ordered) if a == b}
