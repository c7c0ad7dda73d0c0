"""Build Gmail v1 and Calendar v3 services from the client library's bundled discovery documents.

No network is needed to build a service. When ``api_root`` is set (``google.api_root`` in
config.toml, e.g. ``http://127.0.0.1:8765/``), every call goes there: ordinary requests,
media uploads (``{root}upload/gmail/v1/...``), batches (``{root}batch``) and, through
:func:`token_uri`, the OAuth token endpoint. That is done by rewriting the discovery document's
``rootUrl`` before :func:`googleapiclient.discovery.build_from_document`;
``client_options.api_endpoint`` alone would miss the batch and upload URLs.

Only commands that talk to Google import this module: it imports googleapiclient, which is slow
to import, so the CLI must not import it at start-up.
"""

from __future__ import annotations

import http.client
import json
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import google_auth_httplib2  # type: ignore[import-untyped]
import httplib2
from googleapiclient import discovery, discovery_cache

if TYPE_CHECKING:
    import google.auth.credentials
    from googleapiclient.discovery import Resource

Api = Literal["gmail", "calendar"]

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 (a URL, not a secret)
DEFAULT_TIMEOUT = 30.0

_VERSIONS: dict[str, str] = {"gmail": "v1", "calendar": "v3"}


def normalize_api_root(api_root: str) -> str:
    """Return ``api_root`` ending in one "/", or "" for the real Google endpoints.

    Raises ValueError if it is not an absolute http(s) URL.
    """
    root = api_root.strip()
    if not root:
        return ""
    parts = urlsplit(root)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"api_root must be an http(s) URL such as http://127.0.0.1:8765/, not {api_root!r}"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"api_root must not have a query or fragment: {api_root!r}")
    return root.rstrip("/") + "/"


def token_uri(api_root: str = "") -> str:
    """The OAuth 2.0 token endpoint: Google's, or ``{api_root}token`` when overridden."""
    root = normalize_api_root(api_root)
    return f"{root}token" if root else GOOGLE_TOKEN_URI


@cache
def _bundled_document(api: str) -> dict[str, Any]:
    """The parsed discovery document shipped inside google-api-python-client."""
    version = _VERSIONS.get(api)
    if version is None:
        raise ValueError(f"unknown Google API {api!r}; expected one of {sorted(_VERSIONS)}")
    text = discovery_cache.get_static_doc(api, version)
    if text is None:
        raise RuntimeError(
            f"google-api-python-client has no bundled discovery document for {api} {version}"
        )
    document: dict[str, Any] = json.loads(text)
    return document


@lru_cache(maxsize=16)
def _document_text(api: str, root: str) -> str:
    """The discovery document as JSON text, roots rewritten; parsing text beats deep-copying."""
    document = dict(_bundled_document(api))
    if root:
        document["rootUrl"] = root
        if "mtlsRootUrl" in document:
            document["mtlsRootUrl"] = root
        if "baseUrl" in document:
            document["baseUrl"] = root + document.get("servicePath", "")
    return json.dumps(document)


def discovery_document(api: Api, api_root: str = "") -> dict[str, Any]:
    """A fresh copy of the discovery document for ``api``, every root URL pointed at
    ``api_root`` when it is set. ``servicePath`` and ``batchPath`` stay relative.

    A fresh copy each time: building a service mutates the document it is given.
    """
    document: dict[str, Any] = json.loads(_document_text(api, normalize_api_root(api_root)))
    return document


# -- a transport that never re-sends a write on its own --------------------------------------

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _no_blind_resend(connection_class: type[Any]) -> type[Any]:
    """A connection class whose "closed before any response" is a connection error for writes.

    httplib2 treats a connection closed before the status line as a stale keep-alive and sends
    the request again, whatever ``httplib2.RETRIES`` says. For a POST whose answer was lost
    after the server did the work, that makes a second draft. Raised as ConnectionResetError
    instead, the outcome stays "unknown", which our Gmail layer resolves safely (drafts are
    looked up by Message-ID before a retry; a re-sent drafts.send finds the draft gone).
    """

    class Connection(connection_class):  # type: ignore[misc]
        def getresponse(self) -> Any:
            try:
                return super().getresponse()
            except http.client.BadStatusLine as exc:  # includes RemoteDisconnected
                method = getattr(self, "_method", "GET")
                if method in IDEMPOTENT_METHODS:
                    raise
                raise ConnectionResetError(
                    f"connection closed before a response to {method}: {exc}"
                ) from exc

    Connection.__name__ = f"NoResend{connection_class.__name__}"
    return Connection


_CONNECTIONS = {
    "http": _no_blind_resend(httplib2.HTTPConnectionWithTimeout),
    "https": _no_blind_resend(httplib2.HTTPSConnectionWithTimeout),
}


class NoResendHttp(httplib2.Http):  # type: ignore[misc]
    """httplib2.Http that never silently repeats a POST, PUT, PATCH or DELETE."""

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        redirections: int = httplib2.DEFAULT_MAX_REDIRECTS,
        connection_type: Any = None,
    ) -> Any:
        if connection_type is None:
            connection_type = _CONNECTIONS.get(urlsplit(uri).scheme)
        return super().request(uri, method, body, headers, redirections, connection_type)


def authorized_http(
    credentials: google.auth.credentials.Credentials | None,
    http: httplib2.Http | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> httplib2.Http | google_auth_httplib2.AuthorizedHttp:
    """An httplib2 transport, wrapped to add (and refresh) the credentials' bearer token.

    A token refresh goes through the same transport to the credentials' ``token_uri``.
    """
    transport = http if http is not None else NoResendHttp(timeout=timeout)
    # A resumable upload answers 308 "Resume Incomplete" between chunks: not a redirect (as
    # googleapiclient's own build_http also arranges).
    transport.redirect_codes = transport.redirect_codes - {308}
    if credentials is None:
        return transport
    return google_auth_httplib2.AuthorizedHttp(credentials, http=transport)


def build_service(
    api: Api,
    credentials: google.auth.credentials.Credentials | None,
    api_root: str = "",
    http: httplib2.Http | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Resource:
    """Build a Gmail v1 or Calendar v3 service without touching the network.

    ``api_root`` (e.g. ``http://127.0.0.1:8765/``) sends every request, upload and batch there;
    "" means Google. ``http`` is an optional plain transport (it is wrapped with the
    credentials); otherwise one is made with ``timeout`` seconds. A service holds one
    connection pool: use it from one thread at a time.
    """
    document = discovery_document(api, api_root)
    transport = authorized_http(credentials, http=http, timeout=timeout)
    service: Resource = discovery.build_from_document(document, http=transport)
    return service
