"""Fixtures for tests against real mail servers: ``mail_servers`` (a Dovecot and an SMTP
submission server, fresh for each test) and ``imap_home`` (a workspace on them, the password
stored with `outreach auth login --imap --password-stdin`).

Without Dovecot these tests skip with how to install it; under CI (``CI=true``) they fail
instead, so CI never passes without having run them."""

from __future__ import annotations

import os
import shutil
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import keyring
import pytest
from imapclient import IMAPClient

from tests.keyrings import FileKeyring
from tests.realmail.dovecot import MISSING, Dovecot, dovecot_available
from tests.realmail.smtpd import SubmissionServer
from tests.tls_ca import CertAuthority, make_test_ca


def require_dovecot() -> None:
    if dovecot_available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the IMAP tests: this test {MISSING}")
    pytest.skip(f"this test {MISSING}")


@dataclass
class MailServers:
    ca: CertAuthority
    dovecot: Dovecot
    smtp: SubmissionServer

    def config(
        self, *, imap_security: str = "tls", smtp_security: str = "starttls",
        sent_copy: str = "client",
    ) -> dict[str, dict[str, object]]:
        """The [mail], [imap] and [smtp] keys for a workspace on these servers."""
        imap_port = self.dovecot.tls_port if imap_security == "tls" else self.dovecot.starttls_port
        smtp_port = self.smtp.tls_port if smtp_security == "tls" else self.smtp.starttls_port
        return {
            "mail": {"backend": "imap"},
            "imap": {
                "host": "127.0.0.1", "port": imap_port, "security": imap_security,
                "username": self.dovecot.username, "ca_file": str(self.ca.ca_file),
            },
            "smtp": {
                "host": "127.0.0.1", "port": smtp_port, "security": smtp_security,
                "sent_copy": sent_copy,
            },
        }

    def client(self) -> IMAPClient:
        """A connection of our own, to look at the mailbox as another mail app would."""
        context = ssl.create_default_context(cafile=str(self.ca.ca_file))
        client = IMAPClient("127.0.0.1", port=self.dovecot.tls_port, ssl=True,
                            ssl_context=context)
        client.login(self.dovecot.username, self.dovecot.password)
        return client

    def folder(self, name: str) -> list[tuple[EmailMessage, tuple[bytes, ...]]]:
        """Every message in a folder, parsed back, with its flags, oldest first."""
        client = self.client()
        try:
            client.select_folder(name, readonly=True)
            uids = client.search(["NOT", "DELETED"])
            answer: dict[int, dict[bytes, Any]] = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"])
        finally:
            client.logout()
        found = []
        for uid in sorted(answer):
            parsed = message_from_bytes(answer[uid][b"BODY[]"], policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            found.append((parsed, tuple(answer[uid][b"FLAGS"])))
        return found


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> CertAuthority:
    return make_test_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def mail_servers(tmp_path: Path, test_ca: CertAuthority) -> Iterator[MailServers]:
    require_dovecot()
    root = tmp_path / "dovecot"
    if os.getuid() == 0:  # Dovecot drops to its own users, who cannot enter pytest's 0700 dirs
        root = Path(tempfile.mkdtemp(prefix="outreach-dovecot-"))
        root.chmod(0o755)
    dovecot = Dovecot.start(root, test_ca)
    try:
        smtp = SubmissionServer.start(dovecot)
        try:
            yield MailServers(test_ca, dovecot, smtp)
        finally:
            smtp.stop()
    finally:
        dovecot.stop()
        if root.parent != tmp_path:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A file-backed keyring (the IMAP password must be somewhere a keyring keeps it)."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.keyrings.FileKeyring")
    monkeypatch.setenv("OUTREACH_TEST_KEYRING", str(tmp_path / "keyring.json"))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)
