"""`outreach sync` on the Microsoft backend: delta rounds on Inbox and Sent Items.

- **Position.** The two folders' delta links are kept in ``sync_state`` (one JSON value, with
  ``since``: when the workspace first drafted into Outlook) and replaced in the same
  transaction as the changes they cover; a dry run or an error stores nothing.
- **Incremental.** A sync with nothing new is two requests (one delta page per folder).
- **Fresh round** (first sync, ``--full``, or an expired link: 410 ``syncStateNotFound``):
  every message received since ``since`` in the folder, then the new link. Messages already
  recorded are not read again.
- **What is read.** Only messages that may concern a contact: in a tracked conversation, from
  or to a contact's address, or a delivery report (mailer-daemon, "Undeliverable: ...").
  Their MIME is read in batches of 20 and classified like every other backend's mail; a
  report or a reply outside a tracked conversation is placed by its In-Reply-To/References.
- No calendar answers are read: the tool's Outlook events have no attendees (see
  :mod:`outreach.microsoft.calendar`); answers to invites arrive by mail. Events left out of
  step (Outlook unreachable while booking) are put in step, as on Gmail.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from outreach.app import AppContext
from outreach.clock import iso
from outreach.mail.graph import GraphMail
from outreach.mail.graph_sync import FOLDERS, DeltaExpired, DeltaRound, GraphSync, Listed
from outreach.services.sync.record import Recorder, Seen, SyncReport, apply_all, bare
from outreach.store.events import TrackedMessage
from outreach.track.meta import MessageMeta

_REPORT_SENDERS = ("mailer-daemon@", "postmaster@", "microsoftexchange")
_REPORT_SUBJECTS = re.compile(
    r"^\s*(undeliverable|undelivered|delivery status notification|mail delivery failed|"
    r"returned mail|delivery has failed|failure notice)",
    re.IGNORECASE,
)
_MSGID = re.compile(r"<[^<>\s]+>")
FIRST_LOOK_BACK = timedelta(days=30)  # a workspace that never drafted into Outlook


def _position(raw: str | None) -> dict[str, str]:
    try:
        data = json.loads(raw or "{}")
    except ValueError:  # a Gmail history id left from another backend
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def mailbox_position(now: datetime) -> str:
    """The position recorded before the first draft: read everything from now on."""
    return json.dumps({"since": iso(now)})


def _concerns(recorder: Recorder, item: Listed) -> bool:
    if item.conversation_id and item.conversation_id in recorder.threads:
        return True
    if item.sender in recorder.by_address:
        return True
    if any(address in recorder.by_address for address in item.recipients):
        return True
    return item.sender.startswith(_REPORT_SENDERS) or bool(
        _REPORT_SUBJECTS.match(item.subject)
    )


def _thread(recorder: Recorder, meta: MessageMeta) -> str:
    """The tracked conversation a message belongs to: its own, else the one of a message of
    ours it names in In-Reply-To/References (a delivery report, a reply Outlook filed
    apart)."""
    own = meta.thread_id or ""
    if own in recorder.threads:
        return own
    named = _MSGID.findall(f"{meta.header('In-Reply-To') or ''} {meta.header('References') or ''}")
    for message_id in reversed(named):
        row = recorder.by_message_id.get(bare(message_id))
        if row is not None and row.thread_id:
            return row.thread_id
    return own or meta.id


def sync_microsoft(app: AppContext, *, full: bool, dry_run: bool) -> SyncReport:
    backend = app.mail()
    assert isinstance(backend, GraphMail)
    reader = GraphSync(backend.graph)
    store = app.store
    account = app.config.user.email
    before = reader.requests
    position = _position(store.sync.get(account).history_id)
    since = datetime.fromisoformat(position["since"]) if "since" in position else (
        app.now() - FIRST_LOOK_BACK
    )
    report = SyncReport(backend="microsoft", mode="incremental", dry_run=dry_run)
    fresh = False
    if full:
        report.reason = "asked for with --full"
    elif not all(position.get(folder) for folder in FOLDERS):
        report.reason = "first sync"
    rounds: dict[str, DeltaRound] = {}
    for folder in FOLDERS:
        link = None if full else position.get(folder)
        fresh = fresh or link is None
        try:
            rounds[folder] = reader.delta(folder, link, None if link else since)
        except DeltaExpired:
            report.reason = f"Outlook no longer knows the last position in {folder}"
            fresh = True
            rounds[folder] = reader.delta(folder, None, since)
    report.mode = "full" if fresh else "incremental"

    recorder = Recorder(app, gmail=False)
    listed = [item for folder in FOLDERS for item in rounds[folder].added]
    known = store.events.known_ids(item.id for item in listed)
    wanted = [i for i in listed if i.id not in known and _concerns(recorder, i)]
    items: list[Seen] = []
    for meta in reader.messages(wanted):
        thread = _thread(recorder, meta)
        if thread in recorder.threads:
            items.append(Seen(meta.id, thread, meta))
            continue
        contact_id = recorder.contact_for_mail(meta)
        if contact_id is not None:
            items.append(Seen(meta.id, thread, meta, contact_id=contact_id))
    drafts: set[str] | None = None

    def draft_gone(row: TrackedMessage, event_id: str) -> bool:
        nonlocal drafts
        if row.draft_id is None:
            return True
        if drafts is None:
            drafts = reader.draft_ids()
        return row.draft_id not in drafts

    saved = json.dumps(
        {"since": iso(since), **{folder: rounds[folder].link for folder in FOLDERS}}
    )
    stamp = iso(app.now())
    report.examined = len(items)
    apply_all(
        app,
        recorder,
        items,
        draft_gone,
        lambda: store.sync.save(account, saved, stamp, full=fresh),
        dry_run,
    )
    report.recorded = recorder.recorded
    report.changes = recorder.changes
    report.requests = reader.requests - before
    _calendar_catch_up(app, report, full=full, dry_run=dry_run)
    return report


def _calendar_catch_up(app: AppContext, report: SyncReport, *, full: bool, dry_run: bool) -> None:
    """Events not in step (Outlook was unreachable when booking) are put in step; their
    requests are counted apart (``calendar_requests``)."""
    from outreach.services.meetings.calendar_answers import read_answers

    found = read_answers(app, full=full, dry_run=dry_run)
    report.calendar_requests = found.requests
    report.notes.extend(found.notes)
