"""Reading a contacts file without ever holding an absurd line whole.

A contacts file's lines are short: a LinkedIn or Google export row is a few hundred bytes, and
a note with line breaks spans several physical lines. A single line longer than
:data:`MAX_LINE_BYTES` is a damaged file or something that is not a contacts file; it is
refused while reading, chunk by chunk, so a 100 MB field costs a chunk of memory, not the
field (and its decoded copies).
"""

from __future__ import annotations

import re
from pathlib import Path

from outreach.contacts.decode import FORMATS_HINT
from outreach.errors import ImportFileError

MAX_LINE_BYTES = 1024 * 1024
CHUNK_BYTES = 1024 * 1024
_BREAK = re.compile(rb"\r\n?|\n")


def read_bounded(path: Path, max_line: int = MAX_LINE_BYTES) -> bytes:
    """The file's bytes; ImportFileError naming the line when one line passes ``max_line``."""
    chunks: list[bytes] = []
    line, current = 1, 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            parts = _BREAK.split(chunk)
            for index, part in enumerate(parts):
                current += len(part)
                if current > max_line:
                    raise ImportFileError(
                        f"{path.name}, line {line}: the line is longer than "
                        f"{max_line // (1024 * 1024)} MB, far more than any contact needs "
                        "(a field that swallowed the file, or not a contacts file); nothing "
                        "was imported",
                        "Open the file in a spreadsheet and check the field on that line "
                        "(an unclosed quote?), or " + FORMATS_HINT,
                    )
                if index < len(parts) - 1:
                    line, current = line + 1, 0
            chunks.append(chunk)
    return b"".join(chunks)
