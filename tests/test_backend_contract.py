"""One contract every mail backend keeps, whatever it talks to: the local Maildirs, Gmail (the
fake Google through the real client library), an IMAP/SMTP account (a real Dovecot and SMTP
server). Services never ask which backend they have, so each behaviour here is one they rely
on. A new backend joins by adding its builder to BACKENDS ("microsoft" at merge)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from outreach.config import ImapConfig, SmtpConfig, Workspace
from outreach.errors import NotSentError
from outreach.mail.backend import DraftRef, DraftRequest, MailBackend
from outreach.mail.imap import ImapBackend
from outreach.mail.imap_conn import Credentials
from outreach.mail.local import LocalOutbox
from tests.fakegoogle import FakeGoogle
from tests.helpers_sync import gmail_backend

USER = "sam@example.edu"


def local_backend(request: pytest.FixtureRequest, tmp_path: Path) -> MailBackend:
    return LocalOutbox(Workspace(tmp_path / "workspace"))


def gmail(request: pytest.FixtureRequest, tmp_path: Path) -> MailBackend:
    fake: FakeGoogle = request.getfixturevalue("fake_google")
    return gmail_backend(fake)


def imap(request: pytest.FixtureRequest, tmp_path: Path) -> MailBackend:
    from tests.realmail.fixtures import MailServers

    servers: MailServers = request.getfixturevalue("mail_servers")
    config = servers.config()
    imap_config = ImapConfig(
        host="127.0.0.1", port=servers.dovecot.tls_port, security="tls",
        username=servers.dovecot.username, ca_file=str(servers.ca.ca_file),
    )
    smtp_config = SmtpConfig(
        host="127.0.0.1", port=int(str(config["smtp"]["port"])), security="starttls",
        ca_file=str(servers.ca.ca_file), sent_copy="client",
    )
    login = Credentials(servers.dovecot.username, servers.dovecot.password)
    backend = ImapBackend(imap_config, smtp_config, login, login)
    request.addfinalizer(backend.close)
    return backend


BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], MailBackend]] = {
    "local": local_backend,
    "gmail": gmail,
    "imap": imap,
}


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MailBackend]:
    yield BACKENDS[request.param](request, tmp_path)


def message(subject: str = "A question about your work", to: str = "ada@example.org",
            reply_to: EmailMessage | None = None) -> EmailMessage:
    built = EmailMessage()
    built["From"] = f"Sam Rivera <{USER}>"
    built["To"] = to
    built["Subject"] = subject if reply_to is None else f"Re: {reply_to['Subject']}"
    built["Message-ID"] = make_msgid(domain="example.edu")
    if reply_to is not None:
        built["In-Reply-To"] = reply_to["Message-ID"]
        built["References"] = reply_to["Message-ID"]
    built.set_content("Hi Ada,\n\nCould we talk for 20 minutes?\n\nSam")
    return built


def create(backend: MailBackend, draft: EmailMessage, draft_id: str | None = None) -> DraftRef:
    result = backend.upsert_drafts([DraftRequest("key-1", draft, draft_id=draft_id)])["key-1"]
    assert isinstance(result, DraftRef), result
    return result


def test_a_draft_is_created_found_by_its_message_id_and_exists(backend: MailBackend) -> None:
    draft = message()
    ref = create(backend, draft)
    assert ref.draft_id
    assert backend.draft_exists(ref.draft_id)
    found = backend.find_drafts([str(draft["Message-ID"])])
    assert found[str(draft["Message-ID"])].draft_id == ref.draft_id
    assert backend.find_drafts(["<nobody@example.edu>"]) == {}


def test_a_redraft_replaces_the_draft_and_never_leaves_two(backend: MailBackend) -> None:
    draft = message()
    first = create(backend, draft)
    draft.replace_header("Subject", "A better question about your work")
    second = create(backend, draft, draft_id=first.draft_id)
    assert backend.draft_exists(second.draft_id)
    if second.draft_id != first.draft_id:
        assert not backend.draft_exists(first.draft_id)
    found = backend.find_drafts([str(draft["Message-ID"])])
    assert found[str(draft["Message-ID"])].draft_id == second.draft_id


def test_a_deleted_draft_is_gone_and_deleting_again_says_so(backend: MailBackend) -> None:
    ref = create(backend, message())
    assert backend.delete_draft(ref.draft_id) is True
    assert not backend.draft_exists(ref.draft_id)
    assert backend.delete_draft(ref.draft_id) is False


def test_a_sent_draft_leaves_the_drafts_and_is_found_as_sent(backend: MailBackend) -> None:
    draft = message()
    ref = create(backend, draft)
    sent = backend.send_draft(ref.draft_id)
    assert sent.message_id
    assert not backend.draft_exists(ref.draft_id)
    found = backend.find_sent(str(draft["Message-ID"]), sent.thread_id)
    assert found is not None and found.message_id == sent.message_id


def test_a_message_sent_directly_is_found_as_sent_in_its_thread(backend: MailBackend) -> None:
    first = message()
    sent_first = backend.send_draft(create(backend, first).draft_id)
    answer = message(reply_to=first)
    sent = backend.send_message(answer, sent_first.thread_id)
    assert sent.thread_id == sent_first.thread_id
    found = backend.find_sent(str(answer["Message-ID"]), sent.thread_id)
    assert found is not None and found.message_id == sent.message_id


def test_sending_a_draft_that_is_gone_sends_nothing_and_says_so(backend: MailBackend) -> None:
    ref = create(backend, message())
    backend.delete_draft(ref.draft_id)
    with pytest.raises(NotSentError):
        backend.send_draft(ref.draft_id)


def test_a_message_never_sent_is_not_found_as_sent(backend: MailBackend) -> None:
    assert backend.find_sent("<never@example.edu>") is None
