"""Helpers for the web app's tests: the app in-process behind its gate (Starlette's
TestClient, for routes and the security rules), and the app served for real on 127.0.0.1 in
a thread (uvicorn, for the browser tests)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.testclient import TestClient

from outreach.config import Workspace
from outreach.web.app import create_app
from outreach.web.security import Secrets
from outreach.web.server import bind, make_server

PORT = 8765  # what the in-process client calls its server (nothing listens there)
CSRF_FIELD = 'name="csrf" value="'


def client(
    home: Path, *, signed_in: bool = True, raise_server_exceptions: bool = True
) -> tuple[TestClient, Secrets]:
    """A client of the app on ``home``, as the browser that opened the printed address."""
    secrets_ = Secrets(port=PORT)
    test_client = TestClient(
        create_app(Workspace(home), secrets_),
        base_url=f"http://127.0.0.1:{PORT}",
        raise_server_exceptions=raise_server_exceptions,
    )
    if signed_in:
        first = test_client.get(f"/?token={secrets_.token}", follow_redirects=False)
        assert first.status_code == 303, first.text
    return test_client, secrets_


def csrf_of(page_html: str) -> str:
    start = page_html.index(CSRF_FIELD) + len(CSRF_FIELD)
    return page_html[start : page_html.index('"', start)]


@contextmanager
def served(home: Path) -> Iterator[tuple[str, uvicorn.Server]]:
    """The app listening on a free loopback port; yields the printed address."""
    sock = bind(0)
    server, secrets_ = make_server(Workspace(home), sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.01)
    try:
        yield secrets_.url, server
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
