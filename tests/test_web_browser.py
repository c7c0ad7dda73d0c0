"""The web app in a real browser (Chromium through Playwright), as a new user would use it:
a whole conversation by clicks alone, found by roles and labels, waiting for what the user
sees. Screenshots of every page go to docs/screenshots/ (shown in the README); every page
passes axe-core's WCAG 2 AA checks at desktop and phone width."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from outreach.app import AppContext
from outreach.config import Workspace
from outreach.track.pipeline import stage
from tests.helpers_sync import at, configure, local_workspace, reply, row_for, set_now
from tests.test_sync_local import drop
from tests.web_browser import DESKTOP, PHONE, SCREENSHOTS, axe_violations, launch_browser
from tests.web_env import served

PAGES = {
    "today": "Today",
    "pipeline": "Pipeline",
    "meetings": "Meetings",
    "network": "Network",
    "what-works": "What works",
    "import": "Import",
    "settings": "Settings",
}
VIA = "the State University alumni directory"
PEOPLE = "\n".join([
    "Name,Email,Company,Title,Timezone,Connection,Tags",
    f"Ada Lovelace,ada@example.org,Analytical Engines,Research Engineer,Europe/London,{VIA},alumni",
    f"Alan Turing,alan@example.org,Bletchley Labs,Cryptanalyst,Europe/London,{VIA},alumni",
    "",
])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_browser()


RESEND = re.compile(r"^Send “Re: Could I ask .*” to Ada Lovelace$")


def expect() -> Any:
    """Playwright's expect, waiting up to 15 s for what the user would see (a loaded
    machine can take longer than its default 5 s)."""
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=15_000)
    return playwright_expect


def stage_of(home: Path, ref: str) -> str:
    app = AppContext(workspace=Workspace(home))
    try:
        contact = app.store.contacts.get(ref)
        return stage(app.store.facts()[contact.id]).value
    finally:
        app.close()


BUSY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//outreach tests//busy week//EN
BEGIN:VEVENT
UID:seminar@example.edu
DTSTAMP:20260201T120000Z
SUMMARY:Seminar
DTSTART;TZID=America/New_York:20260303T100000
DTEND;TZID=America/New_York:20260303T120000
END:VEVENT
BEGIN:VEVENT
UID:lab@example.edu
DTSTAMP:20260201T120000Z
SUMMARY:Lab
DTSTART;TZID=America/New_York:20260305T130000
DTEND;TZID=America/New_York:20260305T150000
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def home(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    local_workspace(workspace)
    (workspace / "busy.ics").write_text(BUSY, encoding="utf-8")
    configure(workspace, schedule={"busy": ["busy.ics"]})
    set_now(monkeypatch, at("2026-03-02 09:00"))
    return workspace


@pytest.fixture
def site(home: Path) -> Iterator[str]:
    with served(home) as (url, _server):
        yield url


def to_today(page: Any) -> None:
    """Open Today and wait until it is shown: the page before it may have buttons of the same
    name (Ada's page offers "Book ..." too), and a click must never land on the old page."""
    page.get_by_role("link", name="Today").click()
    page.wait_for_url(re.compile(r"/(\?.*)?$"))
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()


def flash(page: Any, text: str) -> None:
    expect()(page.get_by_role("status")).to_contain_text(text)


def test_a_whole_conversation_by_clicks_alone(
    browser: Any, site: str, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    see = expect()
    page = browser.new_page(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page.goto(site)
    see(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    assert "token=" not in page.url  # swapped for a cookie

    # Import: the dry-run preview first, then the import itself.
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    page.get_by_role("link", name="Import").click()
    page.get_by_label("Contacts file").set_input_files(str(people))
    page.get_by_role("button", name="Preview the import").click()
    see(page.get_by_role("status")).to_contain_text("2 would be added")
    assert stage_of_all(home) == {}  # a preview writes nothing
    page.get_by_role("button", name="Import 2 contacts from people.csv").click()
    flash(page, "Imported people.csv: 2 added")

    # Draft: the template previewed for Ada, lint findings shown, the text edited.
    page.get_by_role("link", name="Ada Lovelace").click()
    page.get_by_role("link", name="Compose a message").click()
    see(page.get_by_text("No findings: it follows the etiquette rules.")).to_be_visible()
    box = page.get_by_label("Message text")
    edited = box.input_value().replace(
        "Thank you for considering it.",
        "I loved your piece on the difference engine.\n\nThank you for considering it.",
    )
    box.fill(edited)
    page.get_by_role("button", name="Check my text").click()
    see(page.get_by_role("heading", name="Etiquette check of your text")).to_be_visible()
    page.get_by_role("button", name="Save as a draft to Ada Lovelace").click()
    flash(page, "Drafted the outreach message")
    assert stage_of(home, "ada@example.org") == "drafted"

    # Send: the button names what it sends.
    send = page.get_by_role("button", name=re.compile(r"^Send “Could I ask you about your work at "
                                                      r"Analytical Engines\?” to Ada Lovelace$"))
    send.click()
    flash(page, "Marked as sent")
    assert "/send" not in page.url  # after a change, the address is a page to reload
    sent = sent_messages(home)
    assert len(sent) == 1 and "difference engine" in body_of(sent[0])
    assert stage_of(home, "ada@example.org") == "sent"

    # A reply arrives in the local inbox, picking the second time; sync from the page.
    set_now(monkeypatch, at("2026-03-02 15:00"))
    app = AppContext(workspace=Workspace(home))
    try:
        outreach_row = row_for(app, "ada@example.org")
        drop(app, reply(outreach_row, "Ada Lovelace <ada@example.org>", at("2026-03-02 14:00"),
                        body="Happy to talk! The second time works best for me."))
    finally:
        app.close()
    to_today(page)
    page.get_by_role("button", name="Sync: look for replies").click()
    flash(page, "Synced the local inbox: 1 reply")
    see(page.get_by_role("heading", name="Ada Lovelace: book a time")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "today.png"), full_page=True)  # a day with choices
    page.get_by_role("link", name="Ada Lovelace").first.click()  # what she wrote, on her page
    see(page.get_by_text("The second time works best for me.").first).to_be_visible()
    to_today(page)

    # Book the picked slot; the invite is drafted, then sent by its own button.
    page.get_by_role("button", name=re.compile(r"^Book .*\(slot 2, their pick\)$")).click()
    flash(page, "Booked")
    page.get_by_role("button", name=RESEND).click()
    flash(page, "Marked as sent")
    assert stage_of(home, "ada@example.org") == "scheduled"
    invite = sent_messages(home)[-1]
    assert any(part.get_content_type() == "text/calendar" for part in invite.walk())

    # The morning of the call: prepare (the brief), which takes it off the list.
    end = meeting_end(home)
    set_now(monkeypatch, end - timedelta(hours=2))
    to_today(page)
    see(page.get_by_role("heading", name="Ada Lovelace: prepare for the call")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Prepare")).click()
    flash(page, "Here is the brief for the call.")
    see(page.get_by_role("heading", name="Brief for the call")).to_be_visible()

    # The meeting happens; record it (with a referral), then the thank-you.
    set_now(monkeypatch, end + timedelta(hours=1))
    to_today(page)
    see(page.get_by_role("heading", name="Ada Lovelace: thank them")).to_be_visible()
    page.get_by_text("Record the meeting with Ada Lovelace").click()
    page.get_by_label("What you talked about (notes)").fill("Her path from maths into engines.")
    page.get_by_label("Takeaways (something specific to thank them for)").fill(
        "her advice to publish my notes on the analytical engine")
    page.get_by_label("People they referred you to, one a line: Name <email>").fill(
        "Grace Hopper <grace@example.org>")
    page.get_by_role("button", name="Save the meeting notes").click()
    flash(page, "Recorded the conversation with Ada Lovelace. Added Grace Hopper")
    page.get_by_role("link", name="Ada Lovelace").first.click()
    referrals = page.get_by_role("region", name="Referrals they gave")
    see(referrals.get_by_role("link", name="Grace Hopper")).to_be_visible()
    to_today(page)
    page.get_by_role("button", name="Draft the thankyou message to Ada Lovelace").click()
    flash(page, "Drafted the thankyou message")
    page.get_by_role("button", name=RESEND).click()
    flash(page, "Marked as sent")
    assert stage_of(home, "ada@example.org") == "thanked"
    thanks = sent_messages(home)[-1]
    assert "publish my notes" in body_of(thanks)
    see(page.get_by_role("heading", name="Grace Hopper: write to referral")).to_be_visible()

    # She answers the thank-you naming someone else: one click adds him, referred by her.
    set_now(monkeypatch, end + timedelta(hours=5))
    answer(home, "thankyou", end + timedelta(hours=4),
           "Glad to help; also talk to Charles Babbage <charles@example.org>.")
    page.get_by_role("button", name="Sync: look for replies").click()
    flash(page, "Synced the local inbox: 1 reply")
    see(page.get_by_role("heading", name="Ada Lovelace: add their referral")).to_be_visible()
    page.get_by_role("button", name="Add Charles Babbage").click()
    flash(page, "Added Charles Babbage")
    page.get_by_role("link", name="Pipeline", exact=True).click()
    see(page.get_by_role("heading", name="Pipeline", level=1)).to_be_visible()
    see(page.get_by_role("link", name="Charles Babbage", exact=True)).to_be_visible()

    # A reply nothing else answers: read it on Today, then mark it read.
    set_now(monkeypatch, end + timedelta(hours=7))
    answer(home, "thankyou", end + timedelta(hours=6), "Hi Sam,\n\nGood luck with it all!\n\nAda")
    to_today(page)
    page.get_by_role("button", name="Sync: look for replies").click()
    flash(page, "Synced the local inbox: 1 reply")
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Ada Lovelace: read their reply"))
    see(card.get_by_text("Good luck with it all!")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "today-reply.png"), full_page=True)
    assert axe_violations(page) == []
    card.get_by_role("button", name="Mark as read").click()
    flash(page, "Marked Ada Lovelace")
    see(page.get_by_role("heading", name="Ada Lovelace: read their reply")).to_have_count(0)

    # Alan gets a first message too, with a file attached from Compose; the times offered
    # to him show on the Meetings page.
    page.get_by_role("link", name="Pipeline", exact=True).click()
    page.get_by_role("link", name="Alan Turing").click()
    page.get_by_role("link", name="Compose a message").click()
    notes = tmp_path / "engine-notes.pdf"
    notes.write_bytes(b"%PDF-1.4 notes on the analytical engine")
    page.get_by_label("Attach files (each up to 25 MB)").set_input_files(str(notes))
    page.get_by_role("button", name="Save as a draft to Alan Turing").click()
    flash(page, "Drafted the outreach message, with engine-notes.pdf attached")
    page.get_by_role("link", name="Compose a message").click()
    see(page.get_by_text("Attached to the draft: engine-notes.pdf")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "compose.png"), full_page=True)
    page.get_by_role("link", name="Meetings", exact=True).click()
    offered = re.compile(r"^offered to Alan Turing \(slot 1\)")
    see(page.get_by_role("link", name=offered)).to_be_visible()
    busy = page.get_by_role("listitem").filter(has_text="busy Thu 5 Mar, 13:00-15:00")
    see(busy).to_be_visible()
    take_screenshots(browser, page, site)


def answer(home: Path, kind: str, when: datetime, body: str) -> None:
    """Ada writes back to the last message of ``kind``, into the local inbox."""
    app = AppContext(workspace=Workspace(home))
    try:
        drop(app, reply(row_for(app, "ada@example.org", kind), "Ada Lovelace <ada@example.org>",
                        when, body=body))
    finally:
        app.close()


def tab_to(page: Any, target: Any, most: int = 40) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user would."""
    for _ in range(most):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{most} presses of Tab never reached {target}")


def test_the_keyboard_alone_reaches_every_page_and_shows_where_it_is(
    browser: Any, site: str, home: Path, run: Any
) -> None:
    result = run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace")
    assert result.exit_code == 0
    page = browser.new_page(viewport=DESKTOP)
    page.goto(site)
    see = expect()
    page.keyboard.press("Tab")
    see(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    see(page.get_by_role("link", name="Today")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "focus must be visible"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    see(page.get_by_role("heading", name="Pipeline", level=1)).to_be_visible()
    tab_to(page, page.get_by_label("Search names, organisations, titles"))
    page.keyboard.type("nobody-matches")
    see(page.get_by_text("0 contacts shown.")).to_be_visible()  # the board filters as you type
    page.keyboard.press("Control+A")
    page.keyboard.type("Ada")
    see(page.get_by_text("1 contact shown.")).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Ada Lovelace"))
    page.keyboard.press("Enter")
    see(page.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()


def stage_of_all(home: Path) -> dict[str, str]:
    app = AppContext(workspace=Workspace(home))
    try:
        facts = app.store.facts()
        return {c.email or "": stage(facts[c.id]).value for c in app.store.contacts.all()}
    finally:
        app.close()


def sent_messages(home: Path) -> list[email.message.EmailMessage]:
    files = sorted((home / "sent" / "cur").iterdir(), key=lambda p: p.stat().st_mtime_ns)
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in files
    ]


def body_of(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def meeting_end(home: Path) -> datetime:
    app = AppContext(workspace=Workspace(home))
    try:
        meeting = app.store.meetings.latest(app.store.contacts.get("ada@example.org").id)
        assert meeting is not None and meeting.state == "scheduled"
        return datetime.fromisoformat(meeting.end)
    finally:
        app.close()


def take_screenshots(browser: Any, page: Any, site: str) -> None:
    """Every page at desktop width, and at phone width; each passes axe-core."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for name, link in PAGES.items():
        page.get_by_role("link", name=link, exact=True).first.click()
        expect()(page.get_by_role("heading", name=link, level=1)).to_be_visible()
        if name != "today":  # taken mid-conversation, when it had more to show
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        problems += [f"{name}: {v}" for v in axe_violations(page)]
    for name, where in (("contact", "Ada Lovelace"), ("compose", "Compose a message")):
        if name == "contact":
            page.get_by_role("link", name="Pipeline", exact=True).click()
        page.get_by_role("link", name=where).first.click()
        page.wait_for_load_state()
        if name == "contact":  # Compose was taken with a file attached
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        problems += [f"{name}: {v}" for v in axe_violations(page)]
    phone = browser.new_page(viewport=PHONE, bypass_csp=True)
    phone.goto(site.rsplit("/?", 1)[0] + "/")  # the cookie is per browser context: sign in
    phone.goto(site)
    for name in ("today", "pipeline"):
        if name == "pipeline":
            phone.get_by_role("link", name="Pipeline", exact=True).click()
        expect()(phone.get_by_role("heading", level=1)).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        phone.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
        problems += [f"{name} (phone): {v}" for v in axe_violations(phone)]
    assert problems == []
