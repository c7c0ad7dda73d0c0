"""A contact without a time zone gets a best guess from the country data the import already
has, shown as a guess; a zone the user gives always wins; otherwise the zone is unknown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from outreach.contacts.importers import parse_contacts
from outreach.contacts.model import Contact
from outreach.contacts.zoneguess import guess_zone, single_zone
from tests.conftest import Invoke

NOW = {"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}


@pytest.mark.parametrize(
    ("email", "extra", "zone", "basis"),
    [
        ("kenji@example.co.jp", {}, "Asia/Tokyo", "email domain .jp"),
        ("a@example.com", {"phone": "+81 3-1234-5678"}, "Asia/Tokyo", "phone number +81"),
        ("a@example.com", {"phone_1_value": "0044 20 7946 0000"}, "Europe/London", "phone"),
        (None, {"address_1_country": "Japan"}, "Asia/Tokyo", "address country Japan"),
        (None, {"country": "Deutschland"}, "Europe/Berlin", "address country"),
        ("a@example.fr", {"country": "United Kingdom"}, "Europe/London", "address country"),
    ],
)
def test_a_single_zone_country_gives_a_guess(
    email: str | None, extra: dict[str, str], zone: str, basis: str
) -> None:
    guess = guess_zone(email, extra)
    assert guess is not None
    assert guess.zone == zone and basis in guess.basis


@pytest.mark.parametrize(
    ("email", "extra"),
    [
        ("a@example.com", {}),  # no country at all
        ("a@example.io", {}),  # .io, .ai, .co, ... are used everywhere
        ("a@example.com.au", {}),  # Australia has several zones
        ("a@example.jp", {"country": "United States"}),  # the address says several zones
        ("a@example.com", {"phone": "+1 212 555 0100"}),  # +1 is shared by many countries
        ("a@example.com", {"phone": "03-1234-5678"}),  # not in international form
    ],
)
def test_no_guess_without_a_single_zone_country(
    email: str | None, extra: dict[str, str]
) -> None:
    assert guess_zone(email, extra) is None


def test_one_clock_countries() -> None:
    assert single_zone("JP") == "Asia/Tokyo"
    assert single_zone("DE") == "Europe/Berlin"  # Busingen keeps Berlin time
    assert single_zone("ES") is None  # the Canaries do not
    assert single_zone("US") is None


def test_a_given_zone_wins_over_the_guess() -> None:
    contact = Contact(id=1, name="Kenji", email="kenji@example.jp", timezone="Europe/Paris")
    assert contact.timezone_guess is None and contact.zone_name == "Europe/Paris"
    guessed = Contact(id=2, name="Kenji", email="kenji@example.jp")
    assert guessed.zone_name == "Asia/Tokyo"
    assert guessed.describe_zone() == "Asia/Tokyo (a guess from the email domain .jp)"


def test_vcard_and_google_addresses_keep_their_country() -> None:
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Kenji Sato\r\nEMAIL:kenji@example.com\r\n"
        "ADR;TYPE=WORK:;;1-1 Chiyoda;Tokyo;;100-0001;Japan\r\nEND:VCARD\r\n"
    )
    [record] = parse_contacts(card.encode(), "kenji.vcf").records
    assert record.extra["country"] == "Japan"
    google = (
        "Name,E-mail 1 - Value,Address 1 - Country,Phone 1 - Value\n"
        "Amelie Martin,amelie@example.com,France,\n"
    )
    [row] = parse_contacts(google.encode(), "contacts.csv").records
    assert guess_zone(row.email, row.extra) is not None
    assert guess_zone(row.email, row.extra).zone == "Europe/Paris"  # type: ignore[union-attr]


@pytest.fixture
def home(workspace: Path, run: Invoke, tmp_path: Path) -> Path:
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    people = tmp_path / "people.csv"
    people.write_text(
        "Name,Email,Company,Country,Tags\n"
        "Olivia Brown,olivia@example.co.uk,Met Office,,team\n"
        "Pat Smith,pat@example.com,Acme,,team\n"
        "Lena Vogel,lena@example.com,Bosch,Germany,team\n"
    )
    assert run("contacts", "import", str(people)).exit_code == 0
    return workspace


def test_show_preview_and_dry_run_say_it_is_a_guess(home: Path, run: Invoke) -> None:
    show = run("contacts", "show", "olivia@example.co.uk", env=NOW)
    assert "timezone     Europe/London (a guess from the email domain .uk)" in show.output
    data = json.loads(run("contacts", "show", "olivia@example.co.uk", "--json").stdout)
    assert data["timezone"] is None
    assert data["timezone_guess"] == {"zone": "Europe/London", "country": "GB",
                                      "basis": "email domain .uk"}
    preview = run("templates", "preview", "outreach", "olivia@example.co.uk", env=NOW)
    assert preview.exit_code == 0, preview.output
    assert "their time zone: Europe/London (a guess from the email domain .uk)" in preview.stderr
    assert " GMT" in preview.stdout  # the slots are shown in her zone too
    dry = run("draft", "outreach", "--tag", "team", "--dry-run", env=NOW)
    assert "their zone: Europe/Berlin (a guess from the address country Germany)" in dry.output
    assert "their zone: unknown, so times are shown in yours only" in dry.output


def test_an_unknown_zone_is_said_to_be_unknown(home: Path, run: Invoke) -> None:
    preview = run("templates", "preview", "outreach", "pat@example.com", env=NOW)
    assert "their time zone: unknown, so times are shown in yours only" in preview.stderr
    assert "outreach contacts edit pat@example.com --tz Area/City" in preview.stderr
    drafted = run("draft", "outreach", "--tag", "team", env=NOW)
    assert drafted.exit_code == 0, drafted.output
    assert "1 contact without a known time zone" in drafted.stderr
    assert "outreach contacts list --tag team --no-timezone" in drafted.stderr
    assert "2 contacts' time zones are guesses from country data" in drafted.stderr
    unknown = json.loads(run("contacts", "list", "--no-timezone", "--json").stdout)
    assert [row["email"] for row in unknown] == ["pat@example.com"]


def test_an_explicit_zone_later_replaces_the_guess(home: Path, run: Invoke) -> None:
    assert run("contacts", "edit", "olivia@example.co.uk", "--tz", "Europe/Dublin").exit_code == 0
    data = json.loads(run("contacts", "show", "olivia@example.co.uk", "--json").stdout)
    assert data["timezone"] == "Europe/Dublin" and data["timezone_guess"] is None
    show = run("contacts", "show", "olivia@example.co.uk")
    assert "timezone     Europe/Dublin\n" in show.output
