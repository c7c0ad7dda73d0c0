"""Importing, adding and editing contacts, and the views `contacts list/show` print."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach.app import AppContext
from outreach.contacts.importers import ContactFile, normalise_record, open_contacts_file
from outreach.contacts.jobs import JobChange, job_change
from outreach.contacts.model import CORE_FIELDS, Contact, ContactRecord
from outreach.contacts.validate import extra_key
from outreach.errors import ContactError
from outreach.progress import NO_PROGRESS, Progress
from outreach.services.contacts.closing import readdress_after_bounce
from outreach.store import Store, UpsertSummary
from outreach.store.changes import role_text as role_text  # how the faces word a job
from outreach.track.model import Stage

IMPORT_CHUNK = 250  # contacts upserted between progress updates (all in one transaction)


class _DryRunRollback(Exception):
    """Raised inside the import transaction to undo a dry run after counting."""


@dataclass
class ImportReport:
    result: ContactFile
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
    progress: Progress = NO_PROGRESS,
) -> ImportReport:
    """Read a contacts file and upsert its valid rows in one transaction.

    The file is read and checked whole first (a bad file changes nothing); its records wait
    on disk and are written in chunks, so memory stays small whatever the file's size. A dry
    run performs the same upsert and rolls it back, so its counts are exact.
    """
    summary = UpsertSummary()
    changes: list[tuple[Contact, JobChange]] = []
    with open_contacts_file(path, fmt) as contacts:
        progress.expect(contacts.count)
        try:
            with store.transaction():
                for chunk in _chunks(contacts.records(), IMPORT_CHUNK):
                    for record in chunk:
                        record.tags = sorted({*record.tags, *tags})
                    before = store.contacts.jobs_of(chunk)
                    done = store.contacts.upsert(chunk, now)
                    changes += _record_job_changes(store, chunk, before, path.name, now)
                    summary.added.extend(done.added)
                    summary.updated.extend(done.updated)
                    summary.unchanged.extend(done.unchanged)
                    progress(len(chunk))
                if dry_run:
                    raise _DryRunRollback
        except _DryRunRollback:
            pass
    return ImportReport(contacts, summary, dry_run, changes)


def _chunks(records: Iterator[ContactRecord], size: int) -> Iterator[list[ContactRecord]]:
    chunk: list[ContactRecord] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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
    """The stable JSON shape of a contact in listings (docs/json.md)."""
    guess = contact.timezone_guess
    return {
        "id": contact.id,
        "email": contact.email,
        "name": contact.name,
        "org": contact.org,
        "title": contact.title,
        "timezone": contact.timezone or None,
        "timezone_guess": None if guess is None else guess.to_json(),
        "stage": contact_stage.value,
        "tags": contact.tags,
        "reachable": contact.reachable,
        "source": contact.source,
        "referred_by": contact.referred_by,
    }


# --- delete and merge ---------------------------------------------------------------------


@dataclass
class Footprint:
    """What a contact has besides its fields, for the delete/merge confirmation."""

    messages: int
    unsent_drafts: int
    events: int
    meetings: int
    referred: int

    def describe(self) -> str:
        parts = [
            (self.messages, "message"),
            (self.events, "event"),
            (self.meetings, "meeting"),
            (self.referred, "referral"),
        ]
        shown = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in parts if n]
        return ", ".join(shown) or "no history"


def footprint(store: Store, contact: Contact) -> Footprint:
    messages = store.messages.for_contact(contact.id)
    return Footprint(
        messages=len(messages),
        unsent_drafts=sum(1 for m in messages if m.state == "drafted" and m.draft_id),
        events=len(store.events.for_contact(contact.id)),
        meetings=len(store.meetings.for_contact(contact.id)),
        referred=len(store.contacts.referred_by(contact.id)),
    )


def remove_unsent_drafts(app: AppContext, contacts: list[Contact]) -> int:
    """Remove the contacts' drafts that were never sent from the outbox or Gmail (before the
    contacts are deleted, so nobody is mailed from a record that no longer exists); returns
    how many were removed."""
    removed = 0
    backend = app.mail()
    for contact in contacts:
        for row in app.store.messages.for_contact(contact.id):
            if row.state == "drafted" and row.send_started_at is None and row.draft_id:
                removed += int(backend.delete_draft(row.draft_id))
    return removed


def delete_contacts(store: Store, contacts: list[Contact]) -> None:
    """Delete these contacts and everything recorded about them, in one transaction."""
    with store.transaction():
        for contact in contacts:
            store.contacts.delete(contact.id)


@dataclass
class MergeResult:
    kept: Contact
    merged: Contact
    filled: list[str]  # fields of the kept contact filled from the other
    conflicts: dict[str, tuple[str, str]]  # extra field -> (kept value, other's value dropped)


def merge_contacts(store: Store, keep_ref: str, other_ref: str, now: str) -> MergeResult:
    """Merge ``other_ref`` into ``keep_ref``: the kept contact's fields win, empty ones are
    filled from the other, extra fields and tags are united, and the other's messages, events,
    proposals, meetings and referrals move over; its address still finds the kept contact."""
    keep = store.contacts.get(keep_ref)
    other = store.contacts.get(other_ref)
    if keep.id == other.id:
        raise ContactError(
            f"{keep.label()} and {other_ref} are the same contact.",
            hint="Give two different contacts: `outreach contacts merge KEEP OTHER`.",
        )
    fields: dict[str, Any] = {}
    filled: list[str] = []
    for name in CORE_FIELDS:
        if name == "email":
            continue
        mine, theirs = getattr(keep, name), getattr(other, name)
        if not mine and theirs:
            fields[name] = theirs
            filled.append(name)
        elif name == "notes" and mine and theirs and theirs not in mine:
            fields[name] = f"{mine} / {theirs}"
            filled.append(name)
    conflicts = {
        key: (keep.extra[key], value)
        for key, value in other.extra.items()
        if key in keep.extra and keep.extra[key] != value
    }
    extra = {**other.extra, **keep.extra}
    if extra != keep.extra:
        fields["extra"] = extra
        filled.extend(sorted(set(other.extra) - set(keep.extra)))
    if keep.referred_by is None and other.referred_by not in (None, keep.id):
        fields["referred_by"] = other.referred_by
        filled.append("referred_by")
    with store.transaction():
        if keep.email is None and other.email is not None:
            store.contacts.update(other.id, now, email=None)
            fields["email"] = other.email
            filled.insert(0, "email")
        store.contacts.update(keep.id, now, **fields)
        store.contacts.merge(keep.id, other.id)
    return MergeResult(store.contacts.get(keep.id), other, filled, conflicts)
