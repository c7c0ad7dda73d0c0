"""Shaping rendered text: tidy blank lines, one-line headers, plain text as simple HTML."""

from __future__ import annotations

import html
import re

_BLANK_RUN_RE = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """Blank out whitespace-only lines, collapse blank runs, end with one newline."""
    lines = ["" if not line.strip() else line for line in text.split("\n")]
    result = _BLANK_RUN_RE.sub("\n\n", "\n".join(lines)).strip("\n")
    return result + "\n"


def paragraphs(escaped: str) -> str:
    paragraphs = [p for p in escaped.strip("\n").split("\n\n") if p.strip()]
    inner = "\n".join("<p>" + "<br>\n".join(p.split("\n")) + "</p>" for p in paragraphs)
    return f"<html><body>\n{inner}\n</body></html>\n"


def text_to_html(text: str) -> str:
    """A plain-text body as simple HTML: escaped, paragraphs as <p>, line breaks as <br>."""
    return paragraphs(html.escape(tidy(text), quote=False))


def one_line(text: str) -> str:
    """Collapse all whitespace (newlines included) to single spaces."""
    return " ".join(text.split())
