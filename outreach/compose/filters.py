"""The filters templates may use besides Jinja's own (``bulleted``, ``join_and``, ...)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from jinja2 import Undefined

from outreach.compose.followthrough import promised, referral_news
from outreach.compose.phrases import as_clause, as_sentence, phrase_kind, to_you

_BULLET_RE = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")
_HONORIFICS = frozenset({"dr", "prof", "mr", "mrs", "ms", "mx", "sir", "dame", "rev"})


class MissingValueError(Exception):
    """Raised by the ``required`` filter; becomes a TemplateError naming the line."""


def _display(item: object) -> str:
    """How a list item reads in prose: a contact-like mapping by its name, else str()."""
    if isinstance(item, Mapping):
        name = item.get("name")
        if name:
            return str(name)
        return str(item.get("email", ""))
    return str(item)


def _items(value: object) -> list[str]:
    """A list, or a multi-line string (one item per non-empty line, bullets removed)."""
    if value is None or isinstance(value, Undefined):
        return []
    if isinstance(value, str):
        return [_BULLET_RE.sub("", line).strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, Mapping):
        return [_display(value)]
    if isinstance(value, Iterable):
        return [_display(item) for item in value]
    return [_display(value)]


def bulleted(value: object, bullet: str = "-") -> str:
    """``["a", "b"]`` -> ``"- a\\n- b"``; a multi-line string gets one bullet per line."""
    return "\n".join(f"{bullet} {item}" for item in _items(value))


def join_and(value: object, conjunction: str = "and") -> str:
    """``["A", "B", "C"]`` -> ``"A, B and C"``; mappings are shown by their ``name``."""
    items = [item for item in _items(value) if item]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def first_name(value: object) -> str:
    """The first name in a full name ("Dr. Ada Lovelace" -> "Ada", "Lovelace, Ada" -> "Ada")."""
    if isinstance(value, Mapping):
        if value.get("first_name"):
            return str(value["first_name"])
        value = value.get("name", "")
    text = str(value).strip()
    if "," in text:
        text = text.split(",", 1)[1].strip() or text.split(",", 1)[0]
    words = text.split()
    while len(words) > 1 and words[0].rstrip(".").lower() in _HONORIFICS:
        words = words[1:]
    return words[0] if words else ""


def first_item(value: object) -> str:
    """The first item of a list, or of a note with one item per line or per ``;``, without a
    bullet or a final period."""
    items = _items(value)
    if not items:
        return ""
    first = next((part.strip() for part in items[0].split(";") if part.strip()), "")
    return first.rstrip(".")


def required(value: object, message: str = "a required value is empty") -> object:
    """Pass ``value`` through; when it is empty or undefined, fail with ``message``."""
    if isinstance(value, Undefined) or value is None or value == "" or value == []:
        raise MissingValueError(message)
    return value


FILTERS: dict[str, Callable[..., object]] = {
    "bulleted": bulleted,
    "join_and": join_and,
    "first_name": first_name,
    "first_item": first_item,
    "required": required,
    "phrase_kind": phrase_kind,
    "as_clause": as_clause,
    "as_sentence": as_sentence,
    "to_you": to_you,
    "promised": promised,
    "referral_news": referral_news,
}
