"""Outlook's answer to "what changed since this cursor" (:mod:`outreach.mail.sync_reader`):
delta rounds on Inbox and Sent Items.

- **Cursor.** The two folders' delta links (one JSON value, with ``since``: when the workspace
  first drafted into Outlook), replaced in the same transaction as the changes they cover.
- **Incremental.** A sync with nothing new is two requests (one delta page per folder).
- **Fresh round** (first sync, ``--full``, or an expired link: 410 ``syncStateNotFound``):
  every message received since ``since`` in the folder, then the new link. Messages already
  recorded are not read again.
- **What is read.** Only messages that may concern a contact: in a tracked conversation, from
  or to a contact's address, or a delivery report (mailer-daemon, "Undeliverable: ...").
  Their MIME is read in batches of 20 and classified like every other backend's mail; a
  report or a reply outside a tracked conversation is placed by its In-Reply-To/References.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from outreach.clock import iso
from outreach.mail.graph_sync import FOLDERS, DeltaExpired, DeltaRound, GraphSync, Listed
from outreach.mail.sync_reader import FolderFiles, Found, Interest, MailChanges
from outreach.track.meta import MessageMeta

__all__ = ["FIRST_LOOK_BACK", "GraphChanges"]

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


def _bare(message_id: str) -> str:
    return message_id.strip().strip("<>").strip()


def _concerns(interest: Interest, item: Listed) -> bool:
    if item.conversation_id and item.conversation_id in interest.threads:
        return True
    if item.sender in interest.addresses:
        return True
    if any(address in interest.addresses for address in item.recipients):
        return True
    return item.sender.startswith(_REPORT_SENDERS) or bool(
        _REPORT_SUBJECTS.match(item.subject)
    )


def _thread(interest: Interest, meta: MessageMeta) -> str:
    """The tracked conversation a message belongs to: its own, else the one of a message of
    ours it names in In-Reply-To/References (a delivery report, a reply Outlook filed
    apart)."""
    own = meta.thread_id or ""
    if own in interest.threads:
        return own
    named = _MSGID.findall(f"{meta.header('In-Reply-To') or ''} {meta.header('References') or ''}")
    for message_id in reversed(named):
        thread = interest.ours.get(_bare(message_id))
        if thread:
            return thread
    return own or meta.id


class GraphChanges:
    """The :class:`~outreach.mail.sync_reader.SyncReader` of an Outlook mailbox."""

    files: FolderFiles | None = None

    def __init__(self, reader: GraphSync, account: str) -> None:
        self.reader = reader
        self.account = account

    @property
    def requests(self) -> int:
        return self.reader.requests

    def baseline(self, now: datetime) -> str | None:
        """No request: delta reads from this moment."""
        return json.dumps({"since": iso(now)})

    def changes(self, cursor: str | None, interest: Interest, *, full: bool) -> MailChanges:
        reader = self.reader
        position = _position(cursor)
        since = (
            datetime.fromisoformat(position["since"])
            if "since" in position
            else interest.now - FIRST_LOOK_BACK
        )
        fresh = False
        reason = ""
        if full:
            reason = "asked for with --full"
        elif not all(position.get(folder) for folder in FOLDERS):
            reason = "first sync"
        rounds: dict[str, DeltaRound] = {}
        for folder in FOLDERS:
            link = None if full else position.get(folder)
            fresh = fresh or link is None
            try:
                rounds[folder] = reader.delta(folder, link, None if link else since)
            except DeltaExpired:
                reason = f"Outlook no longer knows the last position in {folder}"
                fresh = True
                rounds[folder] = reader.delta(folder, None, since)

        listed = [item for folder in FOLDERS for item in rounds[folder].added]
        known = interest.known(item.id for item in listed)
        wanted = [i for i in listed if i.id not in known and _concerns(interest, i)]
        found: list[Found] = []
        for meta in reader.messages(wanted):
            thread = _thread(interest, meta)
            found.append(Found(meta.id, meta, thread, ours=thread in interest.threads))
        drafts: set[str] | None = None

        def draft_gone(draft_id: str | None, _history_id: str | None, _event_id: str) -> bool:
            nonlocal drafts
            if draft_id is None:
                return True
            if drafts is None:
                drafts = reader.draft_ids()
            return draft_id not in drafts

        saved = json.dumps(
            {"since": iso(since), **{folder: rounds[folder].link for folder in FOLDERS}}
        )
        return MailChanges(found, saved, "full" if fresh else "incremental", draft_gone, reason)
