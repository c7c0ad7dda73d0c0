"""The Microsoft backend through the fake Graph: drafts, re-drafts, send, sync, throttling.

Every call is the tool's real client (msal for tokens, requests for Graph) over HTTPS to
``tests/fakemicrosoft``; what reached the contact is parsed back from the fake."""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.conversation_world import parse
from tests.fakemicrosoft.server import FakeMicrosoft
from tests.microsoft_env import MicrosoftWorkspace, microsoft_workspace

pytest_plugins = ["tests.fakemicrosoft.fixtures"]


@pytest.fixture
def outlook(
    tmp_path: Path, fake_microsoft: FakeMicrosoft, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> MicrosoftWorkspace:
    ws = microsoft_workspace(tmp_path, fake_microsoft, run, monkeypatch)
    for name, address in (("Ada Lovelace", "ada@example.org"), ("Alan Turing", "alan@example.org")):
        result = run("contacts", "add", address, "--name", name, "--org", "Analytical Engines")
        assert result.exit_code == 0, result.output
    return ws


def _reply(to: EmailMessage, sender: str, text: str) -> EmailMessage:
    answer = EmailMessage()
    answer["From"] = sender
    answer["To"] = str(to["From"])
    answer["Subject"] = "Re: " + str(to["Subject"])
    answer["Message-ID"] = make_msgid(domain="example.org")
    answer["In-Reply-To"] = str(to["Message-ID"])
    answer["References"] = str(to["Message-ID"])
    answer["Date"] = format_datetime(to_date(to))
    answer.set_content(text)
    return answer


def to_date(message: EmailMessage) -> object:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(str(message["Date"]))


def test_drafts_land_in_outlook_drafts_with_our_headers(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    result = run("draft", "outreach", "ada@example.org", "alan@example.org")
    assert result.exit_code == 0, result.output
    assert "your Outlook drafts" in result.output and "Gmail" not in result.output
    drafts = fake.drafts()
    assert sorted(str(d["To"]) for d in drafts) == [
        "Ada Lovelace <ada@example.org>",
        "Alan Turing <alan@example.org>",
    ]
    shown = json.loads(run("contacts", "show", "ada@example.org", "--json").output)
    [message] = shown["messages"]
    ada = next(d for d in drafts if "ada@" in str(d["To"]))
    assert str(ada["Message-ID"]) == message["message_id"]
    posts = [e.path for e in fake.log if e.method == "POST"]
    assert posts == ["/me/mailFolders/drafts/messages"] * 2


def test_a_redraft_replaces_the_old_draft_never_leaving_two(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    [first] = fake.mailbox.in_folder("drafts")
    result = run("draft", "outreach", "ada@example.org")
    assert result.exit_code == 0, result.output
    [second] = fake.mailbox.in_folder("drafts")
    assert second.id != first.id
    assert first.id not in fake.mailbox.items


def test_send_sends_once_and_sync_sees_the_send_and_the_reply(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    result = run("send", "ada@example.org", "--yes")
    assert result.exit_code == 0, result.output
    [sent] = [parse(m) for m in fake.delivered()]
    assert str(sent["To"]) == "Ada Lovelace <ada@example.org>"
    assert fake.drafts() == []
    fake.deliver(_reply(sent, "Ada Lovelace <ada@example.org>", "Happy to talk. Tuesday works."))
    result = run("sync")
    assert result.exit_code == 0, result.output
    assert "Synced Outlook (" in result.output and "Google" not in result.output
    shown = json.loads(run("contacts", "show", "ada@example.org", "--json").output)
    assert shown["stage"] == "replied"
    reply = next(i for i in fake.mailbox.in_folder("inbox"))
    sent_copy = fake.mailbox.in_folder("sentitems")[0]
    assert reply.conversation_id == sent_copy.conversation_id
    again = run("send", "ada@example.org", "--yes")
    assert len(fake.delivered()) == 1, again.output


def test_an_idle_sync_is_two_delta_pages_and_one_look_at_the_drafts(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    """Nothing new: one delta page per folder, and (a draft waits) one batch asking whether
    the drafts are still there, so a draft deleted in Outlook is noticed (issue 17)."""
    fake = outlook.fake
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    assert run("sync").exit_code == 0
    mark = len(fake.log)
    result = run("sync", "--json")
    assert result.exit_code == 0, result.output
    # "requests" counts the delta rounds; the drafts' look is made after them (issue 17).
    assert json.loads(result.output)["requests"] == 2
    [draft] = fake.mailbox.in_folder("drafts")
    assert [(e.path, e.in_batch) for e in fake.requests_since(mark)] == [
        ("/me/mailFolders/inbox/messages/delta", False),
        ("/me/mailFolders/sentitems/messages/delta", False),
        ("/$batch", False),
        (f"/me/messages/{draft.id}", True),
    ]


def test_an_expired_delta_token_means_a_fresh_round_losing_nothing(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    assert run("send", "ada@example.org", "--yes").exit_code == 0
    assert run("sync").exit_code == 0
    [sent] = [parse(m) for m in fake.delivered()]
    fake.deliver(_reply(sent, "ada@example.org", "Sure, Wednesday."))
    fake.mailbox.expire_delta()
    result = run("sync", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["mode"] == "full"
    assert "no longer knows" in report["reason"]
    assert report["counts"]["reply"] == 1
    again = json.loads(run("sync", "--json").output)
    assert again["mode"] == "incremental" and again["counts"]["reply"] == 0


def test_throttling_waits_for_retry_after_and_goes_on(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    fake.throttle(2, retry_after=1)
    result = run("draft", "outreach", "ada@example.org", "alan@example.org")
    assert result.exit_code == 0, result.output
    assert len(fake.drafts()) == 2


def test_a_send_whose_answer_is_lost_is_found_in_sent_items_not_repeated(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    fake.drop_answer("POST /me/messages/")
    result = run("send", "ada@example.org", "--yes")
    assert result.exit_code == 0, result.output
    assert len(fake.delivered()) == 1
    shown = json.loads(run("contacts", "show", "ada@example.org", "--json").output)
    assert shown["stage"] == "sent"


def test_doctor_and_auth_status_speak_of_outlook(outlook: MicrosoftWorkspace, run: Invoke) -> None:
    result = run("auth", "status")
    assert result.exit_code == 0, result.output
    assert "(Microsoft)" in result.output
    doctor = run("doctor")
    assert doctor.exit_code == 0, doctor.output
    assert "signed in as sam@example.edu; Drafts readable" in doctor.output
    outlook.fake.identity.expire_access_tokens()
    outlook.fake.identity.refresh.clear()  # the sign-in was revoked
    doctor = run("doctor")
    assert doctor.exit_code == 1
    assert "outreach auth login --microsoft" in doctor.output


def test_watch_waits_out_graph_trouble_and_goes_on(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    fake.throttle(6, retry_after=0, status=503)  # more than the client's own retries
    result = run("watch", "--interval", "1", "--max-cycles", "2")
    assert result.exit_code == 0, result.output
    assert "ServiceUnavailable" in result.output  # said, waited out
    assert "Synced Outlook" in result.output


def test_a_draft_whose_create_answer_is_lost_is_found_not_made_twice(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    fake.drop_answer("POST /me/mailFolders/drafts/messages")
    result = run("draft", "outreach", "ada@example.org")
    assert result.exit_code == 0, result.output
    assert len(fake.drafts()) == 1
    shown = json.loads(run("contacts", "show", "ada@example.org", "--json").output)
    assert shown["stage"] == "drafted"


def test_a_draft_sent_from_outlook_itself_is_recorded_and_never_sent_again(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    [draft] = fake.mailbox.in_folder("drafts")
    fake.send_draft_as_user(draft.id)
    result = run("send", "ada@example.org", "--yes")
    assert result.exit_code == 0, result.output
    assert len(fake.delivered()) == 1
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    assert fake.drafts() == []  # not drafted again: it went out
    assert run("sync").exit_code == 0
    shown = json.loads(run("contacts", "show", "ada@example.org", "--json").output)
    assert shown["stage"] == "sent"


def test_mail_the_user_writes_to_a_contact_in_outlook_is_recorded_as_theirs(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    assert run("sync").exit_code == 0
    own = EmailMessage()
    own["From"] = "Sam Rivera <sam@example.edu>"
    own["To"] = "Alan Turing <alan@example.org>"
    own["Subject"] = "Quick question"
    own["Message-ID"] = make_msgid(domain="example.edu")
    own.set_content("Hi Alan")
    fake.sent_by_outlook(own)
    assert run("sync").exit_code == 0
    shown = json.loads(run("contacts", "show", "alan@example.org", "--json").output)
    assert [e["kind"] for e in shown["events"]] == ["own_send"]
    ada = json.loads(run("contacts", "show", "ada@example.org", "--json").output)
    assert ada["events"] == []


def test_sync_full_reads_everything_again_and_doubles_nothing(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    assert run("send", "ada@example.org", "--yes").exit_code == 0
    [sent] = [parse(m) for m in fake.delivered()]
    fake.deliver(_reply(sent, "ada@example.org", "Gladly."))
    first = json.loads(run("sync", "--json").output)
    assert (first["counts"]["sent"], first["counts"]["reply"]) == (0, 1)  # sent: by `send`
    again = json.loads(run("sync", "--full", "--json").output)
    assert again["mode"] == "full"
    assert again["counts"] == {"sent": 0, "reply": 0, "auto_reply": 0, "bounce": 0, "rsvp": 0}
    shown = json.loads(run("contacts", "show", "ada@example.org", "--json").output)
    assert sorted(e["kind"] for e in shown["events"]) == ["own_send", "reply"]


def test_an_outlook_automatic_reply_is_an_auto_reply_with_its_return_date(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    assert run("send", "ada@example.org", "--yes").exit_code == 0
    [sent] = [parse(m) for m in fake.delivered()]
    away = EmailMessage()
    away["From"] = "Ada Lovelace <ada@example.org>"
    away["To"] = "sam@example.edu"
    away["Subject"] = "Automatic reply: " + str(sent["Subject"])  # no In-Reply-To: Exchange's
    away["Auto-Submitted"] = "auto-replied"
    away["X-Auto-Response-Suppress"] = "All"
    away["Message-ID"] = make_msgid(domain="example.org")
    away["Date"] = format_datetime(to_date(sent))
    away.set_content("I am out of the office until 16 March 2026 with limited access to email.")
    fake.deliver(away)
    report = json.loads(run("sync", "--json").output)
    assert report["counts"]["auto_reply"] == 1
    shown = json.loads(run("contacts", "show", "ada@example.org", "--json").output)
    [event] = [e for e in shown["events"] if e["kind"] == "auto_reply"]
    assert event["return_date"] == "2026-03-16"


def test_a_redraft_that_fails_half_way_leaves_no_stale_draft_and_a_rerun_mends_it(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    [old] = fake.mailbox.in_folder("drafts")
    fake.refuse_next("POST /me/mailFolders/drafts/messages", 400)
    run("draft", "outreach", "ada@example.org")
    assert fake.drafts() == []  # the old one went first; nothing stale is left to send
    result = run("draft", "outreach", "ada@example.org")
    assert result.exit_code == 0, result.output
    [new] = fake.mailbox.in_folder("drafts")
    assert new.id != old.id
    assert run("send", "ada@example.org", "--yes").exit_code == 0
    assert len(fake.delivered()) == 1
