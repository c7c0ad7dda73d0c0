"""FakeMicrosoft: the identity platform and Graph v1.0 over HTTPS on 127.0.0.1.

msal and the tool's Graph client talk to it exactly as to Microsoft, so code under test needs
only ``[microsoft] authority`` and ``api_root`` (and REQUESTS_CA_BUNDLE naming the fake's CA).
Tests steer it with methods: deliver mail, send as the user from Outlook, move the clock,
throttle, expire tokens, and read the request log.
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.fakemicrosoft.calendar_routes import Calendar, CalendarRoutes
from tests.fakemicrosoft.deferred import DeferredSend
from tests.fakemicrosoft.identity import DEFAULT_CLIENT_ID, Identity, OAuthError
from tests.fakemicrosoft.mail_routes import MailRoutes
from tests.fakemicrosoft.mailbox import Mailbox
from tests.fakemicrosoft.tls import certificates, server_context
from tests.fakemicrosoft.wire import Answer, Call, GraphFault, throttled

MAX_BATCH = 20
MAX_CONCURRENT = 4
Handler = Callable[..., Answer]


@dataclass(frozen=True)
class Logged:
    method: str
    path: str  # after /v1.0, without the query
    in_batch: bool


class FakeMicrosoft:
    def __init__(self, user: str = "sam@example.edu", client_id: str = DEFAULT_CLIENT_ID):
        self.user = user
        self.client_id = client_id
        self.identity = Identity(user)
        self.identity.register(client_id)
        self.mailbox = Mailbox(user)
        self.calendar = Calendar()
        self._now: datetime | None = None
        self.log: list[Logged] = []
        self.graph_requests = 0  # HTTP requests to Graph (a batch counts once)
        self.identity_requests = 0  # HTTP requests to the sign-in endpoints
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay = 0.0  # seconds each Graph request takes (to see concurrency)
        self._throttle: list[tuple[int, int]] = []  # (status, retry_after) for next requests
        self._throttle_steps: list[tuple[int, int]] = []  # the same, for batch steps
        self._drop_after: set[str] = set()  # "POST /me/messages/" style prefixes
        self._refuse: list[tuple[str, int]] = []  # (method and path prefix, status)
        self.lock = threading.Lock()
        mail = MailRoutes(self.mailbox, self.now, lambda: self.url)
        self._mail = mail
        self.deferred = mail.deferred = DeferredSend(self.mailbox, self.now, mail.go)
        cal = CalendarRoutes(self.calendar, self.mailbox, self.now)
        self.routes: list[tuple[str, re.Pattern[str], frozenset[str], Handler]] = [
            (method, re.compile(f"^{pattern}$"), needs, handler)
            for method, pattern, needs, handler in [
                *mail.routes(), *self.deferred.routes(), *cal.routes()
            ]
        ]
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> FakeMicrosoft:
        fake = self

        class _Handler(_RequestHandler):
            owner = fake

        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.socket = server_context().wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    @property
    def authority(self) -> str:
        return f"{self.url}/common"

    @staticmethod
    def ca_file() -> str:
        return str(certificates()[0])

    # -- steering -----------------------------------------------------------------------

    def now(self) -> datetime:
        return self._now or datetime.now(UTC)

    def set_now(self, moment: datetime) -> None:
        self._now = moment
        self.deferred.release_due()  # Exchange sends held messages whose time has come

    def throttle(self, count: int = 1, retry_after: int = 1, status: int = 429) -> None:
        """The next ``count`` Graph requests answer 429 (or 503) with Retry-After."""
        self._throttle.extend([(status, retry_after)] * count)

    def throttle_steps(self, count: int = 1, retry_after: int = 1) -> None:
        """The next ``count`` steps run inside batches answer 429 with Retry-After."""
        self._throttle_steps.extend([(429, retry_after)] * count)

    def refuse_next(self, method_and_path_prefix: str, status: int = 500) -> None:
        """The next matching request fails with ``status`` (an OData error) and does nothing."""
        self._refuse.append((method_and_path_prefix, status))

    def drop_answer(self, method_and_path_prefix: str) -> None:
        """Carry out the next matching request, then close the connection unanswered."""
        self._drop_after.add(method_and_path_prefix)

    def deliver(self, message: EmailMessage) -> str:
        """Mail arriving in the user's Inbox; its Graph id."""
        return self.mailbox.add("inbox", message.as_bytes(), draft=False, now=self.now()).id

    def sent_by_outlook(self, message: EmailMessage) -> str:
        """The user writes and sends a message in Outlook itself."""
        now = self.now()
        item = self.mailbox.add("sentitems", message.as_bytes(), draft=False, now=now, sent=now)
        self.mailbox.delivered.append(message.as_bytes())
        return item.id

    def send_draft_as_user(self, draft_id: str) -> None:
        """The user presses Send on a draft in Outlook."""
        self._mail.send(Call("POST", f"/me/messages/{draft_id}/send", {}, {}), draft_id)

    def edit_draft_as_user(self, draft_id: str, edited: EmailMessage) -> None:
        """The user changes a draft in Outlook: same id, new content, a new changeKey."""
        self.mailbox.edit(draft_id, edited.as_bytes(), self.now())

    def drafts(self) -> list[EmailMessage]:
        return [i.message for i in self.mailbox.in_folder("drafts")]

    def delivered(self) -> list[bytes]:
        return list(self.mailbox.delivered)

    def requests_since(self, mark: int) -> list[Logged]:
        return self.log[mark:]

    # -- dispatch -----------------------------------------------------------------------

    def _authorise(self, headers: dict[str, str]) -> frozenset[str]:
        value = headers.get("authorization", "")
        if not value.startswith("Bearer ") or not value[7:].strip():
            raise GraphFault(401, "InvalidAuthenticationToken", "Access token is empty.")
        scopes = self.identity.scopes_of(value[7:].strip())
        if scopes is None:
            raise GraphFault(
                401, "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
            )
        return scopes

    def dispatch(self, call: Call) -> Answer:
        self.deferred.release_due()
        with self.lock:
            self.log.append(Logged(call.method, call.path, call.in_batch))
            queue = self._throttle_steps if call.in_batch else self._throttle
            fault = queue.pop(0) if queue else None
        if fault is not None:
            raise throttled(fault[1], fault[0])
        key = f"{call.method} {call.path}"
        with self.lock:
            refusal = next((r for r in self._refuse if key.startswith(r[0])), None)
            if refusal is not None:
                self._refuse.remove(refusal)
        if refusal is not None:
            raise GraphFault(refusal[1], "ErrorInternalServerError" if refusal[1] >= 500
                             else "ErrorInvalidRequest", "Refused by the test.")
        for method, pattern, needs, handler in self.routes:
            match = pattern.match(call.path)
            if match is None:
                continue
            if method != call.method:
                continue
            if not (call.scopes & needs):
                raise GraphFault(
                    403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
                )
            return handler(call, **match.groupdict())
        if any(p.match(call.path) for _, p, _, _ in self.routes):
            raise GraphFault(405, "Request_BadRequest", "Specified HTTP method is not allowed "
                             "for the request target.")
        raise GraphFault(400, "BadRequest", f"Resource not found for the segment "
                         f"'{call.path.rsplit('/', 1)[-1]}'.")

    def batch(self, call: Call) -> Answer:
        data = call.json()
        steps = data.get("requests") if isinstance(data, dict) else None
        if not isinstance(steps, list) or not steps:
            raise GraphFault(400, "BadRequest", "Invalid batch payload format.")
        if len(steps) > MAX_BATCH:
            raise GraphFault(400, "BadRequest", "Number of batch request steps exceeds the "
                             f"maximum of {MAX_BATCH}.")
        ids = [str(s.get("id", "")) for s in steps]
        if "" in ids or len(set(ids)) != len(ids):
            raise GraphFault(400, "BadRequest", "Batch request ids must be unique and "
                             "non-empty.")
        answers = []
        for step in steps:
            answers.append({"id": str(step["id"]), **self._step(step, call.scopes)})
        answers.reverse()  # Graph answers in any order; clients must match by id
        return Answer(200, {"responses": answers})

    def _step(self, step: dict[str, Any], scopes: frozenset[str]) -> dict[str, Any]:
        url = str(step.get("url", ""))
        method = str(step.get("method", "")).upper()
        if not url or not method or url.startswith("http") or url.startswith("/v1.0"):
            fault = GraphFault(400, "BadRequest", "A batch step needs a method and a URL "
                               "relative to the version.")
            return _step_answer(fault.answer())
        headers = {k.lower(): str(v) for k, v in (step.get("headers") or {}).items()}
        body = b""
        if "body" in step:
            kind = headers.get("content-type")
            if not kind:
                return _step_answer(GraphFault(400, "BadRequest", "Content-Type header is "
                                               "required with a body.").answer())
            raw = step["body"]
            body = (
                json.dumps(raw).encode() if kind.startswith("application/json")
                else base64.b64decode(str(raw))
            )
        parts = urlsplit("/" + url.lstrip("/"))
        sub = Call(method, parts.path, dict(parse_qsl(parts.query)), headers, body, True, scopes)
        try:
            answer = self.dispatch(sub)
        except GraphFault as fault:
            answer = fault.answer()
        return _step_answer(answer)


def _authorize_answer(query: dict[str, str], redirect: str, fields: dict[str, str]) -> Answer:
    """A redirect with the answer in the query, or (response_mode=form_post) a page whose
    form posts it to the redirect URI."""
    if query.get("response_mode") == "form_post":
        inputs = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}"/>'
            for k, v in fields.items()
        )
        page = (
            f'<html><body onload="document.forms[0].submit()"><form method="POST" '
            f'action="{html.escape(redirect)}">{inputs}</form></body></html>'
        )
        return Answer(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
    return Answer(302, None, {"Location": f"{redirect}?{urlencode(fields)}"})


def _step_answer(answer: Answer) -> dict[str, Any]:
    out: dict[str, Any] = {"status": answer.status, "headers": dict(answer.headers)}
    if isinstance(answer.body, bytes):
        out["body"] = base64.b64encode(answer.body).decode("ascii")
    elif answer.body is not None:
        out["headers"].setdefault("Content-Type", "application/json")
        out["body"] = answer.body
    return out


class _RequestHandler(BaseHTTPRequestHandler):
    owner: FakeMicrosoft
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, answer: Answer) -> None:
        if isinstance(answer.body, bytes):
            payload = answer.body
            kind = answer.headers.get("Content-Type", "text/plain")
        elif answer.body is None:
            payload, kind = b"", ""
        else:
            payload = json.dumps(answer.body).encode()
            kind = "application/json; odata.metadata=minimal"
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            if name.lower() != "content-type":
                self.send_header(name, value)
        if kind:
            self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body = self._body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            if parts.path.startswith("/v1.0/"):
                self._graph(method, parts.path[5:], query, headers, body)
            else:
                self._identity(method, parts.path, query, body)
        except Exception:  # a bug in the fake: say so loudly
            traceback.print_exc()
            self._send(Answer(500, {"error": {"code": "fakeBug", "message": "see stderr"}}))

    def _identity(self, method: str, path: str, query: dict[str, str], body: bytes) -> None:
        fake = self.owner
        identity = fake.identity
        with fake.lock:
            fake.identity_requests += 1
        match = re.match(r"^/([^/]+)/(.*)$", path)
        if match is None:
            self._send(Answer(404, {"error": "not_found"}))
            return
        tenant, rest = match.groups()
        form = dict(parse_qsl(body.decode("utf-8"))) if body else {}
        try:
            if method == "GET" and rest == "v2.0/.well-known/openid-configuration":
                answer = Answer(200, identity.openid_configuration(fake.url, tenant))
            elif method == "GET" and rest == "oauth2/v2.0/authorize":
                answer = _authorize_answer(query, *identity.authorize(query))
            elif method == "POST" and rest == "oauth2/v2.0/devicecode":
                answer = Answer(200, identity.device_code(form, fake.url))
            elif method == "POST" and rest == "oauth2/v2.0/token":
                answer = Answer(200, identity.token(form, fake.url, tenant))
            else:
                answer = Answer(404, {"error": "not_found", "error_description": rest})
        except OAuthError as exc:
            answer = Answer(exc.status, exc.body)
        self._send(answer)

    def _graph(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> None:
        fake = self.owner
        with fake.lock:
            fake.graph_requests += 1
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
            crowded = fake.in_flight > MAX_CONCURRENT
        drop = False
        try:
            if fake.delay:
                time.sleep(fake.delay)
            scopes = fake._authorise(headers)
            if crowded:
                raise throttled(1)
            call = Call(method, path, query, headers, body, False, scopes)
            key = f"{method} {path}"
            with fake.lock:
                drop = any(key.startswith(p) for p in fake._drop_after)
                fake._drop_after = {p for p in fake._drop_after if not key.startswith(p)}
            if path == "/$batch" and method == "POST":
                with fake.lock:
                    fake.log.append(Logged(method, path, False))
                answer = fake.batch(call)
            else:
                answer = fake.dispatch(call)
        except GraphFault as fault:
            answer = fault.answer()
        finally:
            with fake.lock:
                fake.in_flight -= 1
        if drop:
            self.close_connection = True
            return
        self._send(answer)
