"""The IMAP/SMTP backend against a real Dovecot and a real SMTP submission server: drafts land
in the account's Drafts folder (found by SPECIAL-USE), a re-draft replaces the old one, `send`
goes through SMTP with TLS and files exactly one copy in Sent, a send whose answer is lost is
never repeated, and sync reads only what is new."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest

from outreach.app import AppContext
from outreach.config import Workspace
from outreach.store import MessageRow
from tests.conftest import Invoke
from tests.helpers_sync import at, configure, reply, set_now
from tests.realmail.fixtures import MailServers

ADA = "ada@example.org"


def imap_workspace(
    home: Path, servers: MailServers, run: Invoke, **options: str
) -> None:
    configure(home, schedule={"busy": []}, **servers.config(**options))
    result = run(
        "auth", "login", "--imap", "--password-stdin", input=f"{servers.dovecot.password}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Stored the IMAP password" in result.output


@pytest.fixture
def imap_home(
    workspace: Path,
    mail_servers: MailServers,
    imap_keyring: None,
    run: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    set_now(monkeypatch, at("2026-03-02 09:00"))
    imap_workspace(workspace, mail_servers, run)
    result = run("contacts", "add", ADA, "--name", "Ada Lovelace", "--org", "Analytical")
    assert result.exit_code == 0, result.output
    return workspace


def row(home: Path, address: str = ADA) -> MessageRow:
    app = AppContext(workspace=Workspace(home))
    try:
        contact = app.store.contacts.get(address)
        return app.store.messages.for_contact(contact.id)[-1]
    finally:
        app.close()


def stage(run: Invoke, address: str = ADA) -> str:
    result = run("contacts", "show", address, "--json")
    assert result.exit_code == 0, result.output
    return str(json.loads(result.output)["stage"])


def subjects(found: list[tuple[EmailMessage, tuple[bytes, ...]]]) -> list[str]:
    return [str(message["Subject"]) for message, _ in found]


def test_a_draft_lands_in_the_drafts_folder_flagged_draft(
    imap_home: Path, mail_servers: MailServers, run: Invoke
) -> None:
    result = run("draft", "outreach", ADA)
    assert result.exit_code == 0, result.output
    drafts = mail_servers.folder("Drafts")
    assert len(drafts) == 1
    message, flags = drafts[0]
    assert b"\\Draft" in flags
    assert message["To"].addresses[0].addr_spec == ADA
    assert message["Message-ID"] == row(imap_home).message_id
    assert "Ada" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert stage(run) == "drafted"


def test_a_redraft_replaces_the_old_draft_never_leaving_two(
    imap_home: Path, mail_servers: MailServers, run: Invoke
) -> None:
    assert run("draft", "outreach", ADA).exit_code == 0
    first = row(imap_home).draft_id
    result = run("draft", "outreach", ADA)
    assert result.exit_code == 0, result.output
    drafts = mail_servers.folder("Drafts")
    assert len(drafts) == 1
    assert row(imap_home).draft_id != first
    assert drafts[0][0]["Message-ID"] == row(imap_home).message_id


def test_send_goes_through_smtp_with_one_copy_in_sent(
    imap_home: Path, mail_servers: MailServers, run: Invoke
) -> None:
    assert run("draft", "outreach", ADA).exit_code == 0
    result = run("send", ADA, "--yes")
    assert result.exit_code == 0, result.output
    accepted = mail_servers.smtp.accepted
    assert [sub.recipients for sub in accepted] == [[ADA]]
    assert accepted[0].message["Message-ID"] == row(imap_home).message_id
    assert mail_servers.smtp.handler.logins == [mail_servers.dovecot.username]
    assert mail_servers.folder("Drafts") == []
    sent = mail_servers.folder("Sent")
    assert len(sent) == 1 and sent[0][0]["Message-ID"] == row(imap_home).message_id
    assert row(imap_home).state == "sent"
    synced = run("sync")  # our own copy in Sent is not a second send
    assert synced.exit_code == 0, synced.output
    assert "Synced the mailbox on 127.0.0.1 (" in synced.output  # not "the local inbox"
    assert stage(run) == "sent"
    assert len(mail_servers.folder("Sent")) == 1


def test_a_server_that_files_sent_mail_itself_gets_no_second_copy(
    workspace: Path, mail_servers: MailServers, imap_keyring: None, run: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_now(monkeypatch, at("2026-03-02 09:00"))
    imap_workspace(workspace, mail_servers, run, sent_copy="server", smtp_security="tls")
    mail_servers.smtp.handler.files_sent_copy = True
    assert run("contacts", "add", ADA, "--name", "Ada Lovelace").exit_code == 0
    assert run("draft", "outreach", ADA).exit_code == 0
    assert run("send", ADA, "--yes").exit_code == 0
    assert len(mail_servers.folder("Sent")) == 1
    assert len(mail_servers.smtp.accepted) == 1


def test_a_refused_recipient_sends_nothing_and_takes_the_sent_copy_back(
    imap_home: Path, mail_servers: MailServers, run: Invoke
) -> None:
    mail_servers.smtp.handler.refuse = {ADA}
    assert run("draft", "outreach", ADA).exit_code == 0
    result = run("send", ADA, "--yes")
    assert "refused the recipient" in result.output
    assert mail_servers.smtp.accepted == []
    assert mail_servers.folder("Sent") == []
    assert len(mail_servers.folder("Drafts")) == 1
    assert row(imap_home).state == "drafted"


def test_a_send_whose_answer_is_lost_counts_as_sent_by_our_copy_in_sent(
    imap_home: Path, mail_servers: MailServers, run: Invoke
) -> None:
    mail_servers.smtp.handler.drop_after_data = 1
    assert run("draft", "outreach", ADA).exit_code == 0
    run("send", ADA, "--yes")
    assert len(mail_servers.smtp.accepted) == 1
    assert row(imap_home).state == "sent"
    run("send", ADA, "--yes")
    assert len(mail_servers.smtp.accepted) == 1


def test_a_lost_answer_with_no_copy_anywhere_is_never_retried_but_asked_about(
    workspace: Path, mail_servers: MailServers, imap_keyring: None, run: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_now(monkeypatch, at("2026-03-02 09:00"))
    imap_workspace(workspace, mail_servers, run, sent_copy="server")
    mail_servers.smtp.handler.drop_after_data = 1  # and this server files no copy
    assert run("contacts", "add", ADA, "--name", "Ada Lovelace").exit_code == 0
    assert run("draft", "outreach", ADA).exit_code == 0
    result = run("send", ADA, "--yes")
    assert "may or may not have gone out" in result.output
    assert len(mail_servers.smtp.accepted) == 1
    again = run("send", ADA, "--yes")
    assert len(mail_servers.smtp.accepted) == 1, again.output


def test_sync_threads_a_reply_and_reads_only_what_is_new(
    imap_home: Path, mail_servers: MailServers, run: Invoke
) -> None:
    assert run("draft", "outreach", ADA).exit_code == 0
    assert run("send", ADA, "--yes").exit_code == 0
    assert run("sync").exit_code == 0
    mail_servers.dovecot.deliver(reply(row(imap_home), ADA, at("2026-03-02 11:00")))
    result = run("sync")
    assert result.exit_code == 0, result.output
    assert stage(run) == "replied"

    dovecot = mail_servers.dovecot
    dovecot.reset_commands()
    assert run("sync").exit_code == 0
    nothing_new = dovecot.client_commands()
    assert [c.split(" ")[0] for c in nothing_new] == ["STATUS", "STATUS", "LOGOUT"], nothing_new

    for number in range(20):
        news = EmailMessage()
        news["From"] = f"news{number}@lists.example.com"
        news["To"] = dovecot.username
        news["Subject"] = f"Newsletter {number}"
        news["Message-ID"] = f"<news{number}@lists.example.com>"
        news.set_content("Not a person.")
        dovecot.deliver(news)
    dovecot.reset_commands()
    result = run("sync")
    assert result.exit_code == 0, result.output
    twenty_new = dovecot.client_commands()
    assert [c.split(" ")[0] for c in twenty_new] == [
        "STATUS", "STATUS", "EXAMINE", "UID", "LOGOUT"
    ], twenty_new
    assert stage(run) == "replied"


def test_a_renumbered_inbox_is_read_again_without_doubling_anything(
    imap_home: Path, mail_servers: MailServers, run: Invoke
) -> None:
    assert run("draft", "outreach", ADA).exit_code == 0
    assert run("send", ADA, "--yes").exit_code == 0
    mail_servers.dovecot.deliver(reply(row(imap_home), ADA, at("2026-03-02 11:00")))
    assert run("sync").exit_code == 0
    before = run("contacts", "show", ADA, "--json").output
    mail_servers.dovecot.renumber("INBOX")
    result = run("sync", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["mode"] == "full"
    assert run("contacts", "show", ADA, "--json").output == before


def test_a_draft_sent_from_the_users_own_mail_app_counts_as_sent(
    imap_home: Path, mail_servers: MailServers, run: Invoke
) -> None:
    """What a mail app does when the user clicks Send on our draft: the message goes out, a
    copy lands in Sent (its Message-ID unchanged), and the draft leaves Drafts."""
    assert run("draft", "outreach", ADA).exit_code == 0
    [(drafted, _)] = mail_servers.folder("Drafts")
    client = mail_servers.client()
    try:
        client.select_folder("Drafts")
        client.delete_messages(client.search(["ALL"]))
        client.expunge()
        client.append("Sent", drafted.as_bytes(), flags=[b"\\Seen"])
    finally:
        client.logout()
    result = run("sync")
    assert result.exit_code == 0, result.output
    assert stage(run) == "sent"
    assert row(imap_home).state == "sent"
    assert mail_servers.smtp.accepted == []  # outreach itself sent nothing


def test_a_message_id_is_never_mistaken_for_a_longer_one(
    imap_home: Path, mail_servers: MailServers, run: Invoke
) -> None:
    assert run("draft", "outreach", ADA).exit_code == 0
    ours = row(imap_home).message_id
    other = EmailMessage()
    other["From"] = "Sam Rivera <sam@example.edu>"
    other["To"] = "someone@example.org"
    other["Subject"] = "The user's own draft"
    other["Message-ID"] = ours[:-1] + ".longer>"  # holds ours, brackets aside
    other.set_content("Not ours.")
    mail_servers.dovecot.deliver(other, folder="Drafts")
    assert run("draft", "outreach", ADA).exit_code == 0  # a re-draft removes only ours
    ids = sorted(str(m["Message-ID"]) for m, _ in mail_servers.folder("Drafts"))
    assert ids == sorted([ours, str(other["Message-ID"])])


def test_auto_replies_and_bounces_are_read_as_everywhere_else(
    imap_home: Path, mail_servers: MailServers, run: Invoke
) -> None:
    from tests.helpers_sync import MAIL, out_of_office

    assert run("contacts", "add", "bob@nowhere.example.org", "--name", "Bob Gone").exit_code == 0
    assert run("draft", "outreach", ADA, "bob@nowhere.example.org").exit_code == 0
    assert run("send", "--yes").exit_code == 0
    ada = row(imap_home)
    mail_servers.dovecot.deliver(out_of_office(ada, ADA, at("2026-03-02 10:30"), "March 16"))
    bob = row(imap_home, "bob@nowhere.example.org")
    # A DSN naming our message only in the original it returns (no threading headers).
    lines = (MAIL / "gmail_dsn_bounce.eml").read_bytes().splitlines(keepends=True)
    kept = b"".join(ln for ln in lines if not ln.startswith((b"In-Reply-To:", b"References:")))
    bounce = kept.replace(b"<outreach.1.abc@example.edu>", bob.message_id.encode())
    bounce = bounce.replace(b"ada@example.org", b"bob@nowhere.example.org")
    mail_servers.dovecot.deliver(bounce)
    result = run("sync", "--json")
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)["counts"]
    assert counts.get("auto_reply") == 1 and counts.get("bounce") == 1, counts
    assert stage(run, "bob@nowhere.example.org") == "bounced"
