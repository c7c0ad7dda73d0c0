"""The IMAP/SMTP backend: drafts in the account's Drafts folder, sends through SMTP submission,
so any mail app (Thunderbird, Apple Mail, a phone, webmail) shows and sends the same drafts.

- A draft is APPENDed flagged ``\\Draft`` (and ``\\Seen``); its id is ``UIDVALIDITY-UID``. A
  re-draft APPENDs the new one, then removes by UID every other draft with the same
  Message-ID (the old one, and one left by an interrupted run), so never two.
- ``send`` reads the draft as it is in the folder (the user's edits included), submits it
  through SMTP, and removes the draft. The sent copy: servers that file it themselves (Gmail,
  Outlook; ``[smtp] sent_copy``) do; otherwise our copy is APPENDed to Sent *before* SMTP gets
  the message, so an interrupted send always leaves a trace. A refused send takes that copy
  back. When the outcome is unknown (the connection dropped after DATA), Sent is searched for
  the Message-ID: there, it went out (or may have: never sent twice); not there, the error
  asks the user (:class:`~outreach.errors.SendOutcomeUnknown`), and nothing is retried.
- Thread ids are the Message-ID of the thread's first message, as with the local backend.
- **A draft edited in a mail app.** IMAP cannot change a message: a mail app saving an edited
  draft APPENDs the new text and removes the old UID (tests/test_backend_contract.py and
  tests/test_draft_edits.py play it against Dovecot). So a draft id is
  ``UIDVALIDITY-UID-Message-ID``: when that UID is gone, the draft is the newest one in Drafts
  with that Message-ID (a NOOP first, so what another app appended or expunged is seen). Its
  version is the content's fingerprint (:mod:`outreach.compose.fingerprint`), as in the local
  outbox: a different one is an edit.
  A mail app that gives the saved draft a new Message-ID makes it a draft outreach no longer
  knows: it is taken as deleted by hand (sync says so), and the next `draft` writes another.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator, Sequence
from datetime import datetime
from email.message import EmailMessage

from imapclient.exceptions import IMAPClientError

from outreach.config import ImapConfig, SmtpConfig
from outreach.errors import MailError, NotSentError, SendOutcomeUnknown
from outreach.mail import imap_headers
from outreach.mail.backend import (
    DraftRef,
    DraftRequest,
    DraftsNotReadHere,
    Exchange,
    Failure,
    SentHeaders,
    SentRef,
    ServerCannotHold,
)
from outreach.mail.imap_conn import Credentials
from outreach.mail.imap_session import ImapSession
from outreach.mail.kinds import IMAP
from outreach.mail.local import redate, thread_root
from outreach.mail.smtp_send import submit
from outreach.mail.sync_reader import SyncReader

# Submission servers known to file the sent copy themselves (a second copy would be ours).
SERVER_FILES_SENT = ("smtp.gmail.com", "smtp.office365.com", "smtp-mail.outlook.com")
_DRAFT_FLAGS = (b"\\Draft", b"\\Seen")
_SENT_FLAGS = (b"\\Seen",)


def draft_id(validity: int, uid: int, message_id: str = "") -> str:
    return f"{validity}-{uid}-{message_id}" if message_id else f"{validity}-{uid}"


def parse_draft_id(value: str) -> tuple[int, int] | None:
    """(UIDVALIDITY, UID) of a draft id (None: not one of ours)."""
    validity, _, rest = value.partition("-")
    uid = rest.partition("-")[0]
    if not (validity.isdigit() and uid.isdigit()):
        return None
    return int(validity), int(uid)


def draft_message_id(value: str) -> str:
    """The Message-ID a draft id names ("" in ids made before it did)."""
    return value.split("-", 2)[2] if value.count("-") >= 2 else ""


def client_files_sent(config: SmtpConfig) -> bool:
    """Whether we APPEND the sent copy (else the submission server files it)."""
    if config.sent_copy != "auto":
        return config.sent_copy == "client"
    return config.host.casefold() not in SERVER_FILES_SENT


def _crlf(message: EmailMessage) -> bytes:
    """The message as IMAP stores it: CRLF line ends (RFC 3501), Bcc kept (it is ours)."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def fingerprint(message: EmailMessage) -> str:
    # Imported here: `outreach.compose` brings the template engine, which sync never needs.
    from outreach.compose.fingerprint import fingerprint as content_fingerprint

    return content_fingerprint(message)


def _parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


class ImapBackend(DraftsNotReadHere, ServerCannotHold):
    """MailBackend over one IMAP account and its SMTP submission server."""

    name = "imap"
    kind = IMAP

    def __init__(
        self,
        imap: ImapConfig,
        smtp: SmtpConfig,
        imap_credentials: Credentials,
        smtp_credentials: Credentials,
    ) -> None:
        self.imap = imap
        self.smtp = smtp
        self.smtp_credentials = smtp_credentials
        self.session = ImapSession(imap, imap_credentials)

    def close(self) -> None:
        self.session.close()

    def sync_reader(self, owner: str, *, read_bodies: bool = False) -> SyncReader:
        from outreach.mail.imap_changes import ImapChanges

        return ImapChanges(self, owner)

    def _failed(self, what: str, exc: Exception) -> MailError:
        self.session.broken()
        return MailError(
            f"The IMAP server {self.imap.host} failed while {what}: {exc}.",
            hint="Try again; `outreach doctor` checks the connection.",
        )

    # -- drafts --------------------------------------------------------------------------------

    def upsert_drafts(self, requests: list[DraftRequest]) -> dict[str, DraftRef | Failure]:
        results: dict[str, DraftRef | Failure] = {}
        for request in requests:
            try:
                results[request.key] = self._upsert(request)
            except IMAPClientError as exc:
                self.session.broken()
                results[request.key] = Failure(f"the IMAP server failed: {exc}")
            except OSError as exc:
                raise self._failed("saving a draft", exc) from None
        return results

    def _upsert(self, request: DraftRequest) -> DraftRef:
        drafts = self.session.folders().drafts
        message_id = str(request.message["Message-ID"])
        uid = self.session.append(drafts, _crlf(request.message), _DRAFT_FLAGS)
        same = self.session.uids_with_message_id(drafts, message_id)
        if uid is None:  # no UIDPLUS: the newest copy is the one just appended
            if not same:
                raise MailError(f"The draft {message_id} vanished from {drafts} after saving.")
            uid = same[-1]
        stale = [other for other in same if other != uid]
        old = parse_draft_id(request.draft_id or "")
        validity = self.session.select(drafts)
        if old is not None and old[0] == validity and old[1] != uid and old[1] not in stale:
            stale.append(old[1])  # the old draft, even if the user changed its Message-ID
        self.session.remove(drafts, stale)
        return DraftRef(
            draft_id=draft_id(validity, uid, message_id),
            message_id=message_id,
            thread_id=request.thread_id or thread_root(request.message) or message_id,
            version=fingerprint(request.message),
        )

    def _draft_uid(self, value: str) -> int | None:
        """The UID of a draft as the Drafts folder is now: its own UID while it is there, else
        (a mail app saved an edit as a new message, or the folder was renumbered) the newest
        draft with its Message-ID; None when it is gone."""
        parsed = parse_draft_id(value)
        if parsed is None:
            return None
        drafts = self.session.folders().drafts
        validity = self.session.select(drafts)
        # What another mail app appended or expunged since: made visible to this connection.
        self.session.client.noop()
        if parsed[0] == validity and self.session.exists(drafts, parsed[1]):
            return parsed[1]
        message_id = draft_message_id(value)
        if not message_id:
            return None
        same = self.session.uids_with_message_id(drafts, message_id)
        return same[-1] if same else None

    def find_drafts(self, rfc_message_ids: list[str]) -> dict[str, DraftRef]:
        found: dict[str, DraftRef] = {}
        try:
            drafts = self.session.folders().drafts
            for message_id in rfc_message_ids:
                uids = self.session.uids_with_message_id(drafts, message_id)
                if uids:
                    validity = self.session.select(drafts)
                    found[message_id] = DraftRef(
                        draft_id(validity, uids[-1], message_id), message_id
                    )
        except (IMAPClientError, OSError) as exc:
            raise self._failed("looking for drafts", exc) from None
        return found

    def draft_exists(self, draft_id: str) -> bool:
        try:
            return self._draft_uid(draft_id) is not None
        except (IMAPClientError, OSError) as exc:
            raise self._failed("looking for a draft", exc) from None

    def draft_versions(self, draft_ids: Sequence[str]) -> dict[str, str]:
        """The fingerprint of each draft as it is in Drafts now (found again by Message-ID
        when a mail app saved an edit as a new message)."""
        versions: dict[str, str] = {}
        try:
            drafts = self.session.folders().drafts
            for value in draft_ids:
                uid = self._draft_uid(value)
                data = self.session.fetch_message(drafts, uid) if uid is not None else None
                if data is not None:
                    versions[value] = fingerprint(_parse(data))
        except (IMAPClientError, OSError) as exc:
            raise self._failed("reading drafts", exc) from None
        return versions

    def delete_draft(self, draft_id: str) -> bool:
        try:
            uid = self._draft_uid(draft_id)
            drafts = self.session.folders().drafts
            if uid is None:
                return False
            self.session.remove(drafts, [uid])
        except (IMAPClientError, OSError) as exc:
            raise self._failed("removing a draft", exc) from None
        return True

    def draft_uids(self) -> set[int]:
        """UIDs of every draft now in the Drafts folder (for sync: which drafts are gone)."""
        drafts = self.session.folders().drafts
        self.session.select(drafts, readonly=True)
        return {int(uid) for uid in self.session.client.search(["NOT", "DELETED"])}

    # -- sending -------------------------------------------------------------------------------

    def send_draft(self, draft_id: str, date: datetime | None = None) -> SentRef:
        """Send the draft as it is in Drafts (the user's edits included), its Date set to
        ``date`` (the moment it goes) in what SMTP gets and in the Sent copy."""
        try:
            uid = self._draft_uid(draft_id)
            drafts = self.session.folders().drafts
            data = self.session.fetch_message(drafts, uid) if uid is not None else None
        except (IMAPClientError, OSError) as exc:
            raise self._failed("reading the draft", exc) from None
        if data is None or uid is None:
            raise NotSentError(
                f"The draft {draft_id} is gone from {self.imap.host}'s Drafts folder.",
                hint="Re-create it with `outreach draft TEMPLATE CONTACT`.",
            )
        sent = self._send(_parse(redate(data, date) if date is not None else data))
        try:
            self.session.remove(drafts, [uid])
        except (IMAPClientError, OSError):
            self.session.broken()  # sent all the same; sync sees the draft is gone or not
        return sent

    def send_message(self, message: EmailMessage, thread_id: str | None) -> SentRef:
        sent = self._send(message)
        return SentRef(sent.message_id, thread_id or sent.thread_id)

    def _send(self, message: EmailMessage) -> SentRef:
        message_id = str(message["Message-ID"])
        ours = SentRef(message_id=message_id, thread_id=thread_root(message) or message_id)
        sent_folder = self.session.folders().sent
        copy_uid: int | None = None
        if client_files_sent(self.smtp):
            try:
                self.session.append(sent_folder, _crlf(message), _SENT_FLAGS)
                copy_uid = (self.session.uids_with_message_id(sent_folder, message_id) or [0])[-1]
            except (IMAPClientError, OSError) as exc:
                raise NotSentError(
                    f"Could not file the copy in {sent_folder} before sending: {exc}.",
                    hint="Nothing was sent; try again.",
                ) from None
        try:
            submit(self.smtp, self.smtp_credentials, message)
        except NotSentError:
            if copy_uid:
                self._take_back(sent_folder, copy_uid)
            raise
        except SendOutcomeUnknown:
            if self._in_sent(message_id):
                return ours
            raise
        return ours

    def _take_back(self, folder: str, uid: int) -> None:
        try:
            self.session.remove(folder, [uid])
        except (IMAPClientError, OSError):
            self.session.broken()

    def _in_sent(self, message_id: str) -> bool:
        try:
            return bool(self.session.uids_with_message_id(self.session.folders().sent, message_id))
        except (IMAPClientError, OSError, MailError):
            self.session.broken()
            return False

    def recent_sent(self, limit: int) -> list[SentHeaders]:
        try:
            return imap_headers.recent_sent(self.session, limit)
        except (IMAPClientError, OSError) as exc:
            raise self._failed("reading Sent", exc) from None

    def exchanges(self) -> Iterator[Exchange]:
        try:
            yield from imap_headers.exchanges(self.session)
        except (IMAPClientError, OSError) as exc:
            raise self._failed("reading Sent and INBOX", exc) from None

    def find_sent(
        self,
        rfc_message_id: str,
        thread_id: str | None = None,
        *,
        recipients: Sequence[str] = (),
        subject: str | None = None,
        since: datetime | None = None,
    ) -> SentRef | None:
        """By Message-ID in Sent; else, as a mail client may give its own Message-ID, a message
        in Sent to one of ``recipients`` with ``subject`` since ``since`` that is in the
        thread (its References name the thread's first message)."""
        try:
            sent = self.session.folders().sent
            if self.session.uids_with_message_id(sent, rfc_message_id):
                return SentRef(rfc_message_id, thread_id or rfc_message_id)
            if not (recipients and subject and thread_id):
                return None
            for recipient in recipients:
                criteria: list[object] = ["NOT", "DELETED", "TO", recipient, "SUBJECT", subject]
                if since is not None:
                    criteria += ["SINCE", since.date()]
                for uid in sorted(self.session.client.search(criteria), reverse=True):
                    data = self.session.fetch_message(sent, int(uid))
                    if data is None:
                        continue
                    found = _parse(data)
                    if thread_root(found) == thread_id:
                        return SentRef(str(found["Message-ID"]), thread_id)
        except (IMAPClientError, OSError) as exc:
            raise self._failed("looking in Sent", exc) from None
        return None
