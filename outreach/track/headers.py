"""Header values as text. Pure."""

from __future__ import annotations

import contextlib
import re
from email.header import decode_header, make_header

__all__ = ["header_text"]


def header_text(value: str) -> str:
    """A header value as text: encoded words decoded, folding removed."""
    text = str(value)
    if "=?" in text:
        with contextlib.suppress(ValueError, LookupError, UnicodeError):
            text = str(make_header(decode_header(text)))
    return re.sub(r"\s*\r?\n\s*", " ", text).strip()
