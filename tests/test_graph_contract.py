"""The MailBackend contract, played on the Microsoft backend (and on the local one beside
it, so both are held to the same calls). To be folded into the shared contract suite: the
``backend`` fixture below is the Microsoft (and local) entry of it.

Each test is one promise of :class:`outreach.mail.backend.MailBackend`, checked by what
reached the mailbox, never by how the backend did it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from outreach.config import Workspace
from outreach.errors import NotSentError
from outreach.mail.backend import DraftRef, DraftRequest, MailBackend
from outreach.mail.graph import GraphMail
from outreach.mail.local import LocalOutbox
from outreach.microsoft.graph import Graph
from tests.conversation_world import parse
from tests.fakemicrosoft.server import FakeMicrosoft
from tests.microsoft_env import signed_in_cache


@dataclass
class Mailbox:
    """A backend and what its mailbox holds, read the mailbox's own way."""

    backend: MailBackend
    drafts: Callable[[], list[EmailMessage]]
    sent: Callable[[], list[EmailMessage]]


def _graph_for(fake: FakeMicrosoft) -> Graph:
    import json

    cache = json.loads(signed_in_cache(fake))
    [entry] = cache["AccessToken"].values()
    token = str(entry["secret"])
    return Graph(fake.url, lambda fresh: token)


@pytest.fixture(params=["local", "microsoft"])
def mailbox(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Mailbox]:
    if request.param == "microsoft":
        fake = FakeMicrosoft().start()
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.ca_file())
        try:
            yield Mailbox(
                GraphMail(_graph_for(fake)),
                fake.drafts,
                lambda: [parse(m) for m in fake.delivered()],
            )
        finally:
            fake.stop()
        return
    workspace = Workspace(tmp_path / "ws")
    local = LocalOutbox(workspace)

    def files(folder: Path) -> list[EmailMessage]:
        return [parse(p.read_bytes()) for p in sorted(folder.glob("cur/*"))]

    yield Mailbox(local, lambda: files(workspace.outbox_dir),
                  lambda: files(workspace.root / "sent"))


def _message(subject: str = "Could I ask about your work?", to: str = "ada@example.org",
             reply_to: EmailMessage | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Sam Rivera <sam@example.edu>"
    message["To"] = to
    message["Subject"] = subject if reply_to is None else f"Re: {reply_to['Subject']}"
    message["Message-ID"] = make_msgid(domain="example.edu")
    if reply_to is not None:
        message["In-Reply-To"] = str(reply_to["Message-ID"])
        message["References"] = str(reply_to["Message-ID"])
    message.set_content("Hello")
    return message


def _draft(mailbox: Mailbox, message: EmailMessage, draft_id: str | None = None) -> DraftRef:
    result = mailbox.backend.upsert_drafts([DraftRequest("k", message, draft_id)])["k"]
    assert isinstance(result, DraftRef), result
    return result


def test_a_draft_keeps_every_header_we_wrote(mailbox: Mailbox) -> None:
    first = _message()
    answer = _message(reply_to=first)
    _draft(mailbox, answer)
    [stored] = mailbox.drafts()
    for name in ("Message-ID", "In-Reply-To", "References", "Subject", "To"):
        assert str(stored[name]) == str(answer[name])


def test_a_redraft_replaces_the_draft(mailbox: Mailbox) -> None:
    ref = _draft(mailbox, _message("First words"))
    _draft(mailbox, _message("Better words"), ref.draft_id)
    assert [str(m["Subject"]) for m in mailbox.drafts()] == ["Better words"]


def test_drafts_are_found_again_by_message_id(mailbox: Mailbox) -> None:
    message = _message()
    ref = _draft(mailbox, message)
    found = mailbox.backend.find_drafts([str(message["Message-ID"]), "<nobody@example.org>"])
    assert list(found) == [str(message["Message-ID"])]
    assert found[str(message["Message-ID"])].draft_id == ref.draft_id


def test_send_draft_sends_it_once_and_it_leaves_the_drafts(mailbox: Mailbox) -> None:
    message = _message()
    ref = _draft(mailbox, message)
    assert mailbox.backend.draft_exists(ref.draft_id)
    mailbox.backend.send_draft(ref.draft_id)
    assert [str(m["Message-ID"]) for m in mailbox.sent()] == [str(message["Message-ID"])]
    assert not mailbox.backend.draft_exists(ref.draft_id)
    with pytest.raises(NotSentError):
        mailbox.backend.send_draft(ref.draft_id)
    assert len(mailbox.sent()) == 1


def test_the_sent_copy_is_found_by_message_id(mailbox: Mailbox) -> None:
    message = _message()
    since = datetime(2020, 1, 1, tzinfo=UTC)
    assert mailbox.backend.find_sent(str(message["Message-ID"]), since=since) is None
    mailbox.backend.send_draft(_draft(mailbox, message).draft_id)
    assert mailbox.backend.find_sent(str(message["Message-ID"]), since=since) is not None


def test_delete_draft_says_whether_it_was_there(mailbox: Mailbox) -> None:
    ref = _draft(mailbox, _message())
    assert mailbox.backend.delete_draft(ref.draft_id) is True
    assert mailbox.drafts() == []
    assert mailbox.backend.delete_draft(ref.draft_id) is False


def test_send_message_sends_without_leaving_a_draft(mailbox: Mailbox) -> None:
    message = _message()
    mailbox.backend.send_message(message, None)
    assert [str(m["Message-ID"]) for m in mailbox.sent()] == [str(message["Message-ID"])]
    assert mailbox.drafts() == []


def test_many_drafts_in_one_call_each_get_their_own(mailbox: Mailbox) -> None:
    requests = [DraftRequest(f"k{i}", _message(f"Subject {i}")) for i in range(6)]
    results = mailbox.backend.upsert_drafts(requests)
    refs = [results[f"k{i}"] for i in range(6)]
    assert all(isinstance(r, DraftRef) for r in refs), refs
    assert len({r.draft_id for r in refs if isinstance(r, DraftRef)}) == 6
    assert sorted(str(m["Subject"]) for m in mailbox.drafts()) == [
        f"Subject {i}" for i in range(6)
    ]
