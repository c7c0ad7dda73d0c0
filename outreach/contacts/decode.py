"""Bytes to text for contact files: the encodings real exports use, and early refusal of
files that are not text at all (a spreadsheet, an archive, a photo)."""

from __future__ import annotations

import codecs
import io
import unicodedata

from outreach.errors import ImportFileError

FORMATS_HINT = (
    "accepted: a LinkedIn Connections.csv, a Google Contacts CSV, any CSV with a header row "
    "(name or email columns), or a vCard file (.vcf); choose one with --format "
    "auto|csv|linkedin|google|vcard"
)

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


def decode_contacts(data: bytes, name: str) -> tuple[str, str]:
    """The text of a contacts file and the encoding it was read as.

    Raises ImportFileError for an empty or binary file, naming the file.
    """
    if not data.strip():
        raise ImportFileError(f"{name} is empty: there are no contacts to import", FORMATS_HINT)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _binary(name, what)

    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text" export: UTF-16 with a byte-order mark.
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _binary(name, "damaged UTF-16 text") from exc
    else:
        if b"\x00" in data[:_SAMPLE]:
            raise _binary(name, "binary data (or UTF-16 text without a byte-order mark)")
        if data.startswith(codecs.BOM_UTF8):
            candidates: tuple[str, ...] = ("utf-8-sig", "cp1252", "latin-1")
        else:
            candidates = _FALLBACKS
        text, encoding = "", ""
        for candidate in candidates:
            try:
                text = data.decode(candidate)
            except UnicodeDecodeError:
                continue
            encoding = candidate
            break

    sample = text[:_SAMPLE]
    controls = sum(1 for ch in sample if ch not in "\t\n\r\f" and unicodedata.category(ch) == "Cc")
    if "\x00" in sample or controls > max(8, len(sample) // 20):
        raise _binary(name, "binary data, not text")
    if not text.strip():
        raise ImportFileError(f"{name} is empty: there are no contacts to import", FORMATS_HINT)
    return text, encoding


def physical_lines(text: str) -> list[str]:
    """The text's lines with their endings, split where a text editor would (LF, CRLF, CR) and
    nowhere else, so line numbers in messages match what the user sees."""
    return io.StringIO(text, newline="").readlines()
