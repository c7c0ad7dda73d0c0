"""Large messages go to Gmail through the upload endpoint, one at a time.

A message travels in a drafts.create/update JSON body as base64 ``raw``; Google's front end
refuses bodies much above 5 MB (one account was seen refusing 1 MB), and batches cannot carry
media. So a message over UPLOAD_OVER_BYTES is uploaded instead (``/upload/...``, resumable,
``message/rfc822``), up to Gmail's upload limit for a message, MAX_MESSAGE_BYTES (35 MB,
the discovery document's ``maxSize``). Sources: tests/fakegoogle/REALITY.md.
"""

from __future__ import annotations

import io
from email.message import EmailMessage
from typing import Any

from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from outreach.mail.backend import DraftRef, DraftRequest, Failure
from outreach.mail.gmail_errors import TRANSPORT_ERRORS, reason_text, status_of

__all__ = [
    "MAX_MESSAGE_BYTES",
    "UPLOAD_OVER_BYTES",
    "needs_upload",
    "too_large",
    "upload_draft",
    "upload_request",
]

UPLOAD_OVER_BYTES = 1024 * 1024
MAX_MESSAGE_BYTES = 36_700_160
CHUNK_BYTES = 8 * 256 * 1024  # resumable chunks must be multiples of 256 KiB


def needs_upload(message: EmailMessage) -> bool:
    """Whether the message is too large for a JSON body (only one with attachments can be)."""
    if message.get_content_type() != "multipart/mixed":
        return False
    return len(message.as_bytes()) > UPLOAD_OVER_BYTES


def too_large(raw: bytes) -> str | None:
    """Why Gmail would refuse the message for its size (None: it fits)."""
    if len(raw) <= MAX_MESSAGE_BYTES:
        return None
    return (
        f"the message is {len(raw) / (1024 * 1024):.1f} MB with its attachments; Gmail takes "
        f"at most {MAX_MESSAGE_BYTES / (1024 * 1024):.0f} MB (attach less, or share a link)"
    )


def upload_request(service: Any, user_id: str, request: DraftRequest, raw: bytes) -> Any:
    """drafts.create (or drafts.update) with the message as an upload."""
    media = MediaIoBaseUpload(
        io.BytesIO(raw), mimetype="message/rfc822", chunksize=CHUNK_BYTES, resumable=True
    )
    message: dict[str, Any] = {}
    if request.thread_id:
        message["threadId"] = request.thread_id
    body: dict[str, Any] = {"message": message}
    drafts = service.users().drafts()
    if request.draft_id:
        return drafts.update(userId=user_id, id=request.draft_id, body=body, media_body=media)
    return drafts.create(userId=user_id, body=body, media_body=media)


def upload_draft(backend: Any, request: DraftRequest) -> DraftRef | Failure:
    """Create or replace one draft through the upload endpoint (``backend``: the Gmail
    backend, for its paced, retried calls and its lookups). A create whose answer was lost is
    looked up by Message-ID, never repeated blindly; a replaced draft that is gone (sent or
    deleted in Gmail) is made anew unless a sent copy shows it went out."""
    raw = request.message.as_bytes()
    why = too_large(raw)
    if why is not None:
        return Failure(why, retryable=False)
    creating = not request.draft_id
    method = "drafts.create" if creating else "drafts.update"
    try:
        response = backend._call(
            method, upload_request(backend.service, backend.user_id, request, raw),
            retry_unknown=not creating,
        )
    except HttpError as exc:
        status = status_of(exc)
        if status == 404 and not creating:
            message = request.message
            sent = backend.find_sent(
                str(message["Message-ID"]),
                request.thread_id,
                recipients=[str(message.get("To", ""))],
                subject=str(message.get("Subject", "")),
                since=request.since,
            )
            if sent is not None:
                return Failure(
                    "already sent from Gmail; run `outreach sync` to record it", retryable=False
                )
            fresh = DraftRequest(request.key, message, None, request.thread_id, request.since)
            return upload_draft(backend, fresh)
        return Failure(f"HTTP {status}: {reason_text(exc)}", retryable=status >= 500)
    except TRANSPORT_ERRORS:
        if creating:
            found = backend.find_drafts([str(request.message["Message-ID"])])
            ref = found.get(str(request.message["Message-ID"]))
            if ref is not None:
                return ref  # type: ignore[no-any-return]
        return Failure("connection to Gmail failed")
    message_part = response.get("message", {})
    return DraftRef(
        draft_id=str(response["id"]),
        message_id=message_part.get("id"),
        thread_id=message_part.get("threadId"),
    )
