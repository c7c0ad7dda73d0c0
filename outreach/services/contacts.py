"""Importing, adding and editing contacts, and the views `contacts list/show` print."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach.contacts.importers import ImportResult, normalise_record, read_contacts
from outreach.contacts.jobs import JobChange, job_change
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
    job_changes: list[tuple[Contact, JobChange]] = field(default_factory=list)


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
    changes: list[tuple[Contact, JobChange]] = []
    try:
        with store.transaction():
            before = store.contacts.jobs_of(result.records)
            summary = store.contacts.upsert(result.records, now)
            changes = _record_job_changes(store, result.records, before, path.name, now)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return ImportReport(result, summary, dry_run, changes)


def _record_job_changes(
    store: Store,
    records: list[ContactRecord],
    before: dict[int, tuple[int, str, str, str]],
    file_name: str,
    now: str,
) -> list[tuple[Contact, JobChange]]:
    """A known contact's organisation or title changed in a re-import from the same source
    (LinkedIn to LinkedIn): a new job, for their timeline and a congratulation in `due`.
    Another source's spelling of their job (a Google Contacts card) is not news."""
    changes: list[tuple[Contact, JobChange]] = []
    seen: set[int] = set()
    for index, (contact_id, old_org, old_title, source) in before.items():
        record = records[index]
        if contact_id in seen or (record.source or "") != (source or ""):
            continue
        change = job_change(old_org, old_title, record.org, record.title)
        if change is None:
            continue
        seen.add(contact_id)
        store.changes.record(
            contact_id,
            old_org=change.old_org,
            new_org=change.new_org,
            old_title=change.old_title,
            new_title=change.new_title,
            source=file_name,
            now=now,
        )
        changes.append((store.contacts.get(contact_id), change))
    return changes


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
