"""The one door to Microsoft Graph: every request of the Microsoft backend goes through
:class:`Graph`.

- **Endpoint**: ``[microsoft] api_root`` (the root without the version) + ``/v1.0``.
- **Tokens** come from a callable (msal's cache in the keyring); a 401 asks once for a fresh
  token and tries again.
- **Throttling**: a 429 or a 503 waits the Retry-After Graph gives (else backs off) and tries
  again; a wait longer than ``max_wait`` gives up. At most 4 requests run at once per mailbox
  (Outlook's limit), enforced by a semaphore around every request.
- **Unknown outcomes**: a dropped connection is retried only for reads and deletes (and what
  the caller marks safe); a create or a send whose answer was lost raises
  :class:`GraphUnreachable`, so the caller looks it up before any retry.
- **Batching**: :meth:`Graph.batch` sends JSON batches of at most 20 requests; a step throttled
  inside a batch is tried again in a later batch after its Retry-After.
"""

from __future__ import annotations

import base64
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

MAX_CONCURRENT = 4  # Outlook: at most 4 concurrent requests per mailbox
MAX_BATCH = 20  # Graph: at most 20 requests in one JSON batch
MAX_RETRIES = 5
MAX_WAIT_SECONDS = 120.0
TIMEOUT_SECONDS = 60.0
THROTTLED = (429, 503)
_SAFE_METHODS = frozenset({"GET", "DELETE", "PATCH"})
TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout)


class GraphError(Exception):
    """Graph answered with an error (an OData error body: code and message)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status}: {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class GraphUnreachable(Exception):
    """The connection failed and the request was not (or could not safely be) repeated."""


@dataclass(frozen=True)
class Step:
    """One request of a JSON batch; ``url`` is relative to the version (``/me/...``)."""

    id: str
    method: str
    url: str
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """The answer to one step of a batch."""

    status: int
    body: Any
    headers: dict[str, str]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def error(self) -> GraphError:
        return _error_of(self.status, self.body)

    def raw(self) -> bytes:
        """A non-JSON body (Graph base64-encodes those inside a batch)."""
        if isinstance(self.body, str):
            return base64.b64decode(self.body)
        return b""


def _error_of(status: int, body: Any) -> GraphError:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return GraphError(status, str(error.get("code", "")), str(error.get("message", "")))
    return GraphError(status, "", str(body)[:200] if body else "")


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers else None
    try:
        return None if value is None else max(0.0, float(value))
    except (TypeError, ValueError):
        return None


@dataclass
class GraphStats:
    requests: int = 0  # HTTP requests made (a batch counts once)
    throttled: int = 0
    batches: int = 0


class Graph:
    """A small typed client for Graph v1.0 on ``requests`` (what msal uses too)."""

    def __init__(
        self,
        api_root: str,
        token: Callable[[bool], str],
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_retries: int = MAX_RETRIES,
        max_wait: float = MAX_WAIT_SECONDS,
    ) -> None:
        self.base = api_root.rstrip("/") + "/v1.0"
        self.token = token
        self.session = session or requests.Session()
        self.sleep = sleep
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.stats = GraphStats()
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT)
        self._stats_lock = threading.Lock()

    def _count(self, throttled: bool = False) -> None:
        with self._stats_lock:
            if throttled:
                self.stats.throttled += 1
            else:
                self.stats.requests += 1

    def url(self, path: str) -> str:
        """An absolute URL for a path relative to the version, or a link Graph gave."""
        if path.startswith("https://") or path.startswith("http://"):
            mine, theirs = urlsplit(self.base), urlsplit(path)
            if (mine.scheme, mine.netloc) != (theirs.scheme, theirs.netloc):
                raise GraphError(0, "unexpectedLink", f"a link to another server: {path}")
            return path
        return self.base + path

    def _wait(self, attempt: int, asked: float | None) -> float:
        if asked is not None:
            return asked
        return min(32.0, 2.0**attempt) * random.uniform(0.5, 1.0)  # noqa: S311

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        safe: bool | None = None,
    ) -> requests.Response:
        """One request, throttling and token renewal handled; an error answer raises
        :class:`GraphError`. ``safe``: whether a dropped connection may be retried (reads,
        deletes and patches by default)."""
        repeatable = method in _SAFE_METHODS if safe is None else safe
        attempt = 0
        fresh_token = False
        while True:
            sent = {"Authorization": f"Bearer {self.token(fresh_token)}", **(headers or {})}
            try:
                with self._slots:
                    self._count()
                    response = self.session.request(
                        method,
                        self.url(path),
                        params=params,
                        json=json,
                        data=data,
                        headers=sent,
                        timeout=TIMEOUT_SECONDS,
                    )
            except TRANSPORT_ERRORS as exc:
                if not repeatable or attempt >= self.max_retries:
                    raise GraphUnreachable(f"{type(exc).__name__}: {exc}") from None
                self.sleep(self._wait(attempt, None))
                attempt += 1
                continue
            status = response.status_code
            if status < 400:
                return response
            body = _json_or_text(response)
            if status == 401 and not fresh_token:
                fresh_token = True
                continue
            if status in THROTTLED or status >= 500:
                asked = _retry_after(response.headers)
                if status in THROTTLED:
                    self._count(throttled=True)
                if attempt < self.max_retries and (asked is None or asked <= self.max_wait):
                    if status >= 500 and status != 503 and not repeatable:
                        raise _error_of(status, body)
                    self.sleep(self._wait(attempt, asked))
                    attempt += 1
                    continue
            raise _error_of(status, body)

    def get(self, path: str, params: dict[str, str] | None = None, **kw: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", path, params=params, **kw).json()
        return result

    def batch(self, steps: Sequence[Step]) -> dict[str, Reply]:
        """Run the steps in JSON batches of at most 20; answers by step id. Steps throttled
        inside a batch wait their Retry-After and go again (up to ``max_retries`` rounds);
        what is left keeps its 429 answer."""
        replies: dict[str, Reply] = {}
        pending = list(steps)
        for attempt in range(self.max_retries + 1):
            again: list[Step] = []
            wait = 0.0
            for chunk in _chunks(pending, MAX_BATCH):
                for step_id, reply in self._one_batch(chunk).items():
                    replies[step_id] = reply
                    if reply.status in THROTTLED and attempt < self.max_retries:
                        asked = _retry_after(reply.headers)
                        self._count(throttled=True)
                        if asked is None or asked <= self.max_wait:
                            again.append(next(s for s in chunk if s.id == step_id))
                            wait = max(wait, self._wait(attempt, asked))
            if not again:
                break
            self.sleep(wait)
            pending = again
        return replies

    def _one_batch(self, chunk: Sequence[Step]) -> dict[str, Reply]:
        body = {"requests": [_step_json(step) for step in chunk]}
        with self._stats_lock:
            self.stats.batches += 1
        response = self.request("POST", "/$batch", json=body, safe=_all_safe(chunk))
        found: dict[str, Reply] = {}
        for item in response.json().get("responses") or []:
            found[str(item.get("id"))] = Reply(
                int(item.get("status", 0)), item.get("body"), dict(item.get("headers") or {})
            )
        missing = [s.id for s in chunk if s.id not in found]
        for step_id in missing:  # never expected; treated as a transient failure
            found[step_id] = Reply(503, None, {})
        return found


def _all_safe(chunk: Iterable[Step]) -> bool:
    return all(step.method in _SAFE_METHODS for step in chunk)


def _step_json(step: Step) -> dict[str, Any]:
    item: dict[str, Any] = {"id": step.id, "method": step.method, "url": step.url}
    if step.body is not None:
        item["body"] = step.body
        item["headers"] = {"Content-Type": "application/json", **step.headers}
    elif step.headers:
        item["headers"] = dict(step.headers)
    return item


def _chunks(items: Sequence[Step], size: int) -> Iterable[Sequence[Step]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _json_or_text(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def odata_string(value: str) -> str:
    """A string literal for an OData $filter (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"
