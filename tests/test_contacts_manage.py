"""Looking after contacts day to day: search and filters, delete, merge with both histories,
referrals known only by name, and an export that re-imports as itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from outreach.config import Workspace
from outreach.store import Store
from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = ROOT / "examples" / "Connections.csv"
NOW = {"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}


@pytest.fixture
def home(workspace: Path, run: Invoke) -> Path:
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    assert run("contacts", "import", str(CONNECTIONS), "--tag", "alumni").exit_code == 0
    added = run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace", "--org",
                "Analytical Engines", "--tz", "Europe/London", "--tag", "alumni",
                "--set", "connection=the alumni directory", env=NOW)
    assert added.exit_code == 0, added.output
    return workspace


def listing(run: Invoke, *args: str) -> list[dict[str, object]]:
    result = run("contacts", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def store(home: Path) -> Store:
    return Store.open(Workspace(home).db_file)


def test_search_by_name_or_organisation_and_filter_by_missing_address(
    home: Path, run: Invoke
) -> None:
    assert [r["name"] for r in listing(run, "--search", "hopper")] == ["Grace Hopper"]
    assert [r["name"] for r in listing(run, "-s", "ORBITAL")] == ["Katherine Johnson"]
    no_email = listing(run, "--no-email")
    assert {r["name"] for r in no_email} == {"Katherine Johnson", "Srinivasa Ramanujan"}
    assert all(r["reachable"] is False for r in no_email)
    assert listing(run, "--no-email", "--search", "grace") == []
    empty = run("contacts", "list", "--search", "nobody at all")
    assert "No contacts match these filters." in empty.output


def test_the_csv_export_reimports_without_a_single_change(
    home: Path, run: Invoke, tmp_path: Path
) -> None:
    before = listing(run)
    exported = tmp_path / "export.csv"
    assert run("export", "--format", "csv", "-o", str(exported)).exit_code == 0
    again = run("contacts", "import", str(exported))
    assert again.exit_code == 0, again.output
    assert f"imported 0 new, 0 updated, {len(before)} unchanged, 0 skipped" in again.output
    assert "(outreach," in again.output  # recognised as our own export
    after = listing(run)
    assert after == before
    db = store(home)
    for contact in db.contacts.all():
        assert not {"stage", "stage_column", "source", "source_column"} & set(contact.extra)


def test_delete_removes_the_contact_and_its_history(home: Path, run: Invoke) -> None:
    assert run("draft", "outreach", "ada@example.org", env=NOW).exit_code == 0
    refused = run("contacts", "delete", "ada@example.org")
    assert refused.exit_code == 2 and "--yes" in refused.output
    result = run("contacts", "delete", "ada@example.org", "--yes")
    assert result.exit_code == 0, result.output
    assert "1 message" in result.output
    assert "Deleted 1 contact and removed 1 unsent draft." in result.output
    assert list((home / "outbox" / "cur").iterdir()) == []  # nobody mailed from a deleted record
    db = store(home)
    assert db.contacts.find("ada@example.org") is None
    assert db.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    assert db.conn.execute("SELECT COUNT(*) FROM proposals").fetchone()[0] == 0


def test_merge_keeps_both_histories_and_a_reimport_adds_no_duplicate(
    home: Path, run: Invoke
) -> None:
    db = store(home)
    linkedin = next(c for c in db.contacts.all() if c.name == "Katherine Johnson")
    assert run("contacts", "add", "kj@example.net", "--name", "Kat Johnson", "--tag", "nasa",
               "--set", "interest=orbital mechanics", env=NOW).exit_code == 0
    assert run("draft", "outreach", "kj@example.net", env=NOW).exit_code == 0
    assert run("met", str(linkedin.id), "--notes", "trajectories", "--referral",
               "Dorothy Vaughan <dorothy@example.org>", env=NOW).exit_code == 0
    result = run("contacts", "merge", "kj@example.net", str(linkedin.id), "--yes", env=NOW)
    assert result.exit_code == 0, result.output
    assert "Merged Katherine Johnson" in result.output
    kept = store(home).contacts.get("kj@example.net")
    assert kept.name == "Kat Johnson"  # the kept contact's fields win
    assert kept.org == "Orbital Dynamics" and kept.linkedin_url  # empty ones are filled
    assert set(kept.tags) == {"alumni", "nasa"}
    assert kept.extra["interest"] == "orbital mechanics"
    detail = json.loads(run("contacts", "show", "kj@example.net", "--json").stdout)
    assert [m["kind"] for m in detail["messages"]] == ["outreach"]
    assert [m["notes"] for m in detail["meetings"]] == ["trajectories"]
    dorothy = store(home).contacts.get("dorothy@example.org")
    assert dorothy.referred_by == kept.id
    count = len(listing(run))
    again = run("contacts", "import", str(CONNECTIONS))
    assert "0 new, 0 updated" in again.output, again.output
    assert len(listing(run)) == count
    assert store(home).contacts.get("kj@example.net").name == "Kat Johnson"
    duplicate = run("contacts", "add", "kj@example.net", "--name", "K")
    assert duplicate.exit_code == 1 and "already a contact" in duplicate.output


def test_a_referral_may_have_only_a_name(home: Path, run: Invoke) -> None:
    result = run("met", "ada@example.org", "--notes", "grid storage", "--referral",
                 "Bob at RMI", env=NOW)
    assert result.exit_code == 0, result.output
    assert "added referral Bob (#" in result.output
    assert "unreachable until you add one" in result.output
    [bob] = [r for r in listing(run, "--no-email") if r["name"] == "Bob"]
    assert bob["org"] == "RMI" and bob["reachable"] is False and bob["source"] == "referral"
    rerun = run("met", "ada@example.org", "--referral", "Bob at RMI", env=NOW)
    assert "already recorded" in rerun.output
    assert len([r for r in listing(run) if r["name"] == "Bob"]) == 1
    tree = json.loads(run("referrals", "--json").stdout)
    assert tree[0]["referrals"] == [
        {"contact": str(bob["id"]), "name": "Bob", "stage": "new", "referrals": []}
    ]
    edited = run("contacts", "edit", str(bob["id"]), "--email", "bob@rmi.org")
    assert edited.exit_code == 0, edited.output
    assert store(home).contacts.get("bob@rmi.org").referred_by is not None


def test_a_merged_address_still_finds_the_kept_contact(home: Path, run: Invoke) -> None:
    assert run("contacts", "add", "ada.l@example.net", "--name", "Ada L.").exit_code == 0
    result = run("contacts", "merge", "ada@example.org", "ada.l@example.net", "--yes", "--json")
    assert result.exit_code == 0, result.output
    db = store(home)
    kept = db.contacts.get("ada@example.org")
    assert db.contacts.get("ADA.L@example.net").id == kept.id  # `contacts show` finds it
    assert db.contacts.ids_by_email()["ada.l@example.net"] == kept.id  # sync sees their mail
    again = run("contacts", "add", "ada.l@example.net", "--name", "Ada L.")
    assert again.exit_code == 1 and "already a contact" in again.output
