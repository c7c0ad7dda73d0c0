"""Bytes to text for contact files: the encodings real exports use, and early refusal of
files that are not text at all (a spreadsheet, an archive, a photo).

The file is never held whole: one pass over its bytes, a chunk at a time, bounds its lines
(:mod:`outreach.contacts.bounded`) and finds the first encoding that decodes all of it; the
text is then read again through an incremental decoder as often as a reader needs it.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import BinaryIO

from outreach.contacts.bounded import CHUNK_BYTES, LineLimit
from outreach.contacts.hints import FORMATS_HINT
from outreach.errors import ImportFileError

__all__ = ["FORMATS_HINT", "ContactText", "Opener", "open_text", "physical_lines"]

Opener = Callable[[], BinaryIO]

# Signatures of files people pick by mistake, with what to do instead.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive or an Excel workbook (.xlsx); save the sheet as CSV UTF-8"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls); save the sheet as CSV UTF-8"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

# Tried in order for files without a byte-order mark: UTF-8 first (what modern exports use),
# then Windows-1252 (Excel on Windows "CSV" files), then Latin-1, which decodes any bytes.
_FALLBACKS = ("utf-8", "cp1252", "latin-1")
_SAMPLE = 8192


def _binary(name: str, what: str) -> ImportFileError:
    return ImportFileError(f"{name} is not a contacts file: it looks like {what}", FORMATS_HINT)


def _empty(name: str) -> ImportFileError:
    return ImportFileError(f"{name} is empty: there are no contacts to import", FORMATS_HINT)


@dataclass(frozen=True)
class ContactText:
    """A contacts file known to decode as ``encoding``; its text is read afresh each time."""

    name: str
    encoding: str
    opener: Opener

    def stream(self) -> io.TextIOWrapper:
        """The text, decoded a chunk at a time; lines keep their endings (LF, CRLF, CR)."""
        return io.TextIOWrapper(self.opener(), encoding=self.encoding, newline="")

    def lines(self) -> Generator[str, None, None]:
        """The physical lines, split where a text editor would, with their endings."""
        with self.stream() as text:
            yield from text

    def head(self, size: int = _SAMPLE) -> str:
        """The first ``size`` characters."""
        with self.stream() as text:
            return text.read(size)

    def whole(self) -> str:
        """All of the text (for vCards, which are read whole)."""
        with self.stream() as text:
            return text.read()


class _Attempt:
    """One candidate encoding decoding the file chunk by chunk."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.decoder = codecs.getincrementaldecoder(encoding)()
        self.has_text = False

    def feed(self, chunk: bytes, final: bool = False) -> bool:
        """Whether the bytes so far decode; notes whether any of it is more than blank."""
        try:
            text = self.decoder.decode(chunk, final)
        except UnicodeDecodeError:
            return False
        if not self.has_text and text.strip():
            self.has_text = True
        return True


def _decodes(opener: Opener, attempt: _Attempt) -> bool:
    with opener() as handle:
        while chunk := handle.read(CHUNK_BYTES):
            if not attempt.feed(chunk):
                return False
    return attempt.feed(b"", final=True)


def open_text(opener: Opener, name: str) -> ContactText:
    """Check a contacts file and find how to read it, holding no more than a chunk.

    Raises ImportFileError for a line over the limit, an empty or a binary file, naming the
    file; the checks run in the order the whole-file reader made them.
    """
    limit = LineLimit(name)
    head = b""
    blank = True
    attempt: _Attempt | None = None
    candidates: tuple[str, ...] = ()
    decoded = True
    with opener() as handle:
        while chunk := handle.read(CHUNK_BYTES):
            limit.feed(chunk)
            if len(head) < _SAMPLE:
                head += chunk[: _SAMPLE - len(head)]
            if blank and chunk.strip():
                blank = False
            if attempt is None:
                candidates = _candidates(head)
                attempt = _Attempt(candidates[0])
            if decoded:
                decoded = attempt.feed(chunk)
    if blank or attempt is None:
        raise _empty(name)
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise _binary(name, what)
    decoded = decoded and attempt.feed(b"", final=True)
    if candidates == ("utf-16",):
        if not decoded:
            raise _binary(name, "damaged UTF-16 text")
    else:
        if b"\x00" in head:
            raise _binary(name, "binary data (or UTF-16 text without a byte-order mark)")
        for encoding in candidates[1:]:
            if decoded:
                break
            attempt = _Attempt(encoding)
            decoded = _decodes(opener, attempt)
    text = ContactText(name, attempt.encoding, opener)
    sample = text.head(_SAMPLE)
    controls = sum(1 for ch in sample if ch not in "\t\n\r\f" and unicodedata.category(ch) == "Cc")
    if "\x00" in sample or controls > max(8, len(sample) // 20):
        raise _binary(name, "binary data, not text")
    if not attempt.has_text:
        raise _empty(name)
    return text


def _candidates(head: bytes) -> tuple[str, ...]:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text" export: UTF-16 with a byte-order mark.
        return ("utf-16",)
    if head.startswith(codecs.BOM_UTF8):
        return ("utf-8-sig", "cp1252", "latin-1")
    return _FALLBACKS


def physical_lines(text: str) -> list[str]:
    """The text's lines with their endings, split where a text editor would (LF, CRLF, CR) and
    nowhere else, so line numbers in messages match what the user sees."""
    return io.StringIO(text, newline="").readlines()
