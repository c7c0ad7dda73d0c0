"""Drafting: contacts + template -> one draft per contact, idempotently.

Order of work, chosen so that a failure or a kill at any point leaves nothing half-done:
1. render every message first; a template error stops the run before any draft is written;
2. for rows left by an interrupted run, ask the backend whether the draft (or a sent copy)
   already exists, by Message-ID (one lookup for all of them);
3. chunk by chunk: record each message's idempotency key (and its Message-ID) in one committed
   transaction, create or update the drafts, then commit their draft ids.
A re-run therefore updates the same drafts; a message already sent is never drafted again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from outreach.app import AppContext
from outreach.clock import iso
from outreach.compose.attachments import attachment_claims
from outreach.compose.mime import (
    build_invite_message,
    build_message,
    make_message_id,
)
from outreach.mail.backend import DraftRef, DraftRequest, Failure
from outreach.services.drafting.attaching import AttachmentRecord, attach_files
from outreach.services.drafting.interrupts import DraftInterrupted, chunk_finishes_first
from outreach.services.drafting.planning import (
    CHUNK,
    KINDS,
    THREADED_KINDS,
    DraftReport,
    PlannedMessage,
    ProgressFn,
    attach_reminders,
    context_for_contact,
    message_kind,
    plan_messages,
    render_for_contact,
    select_contacts,
    uses_slots,
)
from outreach.store import MessageRow

__all__ = [
    "CHUNK",
    "KINDS",
    "THREADED_KINDS",
    "DraftReport",
    "PlannedMessage",
    "attach_reminders",
    "context_for_contact",
    "draft_messages",
    "message_kind",
    "plan_messages",
    "render_for_contact",
    "select_contacts",
    "uses_slots",
]


def draft_messages(
    app: AppContext,
    planned: list[PlannedMessage],
    *,
    progress: ProgressFn | None = None,
    force: bool = False,
) -> DraftReport:
    """Create or update one draft per planned message; failures are per contact. A draft the
    user edited is left as it is (named in ``report.edited``) unless ``force``; one they
    deleted is written again.

    Ctrl-C during a chunk lets the chunk finish and be recorded first (a second Ctrl-C stops at
    once), then raises :class:`DraftInterrupted` saying what was drafted and what was not.
    """
    from outreach.services.sending.ledger import ensure_database_knows_the_mailbox
    from outreach.services.sync.run import remember_mailbox_position

    report = DraftReport()
    store = app.store
    backend = app.mail()
    if planned:
        ensure_database_knows_the_mailbox(app, "drafted")
        remember_mailbox_position(app)
    user = app.config.user
    domain = user.email.rpartition("@")[2] or "outreach.local"
    now = app.now()
    stamp = iso(now)

    # 1. Rows an earlier run reserved but never recorded a draft for: the draft may exist (the
    #    run was killed between the backend call and recording it), or the user may have sent
    #    it. Rows are reserved chunk by chunk, so there are at most a chunk of these.
    draft_ids: dict[str, str | None] = {}
    sent_keys: set[str] = set()
    unfinished: list[MessageRow] = []
    for plan in planned:
        before = store.messages.by_key(plan.idem_key)
        if before is None:
            continue
        draft_ids[plan.idem_key] = before.draft_id
        if before.state == "sent":
            sent_keys.add(plan.idem_key)
        elif before.draft_id is None:
            unfinished.append(before)
    found = backend.find_drafts([row.message_id for row in unfinished]) if unfinished else {}
    for row in unfinished:
        if row.message_id in found:
            draft_ids[row.idem_key] = found[row.message_id].draft_id
            continue
        address = store.contacts.get(row.contact_id).email
        sent = backend.find_sent(
            row.message_id,
            row.thread_id,
            recipients=[address] if address else [],
            subject=row.subject,
            since=datetime.fromisoformat(row.created_at),
        )
        if sent is not None:
            with store.transaction():
                store.messages.mark_drafted(
                    row.id,
                    draft_id="",
                    gmail_id=sent.message_id,
                    thread_id=sent.thread_id,
                    now=stamp,
                )
                store.messages.mark_sent(
                    row.id, gmail_id=sent.message_id, thread_id=sent.thread_id, sent_at=stamp
                )
            sent_keys.add(row.idem_key)
            report.skipped.append((row.subject, "already sent from your mailbox"))

    # 2. The user's words stay theirs: a draft edited since we wrote it is not replaced.
    edited = _edited_drafts(app, planned)
    for plan in planned:
        if plan.idem_key in edited and not force:
            report.edited.append(plan.contact.label())

    # 3. Chunk by chunk: record intent (idempotency keys and Message-IDs) in one committed
    #    transaction, make or update the drafts, then record the draft ids.
    todo = [
        plan
        for plan in planned
        if plan.idem_key not in sent_keys and (force or plan.idem_key not in edited)
    ]
    in_chunk = False
    try:
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            with chunk_finishes_first():
                in_chunk = True
                rows = _reserve(app, chunk, domain, backend.name, stamp)
                chunk = [plan for plan in chunk if rows[plan.idem_key].state != "sent"]
                requests = [
                    DraftRequest(
                        key=plan.idem_key,
                        message=_mime(app, plan, rows[plan.idem_key], now),
                        draft_id=draft_ids.get(plan.idem_key),
                        thread_id=plan.thread_id,
                        since=datetime.fromisoformat(rows[plan.idem_key].created_at),
                    )
                    for plan in chunk
                ]
                results = backend.upsert_drafts(requests)
                with store.transaction():
                    for plan in chunk:
                        _record_result(
                            app, plan, rows[plan.idem_key], draft_ids, results, report, stamp
                        )
                in_chunk = False
            if progress:
                progress(len(chunk))
    except KeyboardInterrupt:
        raise DraftInterrupted(
            created=len(report.created),
            updated=len(report.updated),
            failed=len(report.failed),
            total=len(todo),
            mid_chunk=in_chunk,
        ) from None
    return report


def _edited_drafts(app: AppContext, planned: list[PlannedMessage]) -> set[str]:
    """Keys of the planned messages whose draft the user edited. A draft that is gone is not
    one of them: the backend looks for a sent copy before writing it anew."""
    rows = [
        row
        for plan in planned
        if (row := app.store.messages.by_key(plan.idem_key)) is not None
        and row.state == "drafted"
        and row.draft_id
    ]
    if not rows:
        return set()
    versions = app.mail().draft_versions([row.draft_id for row in rows if row.draft_id])
    edited: set[str] = set()
    for row in rows:
        assert row.draft_id is not None
        if row.draft_id in versions and row.draft_hash and versions[row.draft_id] != row.draft_hash:
            edited.add(row.idem_key)
    return edited


def _reserve(
    app: AppContext, chunk: list[PlannedMessage], domain: str, backend: str, stamp: str
) -> dict[str, MessageRow]:
    """Record the intent to draft each message of a chunk: its row, key and Message-ID."""
    store = app.store
    rows: dict[str, MessageRow] = {}
    with store.transaction():
        for plan in chunk:
            before = store.messages.by_key(plan.idem_key)
            rows[plan.idem_key] = store.messages.reserve(
                idem_key=plan.idem_key,
                contact_id=plan.contact.id,
                kind=plan.kind,
                template=plan.template,
                subject=plan.subject,
                message_id=before.message_id if before else make_message_id(domain),
                backend=backend,
                thread_id=plan.thread_id,
                in_reply_to=plan.in_reply_to,
                now=stamp,
                recipient=plan.contact.email or "",
                meeting_id=plan.meeting_id,
            )
    return rows


def _mime(app: AppContext, plan: PlannedMessage, row: MessageRow, now: datetime) -> EmailMessage:
    user = app.config.user
    assert plan.contact.email is not None
    common: dict[str, Any] = {
        "rendered": plan.rendered,
        "from_name": user.name,
        "from_email": user.email,
        "to_name": plan.contact.name,
        "to_email": plan.contact.email,
        "message_id": row.message_id,
        "date": now,
        "in_reply_to": plan.in_reply_to,
        "references": plan.references or None,
        "reply_subject": None if plan.reply is None else plan.reply.first_subject,
        "cc": plan.cc,
    }
    if plan.ics is not None:
        return build_invite_message(**common, ics=plan.ics, method=plan.ics_method)
    message = build_message(**common)
    if plan.attachments:
        attach_files(message, plan.attachments, plan.rendered.text)
    return message


def _record_result(
    app: AppContext,
    plan: PlannedMessage,
    row: MessageRow,
    draft_ids: dict[str, str | None],
    results: dict[str, DraftRef | Failure],
    report: DraftReport,
    stamp: str,
) -> None:
    store = app.store
    outcome = results.get(plan.idem_key, Failure("no result from the mail backend"))
    label = plan.contact.label()
    if isinstance(outcome, Failure):
        store.messages.mark_failed(row.id, outcome.reason, stamp)
        if row.state == "drafted":
            store.messages.set_error(row.id, outcome.reason, stamp)
        report.failed.append((label, outcome.reason))
        return
    store.messages.mark_drafted(
        row.id,
        draft_id=outcome.draft_id,
        gmail_id=outcome.message_id if app.mail().kind.ids_in_history else None,
        thread_id=outcome.thread_id,
        now=stamp,
    )
    store.messages.set_draft_hash(row.id, outcome.version or outcome.message_id or "")
    record = AttachmentRecord(
        [str(path) for path in plan.attachments], attachment_claims(plan.rendered.text)
    )
    store.messages.set_attachments(row.id, record.to_json())
    if plan.slots:
        expires = datetime.fromisoformat(stamp) + timedelta(days=app.config.schedule.hold_days)
        store.proposals.replace_for_contact(
            plan.contact.id,
            plan.idem_key,
            [(iso(slot.start), iso(slot.end)) for slot in plan.slots],
            stamp,
            iso(expires),
        )
    (report.updated if draft_ids.get(plan.idem_key) else report.created).append(label)
