"""After the call: `outreach met` asks its questions on a terminal (and nothing without one),
promises stay in `due` until kept, the thank-you mentions them, and a referrer who may not be
named is not."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from outreach.store import Store
from tests.conftest import Invoke
from tests.helpers_network import (
    app_for,
    network_workspace,
    now,
    ok,
    one_line,
    outbox_messages,
    text_of,
)

ADA = "ada@example.org"
MET = now("2026-03-10T15:30:00-04:00")


@pytest.fixture
def ada(workspace: Path, run: Invoke) -> Path:
    network_workspace(workspace)
    ok(run("contacts", "add", ADA, "--name", "Ada Lovelace", "--org", "Analytical Engines",
           env=now("2026-03-02T09:00:00-05:00")))
    return workspace


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone at a terminal answers (CliRunner's input stands in for the keyboard)."""
    monkeypatch.setattr("outreach.cli.output.interactive", lambda: True)


def db(home: Path) -> Store:
    return app_for(home).store


ANSWERS = "\n".join([
    "start with the data, not the model",  # what they said
    "most teams hire through referrals",
    "",
    "take the battery systems course",  # what you will do
    "",
    "Forecasting: Principles and Practice",  # resources
    "the NHS-R community",
    "",
    "send my résumé",  # promises
    "introduce her to my advisor",
    "",
    "Grace Hopper",  # referrals: a name, a wrong address, the right one, may name Ada
    "grace at example dot com",
    "grace@example.com",
    "y",
    "Alan Turing",  # no address yet, and Ada would rather not be named
    "",
    "n",
    "",
]) + "\n"


def test_met_on_a_terminal_asks_each_question_in_turn(
    ada: Path, run: Invoke, terminal: None
) -> None:
    out = ok(run("met", ADA, input=ANSWERS, env=MET))
    for question in ("What did they say?", "What will you do with it?",
                     "Resources they mentioned?", "Did you promise anything?",
                     "Who did they suggest you talk to next?", "May you mention Ada"):
        assert question in out
    assert "'grace at example dot com' is not an email address" in out
    assert "added referral Grace Hopper <grace@example.com>" in out
    assert "added referral Alan Turing" in out and "without naming Ada Lovelace" in out
    assert "promise 1: send my résumé" in out and "promise 2: introduce her to my advisor" in out

    store = db(ada)
    contact = store.contacts.get(ADA)
    [meeting] = store.meetings.for_contact(contact.id)
    assert meeting.state == "held"
    assert meeting.notes == "start with the data, not the model\nmost teams hire through referrals"
    assert meeting.takeaways == "take the battery systems course"
    assert meeting.resources == "Forecasting: Principles and Practice\nthe NHS-R community"
    assert [p.text for p in store.promises.for_contact(contact.id)] == [
        "send my résumé", "introduce her to my advisor"
    ]
    grace = store.contacts.get("grace@example.com")
    assert (grace.referred_by, grace.mention_referrer) == (contact.id, True)
    [alan] = [c for c in store.contacts.referred_by(contact.id) if c.name == "Alan Turing"]
    assert (alan.email, alan.mention_referrer) == (None, False)

    show = ok(run("contacts", "show", ADA, env=MET))
    assert "resources they mentioned: Forecasting: Principles and Practice; the NHS-R" in show
    assert "Open promises" in show and "1. send my résumé" in show


def test_answering_nothing_records_nothing(ada: Path, run: Invoke, terminal: None) -> None:
    result = run("met", ADA, input="\n" * 6, env=MET)
    assert result.exit_code == 1
    assert "Nothing was answered, so nothing was recorded." in result.output
    store = db(ada)
    assert store.meetings.for_contact(store.contacts.get(ADA).id) == []


def test_without_a_terminal_met_asks_nothing_and_names_the_flags(
    ada: Path, run: Invoke, tmp_path: Path
) -> None:
    marker = tmp_path / "editor-opened"
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\ntouch "{marker}"\necho notes > "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    result = run("met", ADA, input="", env={**MET, "EDITOR": str(editor), "VISUAL": str(editor)})
    assert result.exit_code == 1
    assert "no terminal to ask the questions on" in result.output
    assert f'outreach met {ADA} --notes "what they said"' in result.output
    assert "--promise" in result.output and "--referral" in result.output
    assert not marker.exists()  # no editor was opened
    assert "Traceback" not in result.output
    # The flags work exactly as before.
    ok(run("met", ADA, "--notes", "portfolios", env=MET))


def test_promises_stay_due_until_kept(ada: Path, run: Invoke) -> None:
    ok(run("met", ADA, "--notes", "start with the data", "--promise", "send my résumé",
           "--promise", "introduce you to Grace", env=MET))
    ok(run("met", ADA, "--promise", "Send my  résumé.", env=MET))  # the same promise again

    def promises_due(moment: str) -> list[dict[str, object]]:
        due = json.loads(ok(run("due", "--json", env=now(moment))))
        return [d for d in due if d["action"] == "promise"]

    [resume, intro] = promises_due("2026-03-10T16:00:00-04:00")
    assert (resume["contact"], resume["promise"], resume["overdue"]) == (ADA, 1, False)
    assert resume["text"] == "keep a promise"
    assert 'you promised on 2026-03-10: "send my résumé"' in str(resume["reason"])
    assert resume["command"] == "outreach promises --done 1"
    assert intro["command"] == "outreach promises --done 2"
    assert len(promises_due("2026-03-16T09:00:00-04:00")) == 2  # still there, now overdue
    assert all(p["overdue"] for p in promises_due("2026-03-16T09:00:00-04:00"))

    listing = ok(run("promises", env=MET))
    assert "send my résumé" in listing and "introduce you to Grace" in listing
    out = ok(run("promises", "--done", "1", env=now("2026-03-11T09:00:00-04:00")))
    assert "Promise 1 to Ada Lovelace <ada@example.org>: 'send my résumé' is kept." in out
    assert [p["promise"] for p in promises_due("2026-03-11T10:00:00-04:00")] == [2]
    assert "send my résumé" not in ok(run("promises", env=MET))
    assert "send my résumé" in ok(run("promises", "--all", env=MET))
    listed = json.loads(ok(run("promises", "--all", "--json", env=MET)))
    assert [(p["id"], p["done_at"] is not None) for p in listed] == [(1, True), (2, False)]
    ok(run("promises", "--undo", "1", env=MET))
    assert len(promises_due("2026-03-11T10:00:00-04:00")) == 2


def test_marking_an_unknown_promise_changes_nothing(ada: Path, run: Invoke) -> None:
    ok(run("met", ADA, "--notes", "x", "--promise", "send my résumé", env=MET))
    result = run("promises", "--done", "1", "--done", "7", env=MET)
    assert result.exit_code == 1
    assert "No promise 7; nothing was changed." in result.output
    assert json.loads(ok(run("promises", "--json", env=MET)))[0]["done_at"] is None


def test_the_thank_you_mentions_promises_and_the_terminal_says_what_to_attach(
    ada: Path, run: Invoke
) -> None:
    ok(run("met", ADA, "--notes", "start with the data, not the model",
           "--promise", "send my résumé", "--promise", "introduce her to my advisor", env=MET))
    out = ok(run("followup", env=MET))
    assert (
        'remember Ada Lovelace <ada@example.org>: attach my résumé before you send it (you '
        'promised: "send my résumé"); then `outreach promises --done 1`'
    ) in out
    [thanks] = outbox_messages(ada, ADA)
    text = one_line(text_of(thanks))
    assert "As promised, I'm including my résumé, and I'll introduce you to my advisor." in text
    assert "attach" not in text.lower() and "outreach promises" not in text  # never in the mail
    preview = ok(run("draft", "thankyou", ADA, "--dry-run", env=MET))
    assert "remember Ada Lovelace <ada@example.org>: attach my résumé" in preview


def test_a_referrer_who_may_not_be_named_is_not(ada: Path, run: Invoke) -> None:
    ok(run("met", ADA, "--notes", "start with the data",
           "--referral-no-mention", "Grace Hopper <grace@example.com>", env=MET))
    [item] = [d for d in json.loads(ok(run("due", "--json", env=MET)))
              if d["contact"] == "grace@example.com"]
    assert item["action"] == "reach_referral"
    assert item["command"] == "outreach draft outreach grace@example.com"
    assert "would rather not be named" in item["reason"]
    ok(run("followup", env=MET))
    [note] = outbox_messages(ada, "grace@example.com")
    text = one_line(text_of(note))
    assert "Ada" not in text and "Analytical Engines" not in text
    assert "Someone who knows your work suggested I get in touch" in text
    [thanks] = outbox_messages(ada, ADA)
    thanks_text = one_line(text_of(thanks))
    assert "Thank you, too, for suggesting I speak with Grace Hopper." in thanks_text
    assert "mention that you pointed me their way" not in thanks_text
    brief = ok(run("prep", "grace@example.com", "--output", "-", env=MET))
    assert "Ada would rather not be named: don't mention who suggested you talk." in brief


def test_a_referral_re_recorded_keeps_one_contact(ada: Path, run: Invoke) -> None:
    ok(run("met", ADA, "--notes", "x", "--referral", "Grace Hopper <grace@example.com>", env=MET))
    out = ok(run("met", ADA, "--referral-no-mention", "Grace Hopper <grace@example.com>",
                 env=MET))
    assert "Grace Hopper <grace@example.com> was already recorded as referred by Ada" in out
    assert "someone else" not in out
    store = db(ada)
    assert store.contacts.get("grace@example.com").mention_referrer is False  # second thoughts
    assert len(store.contacts.referred_by(store.contacts.get(ADA).id)) == 1
