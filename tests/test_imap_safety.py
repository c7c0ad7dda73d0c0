"""The IMAP/SMTP backend never logs in without TLS, trusts only verified certificates (the
system's store plus a named CA), keeps its password in the keyring only, and names the config
key when one is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import Invoke
from tests.helpers_sync import at, configure, set_now
from tests.realmail.dovecot import free_port
from tests.realmail.fixtures import MailServers
from tests.realmail.smtpd import SubmissionHandler
from tests.test_imap_backend import ADA, imap_workspace


@pytest.fixture
def ready(
    workspace: Path, mail_servers: MailServers, imap_keyring: None, run: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    set_now(monkeypatch, at("2026-03-02 09:00"))
    imap_workspace(workspace, mail_servers, run)
    assert run("contacts", "add", ADA, "--name", "Ada Lovelace").exit_code == 0
    return workspace


def test_an_smtp_server_without_starttls_gets_no_password(
    ready: Path, mail_servers: MailServers, run: Invoke
) -> None:
    handler = SubmissionHandler(mail_servers.dovecot)
    plain = Controller(handler, hostname="127.0.0.1", port=free_port(),
                       authenticator=handler.authenticate, auth_require_tls=False)
    plain.start()
    try:
        configure(ready, smtp={"port": plain.port, "security": "starttls"})
        assert run("draft", "outreach", ADA).exit_code == 0
        result = run("send", ADA, "--yes")
    finally:
        plain.stop()
    assert "does not offer STARTTLS" in result.output
    assert handler.logins == [] and handler.accepted == []
    assert mail_servers.folder("Sent") == []  # our early copy was taken back


def test_an_unknown_certificate_authority_is_refused_and_the_key_named(
    ready: Path, run: Invoke
) -> None:
    configure(ready, imap={"ca_file": ""})
    result = run("draft", "outreach", ADA)
    assert result.exit_code == 1
    assert "could not be verified" in result.output
    assert "ca_file" in result.output


def test_ssl_cert_file_is_honoured_as_the_system_trust_store(
    ready: Path, mail_servers: MailServers, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(ready, imap={"ca_file": ""})
    monkeypatch.setenv("SSL_CERT_FILE", str(mail_servers.ca.ca_file))
    result = run("draft", "outreach", ADA)
    assert result.exit_code == 0, result.output
    assert len(mail_servers.folder("Drafts")) == 1


def test_starttls_on_the_imap_port_works_and_the_password_stays_in_the_keyring(
    workspace: Path, mail_servers: MailServers, imap_keyring: None, run: Invoke,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    set_now(monkeypatch, at("2026-03-02 09:00"))
    imap_workspace(workspace, mail_servers, run, imap_security="starttls", smtp_security="tls")
    assert run("contacts", "add", ADA, "--name", "Ada Lovelace").exit_code == 0
    assert run("draft", "outreach", ADA).exit_code == 0
    assert run("send", ADA, "--yes").exit_code == 0
    assert len(mail_servers.smtp.accepted) == 1
    password = mail_servers.dovecot.password.encode()
    stored = json.loads((tmp_path / "keyring.json").read_text())
    assert mail_servers.dovecot.password in stored.values()
    for path in workspace.rglob("*"):
        if path.is_file():
            assert password not in path.read_bytes(), path


def test_a_wrong_password_says_how_to_store_the_right_one(
    ready: Path, mail_servers: MailServers, run: Invoke
) -> None:
    result = run("auth", "login", "--imap", "--password-stdin", input="wrong\n")
    assert result.exit_code == 0
    result = run("draft", "outreach", ADA)
    assert result.exit_code == 1
    assert "refused the login" in result.output
    assert "outreach auth login --imap" in result.output


def test_a_missing_host_names_the_key(workspace: Path, run: Invoke) -> None:
    configure(workspace, mail={"backend": "imap"})
    result = run("contacts", "list")
    assert result.exit_code == 1
    assert "[imap] host" in result.output


def test_a_bad_security_value_names_the_key_and_the_choices(workspace: Path, run: Invoke) -> None:
    configure(workspace, mail={"backend": "imap"}, imap={"host": "imap.example.org",
                                                        "security": "none"})
    result = run("contacts", "list")
    assert result.exit_code == 1
    assert "[imap] security" in result.output and '"starttls"' in result.output


def test_the_password_is_asked_for_without_echo_on_a_terminal(
    ready: Path, run: Invoke
) -> None:
    result = run("auth", "login", "--imap", input="app-password-1\n")
    assert result.exit_code == 0, result.output
    assert "IMAP password" in result.output
    assert "app-password-1" not in result.output


def test_a_different_smtp_username_needs_its_own_password(
    ready: Path, run: Invoke
) -> None:
    configure(ready, smtp={"username": "sam.smtp@example.edu"})
    result = run("auth", "login", "--imap", "--password-stdin", input="app-password-1\n")
    assert "outreach auth login --smtp" in result.output
    result = run("draft", "outreach", ADA)
    assert result.exit_code == 1
    assert "No SMTP password" in result.output and "--smtp" in result.output
    result = run("auth", "login", "--smtp", "--password-stdin", input="smtp-secret\n")
    assert result.exit_code == 0 and "SMTP password" in result.output
    assert run("draft", "outreach", ADA).exit_code == 0


def test_doctor_logs_in_to_both_servers_finds_the_folders_and_sends_nothing(
    ready: Path, mail_servers: MailServers, run: Invoke
) -> None:
    result = run("doctor", "--json")
    checks = {check["name"]: check for check in json.loads(result.output)["checks"]}
    assert checks["imap"]["status"] == "ok", checks["imap"]
    assert "'Drafts'" in checks["imap"]["detail"] and "'Sent'" in checks["imap"]["detail"]
    assert checks["smtp"]["status"] == "ok", checks["smtp"]
    assert mail_servers.smtp.accepted == []
    assert mail_servers.smtp.handler.logins == [mail_servers.dovecot.username]


def test_watch_waits_out_a_mail_server_that_is_down_and_goes_on(
    ready: Path, mail_servers: MailServers, run: Invoke
) -> None:
    from outreach.app import AppContext
    from outreach.config import Workspace
    from outreach.services.sync.watch import watch

    port = mail_servers.dovecot.tls_port
    configure(ready, imap={"port": free_port()})  # nothing listens there
    app = AppContext(workspace=Workspace(ready))
    errors: list[str] = []
    reports: list[object] = []
    try:
        def back_up(_seconds: float) -> None:
            configure(ready, imap={"port": port})
            app._config = None
            app.reset_mail()

        watch(app, 1, on_report=reports.append, on_error=lambda m, _d: errors.append(m),
              sleep=back_up, max_cycles=2)
    finally:
        app.close()
    assert len(errors) == 1 and "Cannot reach the IMAP server" in errors[0]
    assert len(reports) == 1


def test_xoauth2_logs_in_to_imap_and_smtp_with_an_access_token(
    workspace: Path, mail_servers: MailServers, imap_keyring: None, run: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_now(monkeypatch, at("2026-03-02 09:00"))
    configure(workspace, schedule={"busy": []}, **mail_servers.config())
    configure(workspace, imap={"auth": "xoauth2"})
    token = mail_servers.dovecot.token
    result = run("auth", "login", "--imap", "--password-stdin", input=f"{token}\n")
    assert result.exit_code == 0, result.output
    assert run("contacts", "add", ADA, "--name", "Ada Lovelace").exit_code == 0
    result = run("draft", "outreach", ADA)
    assert result.exit_code == 0, result.output
    result = run("send", ADA, "--yes")
    assert result.exit_code == 0, result.output
    assert mail_servers.smtp.handler.logins == [f"{mail_servers.dovecot.username} (XOAUTH2)"]
    assert len(mail_servers.smtp.accepted) == 1
    run("auth", "login", "--imap", "--password-stdin", input="expired-token\n")
    result = run("sync")
    assert result.exit_code == 1 and "refused the login" in result.output


def test_auth_status_and_logout_speak_of_the_imap_password_never_showing_it(
    ready: Path, mail_servers: MailServers, run: Invoke
) -> None:
    result = run("auth", "status", "--json")
    assert json.loads(result.output) == {
        "backend": "imap", "account": f"{mail_servers.dovecot.username}@127.0.0.1",
        "connected": True,
    }
    assert mail_servers.dovecot.password not in run("auth", "status").output
    assert "Removed the IMAP/SMTP passwords" in run("auth", "logout").output
    assert "no password: run `outreach auth login --imap`" in run("auth", "status").output
    result = run("sync")
    assert result.exit_code == 1 and "outreach auth login --imap" in result.output
