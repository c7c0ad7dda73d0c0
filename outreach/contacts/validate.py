"""Cleaning and validation of contact fields, shared by every importer and `contacts add`.

Everything that reaches a template, a header or the database passes through here, so the rules
are strict where it matters: no control characters or line breaks anywhere (a name holding
"\\nBcc: x@y" must never become a header), a real email address, a real IANA time zone, and
no absurdly long values.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from dataclasses import replace
from functools import cache, lru_cache

from email_validator import EmailNotValidError, validate_email

from outreach.contacts.model import CORE_FIELDS, ContactRecord
from outreach.errors import ContactError

# Longest value accepted for a short field (name, email, org, title, a tag, ...). Longer values
# are almost always a broken row (a quote that swallowed the next lines), so the row is
# rejected with a reason rather than silently truncated.
MAX_FIELD = 500
# Notes and extra columns may legitimately hold a paragraph.
MAX_LONG_FIELD = 10_000

# Google system groups that say nothing about the person ("* myContacts", "* My Contacts").
IGNORED_TAGS = frozenset({"mycontacts", "starred"})

# Names a template sees on `contact` besides the extra columns; an extra column with one of
# these keys would be shadowed, so it is renamed (see `extra_key`).
RESERVED_KEYS = frozenset(CORE_FIELDS) | {"id", "source", "tags", "stage"}

# Characters that act as line or field breaks: they become a single space.
_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
# Characters that are removed outright: C0/C1 controls, DEL, bidi overrides and isolates (which
# can make a name display as something else), and stray byte-order marks.
_REMOVE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")
_TAG_SPLIT = re.compile(r":::|[;,]")
_NAME_ADDR = re.compile(r"^(?P<name>.*?)\s*<(?P<addr>[^<>]*)>$")


def clean_text(value: object) -> str:
    """One line of visible text: breaks become spaces, controls vanish, runs of space collapse."""
    text = "" if value is None else str(value)
    if text.isprintable() and "  " not in text and text == text.strip():
        return text  # the common case; isprintable() is False for every character changed below
    text = _BREAKS.sub(" ", text)
    text = _REMOVE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def header_key(header: str) -> str:
    """How column names are compared: case, spaces, underscores, hyphens and dots ignored."""
    return re.sub(r"[\s_\-.]+", "", clean_text(header)).casefold()


@lru_cache(maxsize=1024)
def extra_key(label: str) -> str:
    """A Jinja-friendly key for an unknown column: "Favourite Topic" -> "favourite_topic".

    Accents are folded to ASCII and anything else becomes an underscore, so the key always
    works as `contact.<key>`; names a template already uses for core fields get "_column".
    """
    folded = unicodedata.normalize("NFKD", clean_text(label))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii").casefold()
    key = re.sub(r"[^a-z0-9]+", "_", ascii_only).strip("_")
    if not key:
        return "column"
    if key[0].isdigit():
        key = f"col_{key}"
    if key in RESERVED_KEYS:
        key = f"{key}_column"
    return key


def split_tags(value: str) -> list[str]:
    """Tags from one cell: Google's " ::: " lists and ";"- or ","-separated lists alike."""
    return [part for part in (p.strip() for p in _TAG_SPLIT.split(value)) if part]


@cache
def _zone_names() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def canonical_timezone(value: str) -> str | None:
    """The IANA name for `value` in its canonical spelling ("europe/london" ->
    "Europe/London"), or None when it is not a time zone this machine knows."""
    text = clean_text(value)
    if not text:
        return None
    names = _zone_names()
    if names:
        return names.get(text.casefold()) or names.get(text.replace(" ", "_").casefold())
    # No zone list (no tzdata on this system): fall back to asking zoneinfo directly.
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return text


def split_name_addr(value: str) -> tuple[str, str]:
    """Split "Ada Lovelace <ada@example.org>" (or "mailto:ada@...") into name and address."""
    text = clean_text(value)
    display = ""
    match = _NAME_ADDR.match(text)
    if match:
        display = match.group("name").strip().strip('"').strip()
        text = match.group("addr").strip()
    if text[:7].casefold() == "mailto:":
        text = text[7:].strip()
    return display, text


def normalise_email(value: str) -> str:
    """A valid address in normalised form (domain lowercased and IDNA-checked); the local part
    keeps the user's case. Raises ContactError naming the address and what is wrong."""
    _, address = split_name_addr(value)
    if len(address) > MAX_FIELD:
        raise ContactError(
            f"email address is {len(address)} characters long; the limit is {MAX_FIELD}"
        )
    try:
        info = validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ContactError(
            f"invalid email address {address!r}: {exc}", hint="correct the address and retry"
        ) from exc
    return f"{info.local_part}@{info.domain}"


def _field(label: str, value: object, limit: int = MAX_FIELD) -> str:
    text = clean_text(value)
    if len(text) > limit:
        raise ContactError(
            f"{label} is {len(text)} characters long; the limit is {limit} "
            "(a broken quote in the file can merge several rows into one field)"
        )
    return text


def _name_from_email(email: str) -> str:
    """A readable name from an address's local part: "ada.lovelace" -> "Ada Lovelace"."""
    local = email.rsplit("@", 1)[0].split("+", 1)[0]
    words = [w for w in re.split(r"[._\-]+", local) if w]
    if not words:
        return local
    return " ".join(w.capitalize() if w.islower() else w for w in words)


def _linkedin_url(value: str) -> str:
    url = _field("linkedin_url", value)
    if url and "://" not in url and "linkedin.com" in url.casefold():
        url = "https://" + url.lstrip("/")
    return url


def _tags(tags: list[str]) -> list[str]:
    result: list[str] = []
    seen: set[str] = set()
    for raw in tags:
        tag = _field("tag", raw)
        if tag.startswith("* "):  # Google marks its system groups with a star
            tag = tag[2:].strip()
        folded = tag.casefold()
        if not tag or folded.replace(" ", "") in IGNORED_TAGS or folded in seen:
            continue
        seen.add(folded)
        result.append(tag)
    return result


def _extra(extra: dict[str, str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for raw_key, raw_value in extra.items():
        value = _field(f"column {clean_text(raw_key)!r}", raw_value, MAX_LONG_FIELD)
        if not value:
            # An empty cell is left out, so a template that uses the column fails loudly for
            # this contact instead of sending "I enjoyed your talk on ."
            continue
        key = extra_key(raw_key)
        unique, n = key, 2
        while unique in result:
            unique, n = f"{key}_{n}", n + 1
        result[unique] = value
    return result


def normalise_record(record: ContactRecord) -> ContactRecord:
    """A cleaned, validated copy of `record`, or ContactError saying which field is wrong.

    Every text field becomes one line without control characters; the email is validated and
    normalised; the time zone must be an IANA name (returned in canonical spelling); a missing
    name is built from first and last name, else from the email address.
    """
    name = _field("name", record.name)
    first_name = _field("first name", record.first_name)
    last_name = _field("last name", record.last_name)

    email: str | None = None
    if record.email is not None and clean_text(record.email):
        display, _ = split_name_addr(record.email)
        email = normalise_email(record.email)
        if not name and display:
            name = _field("name", display)

    if not name:
        name = " ".join(part for part in (first_name, last_name) if part)
    if not name and email:
        name = _name_from_email(email)
    if not name:
        raise ContactError(
            "no name and no email address", hint="give the contact a name or an email address"
        )

    timezone = _field("time zone", record.timezone)
    if timezone:
        canonical = canonical_timezone(timezone)
        if canonical is None:
            raise ContactError(
                f"unknown time zone {timezone!r}: use an IANA name such as Europe/London "
                "or America/New_York",
                hint="see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones",
            )
        timezone = canonical

    return replace(
        record,
        name=name,
        email=email,
        first_name=first_name,
        last_name=last_name,
        org=_field("organisation", record.org),
        title=_field("title", record.title),
        timezone=timezone,
        linkedin_url=_linkedin_url(record.linkedin_url),
        notes=_field("notes", record.notes, MAX_LONG_FIELD),
        source=_field("source", record.source),
        extra=_extra(record.extra),
        tags=_tags(record.tags),
    )
