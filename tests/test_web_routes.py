"""Each page and action of the web app, in-process: the pages show what the services return,
the actions change what the CLI's commands change, and the CLI's gates hold on the page too
(the etiquette check, the daily cap, nothing stale sent), with the CLI's words when they stop
something. Due items of kinds the page does not know still show their text and command."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from outreach.app import AppContext
from outreach.config import Workspace
from outreach.services.reporting.due import DueItem
from outreach.services.reporting.today import Drafted, Offered, TodayItem
from outreach.track.model import Action, DueAction
from outreach.web.due_buttons import buttons_for
from tests.conftest import Invoke
from tests.helpers_sync import at, configure, local_workspace, set_now
from tests.web_env import client, csrf_of

PEOPLE = """Name,Email,Company,Title,Timezone,Connection,Tags
Ada Lovelace,ada@example.org,Analytical Engines,Engineer,Europe/London,the alumni directory,alumni
Alan Turing,alan@example.org,Bletchley Labs,Cryptanalyst,Europe/London,a talk he gave,speakers
"""


@pytest.fixture
def home(workspace: Path, run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    local_workspace(workspace)
    set_now(monkeypatch, at("2026-03-02 09:00"))
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    assert run("contacts", "import", str(people)).exit_code == 0
    return workspace


def messages(home: Path, ref: str) -> list[tuple[str, str]]:
    app = AppContext(workspace=Workspace(home))
    try:
        contact = app.store.contacts.get(ref)
        return [(m.kind, m.state) for m in app.store.messages.for_contact(contact.id)]
    finally:
        app.close()


def drafted_id(home: Path, ref: str) -> int:
    app = AppContext(workspace=Workspace(home))
    try:
        contact = app.store.contacts.get(ref)
        return next(m.id for m in app.store.messages.for_contact(contact.id)
                    if m.state == "drafted")
    finally:
        app.close()


def test_every_page_shows_the_workspace(home: Path) -> None:
    browser, _ = client(home)
    assert "Nothing is due" in browser.get("/").text
    board = browser.get("/pipeline").text
    assert "Ada Lovelace" in board and "Alan Turing" in board and "New <span" in board
    assert "Ada" not in browser.get("/pipeline?tag=speakers").text.split("shown.")[1]
    assert "Alan Turing" in browser.get("/pipeline?q=bletchley").text
    assert "Alan Turing" not in browser.get("/pipeline?source=vcard").text
    contact = browser.get("/contact/ada@example.org").text
    assert "added (csv)" in contact and "Brief for the call" in contact
    compose = browser.get("/compose?template=outreach&contact=ada@example.org").text
    assert "Could I ask you about your work at Analytical Engines?" in compose
    assert "the alumni directory" in compose and "No findings" in compose
    assert "Week of 2026-03-02" in browser.get("/meetings").text
    assert "No referrals yet" in browser.get("/network").text
    assert "2 contacts" in browser.get("/works").text
    settings = browser.get("/settings").text
    assert "sam@example.edu" in settings and "[schedule]" in settings


def test_draft_then_send_from_the_page_as_the_cli_would(home: Path) -> None:
    browser, _ = client(home)
    csrf = csrf_of(browser.get("/").text)
    page = browser.post("/draft", data={"csrf": csrf, "template": "outreach",
                                        "contact": "ada@example.org"})
    assert "Drafted the outreach message" in page.text
    assert messages(home, "ada@example.org") == [("outreach", "drafted")]
    assert "Send “Could I ask you about your work at Analytical Engines?” to Ada" in page.text
    number = drafted_id(home, "ada@example.org")
    sent = browser.post("/send", data={"csrf": csrf, "message": number})
    assert "Marked as sent" in sent.text and "nothing was emailed" in sent.text
    assert messages(home, "ada@example.org") == [("outreach", "sent")]
    again = browser.post("/send", data={"csrf": csrf, "message": "1", "back": "/"})
    assert "not waiting to be sent" in again.text  # never twice
    assert messages(home, "ada@example.org") == [("outreach", "sent")]


def test_an_edited_text_passes_the_same_etiquette_gate(home: Path) -> None:
    browser, _ = client(home)
    csrf = csrf_of(browser.get("/").text)
    text = ("Hi Ada,\n\nI'm Sam. Could you refer me for a job opening on your team? "
            "Could we talk for 20 minutes this week?\n\nSam\n")
    checked = browser.post("/compose/check", data={"csrf": csrf, "template": "outreach",
                                                   "contact": "ada@example.org", "text": text})
    assert "Error:</strong>" in checked.text and "job" in checked.text.lower()
    page = browser.post("/draft", data={"csrf": csrf, "template": "outreach", "back": "/",
                                        "contact": "ada@example.org", "text": text})
    assert "Error:</strong> Nothing was drafted" in page.text and "Hint:" in page.text
    assert messages(home, "ada@example.org") == []


def test_the_daily_cap_and_staleness_hold_on_the_page(home: Path, run: Invoke) -> None:
    configure(home, mail={"daily_send_cap": 1})
    assert run("draft", "outreach", "--tag", "alumni").exit_code == 0
    assert run("draft", "outreach", "--tag", "speakers").exit_code == 0
    browser, _ = client(home)
    csrf = csrf_of(browser.get("/").text)
    browser.post("/send", data={"csrf": csrf, "message": drafted_id(home, "ada@example.org")})
    capped = browser.post("/send", data={"csrf": csrf, "back": "/",
                                         "message": drafted_id(home, "alan@example.org")})
    assert "would pass your daily cap of 1" in capped.text and "Hint:" in capped.text
    assert messages(home, "alan@example.org") == [("outreach", "drafted")]
    configure(home, mail={"daily_send_cap": 10})
    assert run("contacts", "close", "alan@example.org", "--reason", "moved on").exit_code == 0
    stale = browser.post("/send", data={"csrf": csrf, "back": "/",
                                        "message": drafted_id(home, "alan@example.org")})
    assert "Not sent (Alan Turing" in stale.text and "the contact is closed" in stale.text
    assert messages(home, "alan@example.org") == [("outreach", "drafted")]


def test_import_shows_the_dry_run_first_then_imports(home: Path, tmp_path: Path) -> None:
    browser, _ = client(home)
    csrf = csrf_of(browser.get("/import").text)
    csv = b"Name,Email\nGrace Hopper,grace@example.org\nNo Address,\n"
    preview = browser.post("/import/preview", data={"csrf": csrf, "tag": "navy"},
                           files={"file": ("friends.csv", csv, "text/csv")})
    assert "Preview of friends.csv (nothing imported yet)" in preview.text
    assert "2 would be added" in preview.text  # a contact without an address is kept too
    assert "Grace Hopper" not in browser.get("/pipeline").text
    upload = preview.text.split('name="upload" value="')[1].split('"')[0]
    done = browser.post("/import", data={"csrf": csrf, "upload": upload})
    assert "Imported friends.csv: 2 added" in done.text
    assert "Grace Hopper" in browser.get("/pipeline?tag=navy").text
    replay = browser.post("/import", data={"csrf": csrf, "upload": upload, "back": "/import"})
    assert "no longer here" in replay.text


def test_contact_fields_are_edited_as_contacts_edit_would(home: Path) -> None:
    browser, _ = client(home)
    csrf = csrf_of(browser.get("/").text)
    page = browser.post("/contact/ada@example.org/edit", data={
        "csrf": csrf, "name": "Ada King", "email": "ada@example.org", "org": "Analytical Engines",
        "title": "Countess", "timezone": "Europe/London", "notes": "met at the Royal Society",
        "add_tags": "math, history"})
    assert "Saved Ada King" in page.text and "Countess" in page.text
    bad = browser.post("/contact/ada@example.org/edit", data={
        "csrf": csrf, "timezone": "Mars/Olympus", "name": "Ada King"})
    assert "Error:</strong>" in bad.text and "Mars/Olympus" in bad.text


def item(command: str, action: Action = Action.FOLLOW_UP, drafted: bool = False,
         alternatives: tuple[str, ...] = ()) -> DueItem:
    due = DueAction(1, action, datetime(2026, 3, 2, 9, tzinfo=UTC), False, "why", drafted)
    return DueItem(due, "Ada Lovelace", "ada@example.org", "something to do", command,
                   alternatives)


def test_due_items_get_the_buttons_of_their_command_and_unknown_ones_still_show() -> None:
    nudge = buttons_for(TodayItem(item("outreach draft followup ada@example.org"), "Mon"))
    assert [b.label for b in nudge] == [
        "Preview and edit the followup message", "Draft the followup message to Ada Lovelace",
        "Open Ada Lovelace"]
    booking = buttons_for(TodayItem(item("outreach book ada@example.org --slot N", Action.BOOK),
                                    "Mon", offered=[Offered(1, "Tue"), Offered(2, "Wed")],
                                    picked=2))
    assert [b.label for b in booking][:2] == ["Book Tue (slot 1)", "Book Wed (slot 2, their pick)"]
    assert [b.primary for b in booking][:2] == [False, True]
    waiting = buttons_for(TodayItem(item("outreach send ada@example.org", drafted=True), "Mon",
                                    drafted=[Drafted(7, "followup", "Re: Hello", "followup")]))
    assert waiting[0].label == "Send “Re: Hello” to Ada Lovelace"
    assert waiting[0].fields == {"message": "7"}
    asked = buttons_for(TodayItem(item("outreach book ada@example.org --at DATETIME",
                                       Action.BOOK), "Mon"))
    assert (asked[0].kind, asked[0].path) == ("at", "/book")
    unknown = buttons_for(TodayItem(item("outreach reply ada@example.org --picked 2"), "Mon"))
    assert [(b.kind, b.label) for b in unknown] == [("link", "Open Ada Lovelace")]


def labels(entry: TodayItem) -> list[tuple[str, str, dict[str, str]]]:
    return [(b.label, b.path, b.fields) for b in buttons_for(entry)][:-1]  # without "Open"


def test_the_off_script_due_items_get_buttons_that_run_their_commands() -> None:
    ada = {"contact": "ada@example.org"}
    read = TodayItem(item("outreach reply ada@example.org --seen", Action.READ_REPLY), "Mon")
    assert labels(read) == [("Mark as read", "/reply/seen", ada)]
    grace = TodayItem(item('outreach contacts add grace@x.com --name "Grace H" --referred-by '
                           "ada@example.org", Action.ADD_REFERRAL), "Mon")
    assert labels(grace) == [("Add Grace H", "/contacts/add", {
        "name": "Grace H", "how": "referred-by", "of": "ada@example.org", "email": "grace@x.com"})]
    nameless = buttons_for(TodayItem(item('outreach contacts add EMAIL --name "Bo" --referred-by '
                                          "ada@example.org", Action.ADD_REFERRAL), "Mon"))
    assert (nameless[0].kind, "email" in nameless[0].fields) == ("add", False)  # typed in
    bob = TodayItem(item(
        'outreach contacts add bob@x.com --name "Bob" --takes-over-from ada@example.org',
        Action.ADD_THEIR_SIDE,
        alternatives=('outreach contacts add bob@x.com --name "Bob" --assistant-of '
                      "ada@example.org",)), "Mon")
    assert [(label, f["how"]) for label, _, f in labels(bob)] == [
        ("Add Bob (takes over from Ada Lovelace)", "takes-over-from"),
        ("Add Bob as Ada Lovelace's assistant", "assistant-of")]
    proposed = TodayItem(item("outreach book ada@example.org --at 2026-03-06T11:00-05:00",
                              Action.BOOK), "Mon", proposed="Fri 6 Mar, 11:00-11:20 EST")
    assert labels(proposed) == [("Book Fri 6 Mar, 11:00-11:20 EST", "/book",
                                 {**ada, "at": "2026-03-06T11:00-05:00"})]
    happened = buttons_for(TodayItem(item('outreach met ada@example.org --notes "..."',
                                          Action.CONFIRM_MEETING,
                                          alternatives=("outreach met ada@example.org --missed",)),
                                     "Mon"))
    assert [(b.kind, b.label, b.path) for b in happened][:2] == [
        ("met", "Record the meeting with Ada Lovelace", "/met"),
        ("post", "Mark missed", "/met/missed")]
    no = TodayItem(item('outreach contacts close ada@example.org --reason "declined"',
                        Action.CLOSE), "Mon")
    assert labels(no) == [("Close Ada Lovelace (declined)", "/close",
                           {**ada, "reason": "declined"})]
    nudge = Drafted(7, "followup", "Re: Hello", "followup", windowed=True)
    drafted = TodayItem(item("outreach send ada@example.org", drafted=True), "Mon",
                        drafted=[nudge])
    assert labels(drafted) == [
        ("Send “Re: Hello” to Ada Lovelace", "/send", {"message": "7"}),
        ("Send “Re: Hello” to Ada Lovelace now", "/send", {"message": "7", "now": "yes"}),
        ("Preview and edit", "/compose?template=followup&contact=ada@example.org", {}),
        ("Discard draft", "/discard", ada)]
    queued = Drafted(7, "followup", "Re: Hello", "followup", queued_at="Tue 08:00", windowed=True)
    waiting = TodayItem(item("outreach send ada@example.org", drafted=True), "Mon",
                        drafted=[queued])
    assert [label for label, _, _ in labels(waiting)][:2] == [
        "Send “Re: Hello” to Ada Lovelace now", "Take “Re: Hello” to Ada Lovelace off the queue"]


def test_an_unknown_due_kind_renders_its_text_and_command(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outreach.services.reporting import today as today_module

    def one_new_kind(app: AppContext) -> list[DueItem]:
        return [item('outreach reply ada@example.org --referral "Grace <g@example.org>"')]

    monkeypatch.setattr(today_module, "due_items", one_new_kind)
    page = client(home)[0].get("/").text
    assert "Ada Lovelace</a>: something to do" in page
    assert "outreach reply ada@example.org --referral &#34;Grace &lt;g@example.org&gt;&#34;" in page


def test_a_time_agreed_outside_the_offer_is_booked_from_the_page(home: Path) -> None:
    browser, _ = client(home)
    csrf = csrf_of(browser.get("/").text)
    page = browser.post("/book", data={"csrf": csrf, "contact": "ada@example.org",
                                       "at": "2026-03-04T11:00", "back": "/"})
    assert "Booked Wed 4 Mar, 11:00-11:20 EST / 16:00-16:20 GMT" in page.text
    assert messages(home, "ada@example.org") == [("confirm", "drafted")]
    contact = browser.get("/contact/ada@example.org").text
    assert "confirm: “" in contact and "” to Ada Lovelace</button>" in contact
    past = browser.post("/book", data={"csrf": csrf, "contact": "alan@example.org",
                                       "at": "2026-03-01T11:00", "back": "/"})
    assert "Error:</strong>" in past.text and "in the past" in past.text
    theirs = browser.post("/book", data={"csrf": csrf, "contact": "alan@example.org",
                                         "at": "2026-03-05T15:00", "clock": "theirs",
                                         "back": "/"})
    assert "Booked Thu 5 Mar, 10:00-10:20 EST / 15:00-15:20 GMT" in theirs.text  # his clock


def test_a_file_that_is_not_contacts_is_refused_as_the_cli_refuses_it(home: Path) -> None:
    browser, _ = client(home)
    csrf = csrf_of(browser.get("/import").text)
    page = browser.post("/import/preview", data={"csrf": csrf, "back": "/import"},
                        files={"file": ("notes.csv", b"Colour,Size\nred,3\n", "text/csv")})
    assert "Error:</strong>" in page.text and "notes.csv" in page.text
    assert "Traceback" not in page.text
