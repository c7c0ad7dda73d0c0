"""One contract every mail backend keeps, whatever it talks to: the local Maildirs, Gmail (the
fake Google through the real client library), an IMAP/SMTP account (a real Dovecot and SMTP
server) and Microsoft 365 (the fake Graph through the tool's Graph client). Services never ask
which backend they have, so each behaviour here is one they rely on. Each backend comes with
a look into its mailbox taken the mailbox's own way (files, the fake's store, a second IMAP
connection), and the user's own hand in it (editing a draft in their mail app, mail arriving),
so a promise is checked by what reached the mailbox, never by how the backend did it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parsedate_to_datetime
from pathlib import Path

import pytest

from outreach.config import ImapConfig, SmtpConfig, Workspace
from outreach.errors import NotSentError
from outreach.mail.backend import DraftRef, DraftRequest, MailBackend
from outreach.mail.graph import GraphMail
from outreach.mail.imap import ImapBackend
from outreach.mail.imap_conn import Credentials
from outreach.mail.kinds import kind_for
from outreach.mail.local import LocalOutbox
from outreach.mail.sync_reader import Found, Interest
from outreach.microsoft.graph import Graph
from tests.conversation_world import parse
from tests.fakegoogle import FakeGoogle
from tests.fakemicrosoft.server import FakeMicrosoft
from tests.helpers_sync import gmail_backend
from tests.microsoft_env import signed_in_cache

USER = "sam@example.edu"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Mailbox:
    """A backend, and its mailbox as the user and their mail app see it."""

    backend: MailBackend
    drafts: Callable[[], list[EmailMessage]]
    sent: Callable[[], list[EmailMessage]]
    edit_draft: Callable[[DraftRef, EmailMessage], None]  # the user edits it in their mail app
    deliver: Callable[[EmailMessage], None]  # mail arrives in the inbox
    set_clock: Callable[[datetime], None] = lambda moment: None  # the server's clock


def local_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Mailbox:
    workspace = Workspace(tmp_path / "workspace")
    local = LocalOutbox(workspace)

    def files(folder: Path) -> list[EmailMessage]:
        paths = sorted(folder.glob("cur/*"), key=lambda p: p.stat().st_mtime_ns)
        return [parse(p.read_bytes()) for p in paths]

    def edit(ref: DraftRef, edited: EmailMessage) -> None:
        local._draft_path(ref.draft_id).write_bytes(edited.as_bytes())

    def deliver(arriving: EmailMessage) -> None:
        (local.inbox / "new").mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}.contract:2,"
        (local.inbox / "new" / name).write_bytes(arriving.as_bytes())

    return Mailbox(local, lambda: files(local.outbox), lambda: files(local.sent), edit, deliver)


def gmail(request: pytest.FixtureRequest, tmp_path: Path) -> Mailbox:
    fake: FakeGoogle = request.getfixturevalue("fake_google")
    return Mailbox(
        gmail_backend(fake),
        lambda: [view.message.email for view in fake.drafts()],
        lambda: [stored.email for stored in fake.messages("SENT")],
        lambda ref, edited: fake.edit_draft_as_user(ref.draft_id, edited) and None,
        lambda arriving: fake.deliver(arriving) and None,
        fake.set_now,
    )


def imap(request: pytest.FixtureRequest, tmp_path: Path) -> Mailbox:
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
    folders = backend.session.folders()

    def edit(ref: DraftRef, edited: EmailMessage) -> None:
        """What Thunderbird does on "Save" of an edited draft: APPEND the new text (same
        Message-ID) flagged \\Draft, then delete and expunge the old UID."""
        client = servers.client()
        try:
            client.append(folders.drafts, edited.as_bytes(), flags=(b"\\Draft", b"\\Seen"))
            client.select_folder(folders.drafts)
            old = client.search(["HEADER", "Message-ID", str(edited["Message-ID"])])
            newest = max(old)
            client.delete_messages([uid for uid in old if uid != newest])
            client.expunge()
        finally:
            client.logout()

    def deliver(arriving: EmailMessage) -> None:
        client = servers.client()
        try:
            client.append("INBOX", arriving.as_bytes())
        finally:
            client.logout()

    return Mailbox(
        backend,
        lambda: [m for m, _ in servers.folder(folders.drafts)],
        lambda: [m for m, _ in servers.folder(folders.sent)],
        edit,
        deliver,
    )


def microsoft(request: pytest.FixtureRequest, tmp_path: Path) -> Mailbox:
    fake = FakeMicrosoft().start()
    request.addfinalizer(fake.stop)
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.ca_file())
    [entry] = json.loads(signed_in_cache(fake))["AccessToken"].values()
    token = str(entry["secret"])
    return Mailbox(
        GraphMail(Graph(fake.url, lambda fresh: token)),
        fake.drafts,
        lambda: [item.message for item in fake.mailbox.in_folder("sentitems")],
        lambda ref, edited: fake.edit_draft_as_user(ref.draft_id, edited),
        lambda arriving: fake.deliver(arriving) and None,
        fake.set_now,
    )


BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], Mailbox]] = {
    "local": local_backend,
    "gmail": gmail,
    "imap": imap,
    "microsoft": microsoft,
}


@pytest.fixture(params=list(BACKENDS))
def mailbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Mailbox]:
    yield BACKENDS[request.param](request, tmp_path)


@pytest.fixture
def backend(mailbox: Mailbox) -> MailBackend:
    return mailbox.backend


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
    key = str(draft["Message-ID"])
    result = backend.upsert_drafts([DraftRequest(key, draft, draft_id=draft_id)])[key]
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


def test_a_redraft_replaces_the_draft_and_never_leaves_two(mailbox: Mailbox) -> None:
    backend = mailbox.backend
    draft = message()
    first = create(backend, draft)
    draft.replace_header("Subject", "A better question about your work")
    second = create(backend, draft, draft_id=first.draft_id)
    assert backend.draft_exists(second.draft_id)
    # The old id is gone, or (IMAP: a draft is found again by its Message-ID) names the new.
    assert [str(m["Subject"]) for m in mailbox.drafts()] == ["A better question about your work"]
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
    thread = sent.thread_id or ref.thread_id  # None: the draft's thread, unchanged
    found = backend.find_sent(str(draft["Message-ID"]), thread)
    # Outlook gives the sent copy an id of its own: then the thread is what both name alike.
    assert found is not None
    assert found.message_id == sent.message_id or found.thread_id == thread


def test_a_message_sent_directly_is_found_as_sent_in_its_thread(backend: MailBackend) -> None:
    first = message()
    ref = create(backend, first)
    thread = backend.send_draft(ref.draft_id).thread_id or ref.thread_id
    answer = message(reply_to=first)
    sent = backend.send_message(answer, thread)
    assert sent.thread_id == thread
    found = backend.find_sent(str(answer["Message-ID"]), sent.thread_id)
    assert found is not None
    assert found.message_id == sent.message_id or found.thread_id == sent.thread_id


def test_sending_a_draft_that_is_gone_sends_nothing_and_says_so(backend: MailBackend) -> None:
    ref = create(backend, message())
    backend.delete_draft(ref.draft_id)
    with pytest.raises(NotSentError):
        backend.send_draft(ref.draft_id)


def test_a_message_never_sent_is_not_found_as_sent(backend: MailBackend) -> None:
    assert backend.find_sent("<never@example.edu>") is None


# -- what reaches the mailbox (from the Microsoft backend's suite, now every backend's) -------


def test_a_draft_keeps_every_header_we_wrote(mailbox: Mailbox) -> None:
    first = message()
    answer = message(reply_to=first)
    create(mailbox.backend, answer)
    [stored] = mailbox.drafts()
    for name in ("Message-ID", "In-Reply-To", "References", "Subject", "To"):
        assert str(stored[name]) == str(answer[name])


def test_a_redraft_leaves_only_the_new_words_in_the_drafts(mailbox: Mailbox) -> None:
    ref = create(mailbox.backend, message("First words"))
    create(mailbox.backend, message("Better words"), ref.draft_id)
    assert [str(m["Subject"]) for m in mailbox.drafts()] == ["Better words"]


def test_a_sent_draft_reaches_the_sent_mail_once(mailbox: Mailbox) -> None:
    draft = message()
    ref = create(mailbox.backend, draft)
    mailbox.backend.send_draft(ref.draft_id)
    assert [str(m["Message-ID"]) for m in mailbox.sent()] == [str(draft["Message-ID"])]
    assert mailbox.drafts() == []
    with pytest.raises(NotSentError):
        mailbox.backend.send_draft(ref.draft_id)
    assert len(mailbox.sent()) == 1


def test_a_message_sent_directly_leaves_no_draft(mailbox: Mailbox) -> None:
    direct = message()
    mailbox.backend.send_message(direct, None)
    assert [str(m["Message-ID"]) for m in mailbox.sent()] == [str(direct["Message-ID"])]
    assert mailbox.drafts() == []


def test_many_drafts_in_one_call_each_get_their_own(mailbox: Mailbox) -> None:
    requests = [DraftRequest(f"k{i}", message(f"Subject {i}")) for i in range(6)]
    results = mailbox.backend.upsert_drafts(requests)
    refs = [results[f"k{i}"] for i in range(6)]
    assert all(isinstance(r, DraftRef) for r in refs), refs
    assert len({r.draft_id for r in refs if isinstance(r, DraftRef)}) == 6
    assert sorted(str(m["Subject"]) for m in mailbox.drafts()) == [f"Subject {i}" for i in range(6)]


# -- draft_versions: a draft the user edited is told apart -----------------------------------


def edited(draft: EmailMessage) -> EmailMessage:
    """The draft as the user left it after changing a sentence in their mail app."""
    changed = message(draft["Subject"], str(draft["To"]))
    changed.replace_header("Message-ID", str(draft["Message-ID"]))
    changed.set_content("Hi Ada,\n\nCould we talk for 20 minutes next week?\n\nSam")
    return changed


def test_a_draft_as_written_has_the_version_the_draft_was_given(mailbox: Mailbox) -> None:
    ref = create(mailbox.backend, message())
    assert ref.version or ref.message_id
    assert mailbox.backend.draft_versions([ref.draft_id]) == {
        ref.draft_id: ref.version or ref.message_id
    }


def test_a_draft_the_user_edited_has_another_version_and_is_sent_as_edited(
    mailbox: Mailbox,
) -> None:
    draft = message()
    ref = create(mailbox.backend, draft)
    mailbox.edit_draft(ref, edited(draft))
    versions = mailbox.backend.draft_versions([ref.draft_id])
    assert ref.draft_id in versions, "an edited draft is still there"
    assert versions[ref.draft_id] != (ref.version or ref.message_id)
    assert mailbox.backend.draft_exists(ref.draft_id)
    mailbox.backend.send_draft(ref.draft_id)
    [sent] = mailbox.sent()
    assert "next week" in sent.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert mailbox.drafts() == []


def test_a_draft_deleted_or_sent_has_no_version(mailbox: Mailbox) -> None:
    deleted = create(mailbox.backend, message("One"))
    sent = create(mailbox.backend, message("Two"))
    kept = create(mailbox.backend, message("Three"))
    mailbox.backend.delete_draft(deleted.draft_id)
    mailbox.backend.send_draft(sent.draft_id)
    assert set(mailbox.backend.draft_versions([deleted.draft_id, sent.draft_id, kept.draft_id])) \
        == {kept.draft_id}
    assert mailbox.backend.draft_versions([]) == {}


# -- recent_sent and exchanges: the mailbox's own record, headers only ------------------------


def send_at(mailbox: Mailbox, draft: EmailMessage, moment: datetime) -> None:
    mailbox.set_clock(moment)
    mailbox.backend.send_draft(create(mailbox.backend, draft).draft_id, moment)


def test_recent_sent_lists_the_newest_sends_first_with_their_recipients(
    mailbox: Mailbox,
) -> None:
    first, second, third = (message(f"Note {i}", to=f"p{i}@example.org") for i in range(3))
    for i, draft in enumerate((first, second, third)):
        send_at(mailbox, draft, START + timedelta(minutes=10 * i))
    recent = mailbox.backend.recent_sent(10)
    assert [m.message_id for m in recent] == [str(d["Message-ID"]) for d in (third, second, first)]
    assert recent[0].recipients == ("p2@example.org",)
    assert recent[0].subject == "Note 2"
    assert recent[0].backend_id and recent[0].thread_id
    assert recent[0].sent_at is not None
    assert abs(recent[0].sent_at - (START + timedelta(minutes=20))) < timedelta(minutes=1)
    assert [m.message_id for m in mailbox.backend.recent_sent(2)] == [
        str(third["Message-ID"]), str(second["Message-ID"])
    ]


def test_exchanges_name_whom_the_user_wrote_to_and_heard_from(mailbox: Mailbox) -> None:
    draft = message(to="Ada Lovelace <Ada@Example.org>")
    send_at(mailbox, draft, START)
    arriving = EmailMessage()
    arriving["From"] = "Grace Hopper <grace@example.com>"
    arriving["To"] = USER
    arriving["Subject"] = "Hello from Grace"
    arriving["Date"] = format_datetime(START + timedelta(days=1))
    arriving["Message-ID"] = make_msgid(domain="example.com")
    arriving.set_content("Hi Sam")
    mailbox.deliver(arriving)
    found = {(e.sent, e.addresses, e.message_id) for e in mailbox.backend.exchanges()}
    assert (True, ("ada@example.org",), str(draft["Message-ID"])) in found
    assert (False, ("grace@example.com",), str(arriving["Message-ID"])) in found
    assert all(e.at is not None for e in mailbox.backend.exchanges())


# -- send_draft(date): a draft that waited goes out dated when it goes --------------------------

# Gmail sends a draft as written (its body cannot be rewritten with our scopes): the sending
# service re-drafts a draft that waited, with a fresh Date, before it sends it.
DATED_WHEN_SENT = {"local", "imap", "microsoft"}


def test_a_draft_that_waited_is_dated_when_it_goes(mailbox: Mailbox) -> None:
    draft = message()
    draft["Date"] = format_datetime(START)
    ref = create(mailbox.backend, draft)
    later = START + timedelta(days=1, hours=2)
    mailbox.set_clock(later)
    mailbox.backend.send_draft(ref.draft_id, later)
    [sent] = mailbox.sent()
    dated = parsedate_to_datetime(str(sent["Date"]))
    if mailbox.backend.name in DATED_WHEN_SENT:
        assert dated == later
    else:
        assert dated == START


# -- sync_reader: what changed since a cursor, in the same records on every backend ----------


def _interest(first: EmailMessage, thread: str, now: datetime) -> Interest:
    """Sync's interest after sending ``first`` in ``thread`` to ada@example.org."""
    ours = {str(first["Message-ID"]).strip("<>"): thread}
    return Interest(
        owner=USER,
        threads={thread},
        drafted=set(),
        ours=ours,
        addresses={"ada@example.org"},
        known=lambda ids: set(),
        contacts_mail=lambda meta: meta.sender == "ada@example.org",
        now=now,
    )


def _in_our_thread(found: Found, first: EmailMessage, thread: str) -> bool:
    """The record says which conversation of ours the message is in: the server's (thread),
    or the Message-IDs it answers (placed by its headers)."""
    if found.headers is not None:
        return str(first["Message-ID"]) in found.headers.referenced
    return found.thread == thread and found.ours


def test_a_reply_is_among_the_changes_since_the_cursor_in_our_thread(mailbox: Mailbox) -> None:
    backend = mailbox.backend
    first = message()
    ref = create(backend, first)
    thread = backend.send_draft(ref.draft_id).thread_id or ref.thread_id or str(first["Message-ID"])
    reader = backend.sync_reader(USER)
    interest = _interest(first, thread, START + timedelta(days=1))
    before = reader.changes(reader.baseline(START - timedelta(days=1)), interest, full=False)
    reply = EmailMessage()
    reply["From"] = "Ada Lovelace <ada@example.org>"
    reply["To"] = USER
    reply["Subject"] = f"Re: {first['Subject']}"
    reply["Date"] = format_datetime(START + timedelta(hours=2))
    reply["Message-ID"] = make_msgid(domain="example.org")
    reply["In-Reply-To"] = first["Message-ID"]
    reply["References"] = first["Message-ID"]
    reply.set_content("Happy to. Tuesday?")
    mailbox.deliver(reply)
    after = reader.changes(before.cursor, interest, full=False)
    [found] = [f for f in after.found if f.meta.header("Message-ID") == str(reply["Message-ID"])]
    assert found.meta.sender == "ada@example.org"
    assert _in_our_thread(found, first, thread)
    assert after.mode in ("incremental", "full")


def test_a_backend_is_of_the_kind_its_config_name_gives_and_says_what_it_can(
    backend: MailBackend,
) -> None:
    """Services ask the kind (outreach.mail.kinds) what a mailbox can do, never its name."""
    assert kind_for(backend.name) is backend.kind
    assert backend.kind.can_hold == backend.can_hold
    assert backend.read_draft("no-such-draft") is None
