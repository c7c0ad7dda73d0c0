"""[schedule] busy also takes the https "secret address" of a calendar's .ics feed: fetched
over verified TLS (here a local HTTPS server with a test CA, trusted through SSL_CERT_FILE),
asked again with If-None-Match so an unchanged calendar is not downloaded twice, and an
unreachable feed is a clear error that never shows the secret part of the address."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.helpers_sync import configure
from tests.tls_ca import CertAuthority

SECRET = "/calendar/ical/sam%40example.edu/private-8f3a9c2e1b/basic.ics"
BUSY_ALL_TUESDAY = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
BEGIN:VEVENT\r
UID:tuesday-1@google.com\r
DTSTAMP:20260301T120000Z\r
DTSTART:20260303T140000Z\r
DTEND:20260303T220000Z\r
SUMMARY:Busy\r
END:VEVENT\r
END:VCALENDAR\r
"""


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FeedHandler)
        self.seen: list[tuple[str, str | None]] = []  # (path, If-None-Match)
        self.etag = '"v1"'


class FeedHandler(BaseHTTPRequestHandler):
    server: FeedServer

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.headers.get("If-None-Match")))
        if self.path != SECRET:
            self.send_response(404)
            self.end_headers()
            return
        if self.headers.get("If-None-Match") == self.server.etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("ETag", self.server.etag)
        self.send_header("Content-Length", str(len(BUSY_ALL_TUESDAY)))
        self.end_headers()
        self.wfile.write(BUSY_ALL_TUESDAY)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def feed(test_ca: CertAuthority, monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    server = FeedServer()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(test_ca.cert_file, test_ca.key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.ca_file))
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def url(server: FeedServer, path: str = SECRET) -> str:
    return f"https://localhost:{server.server_address[1]}{path}"


def slot_days(run: Invoke) -> set[str]:
    now = {"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}
    result = run("slots", "--count", "6", "--json", env=now)
    assert result.exit_code == 0, result.output
    return {slot["start"][:10] for slot in json.loads(result.output)}


def test_busy_times_come_from_the_feed_and_an_unchanged_feed_is_not_downloaded_again(
    workspace: Path, feed: FeedServer, run: Invoke
) -> None:
    configure(workspace, schedule={"busy": [url(feed)]})
    assert "2026-03-03" not in slot_days(run)
    assert feed.seen == [(SECRET, None)]
    assert "2026-03-03" not in slot_days(run)  # from the cached copy, after a 304
    assert feed.seen[1] == (SECRET, '"v1"')
    cached = list((workspace / "cache").glob("feed-*.ics"))
    assert len(cached) == 1 and cached[0].read_bytes() == BUSY_ALL_TUESDAY
    assert cached[0].stat().st_mode & 0o077 == 0


def test_an_unreachable_feed_is_a_clear_error_that_keeps_the_address_secret(
    workspace: Path, feed: FeedServer, run: Invoke
) -> None:
    configure(workspace, schedule={"busy": [url(feed, "/calendar/gone-4b1d.ics")]})
    result = run("slots", "--json")
    assert result.exit_code == 1
    assert "answered HTTP 404" in result.output and "localhost" in result.output
    assert "gone-4b1d" not in result.output
    configure(workspace, schedule={"busy": ["https://127.0.0.1:9/private-77.ics"]})
    result = run("slots", "--json")
    assert result.exit_code == 1
    assert "cannot be reached" in result.output and "private-77" not in result.output


def test_a_feed_is_only_trusted_over_verified_tls(
    workspace: Path, feed: FeedServer, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(workspace, schedule={"busy": [url(feed).replace("https://", "http://")]})
    result = run("slots", "--json")
    assert result.exit_code == 1 and "without TLS" in result.output
    monkeypatch.delenv("SSL_CERT_FILE")
    configure(workspace, schedule={"busy": [url(feed)]})
    result = run("slots", "--json")
    assert result.exit_code == 1 and "cannot be reached" in result.output
    assert "CERTIFICATE_VERIFY_FAILED" in result.output
