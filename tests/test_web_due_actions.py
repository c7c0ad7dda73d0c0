"""Today's off-script items and the delivery queue on the page, in-process: each button runs
what the command beside it runs (`reply --seen`, `contacts add --referred-by`, `met
--missed`, `discard`, `queue cancel`, `send --now`), the Send button queues for the
recipient's morning as `outreach send` does, Compose attaches files as `draft --attach`, and
the due calendar is served as `due --ics` writes it, behind its own read-only token."""

from __future__ import annotations

import email
import email.policy
import html
from email.message import EmailMessage
from pathlib import Path

import pytest
from icalendar import Calendar
from starlette.testclient import TestClient

from outreach.app import AppContext
from outreach.config import Workspace
from outreach.web.app import create_app
from tests.conftest import Invoke
from tests.helpers_sync import at, configure, local_workspace, reply, row_for, set_now
from tests.test_sync_local import drop
from tests.web_env import client, csrf_of

ADA = "ada@example.org"


@pytest.fixture
def home(workspace: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch) -> Path:
    local_workspace(workspace)
    set_now(monkeypatch, at("2026-03-02 09:00"))
    assert run("contacts", "add", ADA, "--name", "Ada Lovelace", "--org", "Analytical Engines",
               "--tz", "Europe/London").exit_code == 0
    return workspace


def answer(home: Path, when: str, body: str, kind: str = "outreach") -> None:
    app = AppContext(workspace=Workspace(home))
    try:
        drop(app, reply(row_for(app, ADA, kind), "Ada Lovelace <ada@example.org>", at(when),
                        body=body))
    finally:
        app.close()


def states(home: Path) -> list[tuple[str, str]]:
    app = AppContext(workspace=Workspace(home))
    try:
        contact = app.store.contacts.get(ADA)
        return [(m.kind, m.state) for m in app.store.messages.for_contact(contact.id)]
    finally:
        app.close()


def drafted_id(home: Path) -> int:
    app = AppContext(workspace=Workspace(home))
    try:
        contact = app.store.contacts.get(ADA)
        return next(m.id for m in app.store.messages.for_contact(contact.id)
                    if m.state == "drafted")
    finally:
        app.close()


def sent_files(home: Path) -> list[EmailMessage]:
    folder = home / "sent" / "cur"
    files = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns) if folder.is_dir() else []
    found = []
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def form_fields(page_html: str, action: str, button: str = "") -> dict[str, str]:
    """The hidden fields of the first form posting to ``action`` (whose button says
    ``button``), as the browser would send them."""
    forms = [f.split("</form>")[0] for f in page_html.split(f'action="{action}"')[1:]]
    form = next(f for f in forms if button in f)
    return {
        html.unescape(name): html.unescape(value)
        for name, value in (
            f.split('name="')[1].split('">')[0].split('" value="')
            for f in form.split("<input")[1:] if 'value="' in f
        )
    }


def met_ada(home: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """First message, a yes, the first slot booked and the invite sent."""
    assert run("draft", "outreach", ADA).exit_code == 0
    assert run("send", "--yes").exit_code == 0
    set_now(monkeypatch, at("2026-03-02 15:00"))
    answer(home, "2026-03-02 14:00", "Happy to talk! The first time works for me.")
    assert run("sync").exit_code == 0
    assert run("book", ADA, "--slot", "1", "--send").exit_code == 0


def meeting_over(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime, timedelta

    app = AppContext(workspace=Workspace(home))
    try:
        meeting = app.store.meetings.latest(app.store.contacts.get(ADA).id)
        assert meeting is not None
        end = datetime.fromisoformat(meeting.end)
    finally:
        app.close()
    set_now(monkeypatch, end + timedelta(days=1))


def test_a_reply_to_read_shows_what_it_said_and_is_marked_read(
    home: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    met_ada(home, run, monkeypatch)
    set_now(monkeypatch, at("2026-03-02 17:00"))
    answer(home, "2026-03-02 16:30", "Hi Sam,\n\nLooking forward to it!\n\nAda", kind="confirm")
    assert run("sync").exit_code == 0
    browser, _ = client(home)
    today = browser.get("/").text
    assert "Ada Lovelace</a>: read their reply" in today
    assert "Looking forward to it!" in today and "Their reply</span> “Re: " in today
    assert ">Mark as read</button>" in today
    page = browser.post("/reply/seen", data={"csrf": csrf_of(today), "contact": ADA})
    assert "Marked Ada Lovelace" in page.text and "replies so far as read" in page.text
    assert "read their reply" not in page.text
    assert "read their reply" not in run("due").output  # the terminal agrees


def test_a_referral_in_a_reply_is_added_with_its_button(
    home: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("draft", "outreach", ADA).exit_code == 0
    assert run("send", "--yes").exit_code == 0
    set_now(monkeypatch, at("2026-03-02 15:00"))
    answer(home, "2026-03-02 14:00", "I'm not the right person, but please talk to my "
           "colleague Grace Hopper <grace@example.org>; she runs the team.")
    assert run("sync").exit_code == 0
    browser, _ = client(home)
    today = browser.get("/").text
    assert "Add Grace Hopper" in today, today
    page = browser.post("/contacts/add", data=form_fields(today, "/contacts/add"))
    assert "Added Grace Hopper" in page.text
    assert "Grace Hopper" in browser.get("/pipeline").text
    shown = run("contacts", "show", "grace@example.org")
    assert shown.exit_code == 0 and "Ada Lovelace" in shown.output  # who referred her


def test_a_time_they_proposed_is_booked_with_one_button(
    home: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("draft", "outreach", ADA).exit_code == 0
    assert run("send", "--yes").exit_code == 0
    set_now(monkeypatch, at("2026-03-02 15:00"))
    answer(home, "2026-03-02 14:00", "None of those suit me, but Friday 13 March at 4pm works.")
    assert run("sync").exit_code == 0
    assert "outreach book ada@example.org --at 2026-03-13T16:00+00:00" in run("due").output
    browser, _ = client(home)
    today = html.unescape(browser.get("/").text)
    when = "Fri 13 Mar, 12:00-12:20 EDT / 16:00-16:20 GMT"  # New York has moved its clocks
    assert f"Book {when}</button>" in today
    page = browser.post("/book", data=form_fields(today, "/book", f"Book {when}"))
    assert f"Booked {when}" in html.unescape(page.text)
    assert states(home) == [("outreach", "sent"), ("confirm", "drafted")]


def test_a_meeting_that_did_not_happen_is_marked_missed(
    home: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    met_ada(home, run, monkeypatch)
    meeting_over(home, monkeypatch)
    browser, _ = client(home)
    today = browser.get("/").text
    assert "did it happen?" in today and ">Mark missed</button>" in today
    assert "Record the meeting with Ada Lovelace" in today
    page = browser.post("/met/missed", data={"csrf": csrf_of(today), "contact": ADA})
    assert "is marked missed; no thank-you" in page.text
    assert "propose new times" in page.text  # what `due` says next


def test_a_draft_is_discarded_with_its_button(home: Path, run: Invoke) -> None:
    assert run("draft", "outreach", ADA).exit_code == 0
    browser, _ = client(home)
    today = browser.get(f"/contact/{ADA}").text
    assert ">Discard draft</button>" in today
    page = browser.post("/discard", data={"csrf": csrf_of(today), "contact": ADA})
    assert "Discarded the first message to Ada Lovelace" in page.text
    assert states(home) == [("outreach", "discarded")]


def test_send_queues_for_their_morning_and_send_now_goes_at_once(
    home: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(home, mail={"deliver_window": "08:00-10:00"})
    set_now(monkeypatch, at("2026-03-02 12:00"))  # 17:00 in London: past her morning
    assert run("draft", "outreach", ADA).exit_code == 0
    browser, _ = client(home)
    today = browser.get(f"/contact/{ADA}").text
    csrf = csrf_of(today)
    assert "to Ada Lovelace now</button>" in today  # send --now, beside the Send button
    page = browser.post("/send", data={"csrf": csrf, "message": drafted_id(home), "back": "/"})
    said = html.unescape(page.text)
    assert "Queued for Ada Lovelace's morning: it goes Tue 03 Mar 08:" in said
    assert "their time (Tue 03:" in said and "outreach watch" in said
    assert states(home) == [("outreach", "drafted")] and sent_files(home) == []
    queue = run("queue")  # the CLI sees it queued
    assert "Ada Lovelace <ada@example.org> (outreach): Tue 03 Mar 03:" in queue.output
    assert "wait for their recipients' morning" in page.text
    off = browser.post("/queue/cancel", data={"csrf": csrf, "contact": ADA})
    assert "Took Ada Lovelace &lt;ada@example.org&gt; off the queue" in off.text
    assert "Nothing is queued." in run("queue").output
    now = browser.post("/send", data={"csrf": csrf, "message": drafted_id(home), "now": "yes"})
    assert "Marked as sent" in now.text
    assert states(home) == [("outreach", "sent")] and len(sent_files(home)) == 1


def test_compose_attaches_files_as_draft_attach_does(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, _ = client(home)
    compose = browser.get(f"/compose?template=outreach&contact={ADA}").text
    assert "Nothing is attached to this message yet." in compose
    text = compose.split('name="text" rows="18">')[1].split("</textarea>")[0]
    text = html.unescape(text)
    claimed = text.replace("Thank you for considering it.",
                           "I've attached my CV.\n\nThank you for considering it.")
    csrf = csrf_of(compose)
    # It says it attaches something and carries nothing: Send refuses, in send's words.
    browser.post("/draft", data={"csrf": csrf, "template": "outreach", "contact": ADA,
                                 "text": claimed})
    warned = browser.get(f"/compose?template=outreach&contact={ADA}").text
    refused = browser.post("/send", data={"csrf": csrf, "message": drafted_id(home),
                                          "back": "/"})
    said = html.unescape(refused.text)
    assert ('Not sent (Ada Lovelace <ada@example.org>): it says "I\'ve attached my CV" but '
            "nothing is attached") in said
    assert "--attach FILE" in said and "--no-attachment-check" in said
    assert states(home) == [("outreach", "drafted")]
    assert "Nothing is attached" in warned
    # Attached from the page: kept in the workspace, carried by the draft, shown.
    page = browser.post(
        "/draft", data={"csrf": csrf, "template": "outreach", "contact": ADA, "text": claimed},
        files={"attach": ("Sam Lee CV.pdf", b"%PDF-1.4 a CV", "application/pdf")})
    assert "with Sam Lee CV.pdf attached" in page.text
    kept = list((home / "attachments").glob("*/Sam Lee CV.pdf"))
    assert len(kept) == 1
    again = browser.get(f"/compose?template=outreach&contact={ADA}").text
    assert "Attached to the draft: <strong>Sam Lee CV.pdf</strong>" in again
    sent = browser.post("/send", data={"csrf": csrf, "message": drafted_id(home), "back": "/"})
    assert "Marked as sent" in sent.text
    parts = [p for p in sent_files(home)[-1].walk() if p.get_filename()]
    assert [(p.get_filename(), p.get_content()) for p in parts] == [
        ("Sam Lee CV.pdf", b"%PDF-1.4 a CV")]


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outreach.services.drafting import attaching

    monkeypatch.setattr(attaching, "MAX_ATTACHMENT_BYTES", 1000)
    browser, _ = client(home)
    csrf = csrf_of(browser.get("/").text)
    page = browser.post("/draft", data={"csrf": csrf, "template": "outreach", "contact": ADA,
                                        "back": "/"},
                        files={"attach": ("../../big.pdf", b"x" * 1001, "application/pdf")})
    assert "Cannot attach big.pdf: it is over the 25 MB Gmail sends." in page.text
    assert states(home) == []
    assert list((home / "attachments").rglob("*.pdf")) == []
    assert not (home.parent / "big.pdf").exists()


def test_the_due_calendar_is_served_with_its_own_read_only_token(
    home: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("draft", "outreach", ADA).exit_code == 0
    assert run("send", "--yes").exit_code == 0
    set_now(monkeypatch, at("2026-03-09 09:00"))  # no reply for a week: a nudge is due
    browser, secrets_ = client(home)
    today = browser.get("/").text
    address = f"http://127.0.0.1:8765/due.ics?calendar={secrets_.calendar}"
    assert address in today
    feed = browser.get("/due.ics")  # signed in: the cookie opens it too
    assert feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Ada Lovelace: nudge (no reply)"]
    assert "Run: outreach draft followup ada@example.org" in str(events[0]["description"])
    app_only = TestClient(create_app(Workspace(home), secrets_),  # a calendar app: no cookie
                          base_url="http://127.0.0.1:8765")
    assert app_only.get(address.split("8765")[1]).status_code == 200
    assert app_only.get("/due.ics?calendar=nope").status_code == 403
    assert app_only.get("/due.ics").status_code == 403
    assert app_only.get(f"/?calendar={secrets_.calendar}").status_code == 403  # that page only
    assert app_only.post(f"/due.ics?calendar={secrets_.calendar}").status_code == 403


def test_drafts_held_by_the_cap_and_stale_ones_are_said_as_due_says_them(
    home: Path, run: Invoke
) -> None:
    assert run("contacts", "add", "alan@example.org", "--name", "Alan Turing").exit_code == 0
    configure(home, mail={"daily_send_cap": 1})
    assert run("draft", "outreach", ADA, "alan@example.org").exit_code == 0
    assert run("send", "--yes").exit_code == 0  # one goes, one waits for the cap
    browser, _ = client(home)
    today = html.unescape(browser.get("/").text)
    assert "Drafts: 1 draft waits for the daily cap; room frees up at " in today
    assert run("contacts", "close", "alan@example.org", "--reason", "moved on").exit_code == 0
    today = html.unescape(browser.get("/").text)
    stale = [line for line in run("due").output.splitlines() if "stale" in line]
    assert stale and "outreach discard alan@example.org" in stale[0]
    assert "is stale (the contact is closed" in today
    assert ">Discard draft (alan@example.org)</button>" in today
    page = browser.post("/discard", data={"csrf": csrf_of(today), "contact": "alan@example.org"})
    assert "Discarded the first message to Alan Turing" in html.unescape(page.text)
    assert "is stale" not in html.unescape(page.text)


def test_a_queued_nudge_shows_on_its_due_item_with_send_now_and_take_off(
    home: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("draft", "outreach", ADA).exit_code == 0
    assert run("send", "--yes").exit_code == 0
    configure(home, mail={"deliver_window": "08:00-10:00"})
    set_now(monkeypatch, at("2026-03-09 13:00"))  # a week on, 17:00 in London
    assert run("draft", "followup", ADA).exit_code == 0
    browser, _ = client(home)
    today = html.unescape(browser.get("/").text)
    assert "Ada Lovelace</a>: send the drafted nudge" in today
    page = browser.post("/send", data=form_fields(today, "/send", "to Ada Lovelace</button>"))
    shown = html.unescape(page.text)
    assert "Queued for Ada Lovelace's morning: it goes Tue 10 Mar 08:" in shown
    assert "” goes Tue 10 Mar 08:" in shown  # on the item itself
    assert "to Ada Lovelace now</button>" in shown and "to Ada Lovelace off the queue" in shown
    assert "Take off the queue (Ada Lovelace)" in shown  # and in the queue's list
    now = browser.post("/send", data=form_fields(shown, "/send", "to Ada Lovelace now"))
    assert "Marked as sent" in now.text
    assert states(home) == [("outreach", "sent"), ("followup", "sent")]
    assert "Nothing is queued." in run("queue").output


def test_after_a_no_close_says_why(
    home: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("draft", "outreach", ADA).exit_code == 0
    assert run("send", "--yes").exit_code == 0
    set_now(monkeypatch, at("2026-03-03 10:00"))
    answer(home, "2026-03-03 09:00", "Thanks for thinking of me, but I'm not able to help.")
    assert run("sync").exit_code == 0
    assert run("reply", ADA, "--no").exit_code == 0
    browser, _ = client(home)
    today = html.unescape(browser.get("/").text)
    assert "Ada Lovelace</a>: close (they said no)" in today
    page = browser.post("/close", data=form_fields(today, "/close", "Close Ada Lovelace"))
    assert "Closed Ada Lovelace <ada@example.org> (declined)." in html.unescape(page.text)
    assert "close (they said no)" not in page.text
    assert "closed" in run("contacts", "show", ADA).output


def test_someone_writing_for_them_is_added_as_their_assistant_with_its_button(
    home: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    from email.utils import format_datetime, make_msgid

    assert run("draft", "outreach", ADA).exit_code == 0
    assert run("send", "--yes").exit_code == 0
    set_now(monkeypatch, at("2026-03-03 10:00"))
    message = EmailMessage()
    message["From"] = "Pat Lee <pat@example.org>"
    message["To"] = "Sam Rivera <sam@example.edu>"
    message["Cc"] = "Ada Lovelace <ada@example.org>"
    message["Subject"] = "Meeting with Ada"
    message["Date"] = format_datetime(at("2026-03-03 09:30"))
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content("Ada asked me to find a time with you. She has 20 minutes.")
    app = AppContext(workspace=Workspace(home))
    try:
        drop(app, message)
    finally:
        app.close()
    assert run("sync").exit_code == 0
    browser, _ = client(home)
    today = html.unescape(browser.get("/").text)
    assert "Add Pat Lee (takes over from Ada Lovelace)</button>" in today
    fields = form_fields(today, "/contacts/add", "as Ada Lovelace's assistant")
    assert fields["how"] == "assistant-of" and fields["email"] == "pat@example.org"
    page = html.unescape(browser.post("/contacts/add", data=fields).text)
    assert "Pat Lee <pat@example.org> is recorded as Ada Lovelace" in page
    assert "Add Pat Lee" not in page
    assert "Pat Lee" not in browser.get("/pipeline").text  # an assistant, not a contact
