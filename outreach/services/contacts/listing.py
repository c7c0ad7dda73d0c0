"""`contacts list` (and the web app's board): every contact with its stage, filtered, read in
one query and written out as it is read (issue 16: 50,000 contacts in well under a second).

A contact's stage comes from SQL (:mod:`outreach.store.stages`, over the summary kept per
contact), not from its whole history; its record is not built (no JSON of the extra fields is
read unless a zone has to be guessed from them). The JSON is written a row at a time in
exactly the layout ``json.dumps(rows, indent=2, ensure_ascii=False)`` gives
(tests/test_contacts_listing.py checks both agree).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from outreach.store import Store, stages

__all__ = ["Listed", "json_chunks", "list_contacts", "listed_contacts", "table_rows"]


class Listed(NamedTuple):
    """One contact as the listing shows it."""

    id: int
    email: str | None
    name: str
    org: str
    title: str
    timezone: str
    extra: str  # the extra fields as stored (JSON), read only to guess a zone
    source: str
    referred_by: int | None
    stage: str
    tags: list[str]

    def timezone_guess(self) -> dict[str, str] | None:
        """The guessed zone (as ``contacts show`` gives it) when none was given."""
        if self.timezone:
            return None
        from outreach.contacts.zoneguess import guess_zone

        guess = guess_zone(self.email, json.loads(self.extra))
        return None if guess is None else guess.to_json()

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of a contact in listings (docs/json.md)."""
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "org": self.org,
            "title": self.title,
            "timezone": self.timezone or None,
            "timezone_guess": self.timezone_guess(),
            "stage": self.stage,
            "tags": self.tags,
            "reachable": bool(self.email),
            "source": self.source,
            "referred_by": self.referred_by,
        }


def _matches(listed: Listed, needle: str) -> bool:
    haystack = (listed.name, listed.org, listed.title, listed.email or "")
    return any(needle in value.casefold() for value in haystack)


def listed_contacts(
    store: Store,
    *,
    stage_filter: str | None,
    tag: str | None,
    search: str | None = None,
    no_email: bool = False,
    no_timezone: bool = False,
    source: str | None = None,
) -> Iterator[Listed]:
    """Contacts in id order, filtered by stage, tag, a search text (any case, in the name,
    organisation, title or email), a missing address, no known time zone (neither given nor
    guessed), or where they came from (``source``), as they are read."""
    tags = stages.all_tags(store.conn)
    needle = search.casefold().strip() if search else ""
    for row in stages.listing(store.conn, tag=tag, stage=stage_filter):
        (contact_id, email, name, org, title, timezone, extra, origin, referred_by,
         stage) = row
        listed = Listed(contact_id, email, name, org, title, timezone, extra, origin,
                        referred_by, stage, tags.get(contact_id, []))
        if search and not _matches(listed, needle):
            continue
        if no_email and listed.email:
            continue
        if no_timezone and (listed.timezone or listed.timezone_guess() is not None):
            continue
        if source and listed.source != source:
            continue
        yield listed


def table_rows(
    store: Store,
    *,
    stage_filter: str | None,
    tag: str | None,
    search: str | None = None,
    no_email: bool = False,
    no_timezone: bool = False,
) -> list[list[str]]:
    """The listing's table: id, name, email (or "(no email)"), organisation, stage and tags
    of each contact, filtered as :func:`listed_contacts` filters (without a filter read in
    Python, only the columns shown are read)."""
    if search or no_email or no_timezone:
        return [
            [str(c.id), c.name, c.email or "(no email)", c.org, c.stage, ", ".join(c.tags)]
            for c in listed_contacts(store, stage_filter=stage_filter, tag=tag, search=search,
                                     no_email=no_email, no_timezone=no_timezone)
        ]
    tags = stages.all_tags(store.conn)
    return [
        [str(cid), name, email or "(no email)", org, stage, ", ".join(tags.get(cid, ()))]
        for cid, email, name, org, stage in stages.listing(
            store.conn, tag=tag, stage=stage_filter, brief=True
        )
    ]


def list_contacts(store: Store, **filters: Any) -> list[dict[str, Any]]:
    """The listing as JSON-shaped rows (the web app's board)."""
    return [listed.to_json() for listed in listed_contacts(store, **filters)]


def _value(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return encode_basestring(value)


def _contact_json(listed: Listed) -> str:
    """One contact as ``json.dumps(..., indent=2)`` lays it out as an item of a list."""
    guess = listed.timezone_guess()
    shown_guess = "null" if guess is None else (
        "{\n" + ",\n".join(f"      {encode_basestring(k)}: {_value(v)}" for k, v in guess.items())
        + "\n    }"
    )
    tags = "[]" if not listed.tags else (
        "[\n" + ",\n".join(f"      {encode_basestring(tag)}" for tag in listed.tags) + "\n    ]"
    )
    text = encode_basestring  # (name, org, title, source: text columns, never NULL)
    email = "null" if listed.email is None else text(listed.email)
    zone = text(listed.timezone) if listed.timezone else "null"
    referrer = "null" if listed.referred_by is None else str(listed.referred_by)
    return (
        f'  {{\n    "id": {listed.id},\n    "email": {email},\n'
        f'    "name": {text(listed.name)},\n    "org": {text(listed.org)},\n'
        f'    "title": {text(listed.title)},\n    "timezone": {zone},\n'
        f'    "timezone_guess": {shown_guess},\n    "stage": {text(listed.stage)},\n'
        f'    "tags": {tags},\n    "reachable": {"true" if listed.email else "false"},\n'
        f'    "source": {text(listed.source)},\n    "referred_by": {referrer}\n'
        "  }"
    )


def json_chunks(contacts: Iterable[Listed], rows_per_chunk: int = 500) -> Iterator[str]:
    """The listing as a JSON array, in pieces that join to exactly what
    ``json.dumps([c.to_json() for c in contacts], indent=2, ensure_ascii=False)`` gives."""
    chunk: list[str] = []
    first = True
    for listed in contacts:
        chunk.append(("[\n" if first else ",\n") + _contact_json(listed))
        first = False
        if len(chunk) >= rows_per_chunk:
            yield "".join(chunk)
            chunk = []
    chunk.append("[]" if first else "\n]")
    yield "".join(chunk)
