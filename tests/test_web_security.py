"""The web app is safe by construction: it answers only at its loopback address, only to the
browser that opened the printed address (token, then cookie), changes nothing without this
run's CSRF token or from another site, sends no CORS headers, and shares the workspace with
CLI commands through the writer lock, taken only while it writes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from outreach.app import AppContext
from outreach.config import Workspace
from outreach.errors import OutreachError
from outreach.lock import WorkspaceLock
from outreach.web.app import create_app
from outreach.web.security import Secrets
from outreach.web.server import bind
from tests.conftest import Invoke
from tests.web_env import PORT, client, csrf_of

PAGES = ["/", "/pipeline", "/meetings", "/network", "/works", "/import", "/settings",
         "/contact/ada@example.org", "/compose?contact=ada@example.org",
         "/static/htmx.min.js", "/static/style.css"]


@pytest.fixture
def home(workspace: Path, run: Invoke) -> Path:
    result = run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace",
                 "--org", "Analytical Engines")
    assert result.exit_code == 0, result.output
    return workspace


def closed(home: Path) -> bool:
    app = AppContext(workspace=Workspace(home))
    try:
        return app.store.facts()[app.store.contacts.get("ada@example.org").id].closed
    finally:
        app.close()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_and_file_is_403_without_the_token(home: Path, path: str) -> None:
    anonymous, _ = client(home, signed_in=False)
    response = anonymous.get(path)
    assert response.status_code == 403
    assert "Forbidden" in response.text and "Ada" not in response.text
    assert anonymous.get(path + ("&" if "?" in path else "?") + "token=wrong").status_code == 403


def test_the_token_is_swapped_for_a_cookie_on_the_first_load(home: Path) -> None:
    browser, secrets_ = client(home, signed_in=False)
    first = browser.get(f"/pipeline?token={secrets_.token}&tag=x", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/pipeline?tag=x"  # the token leaves the address bar
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"outreach_ui_{PORT}=") and secrets_.token not in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    for path in PAGES:
        assert browser.get(path).status_code == 200, path
    assert "Ada Lovelace" in browser.get("/pipeline").text


@pytest.mark.parametrize(
    "host", ["evil.example", f"evil.example:{PORT}", f"localhost:{PORT}", "127.0.0.1:1",
             f"127.0.0.2:{PORT}", f"[::1]:{PORT}", ""]
)
def test_a_foreign_host_header_is_403_even_with_the_token(home: Path, host: str) -> None:
    """DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends its own Host."""
    browser, secrets_ = client(home)
    assert browser.get("/", headers={"host": host}).status_code == 403
    assert browser.get(f"/?token={secrets_.token}", headers={"host": host}).status_code == 403


def test_a_post_without_or_with_a_bad_csrf_token_is_403_and_changes_nothing(
    home: Path,
) -> None:
    browser, _ = client(home)
    csrf = csrf_of(browser.get("/").text)
    form = {"contact": "ada@example.org", "reason": "no reply", "back": "/"}
    one_off = csrf[:-1] + ("1" if csrf.endswith("0") else "0")
    for bad in ({}, {"csrf": ""}, {"csrf": "x" * 64}, {"csrf": one_off}):
        response = browser.post("/close", data={**form, **bad}, follow_redirects=False)
        assert response.status_code == 403, bad
        assert not closed(home)
    response = browser.post("/close", data={**form, "csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303 and closed(home)


def test_the_csrf_token_belongs_to_this_run(home: Path) -> None:
    """A token from an earlier run of `outreach ui` (or another app) is refused."""
    browser, _ = client(home)
    _, other_run = client(home)
    response = browser.post("/close", data={"contact": "ada@example.org",
                                            "csrf": other_run.csrf})
    assert response.status_code == 403 and not closed(home)


@pytest.mark.parametrize(
    "headers",
    [{"origin": "http://evil.example"}, {"origin": f"http://127.0.0.1:{PORT + 1}"},
     {"origin": "null"}, {"sec-fetch-site": "cross-site"}, {"sec-fetch-site": "same-site"}],
)
def test_a_cross_site_post_is_403_even_with_a_valid_csrf_token(
    home: Path, headers: dict[str, str]
) -> None:
    browser, _ = client(home)
    csrf = csrf_of(browser.get("/").text)
    response = browser.post("/close", data={"contact": "ada@example.org", "csrf": csrf},
                            headers=headers, follow_redirects=False)
    assert response.status_code == 403 and not closed(home)


def test_every_post_route_checks_the_csrf_token_first(home: Path) -> None:
    app = create_app(Workspace(home), Secrets(port=PORT))
    posts = [route for route in app.routes if "POST" in (getattr(route, "methods", None) or ())]
    assert len(posts) >= 10
    for route in posts:
        assert getattr(route.endpoint, "csrf_checked", False), route.path  # type: ignore[attr-defined]
    browser, _ = client(home)
    for route in posts:
        path = route.path.replace("{ref}", "ada@example.org")  # type: ignore[attr-defined]
        assert browser.post(path, data={"contact": "ada@example.org"}).status_code == 403


def test_no_cors_headers_ever(home: Path) -> None:
    browser, _ = client(home)
    evil = {"origin": "http://evil.example", "access-control-request-method": "POST"}
    for response in (browser.get("/", headers=evil), browser.options("/close", headers=evil),
                     browser.get("/static/htmx.min.js", headers=evil)):
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]
    page = browser.get("/")
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"


def test_errors_show_the_cli_message_and_hint_never_a_traceback(home: Path) -> None:
    browser, _ = client(home)
    csrf = csrf_of(browser.get("/").text)
    page = browser.post("/book", data={"contact": "ada@example.org", "slot": "2", "csrf": csrf,
                                       "back": "/"})
    assert page.status_code == 200
    assert "Error:</strong> No times were proposed to Ada Lovelace" in page.text
    assert "Hint:" in page.text and "Traceback" not in page.text
    missing = browser.get("/contact/nobody@example.org")
    assert missing.status_code == 400 and "No contact nobody@example.org" in missing.text
    assert "Traceback" not in missing.text


def test_pages_never_wait_for_a_cli_writer_and_writes_wait_for_it(home: Path) -> None:
    browser, _ = client(home)
    csrf = csrf_of(browser.get("/").text)
    cli_writer = WorkspaceLock(home)
    cli_writer.acquire(command="outreach draft (in a terminal)")
    outcome: list[int] = []
    try:
        for path in PAGES:
            assert browser.get(path).status_code == 200, path  # reads do not wait
        writing = threading.Thread(target=lambda: outcome.append(browser.post(
            "/close", data={"contact": "ada@example.org", "csrf": csrf},
            follow_redirects=False).status_code))
        writing.start()
        writing.join(0.5)
        assert writing.is_alive() and not closed(home)  # waiting for the CLI command
    finally:
        cli_writer.release()
    writing.join(30)
    assert outcome == [303] and closed(home)


def test_cli_commands_work_beside_the_app_and_show_on_the_next_load(
    home: Path, run: Invoke
) -> None:
    browser, _ = client(home)
    assert "Grace Hopper" not in browser.get("/pipeline").text
    result = run("contacts", "add", "grace@example.org", "--name", "Grace Hopper")
    assert result.exit_code == 0, result.output  # the app holds no lock between requests
    assert "Grace Hopper" in browser.get("/pipeline").text
    assert not WorkspaceLock(home).held


def test_it_refuses_any_address_but_loopback() -> None:
    for host in ("0.0.0.0", "192.168.1.2", "localhost", "::1"):  # noqa: S104 - refused
        with pytest.raises(OutreachError, match=r"127\.0\.0\.1 only"):
            bind(0, host)


def test_a_damaged_database_is_named_on_the_page_as_the_cli_names_it(home: Path) -> None:
    browser, _ = client(home, raise_server_exceptions=False)
    (home / "outreach.db").write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (home / f"outreach.db{suffix}").unlink(missing_ok=True)
    page = browser.get("/")
    assert page.status_code in (400, 500)
    assert "Error:</strong>" in page.text and "Hint:" in page.text
    assert "outreach restore" in page.text and "Traceback" not in page.text


def test_a_taken_port_is_a_clear_error() -> None:
    taken = bind(0)
    try:
        with pytest.raises(OutreachError, match=r"Cannot listen on 127\.0\.0\.1:\d+"):
            bind(taken.getsockname()[1])
    finally:
        taken.close()


def test_outreach_ui_prints_the_address_first_opens_the_browser_and_stops_on_ctrl_c(
    home: Path, tmp_path: Path
) -> None:
    opened = tmp_path / "opened.txt"
    browser_command = (f"{sys.executable} -c \"import sys; open({str(opened)!r}, 'w')"
                       f".write(sys.argv[1])\" %s")
    process = subprocess.Popen(
        [sys.executable, "-m", "outreach", "ui"],
        env={**os.environ, "OUTREACH_HOME": str(home), "BROWSER": browser_command},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]{40,})", first)
        assert match, first
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(first, timeout=10) as response:  # the token, then the cookie
            assert response.status == 200 and "Today" in response.read().decode()
        with opener.open(f"http://127.0.0.1:{match.group(1)}/pipeline", timeout=10) as response:
            assert "Ada Lovelace" in response.read().decode()
        deadline = time.monotonic() + 20
        while not (opened.exists() and opened.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened.read_text() == first  # the browser was opened at the printed address
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Stopped" in out and "Traceback" not in err


def test_outreach_ui_refuses_a_non_loopback_host(home: Path, run: Invoke) -> None:
    result = run("ui", "--no-browser", "--host", "0.0.0.0")  # noqa: S104 - refused
    assert result.exit_code == 1
    assert "127.0.0.1 only" in result.output


@pytest.mark.parametrize("back", ["//evil.example/", "/\\evil.example", "http://evil.example/"])
def test_after_a_change_it_goes_back_only_to_its_own_pages(home: Path, back: str) -> None:
    browser, _ = client(home)
    csrf = csrf_of(browser.get("/").text)
    response = browser.post("/close", data={"contact": "ada@example.org", "csrf": csrf,
                                            "back": back}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/?flash=")
