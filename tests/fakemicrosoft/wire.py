"""Requests, answers and OData errors of the fake Graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    method: str
    path: str  # after /v1.0, e.g. /me/messages/abc/send
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    in_batch: bool = False
    scopes: frozenset[str] = frozenset()

    def json(self) -> Any:
        import json

        if not self.headers.get("content-type", "").startswith("application/json"):
            raise GraphFault(415, "UnsupportedMediaType", "Content-Type must be application/json.")
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise GraphFault(400, "BadRequest", "Unable to read JSON request payload.") from None


@dataclass
class Answer:
    status: int
    body: Any = None  # dict/list: JSON; bytes: raw (text/plain); None: empty
    headers: dict[str, str] = field(default_factory=dict)


class GraphFault(Exception):
    """An OData error answer: ``{"error": {"code", "message", "innerError"}}``."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def answer(self) -> Answer:
        body = {
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": "2026-03-02T14:00:00",
                    "request-id": "00000000-0000-0000-0000-000000000000",
                    "client-request-id": "00000000-0000-0000-0000-000000000000",
                },
            }
        }
        return Answer(self.status, body, dict(self.headers))


def not_found(what: str = "item") -> GraphFault:
    return GraphFault(
        404, "ErrorItemNotFound", f"The specified object was not found in the store ({what})."
    )


def throttled(retry_after: int, status: int = 429) -> GraphFault:
    if status == 503:
        return GraphFault(
            503, "ServiceUnavailable", "Service is temporarily unavailable.",
            {"Retry-After": str(retry_after)},
        )
    return GraphFault(
        429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.",
        {"Retry-After": str(retry_after)},
    )
