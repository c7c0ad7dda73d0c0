"""Drafting and sending through the real Gmail client, against the fake Google server.

What a user relies on: one draft per contact however often the command runs, however flaky
the network, even when the run is killed part-way; a send happens at most once, ever, and
never past the daily cap; the token is never written to the workspace.
"""

from __future__ import annotations

import email
import email.policy
import signal
import sqlite3
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.fakegoogle.server import FakeGoogle
from tests.gmail_env import ACCESS_TOKEN, REFRESH_TOKEN, GmailWorkspace, gmail_workspace


def parsed_drafts(fake: FakeGoogle) -> list[EmailMessage]:
    messages = []
    for draft in fake.drafts():
        parsed = email.message_from_bytes(draft.message.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return messages


def assert_one_draft_each(fake: FakeGoogle, count: int) -> None:
    messages = parsed_drafts(fake)
    recipients = sorted(str(m["To"].addresses[0].addr_spec) for m in messages)
    assert len(messages) == count
    assert recipients == sorted(f"person{i:03d}@example.org" for i in range(count))
    assert len({m["Message-ID"] for m in messages}) == count


@pytest.fixture
def gmail(
    tmp_path: Path, fake_google: FakeGoogle, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> GmailWorkspace:
    return gmail_workspace(tmp_path, fake_google, run, monkeypatch, contacts=50)


def test_drafting_50_contacts_makes_50_drafts_that_parse_back(
    gmail: GmailWorkspace, run: Invoke
) -> None:
    result = run("draft", "outreach", "--tag", "batch")
    assert result.exit_code == 0, result.output
    assert "50 created" in result.output
    assert_one_draft_each(gmail.fake, 50)
    for message in parsed_drafts(gmail.fake):
        assert set(message.keys()) >= {"From", "To", "Subject", "Message-ID", "Date"}
        assert message["From"].addresses[0].addr_spec == gmail.fake.email
        assert message["From"].addresses[0].display_name == "Sam Rivera"
        assert "20 minutes" in message.get_content()


def test_rerunning_updates_the_same_drafts(gmail: GmailWorkspace, run: Invoke) -> None:
    assert run("draft", "outreach", "--tag", "batch").exit_code == 0
    first = {d.id for d in gmail.fake.drafts()}
    result = run("draft", "outreach", "--tag", "batch")
    assert result.exit_code == 0, result.output
    assert "50 updated" in result.output
    assert {d.id for d in gmail.fake.drafts()} == first
    assert_one_draft_each(gmail.fake, 50)


def test_faults_lose_and_double_nothing(gmail: GmailWorkspace, run: Invoke) -> None:
    fake = gmail.fake
    fake.inject(500, probability=0.1, seed=1, path_pattern="drafts|batch")
    fake.inject(429, retry_after=0.05, probability=0.1, seed=2, path_pattern="drafts|batch")
    fake.inject(drop=True, probability=0.05, seed=3, path_pattern="batch")
    fake.inject(lose_response=True, probability=0.05, seed=4, path_pattern="batch")
    result = run("draft", "outreach", "--tag", "batch")
    fake.reset_faults()
    assert result.exit_code == 0, result.output
    assert_one_draft_each(fake, 50)
    assert fake.status_counts.get(429, 0) + fake.status_counts.get(500, 0) > 0


def test_a_run_killed_part_way_then_rerun_leaves_exactly_one_draft_each(
    gmail: GmailWorkspace,
) -> None:
    fake = gmail.fake
    fake.inject(latency=0.05, path_pattern="batch")
    for attempt in range(2):
        process = gmail.start("draft", "outreach", "--tag", "batch")
        deadline = time.monotonic() + 30
        while len(fake.drafts()) < 10 * (attempt + 1) and time.monotonic() < deadline:
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait()
    fake.reset_faults()
    finished = gmail.cli("draft", "outreach", "--tag", "batch")
    assert finished.returncode == 0, finished.stderr
    assert_one_draft_each(fake, 50)
    with sqlite3.connect(gmail.root / "outreach.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        states = dict(conn.execute("SELECT state, COUNT(*) FROM messages GROUP BY state"))
    assert states == {"drafted": 50}


def test_send_goes_up_to_the_daily_cap_and_never_sends_twice(
    tmp_path: Path, fake_google: FakeGoogle, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    gmail_workspace(tmp_path, fake_google, run, monkeypatch, contacts=12, cap=10)
    assert run("draft", "outreach", "--tag", "batch").exit_code == 0

    sent = run("send", "--yes")
    assert sent.exit_code == 0, sent.output
    assert "2 messages wait for the daily cap of 10; room frees up at" in sent.output
    assert len(fake_google.messages(label="SENT")) == 10

    again = run("send", "--yes", "person000@example.org")
    assert "Nothing to send" in again.output
    over = run("send", "--yes")
    assert over.exit_code == 1 and "frees up at" in over.output
    assert len(fake_google.messages(label="SENT")) == 10


def test_send_asks_first_without_yes(gmail: GmailWorkspace, run: Invoke) -> None:
    assert run("draft", "outreach", "person001@example.org").exit_code == 0
    declined = run("send", input="n\n")
    assert "Nothing sent" in declined.output
    assert gmail.fake.messages(label="SENT") == []


def test_a_send_whose_answer_is_lost_is_not_repeated(gmail: GmailWorkspace, run: Invoke) -> None:
    assert run("draft", "outreach", "person002@example.org").exit_code == 0
    gmail.fake.inject(lose_response=True, path_pattern="drafts/send", times=1)
    first = run("send", "--yes")
    assert len(gmail.fake.messages(label="SENT")) == 1
    second = run("send", "--yes")
    assert len(gmail.fake.messages(label="SENT")) == 1, (first.output, second.output)


def test_the_token_is_in_no_workspace_file_and_no_output(
    gmail: GmailWorkspace, run: Invoke
) -> None:
    outputs = [
        run("--verbose", "draft", "outreach", "--tag", "batch").output,
        run("--verbose", "auth", "status").output,
        run("auth", "status", "--json").output,
        run("doctor").output,
    ]
    for path in gmail.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert ACCESS_TOKEN.encode() not in data, path
            assert REFRESH_TOKEN.encode() not in data, path
    for text in outputs:
        assert ACCESS_TOKEN not in text and REFRESH_TOKEN not in text
    assert "gmail api" in outputs[3] and "FAIL" not in outputs[3], outputs[3]


def test_an_expired_token_is_refreshed_and_saved_back(gmail: GmailWorkspace, run: Invoke) -> None:
    gmail.fake.expire_tokens()
    result = run("draft", "outreach", "person003@example.org")
    assert result.exit_code == 0, result.output
    assert "access token valid until" in run("auth", "status").output


def test_a_revoked_token_says_to_log_in_again(gmail: GmailWorkspace, run: Invoke) -> None:
    gmail.fake.expire_tokens()
    gmail.fake.revoke_refresh_token(REFRESH_TOKEN)
    result = run("draft", "outreach", "person004@example.org")
    assert result.exit_code == 1
    assert "outreach auth login" in result.output
    assert "Traceback" not in result.output


def test_logout_removes_the_token(gmail: GmailWorkspace, run: Invoke) -> None:
    assert "Removed" in run("auth", "logout").output
    assert "not connected" in run("auth", "status").output
    result = run("draft", "outreach", "person005@example.org")
    assert result.exit_code == 1 and "auth login" in result.output


def test_single_calls_honour_retry_after_when_rate_limited(
    gmail: GmailWorkspace, run: Invoke
) -> None:
    assert run("draft", "outreach", "person006@example.org").exit_code == 0
    gmail.fake.inject(429, retry_after=0.2, path_pattern="drafts/send", times=2)
    started = time.monotonic()
    result = run("send", "--yes")
    assert result.exit_code == 0, result.output
    assert len(gmail.fake.messages(label="SENT")) == 1
    assert 0.4 <= time.monotonic() - started < 5


def test_a_refused_send_sends_nothing_and_can_be_sent_later(
    gmail: GmailWorkspace, run: Invoke
) -> None:
    assert run("draft", "outreach", "person007@example.org").exit_code == 0
    gmail.fake.inject(403, reason="insufficientPermissions", path_pattern="drafts/send", times=1)
    refused = run("send", "--yes")
    assert refused.exit_code == 1 and "HTTP 403" in refused.output
    assert gmail.fake.messages(label="SENT") == []
    retried = run("send", "--yes")
    assert retried.exit_code == 0, retried.output
    assert len(gmail.fake.messages(label="SENT")) == 1


def test_gmail_down_is_a_clear_error_not_a_crash(
    gmail: GmailWorkspace, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outreach.mail.gmail import GmailBackend

    # Every retry is still made; only the back-off between them is not waited out.
    monkeypatch.setattr(GmailBackend, "_backoff", staticmethod(lambda attempt: 0.0))
    assert run("draft", "outreach", "person008@example.org").exit_code == 0
    with sqlite3.connect(gmail.root / "outreach.db") as conn:  # as if the run was killed
        conn.execute("UPDATE messages SET draft_id = NULL, state = 'pending'")
    gmail.fake.inject(503, path_pattern="gmail|batch")
    result = run("draft", "outreach", "person008@example.org")
    gmail.fake.reset_faults()
    assert result.exit_code == 1, result.output
    assert "Gmail" in result.output and "Hint:" in result.output
    assert "Unexpected error" not in result.output


# --- never a double send, also when Gmail gives the sent copy a Message-ID of its own ---------


def sent_copies(fake: FakeGoogle, to: str) -> list[str]:
    return [m.id for m in fake.messages(label="SENT") if to in (m.header("To") or "")]


def test_a_lost_send_answer_is_resolved_from_the_thread_though_the_message_id_changed(
    tmp_path: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeGoogle(rewrite_message_id_on_send=True) as fake:
        gmail_workspace(tmp_path, fake, run, monkeypatch, contacts=3)
        assert run("draft", "outreach", "person000@example.org").exit_code == 0
        fake.inject(lose_response=True, path_pattern="drafts/send", times=1)
        first = run("send", "--yes")
        assert first.exit_code == 0, first.output  # resolved, not "outcome unknown"
        assert "Sent 1 of 1 message from" in first.output, first.output
        assert len(sent_copies(fake, "person000@example.org")) == 1
        again = run("send", "--yes", "person000@example.org")
        assert "Nothing to send" in again.output
        assert run("sync").exit_code == 0
        assert len(sent_copies(fake, "person000@example.org")) == 1
        shown = run("contacts", "show", "person000@example.org", "--json")
        assert '"stage": "sent"' in shown.output


def test_a_draft_sent_from_gmail_under_a_new_message_id_is_not_drafted_or_sent_again(
    tmp_path: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeGoogle() as fake:
        gmail_workspace(tmp_path, fake, run, monkeypatch, contacts=2)
        assert run("draft", "outreach", "--tag", "batch").exit_code == 0
        first, second = fake.drafts()
        fake.send_draft_as_user(first.id, rewrite_message_id=True)  # Gmail's web client
        fake.send_draft_as_user(second.id, rewrite_message_id=True)
        redraft = run("draft", "outreach", "--tag", "batch")  # before any sync
        assert "already sent from Gmail" in redraft.output
        assert fake.drafts() == []  # no second draft of what already went out
        sent = run("send", "--yes")
        assert sent.exit_code == 0, sent.output
        assert "Sent 0 of 2 messages from user@example.com (2 had been sent from Gmail)." \
            in sent.output
        assert len(fake.messages(label="SENT")) == 2
        assert "Nothing to send" in run("send", "--yes").output


def test_a_send_dropped_before_gmail_did_anything_is_sent_after_looking(
    gmail: GmailWorkspace, run: Invoke
) -> None:
    assert run("draft", "outreach", "person009@example.org").exit_code == 0
    gmail.fake.inject(drop=True, path_pattern="drafts/send", times=2)  # nothing was done
    result = run("send", "--yes")
    assert result.exit_code == 0, result.output
    assert len(gmail.fake.messages(label="SENT")) == 1
    calls = [c.method_id for c in gmail.fake.calls]
    assert calls.count("gmail.users.drafts.send") == 3  # two dropped, each looked up first
    assert calls.count("gmail.users.drafts.get") == 2  # "is the draft still there?"
