"""`contacts list --json` is written a contact at a time (issue 16: 50,000 contacts) and is
exactly what ``json.dumps(rows, indent=2, ensure_ascii=False)`` printed before."""

from __future__ import annotations

import json

from outreach.services.contacts.listing import Listed, json_chunks


def _listed(contact_id: int, **fields: object) -> Listed:
    values: dict[str, object] = {
        "id": contact_id, "email": f"p{contact_id}@example.org", "name": "Ada",
        "org": "", "title": "", "timezone": "Europe/Berlin", "extra": "{}",
        "source": "csv", "referred_by": None, "stage": "new", "tags": [],
    }
    values.update(fields)
    return Listed(**values)  # type: ignore[arg-type]


AWKWARD = [
    _listed(1),
    _listed(2, email=None, name='Zoë "the" O\'Brien\\ \t\n\x1b[1m', tags=["alumni", "Ünï"]),
    _listed(3, timezone="", email="kenji@example.jp", org="株式会社", referred_by=1),
    _listed(4, timezone="", extra=json.dumps({"country": "Germany"}), title="\u2028 line"),
    _listed(5, timezone="", email="x@example.com", stage="closed", tags=["a"]),
]


def test_the_streamed_json_is_json_dumps_of_the_rows() -> None:
    for rows in ([], AWKWARD[:1], AWKWARD):
        for size in (1, 2, 500):
            streamed = "".join(json_chunks(iter(rows), rows_per_chunk=size))
            expected = json.dumps([row.to_json() for row in rows], indent=2, ensure_ascii=False)
            assert streamed == expected


def test_a_guessed_zone_is_written_as_an_object() -> None:
    rows = [row.to_json() for row in AWKWARD]
    assert rows[2]["timezone_guess"]["zone"] == "Asia/Tokyo"
    assert rows[3]["timezone_guess"]["zone"] == "Europe/Berlin"
    assert rows[4]["timezone_guess"] is None
