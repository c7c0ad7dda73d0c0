"""The web app's gate, in front of every request (the pattern of Jupyter's server):

- the Host header must be the loopback address served (no DNS rebinding);
- every request carries the token printed at start, or the cookie it is swapped for on the
  first load (else 403); the due calendar alone also opens with its own read-only token
  (:attr:`Secrets.calendar`), which a calendar app subscribing to it keeps in its address;
- a request that may change something (any method but GET/HEAD) comes from our own origin
  (Origin and Sec-Fetch-Site, when the browser sends them) and carries the CSRF token, checked
  by :func:`csrf_ok` before the handler runs (else 403, nothing changed);
- no CORS headers are ever sent; pages forbid framing, caching and referrers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD"})
CALENDAR_PATH = "/due.ics"  # the one page its own read-only token opens
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


@dataclass(frozen=True)
class Secrets:
    """This run's token (printed in the address), and what is derived from it."""

    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def _derive(self, purpose: str) -> str:
        return hmac.new(self.token.encode(), purpose.encode(), hashlib.sha256).hexdigest()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return f"http://{self.host}"

    @property
    def url(self) -> str:
        return f"{self.origin}/?token={self.token}"

    @property
    def cookie_name(self) -> str:
        return f"outreach_ui_{self.port}"  # cookies ignore ports: one name per app

    @property
    def session(self) -> str:
        return self._derive("session")

    @property
    def csrf(self) -> str:
        return self._derive("csrf")

    @property
    def calendar(self) -> str:
        """Opens the due calendar (:data:`CALENDAR_PATH`) alone, read only: what a calendar
        app subscribing to it keeps in its address, in place of the token."""
        return self._derive("calendar")


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def csrf_ok(secrets_: Secrets, form_value: object, header_value: str | None) -> bool:
    """Whether a changing request carries this run's CSRF token (form field or header)."""
    given = form_value if isinstance(form_value, str) else header_value
    return _same(given, secrets_.csrf)


async def _refuse(send: Send, why: str) -> None:
    body = f"Forbidden: {why}\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), *HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _with_headers(send: Send) -> Send:
    """``send`` with our headers added to every response, and any CORS header dropped."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            kept = [
                (k, v)
                for k, v in message.get("headers", [])
                if not k.lower().startswith(b"access-control-")
            ]
            message = {**message, "headers": kept + HEADERS}
        await send(message)

    return send_with_headers


class Gate:
    """ASGI middleware applying the rules above to every HTTP request."""

    def __init__(self, app: ASGIApp, secrets_: Secrets) -> None:
        self.app = app
        self.secrets = secrets_

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if headers.get("host", "").lower() != self.secrets.host:
            await _refuse(send, f"this app answers only at {self.secrets.origin}/.")
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:
            cookie = SimpleCookie()
        morsel = cookie.get(self.secrets.cookie_name)
        signed_in = morsel is not None and _same(morsel.value, self.secrets.session)
        method = scope["method"]
        if not signed_in:
            if (method in SAFE_METHODS and scope["path"] == CALENDAR_PATH
                    and _same(query.get("calendar"), self.secrets.calendar)):
                await self.app(scope, receive, _with_headers(send))
                return
            if method in SAFE_METHODS and _same(query.get("token"), self.secrets.token):
                await self._swap_token_for_cookie(scope, query, send)
                return
            await _refuse(
                send, "open the address `outreach ui` printed (it carries the token)."
            )
            return
        if method not in SAFE_METHODS:
            origin = headers.get("origin")
            if origin is not None and origin != self.secrets.origin:
                await _refuse(send, "a request from another site.")
                return
            if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
                await _refuse(send, "a request from another site.")
                return

        await self.app(scope, receive, _with_headers(send))

    async def _swap_token_for_cookie(self, scope: Scope, query: dict[str, str], send: Send) -> None:
        """The first load: set the cookie, then show the same address without the token."""
        query.pop("token", None)
        target = scope["path"] + (f"?{urlencode(query)}" if query else "")
        cookie = (
            f"{self.secrets.cookie_name}={self.secrets.session}; HttpOnly; SameSite=Strict; Path=/"
        )
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", target.encode()),
                    (b"set-cookie", cookie.encode()),
                    *HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})
