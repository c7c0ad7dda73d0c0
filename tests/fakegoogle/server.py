"""FakeGoogle: a real HTTP server speaking Gmail v1, Calendar v3 (freeBusy), OAuth and batch.

The real google-api-python-client talks to it over HTTP/1.1 keep-alive, exactly as it talks to
Google, so code under test needs nothing but ``api_root``. Tests steer it with Python methods:
deliver mail, press Send as the user, move the clock, set busy times, inject faults, enforce
quota, expire tokens and history, and read back what happened.
"""

from __future__ import annotations

import contextlib
import random
import re
import socket
import sys
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakegoogle.calendar_events import EventsCalendar
from tests.fakegoogle.calendar_handlers import attach, busy_source
from tests.fakegoogle.handlers import (
    ALL_SCOPES,
    METADATA_SCOPE,
    Api,
    Route,
    Router,
    tool_scopes,
)
from tests.fakegoogle.oauth import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    Consent,
    OAuthServer,
)
from tests.fakegoogle.state import Calendars, Clock, DraftView, Mailbox, StoredMessage
from tests.fakegoogle.wire import (
    RATE_LIMIT_403_MESSAGES,
    ApiError,
    Request,
    Response,
    boundary_of,
    concurrent_requests_error,
    http_response_bytes,
    parse_http_request,
    rate_limit_403_error,
    rate_limit_error,
    split_multipart,
)

DEFAULT_COSTS: dict[str, int] = {
    "drafts.create": 10,
    "drafts.update": 15,
    "drafts.send": 100,
    "drafts.get": 5,
    "drafts.list": 5,
    "drafts.delete": 10,
    "messages.send": 100,
    "messages.get": 5,
    "messages.attachments.get": 5,
    "messages.list": 5,
    "messages.modify": 5,
    "history.list": 2,
    "threads.get": 10,
    "threads.list": 10,
    "getProfile": 1,
    "labels.list": 1,
}
DEFAULT_GMAIL_COST = 5
MAX_BATCH_PARTS = 100
# Methods the gmail.metadata scope limits (no ``q``; no format=full or raw), whatever other
# scopes the token also holds.
_QUERY_METHODS = frozenset({"messages.list", "threads.list", "drafts.list"})
_FORMAT_METHODS = frozenset({"messages.get", "threads.get", "drafts.get"})


class _Drop:
    """Close the connection without answering."""


DROP = _Drop()


@dataclass
class Fault:
    """One injected fault; see :meth:`FakeGoogle.inject`."""

    status: int | None = None
    retry_after: float | None = None
    reason: str | None = None
    message: str | None = None
    drop: bool = False
    lose_response: bool = False
    latency: float = 0.0
    path_pattern: str | None = None
    method: str | None = None
    times: int | None = None
    probability: float | None = None
    seed: int | None = None
    wire_only: bool = False
    retry_after_header: bool = False
    concurrent: bool = False
    parts_only: bool = False
    hits: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _regex: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._regex = re.compile(self.path_pattern) if self.path_pattern else None

    @property
    def acts(self) -> bool:
        """True if it changes the answer (not only slows it)."""
        return self.status is not None or self.drop or self.lose_response

    def matches(self, request: Request) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.parts_only and not request.in_batch:
            return False
        if self.method and self.method.upper() != request.method:
            return False
        return not (self._regex and not self._regex.search(request.path))

    def fire(self) -> bool:
        """Roll the dice (if probabilistic) and count a hit."""
        if self.probability is not None and self._rng.random() >= self.probability:
            return False
        self.hits += 1
        return True

    def error(self) -> Response:
        """Google's error for this fault. Rate limits come in Gmail's own shapes: a 429 with
        the retry time only in its message (or "Too many concurrent requests for user"), a
        403 ``userRateLimitExceeded``/``rateLimitExceeded``; a Retry-After header only with
        ``retry_after_header``. Other statuses carry Retry-After when ``retry_after`` is set."""
        assert self.status is not None
        seconds = self.retry_after
        header = (
            [("Retry-After", str(max(0, round(seconds))))]
            if seconds is not None and self.retry_after_header
            else []
        )
        shaped = self.message is None and self.reason in (None, "rateLimitExceeded")
        if self.status == 429 and shaped:
            if self.concurrent:
                error = concurrent_requests_error()
                error.headers = header
                return error.response()
            wait = 1.0 if seconds is None else seconds
            return rate_limit_error(wait, header=self.retry_after_header).response()
        if self.status == 403 and self.message is None and self.reason in RATE_LIMIT_403_MESSAGES:
            return rate_limit_403_error(self.reason, header).response()
        if seconds is not None and not header:
            header = [("Retry-After", str(max(0, round(seconds))))]
        return ApiError(self.status, self.message, self.reason, headers=header).response()


@dataclass(frozen=True)
class Call:
    """One logged request: a wire request or one part of a batch."""

    method: str
    path: str
    status: int  # 0: the connection was closed without an answer
    method_id: str  # "gmail.users.drafts.create", "oauth.token", "batch", "" if unrouted
    in_batch: bool
    at: float
    query: str = ""  # the query string as sent ("format=metadata&metadataHeaders=From&...")

    def param(self, name: str) -> str | None:
        values = parse_qs(self.query).get(name)
        return values[-1] if values else None


class _Quota:
    """A sliding window of units spent by the (single) user."""

    def __init__(self, units_per_window: float, costs: Mapping[str, int], window: float) -> None:
        self.limit = units_per_window
        self.costs = dict(costs)
        self.window = window
        self.spent: deque[tuple[float, int]] = deque()

    def cost(self, route: Route) -> int:
        if route.api != "gmail":
            return 0
        return self.costs.get(route.short_name, DEFAULT_GMAIL_COST)

    def take(self, cost: int, now: float) -> float | None:
        """Spend ``cost`` units, or return the seconds to wait if that would exceed the limit."""
        while self.spent and self.spent[0][0] <= now - self.window:
            self.spent.popleft()
        used = sum(units for _, units in self.spent)
        if used + cost <= self.limit:
            self.spent.append((now, cost))
            return None
        freed = 0
        for stamp, units in self.spent:
            freed += units
            if used - freed + cost <= self.limit:
                return max(0.0, stamp + self.window - now)
        return self.window


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeGoogle) -> None:
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without NODELAY, Nagle's algorithm and
        # the client's delayed ACK add ~40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data.extend(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        body = self._read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(self.command, self.path, headers, body)
        outcome = self.server.fake._handle_wire(request)
        if isinstance(outcome, _Drop):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(outcome.status, outcome.reason)
        for name, value in outcome.headers:
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(outcome.body)))
        self.end_headers()
        if self.command != "HEAD" and outcome.body:
            self.wfile.write(outcome.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeGoogle:
    """A fake Gmail + Calendar + OAuth server on 127.0.0.1 (see the module docstring).

    As strict as Google by default (``REALITY.md`` beside this file gives the sources):

    - the static access token (and every refresh) holds the scopes outreach asks for
      (``outreach.google.auth.SCOPES``), not more; ``token_scopes`` changes that;
    - ``enforce_scopes``: a token's scopes must include one the method allows, and whenever
      the token holds gmail.metadata (even beside a broader scope) Gmail refuses ``q`` and
      format=full/raw on messages, threads and drafts;
    - no body ``snippet`` in message resources unless ``snippets`` (whether a metadata-only
      token gets one is not documented);
    - ``publishing_status="testing"``: refresh tokens expire 7 days after consent, on the
      fake's clock, with ``invalid_grant``; "production" keeps them until revoked;
    - rate limits in Gmail's shapes (see :meth:`inject`, :meth:`quota`, :meth:`concurrency`).

    ``new_id_on_send``: drafts.send (and :meth:`send_draft_as_user`) give the sent message a
    new id, with history messageDeleted (draft) + messageAdded (SENT); False keeps the draft's
    message id and records labelRemoved DRAFT + labelAdded SENT instead.
    ``rewrite_message_id_on_send``: the sent copy gets a Message-ID header of Gmail's own.
    ``strict_threading`` (default): a requested threadId is honoured only if In-Reply-To or
    References name a message of that thread and the Subject matches it (Gmail's documented
    rule: https://developers.google.com/gmail/api/guides/threads); otherwise the message
    starts a new thread. False: the threadId alone suffices (kinder than Gmail).
    """

    def __init__(
        self,
        email: str = "user@example.com",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        access_token: str | None = "fake-access-token",  # noqa: S107
        token_scopes: Iterable[str] | None = None,
        require_auth: bool = True,
        enforce_scopes: bool = True,
        snippets: bool = False,
        publishing_status: str = "testing",
        new_id_on_send: bool = True,
        rewrite_message_id_on_send: bool = False,
        strict_threading: bool = True,
    ) -> None:
        if publishing_status not in ("testing", "production"):
            raise ValueError(f"publishing_status 'testing' or 'production': {publishing_status!r}")
        self.email = email
        self.host = host
        self.port = port
        self.require_auth = require_auth
        self.enforce_scopes = enforce_scopes
        self.clock = Clock()
        self.mailbox = Mailbox(
            email,
            self.clock,
            new_id_on_send=new_id_on_send,
            strict_threading=strict_threading,
            rewrite_message_id_on_send=rewrite_message_id_on_send,
        )
        self.calendars = Calendars(primary_aliases=[email])
        self.api = Api(self.mailbox, self.calendars, snippets=snippets)
        self.router = Router()
        self._lock = threading.RLock()
        self.calendar_events = EventsCalendar(email, self.clock, self._lock)  # events.*
        attach(self.api, self.calendar_events)
        self.calendars.sources.append(busy_source(self.calendar_events))
        self._faults: list[Fault] = []
        self._quota: _Quota | None = None
        self._concurrency: int | None = None
        self._in_flight = 0
        self.units_spent = 0
        self._log: list[Call] = []
        self._wire: list[Call] = []
        self._batches: list[list[str]] = []
        scopes = frozenset(token_scopes) if token_scopes is not None else tool_scopes()
        self.oauth = OAuthServer(self.clock, scopes, testing=publishing_status == "testing")
        if access_token:
            self.oauth.static_tokens[access_token] = scopes
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def default_scopes(self) -> frozenset[str]:
        """What a token holds unless a test says otherwise."""
        return self.oauth.default_scopes

    # ======================================================================= lifecycle

    def start(self) -> FakeGoogle:
        if self._server is not None:
            return self
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fakegoogle:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        with server.connections_lock:
            open_connections = list(server.connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeGoogle:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The root URL ("http://127.0.0.1:PORT/"): use it as ``api_root``."""
        if self._server is None:
            raise RuntimeError("FakeGoogle is not running: call start()")
        return f"http://{self.host}:{self.port}/"

    @property
    def token_uri(self) -> str:
        return f"{self.url}token"

    # ======================================================================= mail controls

    def deliver(
        self,
        message: bytes | EmailMessage,
        thread_id: str | None = None,
        labels: Iterable[str] = ("INBOX", "UNREAD"),
        internal_date: datetime | None = None,
    ) -> str:
        """Deliver an inbound message (a reply, an auto-reply, a bounce); return its id.

        Threaded by Gmail's rules unless ``thread_id`` is given.
        """
        raw = message.as_bytes() if isinstance(message, EmailMessage) else message
        with self._lock:
            when = None if internal_date is None else int(internal_date.timestamp() * 1000)
            return self.mailbox.add_message(raw, labels, thread_id, when).id

    def send_draft_as_user(self, draft_id: str, rewrite_message_id: bool | None = None) -> str:
        """The user presses Send in Gmail: the draft becomes a SENT message; return its id.

        ``rewrite_message_id`` (default: the server's ``rewrite_message_id_on_send``): the
        sent copy gets a Message-ID of Gmail's own, as Gmail's web client might give it."""
        with self._lock:
            return self.mailbox.send_draft(draft_id, rewrite_message_id).id

    def edit_draft_as_user(self, draft_id: str, message: bytes | EmailMessage) -> str:
        """The user edits a draft in Gmail: same draft id, new message id (returned)."""
        raw = message.as_bytes() if isinstance(message, EmailMessage) else message
        with self._lock:
            _, current = self.mailbox.get_draft(draft_id)
            return self.mailbox.update_draft(draft_id, raw, current.thread_id).id

    def delete_draft_as_user(self, draft_id: str) -> None:
        with self._lock:
            self.mailbox.delete_draft(draft_id)

    def drafts(self) -> list[DraftView]:
        """Every draft, oldest first, as copies."""
        with self._lock:
            views = [
                DraftView(d, self.mailbox.messages[m].copy())
                for d, m in self.mailbox.drafts.items()
            ]
        return sorted(views, key=lambda v: (v.message.internal_date, v.message.seq))

    def messages(self, label: str | None = None) -> list[StoredMessage]:
        """Every message (drafts included), or those with ``label``, oldest first, as copies."""
        with self._lock:
            found = [
                m.copy()
                for m in self.mailbox.messages.values()
                if label is None or label in m.label_ids
            ]
        return sorted(found, key=lambda m: (m.internal_date, m.seq))

    def message(self, message_id: str) -> StoredMessage:
        with self._lock:
            found = self.mailbox.messages.get(message_id)
            if found is None:
                raise KeyError(message_id)
            return found.copy()

    def thread(self, thread_id: str) -> list[StoredMessage]:
        with self._lock:
            ids = self.mailbox.threads.get(thread_id, [])
            return [self.mailbox.messages[i].copy() for i in ids]

    @property
    def history_id(self) -> int:
        with self._lock:
            return self.mailbox.history_id

    def expire_history_before(self, history_id: int) -> None:
        """Forget history records older than ``history_id``: older start ids get 404."""
        with self._lock:
            self.mailbox.expire_history_before(history_id)

    def set_now(self, moment: datetime | None) -> None:
        """Freeze the server's clock (internalDate of new messages); None: real time again."""
        with self._lock:
            self.clock.set(moment)

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self.clock.advance(delta)

    def set_busy(self, calendar_id: str, intervals: Iterable[tuple[datetime, datetime]]) -> None:
        """Busy times freeBusy reports for ``calendar_id`` ("primary" is also the account's
        address). Naive datetimes are UTC."""
        with self._lock:
            self.calendars.set_busy(calendar_id, intervals)

    # ======================================================================= auth controls

    def set_access_token(self, token: str | None, scopes: Iterable[str] | None = None) -> None:
        """Replace the static access token the server accepts (None: accept only issued ones);
        it holds ``scopes``, by default the tool's."""
        with self._lock:
            self.oauth.static_tokens = {}
            if token:
                self.oauth.static_tokens[token] = (
                    frozenset(scopes) if scopes is not None else self.oauth.default_scopes
                )

    def expire_tokens(self) -> None:
        """Every access token now gets 401 until the client refreshes."""
        with self._lock:
            self.oauth.expire_access_tokens()

    def grant_refresh_token(
        self,
        token: str,
        scopes: Iterable[str] | None = None,
        issued_at: datetime | None = None,
    ) -> None:
        """The user consented (at ``issued_at``, default now on the fake's clock) to
        ``scopes`` (default: the tool's) and got refresh token ``token``."""
        with self._lock:
            self.oauth.grant(token, scopes, issued_at)

    def revoke_refresh_token(self, token: str | None = None) -> None:
        """Make one refresh token (or, with None, all) fail with 400 invalid_grant."""
        with self._lock:
            if token is None:
                self.oauth.all_revoked = True
            else:
                grant = self.oauth.grants.get(token) or self.oauth.grant(token)
                grant.revoked = True

    def set_refresh_token_scopes(self, token: str, scopes: Iterable[str]) -> None:
        """What the user granted for ``token``: refreshes asking for more get invalid_scope."""
        self.grant_refresh_token(token, scopes)

    def set_consent(self, *, deny: bool = False, withhold: Iterable[str] = ()) -> None:
        """What the user does on the consent screen next: allow everything (the default),
        untick the boxes of ``withhold``, or ``deny`` (Cancel: error=access_denied)."""
        with self._lock:
            self.oauth.consent = Consent(deny=deny, withhold=frozenset(withhold))

    @property
    def client_id(self) -> str:
        return DEFAULT_CLIENT_ID

    def client_secrets(self) -> dict[str, Any]:
        """A Desktop OAuth client file (``client_secret.json``) whose endpoints are this
        server's, as Google Cloud's console would give one."""
        return {
            "installed": {
                "client_id": DEFAULT_CLIENT_ID,
                "project_id": "outreach-fake",
                "auth_uri": f"{self.url}o/oauth2/auth",
                "token_uri": self.token_uri,
                "auth_provider_x509_cert_url": f"{self.url}oauth2/v1/certs",
                "client_secret": DEFAULT_CLIENT_SECRET,
                "redirect_uris": ["http://localhost"],
            }
        }

    def authorized_user_info(
        self,
        refresh_token: str = "fake-refresh-token",  # noqa: S107
        scopes: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """An authorized-user dict (``Credentials.to_json()`` shape) pointing at this server.

        The refresh token is granted now (on the fake's clock) for ``scopes`` (default: the
        tool's), unless it was granted already."""
        with self._lock:
            token = next(iter(self.oauth.static_tokens), None)
            if refresh_token not in self.oauth.grants:
                self.oauth.grant(refresh_token, scopes)
        return {
            "token": token,
            "refresh_token": refresh_token,
            "token_uri": self.token_uri,
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
            "scopes": list(scopes) if scopes is not None else None,
            "universe_domain": "googleapis.com",
            "account": "",
        }

    # ======================================================================= faults and quota

    def inject(
        self,
        status: int | None = None,
        *,
        retry_after: float | None = None,
        reason: str | None = None,
        message: str | None = None,
        drop: bool = False,
        lose_response: bool = False,
        latency: float = 0.0,
        path_pattern: str | None = None,
        method: str | None = None,
        times: int | None = None,
        probability: float | None = None,
        seed: int | None = None,
        wire_only: bool = False,
        retry_after_header: bool = False,
        concurrent: bool = False,
        parts_only: bool = False,
    ) -> Fault:
        """Add a fault for requests whose path matches ``path_pattern`` (re.search; all if None).

        - ``status``: answer with Google's error JSON; ``reason`` sets errors[0].reason.
          Rate limits come as Gmail sends them: 429 is "User-rate limit exceeded.  Retry
          after <UTC time>" (``retry_after`` seconds from now, default 1; the time only in
          the message, a Retry-After header too only with ``retry_after_header``), or with
          ``concurrent`` "Too many concurrent requests for user" (no time at all); 403 with
          reason "userRateLimitExceeded" or "rateLimitExceeded" is Gmail's 403 rate limit.
          Any other status carries Retry-After when ``retry_after`` is given.
        - ``drop``: read the request, then close the connection without answering (nothing
          happens). ``lose_response``: do the work, then close without answering.
        - ``latency``: seconds to sleep before answering (every matching latency adds up).
        - ``times``: how many requests it hits (None: every one until reset_faults);
          ``probability``: hit each matching request with that chance (``seed`` for repeats).
        Batch parts are matched by their own paths too (status and latency only), unless
        ``wire_only``: then only HTTP requests are hit (latency as a network round trip);
        ``parts_only``: only batch parts are hit.
        """
        if not (status or drop or lose_response or latency):
            raise ValueError("inject() needs status, drop, lose_response or latency")
        fault = Fault(
            status,
            retry_after,
            reason,
            message,
            drop,
            lose_response,
            latency,
            path_pattern,
            method,
            times,
            probability,
            seed,
            wire_only,
            retry_after_header,
            concurrent,
            parts_only,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def concurrency(self, limit: int | None) -> None:
        """Enforce a per-user limit of ``limit`` requests in flight (None: off, the default;
        Gmail's is not published). The parts of a batch count as concurrent requests, as
        Gmail runs them in parallel: parts past the limit get 429 "Too many concurrent
        requests for user"."""
        with self._lock:
            self._concurrency = limit

    def reset_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def quota(
        self,
        units_per_second: float | None = 100,
        costs: Mapping[str, int] | None = None,
        *,
        window: float = 1.0,
    ) -> None:
        """Enforce Gmail's per-user rate limit: ``units_per_second`` over a sliding window of
        ``window`` seconds (the limit scales with it). The default is today's limit for new
        Cloud projects, 6,000 units a minute, held to per second (stricter than Gmail's minute:
        no burst of a minute's units in one second); costs by method ("drafts.create": 10,
        ...; see DEFAULT_COSTS; unlisted Gmail methods cost 5). None turns quota off."""
        with self._lock:
            if units_per_second is None:
                self._quota = None
                return
            table = {**DEFAULT_COSTS, **(costs or {})}
            self._quota = _Quota(units_per_second * window, table, window)

    # ======================================================================= request log

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """Wire requests (a batch counts once) as (method, path, status)."""
        with self._lock:
            return [(c.method, c.path, c.status) for c in self._wire]

    @property
    def calls(self) -> list[Call]:
        """API calls: every non-batch request plus every batch part (not the envelope)."""
        with self._lock:
            return list(self._log)

    def count(
        self, path_regex: str = "", *, method: str | None = None, status: int | None = None
    ) -> int:
        """How many API calls (batch parts included) match."""
        pattern = re.compile(path_regex)
        return sum(
            1
            for c in self.calls
            if pattern.search(c.path)
            and (method is None or c.method == method.upper())
            and (status is None or c.status == status)
        )

    @property
    def status_counts(self) -> Counter[int]:
        """Statuses of API calls (batch parts included); 0 = connection closed, no answer."""
        return Counter(c.status for c in self.calls)

    @property
    def method_counts(self) -> Counter[str]:
        """API calls by discovery method id, e.g. {"gmail.users.drafts.create": 30}."""
        return Counter(c.method_id for c in self.calls)

    @property
    def batches(self) -> list[list[str]]:
        """Each batch request's parts, as method ids, in order."""
        with self._lock:
            return [list(parts) for parts in self._batches]

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()
            self._wire.clear()
            self._batches.clear()
            self.units_spent = 0

    def _record(self, request: Request, status: int, method_id: str, wire: bool, api: bool) -> None:
        call = Call(
            request.method,
            request.path,
            status,
            method_id,
            request.in_batch,
            time.monotonic(),
            urlsplit(request.target).query,
        )
        with self._lock:
            if wire:
                self._wire.append(call)
            if api:
                self._log.append(call)

    # ======================================================================= request handling

    def _faults_for(self, request: Request, wire: bool) -> tuple[float, Fault | None]:
        delay = 0.0
        action: Fault | None = None
        with self._lock:
            for fault in self._faults:
                if not wire and (fault.drop or fault.lose_response or fault.wire_only):
                    continue
                if not fault.matches(request):
                    continue
                if fault.acts and action is not None:
                    continue
                if not fault.fire():
                    continue
                delay += fault.latency
                if fault.acts:
                    action = fault
        return delay, action

    def _handle_wire(self, request: Request) -> Response | _Drop:
        delay, fault = self._faults_for(request, wire=True)
        if delay:
            time.sleep(delay)
        path = request.path
        is_batch = path == "/batch" or path.startswith("/batch/")
        if fault is not None and (fault.drop or fault.status is not None):
            outcome: Response | _Drop = DROP if fault.drop else fault.error()
            status = outcome.status if isinstance(outcome, Response) else 0
            self._record(request, status, self._method_id(request, is_batch), True, not is_batch)
            return outcome
        method_id = ""
        oauth_path = _OAUTH_PATHS.get(path)
        with self._lock:
            self._in_flight += 1
        try:
            if oauth_path is not None:
                method_id = f"oauth.{oauth_path}"
                with self._lock:
                    response = self._oauth(request, oauth_path)
            elif is_batch:
                method_id = "batch"
                response = self._batch(request)
            else:
                response, method_id = self._api_call(request)
        except ApiError as error:
            response = error.response()
        except Exception:  # a bug in the fake: say so loudly, answer 500
            traceback.print_exc(file=sys.stderr)
            response = ApiError(
                500, "fake server error: " + traceback.format_exc(limit=3)
            ).response()
        finally:
            with self._lock:
                self._in_flight -= 1
        lost = fault is not None and fault.lose_response
        self._record(request, 0 if lost else response.status, method_id, True, not is_batch)
        return DROP if lost else response

    def _method_id(self, request: Request, is_batch: bool) -> str:
        if is_batch:
            return "batch"
        if request.path in _OAUTH_PATHS:
            return f"oauth.{_OAUTH_PATHS[request.path]}"
        try:
            return self.router.match(request.method, request.path)[0].method_id
        except ApiError:
            return ""

    def _api_call(self, request: Request, concurrent: int = 0) -> tuple[Response, str]:
        """One API request (a wire request or a batch part): auth, route, quota, handler.

        ``concurrent``: how many other requests run beside it (the earlier parts of its batch)."""
        method_id = ""
        try:
            route_error: ApiError | None = None
            try:
                route, params = self.router.match(request.method, request.path)
                method_id = route.method_id
            except ApiError as error:
                route_error = error
            if request.in_batch:
                delay, fault = self._faults_for(request, wire=False)
                if delay:
                    time.sleep(delay)
                if fault is not None and fault.status is not None:
                    return fault.error(), method_id
            scopes = self._authenticate(request)
            upload_id = request.param("upload_id")
            if upload_id and request.path.startswith("/upload/"):
                with self._lock:
                    session = self.api.sessions.get(upload_id)
                    method_id = session.route.method_id if session else method_id
                    return self.api.resume(request), method_id
            if route_error is not None:
                raise route_error
            self._authorize(route, request, scopes)
            self._check_concurrency(route, concurrent)
            self._charge(route)
            with self._lock:
                return self.api.handle(route, params, request, self.url), method_id
        except ApiError as error:
            return error.response(), method_id
        except Exception:
            traceback.print_exc(file=sys.stderr)
            message = "fake server error: " + traceback.format_exc(limit=3)
            return ApiError(500, message).response(), method_id

    def _authenticate(self, request: Request) -> frozenset[str]:
        if not self.require_auth:
            return ALL_SCOPES
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        token = token or (request.param("access_token") or "")
        with self._lock:
            scopes = self.oauth.scopes_of(token) if token else None
        if scopes is None:
            raise ApiError(
                401,
                headers=[
                    (
                        "WWW-Authenticate",
                        'Bearer realm="https://accounts.google.com/", error="invalid_token"',
                    )
                ],
            )
        return scopes

    def _authorize(self, route: Route, request: Request, scopes: frozenset[str]) -> None:
        if not self.enforce_scopes or not route.scopes:
            return
        if not scopes & route.scopes:
            raise ApiError(
                403,
                "Request had insufficient authentication scopes.",
                "insufficientPermissions",
                extra={
                    "details": [
                        {
                            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                            "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                            "domain": "googleapis.com",
                            "metadata": {
                                "method": route.method_id,
                                "service": f"{route.api}.googleapis.com",
                            },
                        }
                    ]
                },
            )
        if METADATA_SCOPE not in scopes or route.api != "gmail":
            return
        # Held at all, gmail.metadata limits the token, whatever broader scope it also holds.
        name = route.short_name
        if name in _FORMAT_METHODS:
            fmt = (request.param("format") or "full").lower()
            if fmt in ("full", "raw"):
                raise ApiError(
                    403, f"Metadata scope doesn't allow format {fmt.upper()}", "forbidden"
                )
        if name in _QUERY_METHODS and request.param("q") is not None:
            raise ApiError(403, "Metadata scope does not support 'q' parameter", "forbidden")

    def _check_concurrency(self, route: Route, concurrent: int) -> None:
        if route.api != "gmail":
            return
        with self._lock:
            limit, in_flight = self._concurrency, self._in_flight
        if limit is not None and in_flight + concurrent > limit:
            raise concurrent_requests_error()

    def _charge(self, route: Route) -> None:
        with self._lock:
            if self._quota is None:
                return
            cost = self._quota.cost(route)
            if not cost:
                return
            wait = self._quota.take(cost, time.monotonic())
            if wait is None:
                self.units_spent += cost
                return
        raise rate_limit_error(wait)

    # ----------------------------------------------------------------------- batch

    def _batch(self, request: Request) -> Response:
        if request.method != "POST":
            raise ApiError(405, "Batch requests must be POST", "badRequest")
        boundary = boundary_of(request.content_type)
        if not request.content_type.lower().startswith("multipart/mixed") or not boundary:
            raise ApiError(400, "Batch requests must be multipart/mixed with a boundary.")
        parts = split_multipart(request.body, boundary)
        if not parts:
            raise ApiError(400, "A batch request must have at least one part.")
        if len(parts) > MAX_BATCH_PARTS:
            raise ApiError(
                400,
                f"A batch request cannot contain more than {MAX_BATCH_PARTS} calls.",
                "batchSizeTooLarge",
            )
        outer_headers = {
            k: v
            for k, v in request.headers.items()
            if k not in ("content-type", "content-length", "content-transfer-encoding")
        }
        out_boundary = f"batch_{random.getrandbits(64):016x}"
        chunks: list[bytes] = []
        methods: list[str] = []
        with self._lock:
            self._batches.append(methods)
        for index, (part_headers, content) in enumerate(parts, start=1):
            content_id = part_headers.get("content-id", "").strip()
            response_id = (
                f"<response-{content_id[1:-1]}>"
                if content_id.startswith("<") and content_id.endswith(">")
                else f"<response-{content_id or index}>"
            )
            try:
                inner = parse_http_request(content)
                inner.headers = {**outer_headers, **inner.headers}
                response, method_id = self._api_call(inner, concurrent=index - 1)
            except ApiError as error:
                inner = Request("POST", "/batch/part", {}, b"", in_batch=True)
                response, method_id = error.response(), ""
            self._record(inner, response.status, method_id, False, True)
            methods.append(method_id)
            chunks.append(
                f"--{out_boundary}\r\nContent-Type: application/http\r\n"
                f"Content-ID: {response_id}\r\n\r\n".encode()
                + http_response_bytes(response)
                + b"\r\n"
            )
        chunks.append(f"--{out_boundary}--\r\n".encode())
        return Response(
            200, b"".join(chunks), [("Content-Type", f"multipart/mixed; boundary={out_boundary}")]
        )

    # ----------------------------------------------------------------------- oauth

    def _oauth(self, request: Request, endpoint: str) -> Response:
        if endpoint == "auth":
            return self.oauth.authorize(request)
        if endpoint == "revoke":
            return self.oauth.revoke(request)
        return self.oauth.token(request)


_OAUTH_PATHS = {"/token": "token", "/revoke": "revoke", "/o/oauth2/auth": "auth"}
