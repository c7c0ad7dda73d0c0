"""Contacts as CSV or JSON, with their derived stage; the CSV uses headers the importer reads."""

from __future__ import annotations

import csv
import io
import json

from outreach.contacts.csvformats import EXPORT_COLUMNS
from outreach.services.contacts.manage import contact_summary
from outreach.store import Store
from outreach.track.pipeline import stage

CORE_COLUMNS = list(EXPORT_COLUMNS)


def export_contacts(store: Store, fmt: str) -> str:
    facts = store.facts()
    contacts = store.contacts.all()
    if fmt == "json":
        rows = []
        for contact in contacts:
            row = contact_summary(contact, stage(facts[contact.id]))
            row.update(extra=contact.extra, notes=contact.notes, linkedin_url=contact.linkedin_url)
            rows.append(row)
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    extras = sorted({key for contact in contacts for key in contact.extra})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CORE_COLUMNS + extras)
    for contact in contacts:
        writer.writerow(
            [
                contact.name,
                contact.email or "",
                contact.first_name,
                contact.last_name,
                contact.org,
                contact.title,
                contact.timezone,
                contact.linkedin_url,
                contact.notes,
                "; ".join(contact.tags),
                stage(facts[contact.id]).value,
                contact.source,
            ]
            + [contact.extra.get(key, "") for key in extras]
        )
    return buffer.getvalue()
