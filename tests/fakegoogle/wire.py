"""HTTP plumbing shared by the fake: requests, responses, Google's JSON error shape, multipart."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

JSON_TYPE = "application/json; charset=UTF-8"

# Google's canonical status names by HTTP code (google.rpc.Code as it appears in "status").
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

# (message, reason, domain) Google uses for a bare status, e.g. an injected fault.
_DEFAULT_ERRORS = {
    400: ("Bad Request", "badRequest", "global"),
    401: (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.",
        "authError",
        "global",
    ),
    403: ("The caller does not have permission", "forbidden", "global"),
    404: ("Requested entity was not found.", "notFound", "global"),
    409: ("The operation was aborted.", "aborted", "global"),
    429: ("User-rate limit exceeded.", "rateLimitExceeded", "usageLimits"),
    500: ("Internal error encountered.", "backendError", "global"),
    501: ("Operation is not implemented, or supported, or enabled.", "notImplemented", "global"),
    502: ("Bad Gateway", "backendError", "global"),
    503: ("The service is currently unavailable.", "backendError", "global"),
    504: ("The request timed out. Please try again.", "backendError", "global"),
}


@dataclass
class Request:
    """One API request: from the wire, or one part of a batch."""

    method: str
    target: str  # path plus query string, as sent
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""
    in_batch: bool = False

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def params(self, name: str) -> list[str]:
        return self.query.get(name, [])

    def json(self) -> Any:
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, f"Invalid JSON payload received. {exc}") from exc

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def reason(self) -> str:
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return "Unknown"


def json_response(
    status: int, payload: Any, headers: list[tuple[str, str]] | None = None
) -> Response:
    body = json.dumps(payload, indent=2).encode()
    return Response(status, body, [("Content-Type", JSON_TYPE), *(headers or [])])


def empty_response(status: int = 204) -> Response:
    return Response(status, b"", [])


class ApiError(Exception):
    """An error the fake answers with Google's JSON error shape."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        reason: str | None = None,
        *,
        domain: str | None = None,
        status: str | None = None,
        headers: list[tuple[str, str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        default_message, default_reason, default_domain = _DEFAULT_ERRORS.get(
            code, ("Error", "unknown", "global")
        )
        self.code = code
        self.message = message or default_message
        self.reason = reason or default_reason
        self.domain = domain or default_domain
        self.status = status or _STATUS_NAMES.get(code, "UNKNOWN")
        self.headers = headers or []
        self.extra = extra or {}
        super().__init__(f"{code} {self.message}")

    def payload(self) -> dict[str, Any]:
        inner: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "errors": [{"message": self.message, "domain": self.domain, "reason": self.reason}],
            "status": self.status,
        }
        inner.update(self.extra)
        return {"error": inner}

    def response(self) -> Response:
        return json_response(self.code, self.payload(), self.headers)


def retry_stamp(moment: datetime) -> str:
    """A retry time as Gmail writes it in a message: UTC, milliseconds, "Z"."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def rate_limit_error(
    retry_in: float, *, header: bool = False, now: datetime | None = None
) -> ApiError:
    """Gmail's per-user rate limit: 429 RESOURCE_EXHAUSTED, reason rateLimitExceeded, and the
    time to retry only in the message ("User-rate limit exceeded.  Retry after
    2026-03-07T18:03:15.961Z", two spaces as Gmail writes it). ``header`` adds a Retry-After
    header, which Gmail is not known to send; only tests that ask for it get one. The time is
    the wall clock's, as Google's is, not the fake's frozen clock."""
    moment = (now or datetime.now(UTC)) + timedelta(seconds=max(0.0, retry_in))
    message = f"User-rate limit exceeded.  Retry after {retry_stamp(moment)}"
    headers = [("Retry-After", str(max(0, round(retry_in))))] if header else []
    return ApiError(429, message, "rateLimitExceeded", domain="usageLimits", headers=headers)


def concurrent_requests_error() -> ApiError:
    """Gmail's per-user concurrency limit: 429, "Too many concurrent requests for user",
    reason rateLimitExceeded in domain global, and no time to retry."""
    return ApiError(429, "Too many concurrent requests for user", "rateLimitExceeded")


# 403 rate limits, as Gmail's error guide names them and as users have reported them.
RATE_LIMIT_403_MESSAGES = {
    "userRateLimitExceeded": "User Rate Limit Exceeded",
    "rateLimitExceeded": (
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of "
        "service 'gmail.googleapis.com' for consumer 'project_number:123456789012'."
    ),
}


def rate_limit_403_error(reason: str, headers: list[tuple[str, str]] | None = None) -> ApiError:
    """A 403 rate limit (``userRateLimitExceeded`` or ``rateLimitExceeded``), domain
    usageLimits, no time to retry."""
    return ApiError(
        403, RATE_LIMIT_403_MESSAGES[reason], reason, domain="usageLimits", headers=headers
    )


# ---------------------------------------------------------------------------------------------
# multipart and application/http


_BOUNDARY = re.compile(r'boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)


def boundary_of(content_type: str) -> str | None:
    match = _BOUNDARY.search(content_type)
    if not match:
        return None
    return match.group(1) or match.group(2)


def parse_headers(block: bytes) -> dict[str, str]:
    """Parse a header block (CRLF or LF line ends, folded lines allowed); names lower-cased."""
    headers: dict[str, str] = {}
    last: str | None = None
    for raw_line in block.decode("utf-8", "surrogateescape").split("\n"):
        line = raw_line.rstrip("\r")
        if not line:
            continue
        if line[0] in " \t" and last is not None:
            headers[last] += line  # unfold: drop the line break, keep the whitespace
            continue
        name, sep, value = line.partition(":")
        if not sep:
            continue
        last = name.strip().lower()
        headers[last] = value.strip()
    return headers


def split_head(data: bytes) -> tuple[bytes, bytes]:
    """Split "headers, blank line, body" where line ends may be CRLF or LF."""
    if data.startswith(b"\r\n"):
        return b"", data[2:]
    if data.startswith(b"\n"):
        return b"", data[1:]
    candidates = [
        (i, n) for i, n in ((data.find(b"\r\n\r\n"), 4), (data.find(b"\n\n"), 2)) if i >= 0
    ]
    if not candidates:
        return data, b""
    index, length = min(candidates)
    return data[:index], data[index + length :]


def split_multipart(body: bytes, boundary: str) -> list[tuple[dict[str, str], bytes]]:
    """The parts of a multipart body, each as (headers, content), content byte-exact."""
    delimiter = b"--" + boundary.encode("latin-1")
    segments = body.split(delimiter)
    parts: list[tuple[dict[str, str], bytes]] = []
    for segment in segments[1:]:
        if segment.startswith(b"--"):
            break  # the close delimiter
        # The rest of the delimiter line (transport padding), then the part.
        newline = segment.find(b"\n")
        segment = segment[newline + 1 :] if newline >= 0 else b""
        # The line break before the next delimiter belongs to the delimiter.
        if segment.endswith(b"\r\n"):
            segment = segment[:-2]
        elif segment.endswith(b"\n"):
            segment = segment[:-1]
        head, content = split_head(segment)
        parts.append((parse_headers(head), content))
    return parts


def parse_http_request(data: bytes) -> Request:
    """Parse an application/http batch part: request line, headers, blank line, body."""
    data = data.lstrip(b"\r\n")
    line_end = data.find(b"\n")
    if line_end < 0:
        raise ApiError(400, "Failed to parse batch request, error: malformed request line.")
    request_line = data[:line_end].decode("utf-8", "replace").strip()
    pieces = request_line.split()
    if len(pieces) < 2:
        raise ApiError(
            400, f"Failed to parse batch request, error: bad request line {request_line!r}."
        )
    head, body = split_head(data[line_end + 1 :])
    headers = parse_headers(head)
    length = headers.get("content-length")
    if length is not None and length.isdigit():
        body = body[: int(length)]
    target = pieces[1]
    if "://" in target:
        parts = urlsplit(target)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    return Request(pieces[0].upper(), target, headers, body, in_batch=True)


def http_response_bytes(response: Response) -> bytes:
    """Serialize a response as an application/http batch part (CRLF line ends, like Google).

    googleapiclient finds the body after the first CRLF CRLF, so a header is always written.
    """
    lines = [f"HTTP/1.1 {response.status} {response.reason}"]
    names = {name.lower() for name, _ in response.headers}
    for name, value in response.headers:
        lines.append(f"{name}: {value}")
    if "content-length" not in names:
        lines.append(f"Content-Length: {len(response.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + response.body
