"""Routing from the real discovery documents, and the Gmail, Calendar and upload handlers.

Routes come from the discovery documents bundled with google-api-python-client, so the fake
answers exactly the paths (and upload paths) the real client builds. Each handler takes the
parsed request and returns a :class:`~tests.fakegoogle.wire.Response`; the server calls them
with its lock held.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from googleapiclient import discovery_cache

from tests.fakegoogle.state import (
    _RAW_REQUIRED,
    HISTORY_TYPES,
    SYSTEM_LABELS,
    Calendars,
    Mailbox,
    StoredMessage,
    b64url_decode,
    b64url_encode,
    find_part,
    message_resource,
    parse_rfc3339,
    rfc3339,
)
from tests.fakegoogle.wire import (
    ApiError,
    Request,
    Response,
    boundary_of,
    empty_response,
    json_response,
    split_multipart,
)

GMAIL_PREFIX = "gmail.users."
SCOPE_PREFIX = "https://www.googleapis.com/auth/"
ALL_SCOPES = frozenset({"https://mail.google.com/", f"{SCOPE_PREFIX}calendar"})
METADATA_SCOPE = f"{SCOPE_PREFIX}gmail.metadata"


def tool_scopes() -> frozenset[str]:
    """The scopes outreach asks for at login (``outreach.google.auth.SCOPES``): what the
    fake's tokens hold unless a test says otherwise, so every test runs under the tool's own
    scopes and no broader ones."""
    from outreach.google.auth import SCOPES

    return frozenset(SCOPES)


@dataclass(frozen=True)
class Route:
    api: str
    method_id: str
    http_method: str
    pattern: re.Pattern[str]
    upload: bool
    scopes: frozenset[str]
    literal_length: int  # more literal characters win when two routes match

    @property
    def short_name(self) -> str:
        """ "drafts.create", "getProfile", "freebusy.query": the quota table's names."""
        if self.method_id.startswith(GMAIL_PREFIX):
            return self.method_id[len(GMAIL_PREFIX) :]
        return self.method_id.split(".", 1)[1]


def _load_document(api: str, version: str) -> dict[str, Any]:
    text = discovery_cache.get_static_doc(api, version)
    if text is None:  # pragma: no cover - the client always bundles these
        raise RuntimeError(f"no bundled discovery document for {api} {version}")
    document: dict[str, Any] = json.loads(text)
    return document


def _compile(template: str) -> tuple[re.Pattern[str], int]:
    pattern = ""
    literal = 0
    for piece in re.split(r"(\{\+?[^}]+\})", template):
        if piece.startswith("{"):
            name = piece.strip("{}+")
            pattern += f"(?P<{name}>[^/]+)" if not piece.startswith("{+") else f"(?P<{name}>.+)"
        else:
            pattern += re.escape(piece)
            literal += len(piece)
    return re.compile(f"^{pattern}$"), literal


class Router:
    """Every method of Gmail v1 and Calendar v3, by HTTP method and path."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        for api, version in (("gmail", "v1"), ("calendar", "v3")):
            document = _load_document(api, version)
            service_path = document.get("servicePath", "")
            self._add(api, document, service_path)
        self.routes.sort(key=lambda r: -r.literal_length)

    def _add(self, api: str, resource: dict[str, Any], service_path: str) -> None:
        for method in resource.get("methods", {}).values():
            template = "/" + service_path + method.get("flatPath", method["path"])
            scopes = frozenset(method.get("scopes", []))
            pattern, literal = _compile(template)
            self.routes.append(
                Route(api, method["id"], method["httpMethod"], pattern, False, scopes, literal)
            )
            if method.get("supportsMediaUpload"):
                pattern, literal = _compile("/upload" + template)
                self.routes.append(
                    Route(api, method["id"], method["httpMethod"], pattern, True, scopes, literal)
                )
        for child in resource.get("resources", {}).values():
            self._add(api, child, service_path)

    def match(self, http_method: str, path: str) -> tuple[Route, dict[str, str]]:
        path_matched = False
        for route in self.routes:
            found = route.pattern.match(path)
            if not found:
                continue
            path_matched = True
            if route.http_method == http_method:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
        if path_matched:
            raise ApiError(405, f"Method {http_method} is not allowed for {path}", "badRequest")
        raise ApiError(404, f"The requested URL {path} was not found on this server.")


# ------------------------------------------------------------------------------------ uploads

# Gmail's upload limit for a message (discovery document: drafts.create/update and
# messages.send/insert/import ``mediaUpload.maxSize`` "36700160"), and the JSON body above
# which Google's front end refuses a base64 ``raw`` message (see REALITY.md).
MAX_UPLOAD = 36_700_160
MAX_JSON_BODY = 5 * 1024 * 1024


@dataclass
class Upload:
    """What a media request carried: JSON metadata and the media bytes with their type."""

    metadata: dict[str, Any]
    media: bytes | None
    media_type: str | None


@dataclass
class ResumableSession:
    route: Route
    params: dict[str, str]
    metadata: dict[str, Any]
    media_type: str
    total: int | None
    data: bytearray = field(default_factory=bytearray)


# ------------------------------------------------------------------------------------ helpers


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    value = request.param(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ApiError(400, f"Invalid value '{value}' for {name}", "invalidArgument") from exc
    if number < low:
        raise ApiError(400, f"Invalid {name} value: {value}", "invalidArgument")
    return min(number, high)


def _page(
    request: Request, items: list[Any], default_size: int = 100, max_size: int = 500
) -> tuple[list[Any], str | None]:
    size = _int_param(request, "maxResults", default_size, 1, max_size)
    token = request.param("pageToken")
    start = 0
    if token:
        if not token.isdigit():
            raise ApiError(400, "Invalid pageToken", "invalidArgument")
        start = int(token)
    chunk = items[start : start + size]
    next_token = str(start + size) if start + size < len(items) else None
    return chunk, next_token


def _bool_param(request: Request, name: str) -> bool:
    return (request.param(name) or "false").lower() == "true"


Handler = Callable[["Api", Request, dict[str, str], Upload | None], Response]
_HANDLERS: dict[str, Handler] = {}


def handles(method_id: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        _HANDLERS[method_id] = function
        return function

    return register


class Api:
    """The fake's API surface over one mailbox and a set of calendars."""

    def __init__(self, mailbox: Mailbox, calendars: Calendars, *, snippets: bool = False) -> None:
        self.mailbox = mailbox
        self.calendars = calendars
        self.snippets = snippets  # give messages and threads a body snippet (Google may not)
        self.sessions: dict[str, ResumableSession] = {}
        self._session_ids = itertools.count(1)

    # ----------------------------------------------------------------------- dispatch

    def handle(
        self, route: Route, params: dict[str, str], request: Request, base_url: str
    ) -> Response:
        """Answer one routed request (uploads included). Raises ApiError."""
        if route.api == "gmail":
            self._check_user(params.get("userId", "me"))
        upload: Upload | None = None
        if route.upload:
            kind = request.param("uploadType") or request.param("upload_protocol") or ""
            if kind == "resumable":
                return self._start_resumable(route, params, request, base_url)
            upload = self._parse_upload(kind, request)
        handler = _HANDLERS.get(route.method_id)
        if handler is None:
            raise ApiError(501, f"{route.method_id} is not implemented by the fake Google server")
        return handler(self, request, params, upload)

    def resume(self, request: Request) -> Response:
        """A PUT to a resumable session URI (``upload_id`` in the query)."""
        upload_id = request.param("upload_id") or ""
        session = self.sessions.get(upload_id)
        if session is None:
            raise ApiError(404, "No such upload session.")
        content_range = request.headers.get("content-range", "")
        match = re.fullmatch(r"bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)", content_range.strip())
        if content_range and not match:
            raise ApiError(400, f"Invalid Content-Range: {content_range}")
        if match and match.group(3) != "*":
            session.total = int(match.group(3))
        if match and match.group(1) is not None:
            first = int(match.group(1))
            if first != len(session.data):
                return self._incomplete(session)
            session.data.extend(request.body)
        elif not content_range:
            session.data.extend(request.body)
            session.total = len(session.data)
        if session.total is None or len(session.data) < session.total:
            return self._incomplete(session)
        del self.sessions[upload_id]
        upload = Upload(session.metadata, bytes(session.data), session.media_type)
        handler = _HANDLERS.get(session.route.method_id)
        if handler is None:
            raise ApiError(501, f"{session.route.method_id} is not implemented by the fake")
        return handler(self, request, session.params, upload)

    @staticmethod
    def _incomplete(session: ResumableSession) -> Response:
        headers = [("Range", f"bytes=0-{len(session.data) - 1}")] if session.data else []
        return Response(308, b"", headers)

    def _start_resumable(
        self, route: Route, params: dict[str, str], request: Request, base_url: str
    ) -> Response:
        metadata = request.json() if request.body.strip() else {}
        media_type = request.headers.get("x-upload-content-type", "application/octet-stream")
        length = request.headers.get("x-upload-content-length")
        if route.api == "gmail" and length and length.isdigit() and int(length) > MAX_UPLOAD:
            raise ApiError(413, f"Media larger than: {MAX_UPLOAD}", "uploadTooLarge")
        upload_id = f"ADPycdu{next(self._session_ids):06d}"
        self.sessions[upload_id] = ResumableSession(
            route,
            params,
            metadata,
            media_type,
            int(length) if length and length.isdigit() else None,
        )
        location = (
            f"{base_url.rstrip('/')}{request.path}?uploadType=resumable&upload_id={upload_id}"
        )
        return Response(200, b"", [("Location", location), ("X-GUploader-UploadID", upload_id)])

    @staticmethod
    def _parse_upload(kind: str, request: Request) -> Upload:
        if kind == "multipart":
            boundary = boundary_of(request.content_type)
            if not request.content_type.lower().startswith("multipart/related") or not boundary:
                raise ApiError(400, "Bad multipart/related upload: Content-Type needs a boundary")
            parts = split_multipart(request.body, boundary)
            if len(parts) != 2:
                raise ApiError(400, f"A multipart upload needs 2 parts, got {len(parts)}")
            (_meta_headers, meta_body), (media_headers, media) = parts
            try:
                metadata = json.loads(meta_body) if meta_body.strip() else {}
            except ValueError as exc:
                raise ApiError(400, f"Invalid JSON payload received. {exc}") from exc
            return Upload(metadata, media, media_headers.get("content-type", ""))
        if kind in ("media", ""):
            return Upload({}, request.body, request.content_type)
        raise ApiError(400, f"Invalid uploadType: {kind}", "invalidArgument")

    def _check_user(self, user_id: str) -> None:
        if user_id != "me" and user_id.casefold() != self.mailbox.email.casefold():
            raise ApiError(403, f"Delegation denied for {self.mailbox.email}", "forbidden")

    # ----------------------------------------------------------------------- gmail inputs

    @staticmethod
    def check_message_size(request: Request, upload: Upload | None) -> None:
        """A message in the JSON body (base64 ``raw``) above MAX_JSON_BODY: 413, as Google's
        front end answers; through the upload endpoint, above MAX_UPLOAD (the discovery
        document's ``maxSize`` for messages): 413 too."""
        if upload is None:
            if len(request.body) > MAX_JSON_BODY:
                raise ApiError(413, "Request Entity Too Large", "uploadTooLarge")
            return
        if upload.media is not None and len(upload.media) > MAX_UPLOAD:
            raise ApiError(413, f"Media larger than: {MAX_UPLOAD}", "uploadTooLarge")

    @staticmethod
    def message_input(container: dict[str, Any], upload: Upload | None) -> tuple[bytes, str | None]:
        """The raw RFC 822 bytes and requested threadId from JSON or an upload."""
        if not isinstance(container, dict):
            raise ApiError(400, "Invalid JSON payload received.")
        thread_id = container.get("threadId") or None
        if upload is not None and upload.media is not None:
            media_type = (upload.media_type or "").split(";")[0].strip().lower()
            if media_type and not media_type.startswith("message/"):
                raise ApiError(
                    400,
                    f"Media type '{media_type}' is not supported. Valid media types: [message/*]",
                    "badContent",
                )
            if not upload.media.strip():
                raise ApiError(400, _RAW_REQUIRED, "invalidArgument")
            return upload.media, thread_id
        raw = container.get("raw")
        if not raw:
            raise ApiError(400, _RAW_REQUIRED, "invalidArgument")
        data = b64url_decode(raw)
        if not data.strip():
            raise ApiError(400, _RAW_REQUIRED, "invalidArgument")
        return data, thread_id

    @staticmethod
    def body_of(request: Request, upload: Upload | None) -> dict[str, Any]:
        body = upload.metadata if upload is not None else request.json()
        if not isinstance(body, dict):
            raise ApiError(400, "Invalid JSON payload received.")
        return body

    @staticmethod
    def format_param(
        request: Request, allowed: tuple[str, ...] = ("minimal", "metadata", "full", "raw")
    ) -> str:
        fmt = (request.param("format") or "full").lower()
        if fmt not in allowed:
            raise ApiError(400, f"Invalid value at 'format' ({fmt.upper()})", "invalidArgument")
        return fmt


def _draft_resource(
    draft_id: str,
    message: StoredMessage,
    fmt: str | None = None,
    headers: list[str] | None = None,
    snippet: bool = False,
) -> dict[str, Any]:
    if fmt is None:
        return {"id": draft_id, "message": message.snapshot()}
    return {"id": draft_id, "message": message_resource(message, fmt, headers or [], snippet)}


# ------------------------------------------------------------------------------------ gmail


@handles("gmail.users.getProfile")
def _profile(api: Api, request: Request, params: dict[str, str], upload: Upload | None) -> Response:
    box = api.mailbox
    return json_response(
        200,
        {
            "emailAddress": box.email,
            "messagesTotal": len(box.messages),
            "threadsTotal": len(box.threads),
            "historyId": str(box.history_id),
        },
    )


@handles("gmail.users.drafts.create")
def _drafts_create(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    body = api.body_of(request, upload)
    api.check_message_size(request, upload)
    raw, thread_id = api.message_input(body.get("message") or {}, upload)
    draft_id, message = api.mailbox.create_draft(raw, thread_id)
    return json_response(200, _draft_resource(draft_id, message))


@handles("gmail.users.drafts.update")
def _drafts_update(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    body = api.body_of(request, upload)
    api.mailbox.get_draft(params["id"])  # 404 before 400, like Gmail
    api.check_message_size(request, upload)
    raw, thread_id = api.message_input(body.get("message") or {}, upload)
    message = api.mailbox.update_draft(params["id"], raw, thread_id)
    return json_response(200, _draft_resource(params["id"], message))


@handles("gmail.users.drafts.get")
def _drafts_get(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    fmt = api.format_param(request)
    draft_id, message = api.mailbox.get_draft(params["id"])
    headers = request.params("metadataHeaders")
    return json_response(200, _draft_resource(draft_id, message, fmt, headers, api.snippets))


@handles("gmail.users.drafts.delete")
def _drafts_delete(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    api.mailbox.delete_draft(params["id"])
    return empty_response(204)


@handles("gmail.users.drafts.list")
def _drafts_list(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    box = api.mailbox
    by_message = {message_id: draft_id for draft_id, message_id in box.drafts.items()}
    pool = [box.messages[mid] for mid in by_message]
    found = box.search(request.param("q"), (), _bool_param(request, "includeSpamTrash"), pool)
    chunk, next_token = _page(request, found)
    out: dict[str, Any] = {}
    if chunk:
        out["drafts"] = [{"id": by_message[m.id], "message": m.ref()} for m in chunk]
    if next_token:
        out["nextPageToken"] = next_token
    out["resultSizeEstimate"] = len(found)
    return json_response(200, out)


@handles("gmail.users.drafts.send")
def _drafts_send(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    body = api.body_of(request, upload)
    draft_id = body.get("id")
    if not draft_id:
        raise ApiError(400, "Invalid draft id", "invalidArgument")
    api.mailbox.get_draft(draft_id)
    message_part = body.get("message") or {}
    api.check_message_size(request, upload)
    if (upload is not None and upload.media is not None) or message_part.get("raw"):
        raw, thread_id = api.message_input(message_part, upload)
        api.mailbox.update_draft(draft_id, raw, thread_id)
    sent = api.mailbox.send_draft(draft_id)
    return json_response(200, sent.snapshot())


@handles("gmail.users.messages.send")
def _messages_send(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    body = api.body_of(request, upload)
    api.check_message_size(request, upload)
    raw, thread_id = api.message_input(body, upload)
    message = api.mailbox.send_message(raw, thread_id)
    return json_response(200, message.snapshot())


@handles("gmail.users.messages.insert")
@handles("gmail.users.messages.import")
def _messages_insert(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    body = api.body_of(request, upload)
    api.check_message_size(request, upload)
    raw, thread_id = api.message_input(body, upload)
    labels = body.get("labelIds") or ["INBOX", "UNREAD"]
    message = api.mailbox.add_message(raw, labels, thread_id)
    return json_response(200, message.snapshot())


@handles("gmail.users.messages.get")
def _messages_get(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    fmt = api.format_param(request)
    message = api.mailbox.get_message(params["id"])
    headers = request.params("metadataHeaders")
    return json_response(200, message_resource(message, fmt, headers, api.snippets))


@handles("gmail.users.messages.list")
def _messages_list(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    found = api.mailbox.search(
        request.param("q"), request.params("labelIds"), _bool_param(request, "includeSpamTrash")
    )
    chunk, next_token = _page(request, found)
    out: dict[str, Any] = {}
    if chunk:
        out["messages"] = [m.ref() for m in chunk]
    if next_token:
        out["nextPageToken"] = next_token
    out["resultSizeEstimate"] = len(found)
    return json_response(200, out)


@handles("gmail.users.messages.modify")
def _messages_modify(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    body = api.body_of(request, upload)
    message = api.mailbox.modify(
        params["id"], body.get("addLabelIds") or [], body.get("removeLabelIds") or []
    )
    return json_response(200, message.snapshot())


@handles("gmail.users.messages.trash")
def _messages_trash(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    message = api.mailbox.modify(params["id"], ["TRASH"], ["INBOX"])
    return json_response(200, message.snapshot())


@handles("gmail.users.messages.untrash")
def _messages_untrash(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    message = api.mailbox.modify(params["id"], [], ["TRASH"])
    return json_response(200, message.snapshot())


@handles("gmail.users.messages.delete")
def _messages_delete(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    api.mailbox.delete_message(params["id"])
    return empty_response(204)


@handles("gmail.users.messages.batchModify")
def _messages_batch_modify(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    body = api.body_of(request, upload)
    for message_id in body.get("ids") or []:
        api.mailbox.modify(
            message_id, body.get("addLabelIds") or [], body.get("removeLabelIds") or []
        )
    return empty_response(204)


@handles("gmail.users.messages.attachments.get")
def _attachments_get(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    message = api.mailbox.get_message(params["messageId"])
    prefix = f"ANGjdJ_{message.id}_"
    attachment_id = params["id"]
    if not attachment_id.startswith(prefix):
        raise ApiError(404)
    part = find_part(message, attachment_id[len(prefix) :])
    if part is None:
        raise ApiError(404)
    data = part.get_payload(decode=True)
    data = data if isinstance(data, bytes) else b""
    return json_response(
        200, {"attachmentId": attachment_id, "size": len(data), "data": b64url_encode(data)}
    )


@handles("gmail.users.threads.get")
def _threads_get(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    fmt = api.format_param(request, ("minimal", "metadata", "full"))
    messages = api.mailbox.thread_messages(params["id"])
    headers = request.params("metadataHeaders")
    return json_response(
        200,
        {
            "id": params["id"],
            "historyId": str(max(m.history_id for m in messages)),
            "messages": [message_resource(m, fmt, headers, api.snippets) for m in messages],
        },
    )


@handles("gmail.users.threads.list")
def _threads_list(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    box = api.mailbox
    found = box.search(
        request.param("q"), request.params("labelIds"), _bool_param(request, "includeSpamTrash")
    )
    thread_ids = list(dict.fromkeys(m.thread_id for m in found))
    chunk, next_token = _page(request, thread_ids)
    out: dict[str, Any] = {}
    if chunk:
        out["threads"] = []
        for thread_id in chunk:
            messages = box.thread_messages(thread_id)
            listed: dict[str, Any] = {"id": thread_id}
            if api.snippets:
                listed["snippet"] = messages[-1].snippet
            listed["historyId"] = str(max(m.history_id for m in messages))
            out["threads"].append(listed)
    if next_token:
        out["nextPageToken"] = next_token
    out["resultSizeEstimate"] = len(thread_ids)
    return json_response(200, out)


@handles("gmail.users.history.list")
def _history_list(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    start_text = request.param("startHistoryId")
    if not start_text or not start_text.isdigit():
        raise ApiError(400, "Invalid startHistoryId", "invalidArgument")
    types = request.params("historyTypes") or list(HISTORY_TYPES)
    for kind in types:
        if kind not in HISTORY_TYPES:
            raise ApiError(400, f"Invalid value at 'history_types' ({kind})", "invalidArgument")
    token = request.param("pageToken")
    if token and not token.isdigit():
        raise ApiError(400, "Invalid pageToken", "invalidArgument")
    limit = _int_param(request, "maxResults", 100, 1, 500)
    records, next_record = api.mailbox.history_since(
        int(start_text), types, request.param("labelId"), int(token) if token else None, limit
    )
    out: dict[str, Any] = {}
    if records:
        out["history"] = records
    if next_record is not None:
        out["nextPageToken"] = str(next_record)
    out["historyId"] = str(api.mailbox.history_id)
    return json_response(200, out)


@handles("gmail.users.labels.list")
def _labels_list(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    seen = dict.fromkeys(SYSTEM_LABELS)
    for message in api.mailbox.messages.values():
        seen.update(dict.fromkeys(message.label_ids))
    labels = [
        {"id": name, "name": name, "type": "system" if name in SYSTEM_LABELS else "user"}
        for name in seen
    ]
    return json_response(200, {"labels": labels})


# ---------------------------------------------------------------------------------- calendar


@handles("calendar.freebusy.query")
def _freebusy(
    api: Api, request: Request, params: dict[str, str], upload: Upload | None
) -> Response:
    body = api.body_of(request, upload)
    if "timeMin" not in body or "timeMax" not in body:
        raise ApiError(400, "Missing time range: timeMin and timeMax are required.", "required")
    time_min, time_max = parse_rfc3339(body["timeMin"]), parse_rfc3339(body["timeMax"])
    if time_max <= time_min:
        raise ApiError(400, "The specified time range is empty.", "timeRangeEmpty")
    zone = body.get("timeZone")
    calendars: dict[str, Any] = {}
    for item in body.get("items") or []:
        calendar_id = item.get("id", "")
        if not api.calendars.known(calendar_id):
            calendars[calendar_id] = {
                "errors": [{"domain": "global", "reason": "notFound"}],
                "busy": [],
            }
            continue
        busy = api.calendars.query(calendar_id, time_min, time_max)
        calendars[calendar_id] = {
            "busy": [{"start": rfc3339(s, zone), "end": rfc3339(e, zone)} for s, e in busy]
        }
    return json_response(
        200,
        {
            "kind": "calendar#freeBusy",
            "timeMin": rfc3339(time_min),
            "timeMax": rfc3339(time_max),
            "calendars": calendars,
        },
    )
