"""The fake Microsoft identity platform (v2.0 endpoints) that msal talks to.

- ``GET /{tenant}/v2.0/.well-known/openid-configuration``: where the endpoints are (msal reads
  it when instance discovery is off);
- ``GET /{tenant}/oauth2/v2.0/authorize``: the user's browser; it signs in and consents at
  once and redirects to the app's redirect URI with a code (PKCE S256 required);
- ``POST /{tenant}/oauth2/v2.0/devicecode`` and the token endpoint's device-code grant;
- ``POST /{tenant}/oauth2/v2.0/token``: authorization_code (with code_verifier), device_code,
  refresh_token grants. Errors are OAuth JSON with AADSTS codes.

Only registered public clients are served; the scopes granted are those asked for that the
app registration lists (plus openid, profile, offline_access); access tokens carry them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

DEFAULT_CLIENT_ID = "8b2f6a4e-1c3d-4e5f-9a0b-fakeclient01"
TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"  # the personal-accounts tenant's id
OIDC_SCOPES = frozenset({"openid", "profile", "offline_access"})
GRAPH_PERMISSIONS = frozenset(
    {
        "Mail.Read", "Mail.ReadBasic", "Mail.ReadWrite", "Mail.Send", "Calendars.Read",
        "Calendars.ReadBasic", "Calendars.ReadWrite", "User.Read",
    }
)
GRAPH_RESOURCE = "https://graph.microsoft.com/"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def short_scope(scope: str) -> str:
    return scope[len(GRAPH_RESOURCE):] if scope.startswith(GRAPH_RESOURCE) else scope


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {
            "error": error,
            "error_description": description,
            "error_codes": [int(description[6:11])] if description.startswith("AADSTS") else [],
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
            "trace_id": secrets.token_hex(8),
            "correlation_id": secrets.token_hex(8),
        }


@dataclass
class App:
    client_id: str
    permissions: frozenset[str]  # the delegated permissions the registration lists
    redirect_uris: tuple[str, ...] = ("http://localhost",)


@dataclass
class Grant:
    scopes: frozenset[str]
    client_id: str
    nonce: str = ""
    challenge: str = ""
    redirect_uri: str = ""


@dataclass
class Identity:
    """Apps, the signed-in user, codes and tokens."""

    user: str
    name: str = "Sam Rivera"
    apps: dict[str, App] = field(default_factory=dict)
    codes: dict[str, Grant] = field(default_factory=dict)
    device_codes: dict[str, tuple[Grant, int]] = field(default_factory=dict)  # pending polls
    access: dict[str, tuple[frozenset[str], float]] = field(default_factory=dict)
    refresh: dict[str, Grant] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)  # refresh tokens of revoked sessions
    blocked: bool = False  # an organisation that blocks user consent to third-party apps
    pending_polls: int = 0  # device-code polls answered authorization_pending first
    token_requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, client_id: str, permissions: frozenset[str] | None = None) -> None:
        self.apps[client_id] = App(
            client_id, permissions or frozenset({"Mail.ReadWrite", "Mail.Send",
                                                 "Calendars.ReadWrite"})
        )

    # -- discovery ----------------------------------------------------------------------

    def openid_configuration(self, base: str, tenant: str) -> dict[str, Any]:
        root = f"{base}/{tenant}"
        return {
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
            "issuer": f"{base}/{{tenantid}}/v2.0",
            "jwks_uri": f"{root}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "code id_token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "none"],
            "code_challenge_methods_supported": ["S256", "plain"],
            "tenant_region_scope": None,
        }

    # -- grants -------------------------------------------------------------------------

    def _app(self, client_id: str) -> App:
        app = self.apps.get(client_id)
        if app is None:
            raise OAuthError(
                400,
                "unauthorized_client",
                f"AADSTS700016: Application with identifier '{client_id}' was not found in "
                "the directory.",
            )
        return app

    def _scopes(self, app: App, requested: str) -> frozenset[str]:
        asked = {short_scope(s) for s in requested.split()}
        unknown = asked - GRAPH_PERMISSIONS - OIDC_SCOPES
        if unknown:
            raise OAuthError(
                400,
                "invalid_scope",
                f"AADSTS70011: The provided value for the input parameter 'scope' is not "
                f"valid. The scope '{' '.join(sorted(unknown))}' does not exist.",
            )
        if self.blocked:
            raise OAuthError(
                400,
                "invalid_grant",
                "AADSTS65001: The user or administrator has not consented to use the "
                f"application with ID '{app.client_id}'. Send an interactive authorization "
                "request for this user and resource.",
            )
        return frozenset(s for s in asked if s in app.permissions or s in OIDC_SCOPES)

    def authorize(self, query: dict[str, str]) -> tuple[str, dict[str, str]]:
        """The browser's visit: where the answer goes and what it says (a code, or an
        error), for the server to send as a redirect or an auto-posting form."""
        app = self._app(query.get("client_id", ""))
        redirect = query.get("redirect_uri", "")
        if not any(redirect.startswith(uri) for uri in app.redirect_uris):
            raise OAuthError(
                400,
                "invalid_request",
                f"AADSTS50011: The redirect URI '{redirect}' specified in the request does "
                "not match the redirect URIs configured for the application.",
            )
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            raise OAuthError(
                400, "invalid_request", "AADSTS9002325: Proof Key for Code Exchange is "
                "required for cross-origin authorization code redemption."
            )
        state = query.get("state", "")
        try:
            scopes = self._scopes(app, query.get("scope", ""))
        except OAuthError as exc:
            return redirect, {
                "error": exc.body["error"],
                "error_description": exc.body["error_description"],
                "state": state,
            }
        code = secrets.token_urlsafe(24)
        self.codes[code] = Grant(
            scopes, app.client_id, query.get("nonce", ""), query["code_challenge"], redirect
        )
        return redirect, {"code": code, "state": state}

    def device_code(self, form: dict[str, str], base: str) -> dict[str, Any]:
        app = self._app(form.get("client_id", ""))
        scopes = self._scopes(app, form.get("scope", ""))
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.device_codes[code] = (Grant(scopes, app.client_id), self.pending_polls)
        user_code = secrets.token_hex(4).upper()
        return {
            "user_code": user_code,
            "device_code": code,
            "verification_uri": f"{base}/devicelogin",
            "expires_in": 900,
            "interval": 1,
            "message": f"To sign in, use a web browser to open the page {base}/devicelogin "
            f"and enter the code {user_code} to authenticate.",
        }

    def token(self, form: dict[str, str], base: str, tenant: str) -> dict[str, Any]:
        with self.lock:
            self.token_requests += 1
        app = self._app(form.get("client_id", ""))
        if form.get("client_secret"):
            raise OAuthError(
                401, "invalid_client", "AADSTS700025: Client is public so neither "
                "'client_assertion' nor 'client_secret' should be presented."
            )
        grant_type = form.get("grant_type", "")
        if grant_type == "authorization_code":
            grant = self.codes.pop(form.get("code", ""), None)
            if grant is None or grant.client_id != app.client_id:
                raise OAuthError(400, "invalid_grant", "AADSTS70008: The provided "
                                 "authorization code or refresh token has expired or was "
                                 "already redeemed.")
            verifier = form.get("code_verifier", "")
            if b64url(hashlib.sha256(verifier.encode()).digest()) != grant.challenge:
                raise OAuthError(400, "invalid_grant", "AADSTS501481: The Code_Verifier "
                                 "does not match the code_challenge supplied in the "
                                 "authorization request.")
            if form.get("redirect_uri") != grant.redirect_uri:
                raise OAuthError(400, "invalid_grant", "AADSTS50148: The redirect_uri does "
                                 "not match the one of the authorization request.")
        elif grant_type in ("device_code", "urn:ietf:params:oauth:grant-type:device_code"):
            code = form.get("device_code", "")
            with self.lock:
                found = self.device_codes.get(code)
                if found is None:
                    raise OAuthError(400, "expired_token", "AADSTS70019: Verification code "
                                     "expired.")
                grant, pending = found
                if pending > 0:
                    self.device_codes[code] = (grant, pending - 1)
                    raise OAuthError(400, "authorization_pending", "AADSTS70016: OAuth 2.0 "
                                     "device flow error. Authorization is pending.")
                del self.device_codes[code]
        elif grant_type == "refresh_token":
            if form.get("refresh_token", "") in self.revoked:
                raise OAuthError(400, "invalid_grant", "AADSTS50173: The provided grant has "
                                 "expired due to it being revoked, a fresh auth token is "
                                 "needed. The user might have changed or reset their password.")
            grant = self.refresh.get(form.get("refresh_token", ""))
            if grant is None or grant.client_id != app.client_id:
                raise OAuthError(400, "invalid_grant", "AADSTS700082: The refresh token has "
                                 "expired due to inactivity.")
            asked = {short_scope(s) for s in form.get("scope", "").split()} - OIDC_SCOPES
            if not asked <= grant.scopes:
                raise OAuthError(400, "invalid_grant", "AADSTS65001: The user or "
                                 "administrator has not consented to use the application "
                                 "for these scopes.")
        else:
            raise OAuthError(400, "unsupported_grant_type", "AADSTS70003: The app requested "
                             f"an unsupported grant type '{grant_type}'.")
        return self._issue(grant, base)

    def _issue(self, grant: Grant, base: str) -> dict[str, Any]:
        access = "EwB" + secrets.token_urlsafe(32)
        refresh = "M.C1" + secrets.token_urlsafe(32)
        with self.lock:
            self.access[access] = (grant.scopes, time.time() + 3600)
            self.refresh[refresh] = grant
        oid = "00000000-0000-0000-6f3c-" + hashlib.sha256(self.user.encode()).hexdigest()[:12]
        now = int(time.time())
        claims = {
            "aud": grant.client_id,
            "iss": f"{base}/{TENANT_ID}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "name": self.name,
            "oid": oid,
            "preferred_username": self.user,
            "sub": secrets.token_hex(8),
            "tid": TENANT_ID,
            "ver": "2.0",
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        id_token = ".".join(
            [
                b64url(json.dumps({"typ": "JWT", "alg": "RS256", "kid": "fake"}).encode()),
                b64url(json.dumps(claims).encode()),
                b64url(b"not-a-real-signature"),
            ]
        )
        granted = sorted(grant.scopes - {"openid", "profile"})
        return {
            "token_type": "Bearer",
            "scope": " ".join(granted),
            "expires_in": 3600,
            "ext_expires_in": 3600,
            "access_token": access,
            "refresh_token": refresh,
            "id_token": id_token,
            "client_info": b64url(json.dumps({"uid": oid, "utid": TENANT_ID}).encode()),
        }

    def scopes_of(self, access_token: str) -> frozenset[str] | None:
        """The token's scopes; None when unknown or expired."""
        with self.lock:
            found = self.access.get(access_token)
        if found is None or found[1] < time.time():
            return None
        return found[0]

    def revoke_sign_in(self) -> None:
        """The user revokes every session (a password change, or "Sign out everywhere"):
        every refresh token is refused from now on, and the access tokens are dead."""
        with self.lock:
            self.revoked.update(self.refresh)
            self.refresh.clear()
            self.access = {k: (s, 0.0) for k, (s, _) in self.access.items()}

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access = {k: (s, 0.0) for k, (s, _) in self.access.items()}
