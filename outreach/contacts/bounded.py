"""Reading a contacts file without ever holding an absurd line whole.

A contacts file's lines are short: a LinkedIn or Google export row is a few hundred bytes, and
a note with line breaks spans several physical lines. A single line longer than
:data:`MAX_LINE_BYTES` is a damaged file or something that is not a contacts file; it is
refused while reading, chunk by chunk, so a 100 MB field costs a chunk of memory, not the
field (and its decoded copies).
"""

from __future__ import annotations

import re

from outreach.contacts.hints import FORMATS_HINT
from outreach.errors import ImportFileError

MAX_LINE_BYTES = 1024 * 1024
CHUNK_BYTES = 1024 * 1024
_BREAK = re.compile(rb"\r\n?|\n")


class LineLimit:
    """Fed a file's bytes chunk by chunk; ImportFileError naming the line when one line passes
    ``max_line`` bytes."""

    def __init__(self, name: str, max_line: int = MAX_LINE_BYTES) -> None:
        self.name, self.max_line = name, max_line
        self.line, self.current = 1, 0

    def feed(self, chunk: bytes) -> None:
        parts = _BREAK.split(chunk)
        for index, part in enumerate(parts):
            self.current += len(part)
            if self.current > self.max_line:
                raise ImportFileError(
                    f"{self.name}, line {self.line}: the line is longer than "
                    f"{self.max_line // (1024 * 1024)} MB, far more than any contact needs "
                    "(a field that swallowed the file, or not a contacts file); nothing "
                    "was imported",
                    "Open the file in a spreadsheet and check the field on that line "
                    "(an unclosed quote?), or " + FORMATS_HINT,
                )
            if index < len(parts) - 1:
                self.line, self.current = self.line + 1, 0
