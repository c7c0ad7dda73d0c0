"""vCard files (2.1, 3.0 and 4.0; Apple Contacts, Google, Android and Outlook exports).

The file is cut into cards by their BEGIN/END lines first, so a malformed card becomes a
problem at its own line and the other cards still import. Within a card, vobject's reader
unfolds lines (including quoted-printable soft breaks) and splits names, parameters and values;
values are decoded here. vobject's own value decoding is not used: it keeps only the text before
the first unescaped comma of a TITLE or NOTE ("Director, Engineering" -> "Director"), and
Outlook and older exports do not escape commas.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import io
import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import vobject.base

from outreach.contacts.decode import physical_lines
from outreach.contacts.model import ContactRecord
from outreach.contacts.validate import canonical_timezone

_BEGIN = re.compile(r"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_BEGIN_ANYWHERE = re.compile(
    r"^[ \t]*BEGIN[ \t]*:[ \t]*VCARD[ \t]*\r?$", re.IGNORECASE | re.MULTILINE
)
_END = re.compile(r"^\s*END\s*:\s*VCARD\s*$", re.IGNORECASE)
_PARSE_AT = re.compile(r"^At line \d+:\s*")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_UNESCAPED = {"n": "\n", "N": "\n"}


def looks_like_vcard(text: str) -> bool:
    """Whether the first non-blank line of `text` opens a vCard."""
    for line in physical_lines(text[:4096]):
        if line.strip():
            return bool(_BEGIN.match(line.lstrip("\ufeff")))
    return False


def contains_vcard(text: str) -> bool:
    """Whether any line of `text` opens a vCard (for a .vcf with junk before its first card)."""
    return _BEGIN_ANYWHERE.search(text) is not None


def split_cards(lines: Iterable[str]) -> Iterator[tuple[int, str | None]]:
    """Each card's first line number and text; (line, None) for a card that never ends.
    Only the card being read is held, so a file of any length streams through."""
    start = 0
    body: list[str] = []
    for number, line in enumerate(lines, start=1):
        if _BEGIN.match(line):
            if start:
                yield start, None  # a new card began before this one ended
            start, body = number, [line]
        elif start:
            body.append(line)
            if _END.match(line):
                yield start, "".join(body)
                start, body = 0, []
    if start:
        yield start, None


@dataclass
class Prop:
    """One property of a card: name, parameters and decoded (but still escaped) value."""

    name: str
    params: dict[str, list[str]]
    value: str

    def has(self, word: str) -> bool:
        """Whether a parameter name or value equals `word` (TYPE=pref, 2.1's bare PREF)."""
        word = word.upper()
        return word in self.params or any(
            v.upper() == word for values in self.params.values() for v in values
        )

    @property
    def preference(self) -> int:
        """Lower is preferred: vCard 4.0 PREF=n, else TYPE=pref, else file order (101)."""
        for value in self.params.get("PREF", []):
            if value.isdigit():
                return int(value)
        return 1 if self.has("PREF") else 101

    def text(self) -> str:
        """The value as one text, escapes resolved."""
        return unescape(self.value)

    def parts(self, separator: str) -> list[str]:
        """The value split on unescaped `separator` (";" for N and ORG, "," for lists)."""
        return [unescape(p) for p in _split_unescaped(self.value, separator)]


def unescape(value: str) -> str:
    r"""Resolve vCard escapes: \n -> newline, \, -> ",", \; -> ";", \\ -> "\"."""
    return _ESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), value)


def _split_unescaped(value: str, separator: str) -> list[str]:
    parts, current, escaped = [], [], False
    for char in value:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _decode_value(value: str, params: dict[str, list[str]]) -> str:
    """Undo a property's transfer encoding (quoted-printable or base64) and character set."""
    encoding = {v.upper() for v in params.get("ENCODING", [])}
    charset = (params.get("CHARSET") or ["utf-8"])[0]
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    if "QUOTED-PRINTABLE" in encoding:
        raw = quopri.decodestring(value.encode("utf-8"))
    elif encoding & {"B", "BASE64"}:
        try:
            raw = base64.b64decode("".join(value.split()), validate=False)
        except (binascii.Error, ValueError):
            return ""
    else:
        return value
    return raw.decode(charset, "replace")


def _params(raw: list[list[str]]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for item in raw:
        if not item:
            continue
        if len(item) == 1:
            # vCard 2.1 writes bare values: "EMAIL;PREF;INTERNET:" or ";QUOTED-PRINTABLE:".
            word = item[0].upper()
            key = "ENCODING" if word in ("QUOTED-PRINTABLE", "BASE64", "B") else "TYPE"
            params.setdefault(key, []).append(word)
        else:
            params.setdefault(item[0].upper(), []).extend(item[1:])
    return params


def read_props(body: str, first_line: int) -> list[Prop]:
    """The properties of one card's text; vobject.base.ParseError names the bad line."""
    props = []
    for line, number in vobject.base.getLogicalLines(io.StringIO(body), allowQP=True):
        absolute = first_line + max(number, 1) - 1
        try:
            name, raw_params, value, _group = vobject.base.parseLine(line, absolute)
        except vobject.base.ParseError as exc:
            raise vobject.base.ParseError(
                f"line {absolute} is not a vCard property ({clip(line)!r})", absolute
            ) from exc
        params = _params(raw_params)
        props.append(Prop(str(name).upper(), params, _decode_value(str(value), params)))
    return props


def clip(text: str, limit: int = 60) -> str:
    """A short excerpt of a line for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _named(props: list[Prop], name: str) -> list[Prop]:
    return [p for p in props if p.name == name]


def _first_text(props: list[Prop], name: str) -> str:
    return next((t for t in (p.text().strip() for p in _named(props, name)) if t), "")


def card_to_record(props: list[Prop], line: int) -> ContactRecord:
    """A raw (not yet validated) record from one card's properties."""
    first = last = ""
    name = _first_text(props, "FN")
    for prop in _named(props, "N")[:1]:
        parts = [p.strip() for p in prop.parts(";")] + [""] * 5
        last, first = parts[0], parts[1]
        if not name:  # prefix, given, additional, family, suffix
            name = " ".join(p for p in (parts[3], parts[1], parts[2], parts[0], parts[4]) if p)

    emails = sorted(
        (p for p in _named(props, "EMAIL") if p.text().strip()), key=lambda p: p.preference
    )
    org_parts: list[str] = []
    for prop in _named(props, "ORG")[:1]:
        org_parts = [p.strip() for p in prop.parts(";") if p.strip()]

    linkedin, other_urls = "", []
    for prop in _named(props, "URL") + _named(props, "X-SOCIALPROFILE"):
        url = prop.text().strip()
        if "linkedin.com" in url.casefold() or (prop.has("LINKEDIN") and url.startswith("http")):
            linkedin = linkedin or url
        elif url and prop.name == "URL":
            other_urls.append(url)

    timezone = ""
    for prop in _named(props, "TZ"):
        # vCard allows a UTC offset ("-05:00"); only an IANA name is useful for scheduling.
        timezone = timezone or (canonical_timezone(prop.text()) or "")

    extra: dict[str, str] = {}
    if len(org_parts) > 1:
        extra["department"] = ", ".join(org_parts[1:])
    if other_urls:
        extra["website"] = other_urls[0]
    phone = _first_text(props, "TEL")
    if phone:
        extra["phone"] = phone
    for prop in _named(props, "ADR"):
        # post box; extended; street; locality; region; postal code; country
        parts = [p.strip() for p in prop.parts(";")] + [""] * 7
        if parts[6]:
            extra["country"] = parts[6]
            break

    return ContactRecord(
        name=name,
        email=emails[0].text() if emails else None,
        first_name=first,
        last_name=last,
        org=org_parts[0] if org_parts else "",
        title=_first_text(props, "TITLE"),
        timezone=timezone,
        linkedin_url=linkedin,
        notes=" ".join(p.text() for p in _named(props, "NOTE")),
        source="vcard",
        extra=extra,
        tags=[t for p in _named(props, "CATEGORIES") for t in p.parts(",")],
        line=line,
    )


def iter_vcards(lines: Iterable[str]) -> Iterator[ContactRecord | tuple[int, str]]:
    """Every card of a file's physical lines as a raw record, or (line, reason) at the line
    where a card that cannot be read begins."""
    for line, body in split_cards(lines):
        if body is None:
            yield line, "this vCard has no END:VCARD line (file cut short?)"
            continue
        try:
            record = card_to_record(read_props(body, line), line)
        except Exception as exc:  # any failure on untrusted input costs this card only
            reason = _PARSE_AT.sub("", str(exc)).strip() or type(exc).__name__
            yield line, f"cannot read this vCard: {reason}"
            continue
        yield record
