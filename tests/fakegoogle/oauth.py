"""Google's OAuth 2.0 side of the fake: the consent page, the token endpoint, revocation.

Strict where Google is (sources in ``REALITY.md``):

- clients are known by id and secret; anything else is ``invalid_client`` (HTTP 401);
- the consent page (``GET /o/oauth2/auth``) redirects to a loopback ``redirect_uri`` with a
  one-time ``code`` and the scopes the user granted (all asked for, unless a test makes the
  user untick some or deny); the code is exchanged once, with the same redirect_uri and the
  PKCE verifier;
- a refresh token grants at most what the user consented to (``invalid_scope`` beyond it);
  revoked, unknown, or older than 7 days while the app is in Testing mode, it is
  ``invalid_grant`` with Google's JSON (HTTP 400);
- access tokens from the token endpoint expire after an hour on the fake's clock; a static
  token set by the test (``FakeGoogle.set_access_token``) lives until ``expire_tokens``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

from tests.fakegoogle.state import Clock
from tests.fakegoogle.wire import Request, Response, json_response

ACCESS_TOKEN_SECONDS = 3599
TESTING_REFRESH_LIFETIME = timedelta(days=7)
DEFAULT_CLIENT_ID = "fake-client-id.apps.googleusercontent.com"
DEFAULT_CLIENT_SECRET = "fake-client-secret"
EXPIRED_OR_REVOKED = "Token has been expired or revoked."


@dataclass
class Grant:
    """What one refresh token stands for: the consented scopes, when, and whether revoked."""

    client_id: str
    scopes: frozenset[str]
    issued_at: datetime
    revoked: bool = False


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    scopes: frozenset[str]
    offline: bool
    challenge: str | None
    challenge_method: str | None


@dataclass
class Consent:
    """What the user does on Google's consent screen (see ``FakeGoogle.set_consent``)."""

    deny: bool = False
    withhold: frozenset[str] = field(default_factory=frozenset)  # boxes the user unticks


def oauth_error(error: str, description: str) -> Response:
    status = 401 if error == "invalid_client" else 400
    return json_response(status, {"error": error, "error_description": description})


class OAuthServer:
    """Tokens and grants; the server holds its lock around every call."""

    def __init__(self, clock: Clock, default_scopes: frozenset[str], *, testing: bool) -> None:
        self.clock = clock
        self.default_scopes = default_scopes
        self.testing = testing  # publishing status "Testing": refresh tokens live 7 days
        self.clients: dict[str, str] = {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET}
        self.static_tokens: dict[str, frozenset[str]] = {}
        self.issued: dict[str, tuple[frozenset[str], datetime]] = {}  # token -> scopes, expiry
        self.grants: dict[str, Grant] = {}
        self.codes: dict[str, _Code] = {}
        self.consent = Consent()
        self._counter = 0
        self.all_revoked = False

    # ------------------------------------------------------------------ tokens and grants

    def scopes_of(self, access_token: str) -> frozenset[str] | None:
        """The scopes an access token carries, or None when it is unknown or expired."""
        if access_token in self.static_tokens:
            return self.static_tokens[access_token]
        found = self.issued.get(access_token)
        if found is None:
            return None
        scopes, expiry = found
        if self.clock.now() >= expiry:
            del self.issued[access_token]
            return None
        return scopes

    def grant(
        self,
        refresh_token: str,
        scopes: Iterable[str] | None = None,
        issued_at: datetime | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
    ) -> Grant:
        """Record that the user consented to ``scopes`` (default: the tool's) for this token."""
        granted = Grant(
            client_id,
            frozenset(scopes) if scopes is not None else self.default_scopes,
            issued_at or self.clock.now(),
        )
        self.grants[refresh_token] = granted
        return granted

    def _next(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter}-{secrets.token_hex(4)}"

    def _access_token(self, scopes: frozenset[str]) -> str:
        token = self._next("ya29.fake-")
        self.issued[token] = (scopes, self.clock.now() + timedelta(seconds=ACCESS_TOKEN_SECONDS))
        return token

    def expire_access_tokens(self) -> None:
        self.static_tokens.clear()
        self.issued.clear()

    def _dead(self, grant: Grant) -> bool:
        if grant.revoked or self.all_revoked:
            return True
        return self.testing and self.clock.now() >= grant.issued_at + TESTING_REFRESH_LIFETIME

    # ------------------------------------------------------------------ endpoints

    def token(self, request: Request) -> Response:
        """POST /token: exchange a code, or refresh."""
        if request.method != "POST":
            return oauth_error("invalid_request", "Invalid request method: use POST.")
        form = _form(request)
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = request.headers.get("authorization", "")
        if basic.lower().startswith("basic "):  # client_secret_basic (RFC 6749 2.3.1)
            decoded = base64.b64decode(basic[6:].strip()).decode("utf-8", "replace")
            name, _, password = decoded.partition(":")
            client_id, secret = unquote_plus(name), unquote_plus(password)
        if not client_id:
            return oauth_error("invalid_request", "Could not determine client ID from request.")
        if self.clients.get(client_id) != secret:
            return oauth_error("invalid_client", "Unauthorized")
        grant_type = form.get("grant_type")
        if grant_type == "refresh_token":
            return self._refresh(form, client_id)
        if grant_type == "authorization_code":
            return self._exchange(form, client_id)
        return oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    def _refresh(self, form: dict[str, str], client_id: str) -> Response:
        refresh = form.get("refresh_token", "")
        if not refresh:
            return oauth_error("invalid_request", "Missing required parameter: refresh_token")
        grant = self.grants.get(refresh)
        if grant is None or grant.client_id != client_id:
            return oauth_error("invalid_grant", "Bad Request")
        if self._dead(grant):
            return oauth_error("invalid_grant", EXPIRED_OR_REVOKED)
        requested = frozenset(form.get("scope", "").split())
        if requested and not requested <= grant.scopes:
            return oauth_error("invalid_scope", "Some requested scopes were invalid.")
        scopes = requested or grant.scopes
        return json_response(
            200,
            {
                "access_token": self._access_token(scopes),
                "expires_in": ACCESS_TOKEN_SECONDS,
                "scope": " ".join(sorted(scopes)),
                "token_type": "Bearer",
            },
        )

    def _exchange(self, form: dict[str, str], client_id: str) -> Response:
        code = self.codes.pop(form.get("code", ""), None)
        if code is None:
            return oauth_error("invalid_grant", "Malformed auth code.")
        if code.client_id != client_id or code.redirect_uri != form.get("redirect_uri"):
            return oauth_error("redirect_uri_mismatch", "Bad Request")
        if code.challenge is not None:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            if code.challenge_method != "S256" or expected != code.challenge:
                return oauth_error("invalid_grant", "Missing code verifier.")
        payload: dict[str, Any] = {
            "access_token": self._access_token(code.scopes),
            "expires_in": ACCESS_TOKEN_SECONDS,
            "scope": " ".join(sorted(code.scopes)),
            "token_type": "Bearer",
        }
        if code.offline:
            refresh = self._next("1//fake-refresh-")
            self.grant(refresh, code.scopes, client_id=client_id)
            payload["refresh_token"] = refresh
        return json_response(200, payload)

    def authorize(self, request: Request) -> Response:
        """GET /o/oauth2/auth: the consent screen, answered as the user would."""
        query = {k: v[-1] for k, v in request.query.items()}
        client_id = query.get("client_id", "")
        if client_id not in self.clients:
            return Response(401, b"Error 401: invalid_client. The OAuth client was not found.")
        redirect = query.get("redirect_uri", "")
        parts = urlsplit(redirect)
        if parts.scheme != "http" or parts.hostname not in ("localhost", "127.0.0.1"):
            return Response(400, b"Error 400: redirect_uri_mismatch")
        if query.get("response_type") != "code":
            return Response(400, b"Error 400: unsupported_response_type")
        asked = frozenset(query.get("scope", "").split())
        if not asked:
            return Response(400, b"Error 400: invalid_request. Missing required parameter: scope")
        state = {"state": query["state"]} if "state" in query else {}
        if self.consent.deny:
            return _redirect(redirect, {**state, "error": "access_denied"})
        granted = asked - self.consent.withhold
        code = self._next("4/fake-code-")
        self.codes[code] = _Code(
            client_id,
            redirect,
            granted,
            query.get("access_type") == "offline",
            query.get("code_challenge"),
            query.get("code_challenge_method"),
        )
        return _redirect(redirect, {**state, "code": code, "scope": " ".join(sorted(granted))})

    def revoke(self, request: Request) -> Response:
        token = _form(request).get("token", "")
        self.issued.pop(token, None)
        self.static_tokens.pop(token, None)
        if token in self.grants:
            self.grants[token].revoked = True
        return json_response(200, {})


def _form(request: Request) -> dict[str, str]:
    form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
    form.update({k: v[-1] for k, v in request.query.items() if k not in form})
    return form


def _redirect(uri: str, params: dict[str, str]) -> Response:
    joiner = "&" if "?" in uri else "?"
    return Response(302, b"", [("Location", f"{uri}{joiner}{urlencode(params)}")])
