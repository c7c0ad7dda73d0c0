"""What a Gmail error says: its status, its reason, and whether (and how long) to wait.

Gmail rate-limits in several shapes, none of which the client library reads fully:

- 429 "User-rate limit exceeded.  Retry after 2026-03-07T18:03:15.961Z": the time to retry is
  only in the message (no Retry-After header is documented or reported);
- 429 "Too many concurrent requests for user": no time; fewer requests at once is the cure;
- 403 with reason ``userRateLimitExceeded`` or ``rateLimitExceeded`` (Gmail's error guide):
  retried like a 429.

A Retry-After header, should one come, is honoured too. See tests/fakegoogle/REALITY.md for
the sources.
"""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import google.auth.exceptions
import httplib2
from googleapiclient.errors import HttpError

__all__ = [
    "TRANSPORT_ERRORS",
    "RateLimit",
    "error_reason",
    "rate_limit",
    "reason_text",
    "status_of",
]

# The network failed (or a token refresh could not reach Google): the outcome is unknown.
TRANSPORT_ERRORS = (
    httplib2.HttpLib2Error,
    OSError,
    ConnectionError,
    socket.timeout,
    google.auth.exceptions.TransportError,
)
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_RETRY_AT = re.compile(
    r"retry after\s+(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)",
    re.IGNORECASE,
)
_CONCURRENT = re.compile(r"too many concurrent requests", re.IGNORECASE)


def status_of(exc: HttpError) -> int:
    return int(getattr(exc.resp, "status", 0) or 0)


def reason_text(exc: HttpError) -> str:
    """Gmail's message for the error (what a user can read)."""
    try:
        return str(exc.reason or exc)
    except Exception:  # pragma: no cover - HttpError formatting is best effort
        return f"HTTP {status_of(exc)}"


def _error_body(exc: HttpError) -> dict[str, object]:
    try:
        data = json.loads((exc.content or b"").decode("utf-8", "replace"))
    except ValueError:
        return {}
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


def error_reason(exc: HttpError) -> str | None:
    """``error.errors[0].reason`` of Google's JSON error, if any."""
    errors = _error_body(exc).get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        reason = errors[0].get("reason")
        return str(reason) if reason else None
    return None


def _message(exc: HttpError) -> str:
    message = _error_body(exc).get("message")
    return str(message) if message else reason_text(exc)


@dataclass(frozen=True)
class RateLimit:
    """A rate-limit answer: when Gmail says to retry (if it says), and whether it was about
    too many requests at once."""

    concurrent: bool
    retry_at: datetime | None  # the moment Gmail names, aware
    header_seconds: float | None  # a Retry-After header, in seconds
    message: str

    def wait(self, now: datetime) -> float | None:
        """Seconds to wait from ``now`` (the wall clock), or None when Gmail gave no time."""
        if self.header_seconds is not None:
            return max(0.0, self.header_seconds)
        if self.retry_at is not None:
            return max(0.0, (self.retry_at - now).total_seconds())
        return None


def _header_seconds(exc: HttpError, now: datetime) -> float | None:
    value = exc.resp.get("retry-after") if exc.resp is not None else None
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def _retry_at(message: str) -> datetime | None:
    found = _RETRY_AT.search(message)
    if found is None:
        return None
    text = found.group(1).replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def rate_limit(exc: HttpError, now: datetime | None = None) -> RateLimit | None:
    """The rate limit ``exc`` reports, or None when it is not one."""
    status = status_of(exc)
    if status == 403:
        if error_reason(exc) not in RATE_LIMIT_REASONS:
            return None
    elif status != 429:
        return None
    message = _message(exc)
    moment = now or datetime.now(UTC)
    return RateLimit(
        concurrent=bool(_CONCURRENT.search(message)),
        retry_at=_retry_at(message),
        header_seconds=_header_seconds(exc, moment),
        message=message,
    )
