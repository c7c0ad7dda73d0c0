"""Importing, adding and editing contacts, and the views `contacts list/show` print."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.contacts.importers import ImportResult, normalise_record, read_contacts
from outreach.contacts.model import CORE_FIELDS, Contact, ContactRecord
from outreach.contacts.validate import extra_key
from outreach.errors import ContactError
from outreach.services.closing import readdress_after_bounce
from outreach.store import Store, UpsertSummary
from outreach.track.model import Stage
from outreach.track.pipeline import stage


class _DryRunRollback(Exception):
    """Raised inside the import transaction to undo a dry run after counting."""


@dataclass
class ImportReport:
    result: ImportResult
    summary: UpsertSummary
    dry_run: bool


def import_contacts(
    store: Store,
    path: Path,
    *,
    fmt: str,
    tags: tuple[str, ...],
    dry_run: bool,
    now: str,
) -> ImportReport:
    """Read a contacts file and upsert its valid rows in one transaction.

    A dry run performs the same upsert and rolls it back, so its counts are exact.
    """
    result = read_contacts(path, fmt)
    for record in result.records:
        record.tags = sorted({*record.tags, *tags})
    summary = UpsertSummary()
    try:
        with store.transaction():
            summary = store.contacts.upsert(result.records, now)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return ImportReport(result, summary, dry_run)


def add_contact(
    store: Store,
    record: ContactRecord,
    *,
    referred_by: str | None,
    now: str,
) -> Contact:
    """Add one contact typed by the user; an existing address is an error, not an update."""
    clean = normalise_record(record)
    if clean.email and store.contacts.find(clean.email) is not None:
        raise ContactError(
            f"{clean.email} is already a contact.",
            hint=f"Change it with `outreach contacts edit {clean.email} ...`.",
        )
    referrer_id = store.contacts.get(referred_by).id if referred_by else None
    with store.transaction():
        store.contacts.upsert([clean], now, referred_by=referrer_id)
    return store.contacts.get(clean.email or clean.name)


def edit_contact(
    store: Store,
    ref: str,
    *,
    changes: dict[str, Any],
    set_extra: dict[str, str],
    unset_extra: tuple[str, ...],
    add_tags: tuple[str, ...],
    remove_tags: tuple[str, ...],
    now: str,
) -> Contact:
    """Apply field, extra-column and tag changes to one contact, validated like an import."""
    contact = store.contacts.get(ref)
    merged = ContactRecord(
        name=changes.get("name", contact.name),
        email=changes.get("email", contact.email),
        first_name=changes.get("first_name", contact.first_name),
        last_name=changes.get("last_name", contact.last_name),
        org=changes.get("org", contact.org),
        title=changes.get("title", contact.title),
        timezone=changes.get("timezone", contact.timezone),
        linkedin_url=changes.get("linkedin_url", contact.linkedin_url),
        notes=changes.get("notes", contact.notes),
        source=contact.source,
        extra={**contact.extra, **set_extra},
    )
    clean = normalise_record(merged)
    for key in unset_extra:
        clean.extra.pop(extra_key(key), None)
    fields: dict[str, Any] = {name: getattr(clean, name) for name in CORE_FIELDS if name in changes}
    if "closed" in changes:
        fields["closed_at"] = now if changes["closed"] else None
        if not changes["closed"]:
            fields["closed_reason"] = ""
    if "referred_by" in changes:
        fields["referred_by"] = store.contacts.get(changes["referred_by"]).id
    fields["extra"] = clean.extra
    with store.transaction():
        if "email" in fields:
            readdress_after_bounce(store, contact, fields["email"], now)
        store.contacts.update(contact.id, now, **fields)
        store.contacts.add_tags(contact.id, add_tags)
        store.contacts.remove_tags(contact.id, remove_tags)
    return store.contacts.get(contact.id)


def contact_summary(contact: Contact, contact_stage: Stage) -> dict[str, Any]:
    """The stable JSON shape of a contact in listings."""
    return {
        "id": contact.id,
        "email": contact.email,
        "name": contact.name,
        "org": contact.org,
        "title": contact.title,
        "timezone": contact.timezone or None,
        "stage": contact_stage.value,
        "tags": contact.tags,
        "reachable": contact.reachable,
        "source": contact.source,
        "referred_by": contact.referred_by,
    }


def list_contacts(
    store: Store, *, stage_filter: str | None, tag: str | None
) -> list[dict[str, Any]]:
    facts = store.facts()
    rows = []
    for contact in store.contacts.all(tag=tag):
        contact_stage = stage(facts[contact.id])
        if stage_filter and contact_stage.value != stage_filter:
            continue
        rows.append(contact_summary(contact, contact_stage))
    return rows
