"""The quiet cases of a conversation, rule by rule: new times when none can be booked, a
declined invite, drafts that wait to be sent, nothing stale ever sent, lint guarding drafts,
and output that behaves in a pipe."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.app import AppContext
from outreach.config import FollowupConfig, Workspace
from outreach.track.model import Action, ContactFacts, DueAction
from outreach.track.pipeline import due_actions
from tests.conftest import Invoke

NY = ZoneInfo("America/New_York")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY)


def replied(**fields: object) -> ContactFacts:
    """Sent Monday 2 March 10:00; they replied at 14:00; three slots offered until Thu 5."""
    base = ContactFacts(
        contact_id=1,
        email="ada@example.org",
        name="Ada",
        first_sent_at=at("2026-03-02 10:00"),
        last_sent_at=at("2026-03-02 10:00"),
        last_reply_at=at("2026-03-02 14:00"),
        offered_until=at("2026-03-05 11:20"),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def due(facts: ContactFacts, now: str) -> list[DueAction]:
    return due_actions([facts], FollowupConfig(), at(now), NY)


def test_a_reply_while_times_are_open_means_book() -> None:
    [item] = due(replied(), "2026-03-03 09:00")
    assert item.action is Action.BOOK


def test_a_reply_after_every_offered_time_means_propose_new_times() -> None:
    [item] = due(replied(last_reply_at=at("2026-03-16 10:00")), "2026-03-16 11:00")
    assert item.action is Action.PROPOSE_TIMES
    assert "every time offered has passed" in item.reason


def test_drafted_new_times_stay_due_until_sent_then_we_wait_for_them() -> None:
    late = replied(last_reply_at=at("2026-03-16 10:00"))
    [item] = due(replace(late, newtimes_drafted=True), "2026-03-16 11:00")
    assert (item.action, item.drafted) == (Action.PROPOSE_TIMES, True)
    waiting = replace(
        late,
        newtimes_sent_at=at("2026-03-16 12:00"),
        last_sent_at=at("2026-03-16 12:00"),
        offered_until=at("2026-03-19 11:20"),
    )
    assert due(waiting, "2026-03-17 09:00") == []  # their answer comes next


def test_a_declined_invite_means_new_times_and_never_a_thank_you() -> None:
    declined = replied(
        meeting_state="declined",
        meeting_start=at("2026-03-04 10:00"),
        meeting_end=at("2026-03-04 10:20"),
        meeting_changed_at=at("2026-03-03 16:00"),
        meeting_rsvp="declined",
        last_sent_at=at("2026-03-03 09:00"),
        last_reply_at=at("2026-03-03 16:00"),
    )
    after = [a.action for a in due(declined, "2026-03-05 09:00")]
    assert after == [Action.PROPOSE_TIMES]


def test_an_unsent_invite_stays_due_as_send_the_invite() -> None:
    booked = replied(
        meeting_state="scheduled",
        meeting_start=at("2026-03-04 10:00"),
        meeting_end=at("2026-03-04 10:20"),
        meeting_changed_at=at("2026-03-02 15:00"),
        invite_drafted=True,
    )
    [item] = due(booked, "2026-03-02 16:00")
    assert (item.action, item.drafted) == (Action.BOOK, True)
    assert "they do not know the time yet" in item.reason


def test_a_drafted_referral_note_stays_due_as_send_it() -> None:
    referral = ContactFacts(contact_id=2, email="kj@example.net", name="KJ", referred_by=1,
                            created_at=at("2026-03-02 09:00"), drafted=1, outreach_drafted=True)
    [item] = due(referral, "2026-03-02 10:00")
    assert (item.action, item.drafted) == (Action.REACH_REFERRAL, True)


def test_a_closed_contact_has_nothing_due_whatever_happened() -> None:
    assert due(replied(closed=True, closed_reason="declined"), "2026-03-03 09:00") == []


# --- through the CLI: stale drafts, lint, pipes ---------------------------------------------


@pytest.fixture
def sent(workspace: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OUTREACH_NOW", "2026-03-02T09:00:00-05:00")
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    for address, name in (("ada@example.org", "Ada Lovelace"), ("kj@example.net", "KJ")):
        assert run("contacts", "add", address, "--name", name, "--set",
                   "connection=the alumni directory").exit_code == 0
    assert run("draft", "outreach", "ada@example.org", "kj@example.net").exit_code == 0
    return workspace


def test_a_first_message_whose_times_have_passed_is_not_sent(sent: Path, run: Invoke) -> None:
    later = {"OUTREACH_NOW": "2026-03-10T09:00:00-04:00"}
    result = run("send", "--yes", env=later)
    assert "stale" in result.output and "times it proposes have passed" in result.output
    assert "`outreach draft outreach ada@example.org` re-plans its times" in result.output
    assert not list((sent / "sent" / "cur").iterdir())
    assert run("draft", "outreach", "ada@example.org", env=later).exit_code == 0
    resent = run("send", "ada@example.org", "--yes", env=later)
    assert resent.exit_code == 0 and "Moved 1 of 1 message" in resent.output


def test_superseded_invites_left_by_an_older_version_are_never_sent(
    sent: Path, run: Invoke
) -> None:
    """Before this version every reschedule added an invite draft; the older ones must not go
    out now that they are in the outbox."""
    app = AppContext(workspace=Workspace(sent))
    assert run("send", "--yes").exit_code == 0
    assert run("book", "ada@example.org", "--at", "2026-03-04T10:00").exit_code == 0
    [row] = [r for r in app.store.messages.for_contact(1) if r.kind == "confirm"]
    with app.store.transaction():  # what the old version left: a second, newer invite row
        app.store.conn.execute(
            "INSERT INTO messages (contact_id, kind, template, idem_key, subject, message_id, "
            "backend, draft_id, thread_id, state, created_at, updated_at, meeting_id, recipient)"
            " SELECT contact_id, kind, template, 'confirm:legacy', subject, '<legacy@x>', "
            "backend, 'legacy-draft', thread_id, 'drafted', created_at, updated_at, meeting_id,"
            " recipient FROM messages WHERE id = ?",
            (row.id,),
        )
    result = run("send", "--yes")
    assert "a newer invite for the same meeting replaced it" in result.output


def test_draft_refuses_what_lint_rejects_unless_told(sent: Path, run: Invoke) -> None:
    templates = sent / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "ask.txt").write_text(
        "Subject: A job at {{ contact.org }}?\nKind: outreach\n\nHi {{ contact.first_name }},\n\n"
        "I found you through the alumni directory. Could we talk for an hour? Are you "
        "currently hiring?\n\n{{ slots | bulleted }}\n\nSam\n",
        encoding="utf-8",
    )
    refused = run("draft", "ask", "ada@example.org")
    assert refused.exit_code == 1
    assert "Nothing was drafted" in refused.output and "asks for a job" in refused.output
    assert "--ignore-lint" in refused.output
    forced = run("draft", "ask", "ada@example.org", "--ignore-lint")
    assert forced.exit_code == 0, forced.output


def test_a_contacts_own_field_can_break_the_rules_too(sent: Path, run: Invoke) -> None:
    assert run("contacts", "edit", "kj@example.net", "--set",
               "interest=whether you would hire me").exit_code == 0
    refused = run("draft", "outreach", "kj@example.net")
    assert refused.exit_code == 1
    assert "for KJ <kj@example.net>" in refused.output


def test_a_closed_pipe_is_silent(sent: Path, run: Invoke) -> None:
    """`outreach contacts list | head -1`: head exits after one line, long before outreach
    has written its 3,000 rows (far more than a pipe holds); outreach says nothing."""
    people = sent / "people.csv"
    people.write_text(
        "Name,Email\n" + "".join(f"Person {i},p{i}@example.org\n" for i in range(3000)),
        encoding="utf-8",
    )
    assert run("contacts", "import", str(people)).exit_code == 0
    env = {"OUTREACH_HOME": str(sent), "PATH": "/usr/bin:/bin", "COLUMNS": "80"}
    lister = subprocess.Popen(
        [sys.executable, "-m", "outreach", "contacts", "list"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert lister.stdout is not None
    head = subprocess.run(["head", "-1"], stdin=lister.stdout, capture_output=True, check=False)
    lister.stdout.close()
    _, errors = lister.communicate(timeout=60)
    assert errors == b"", errors.decode()
    assert lister.returncode == 0
    assert head.stdout.count(b"\n") == 1


def test_preview_shows_the_subject_a_threaded_message_carries(sent: Path, run: Invoke) -> None:
    """What a command prints as a subject is what goes on the wire: a nudge in her thread."""
    assert run("send", "--yes").exit_code == 0
    shown = run("templates", "preview", "followup", "ada@example.org").output
    assert "Subject: Re: Could I ask you about your work?" in shown
    assert "In-Reply-To: <outreach." in shown
    first = run("templates", "preview", "outreach", "kj@example.net").output
    assert "Subject: Could I ask you about your work?" in first and "In-Reply-To" not in first
