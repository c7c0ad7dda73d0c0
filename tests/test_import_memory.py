"""A contacts file with an absurd field is refused while it is read, without holding the field
(or its decoded copies) in memory; a file of any length is read a few rows at a time, its
valid records waiting on disk; ordinary files import as before."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest

from outreach.contacts.importers import open_contacts, open_contacts_file, read_contacts
from outreach.contacts.model import ContactRecord
from outreach.contacts.spill import RecordSpill
from outreach.errors import ImportFileError
from outreach.services.contacts.manage import IMPORT_CHUNK, import_contacts
from outreach.store import Store
from tests.conftest import Invoke

NOW = "2026-03-02T09:00:00-05:00"


def huge_field(path: Path, megabytes: int) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("Name,Email,Notes\nAda Lovelace,ada@example.org,short\n")
        handle.write('Grace Hopper,grace@example.org,"')
        for _ in range(megabytes):
            handle.write("x" * (1024 * 1024))
        handle.write('"\n')
    return path


def test_an_oversized_field_is_refused_without_being_held(tmp_path: Path) -> None:
    path = huge_field(tmp_path / "people.csv", 24)
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError) as caught:
            read_contacts(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "people.csv, line 3: the line is longer than 1 MB" in caught.value.message
    assert "nothing was imported" in caught.value.message
    assert peak < 8 * 1024 * 1024, peak  # a few chunks, not the 24 MB field


def test_the_command_names_the_line_and_imports_nothing(
    workspace: Path, tmp_path: Path, run: Invoke
) -> None:
    path = huge_field(tmp_path / "people.csv", 2)
    result = run("contacts", "import", str(path))
    assert result.exit_code == 1
    assert "people.csv, line 3" in result.output and "Traceback" not in result.output
    assert '"email"' not in run("contacts", "list", "--json").output


def test_long_multi_line_notes_and_old_mac_line_endings_still_import(tmp_path: Path) -> None:
    """Lines, not fields, are bounded: a note of many short lines is fine, and CR-only files
    (old Mac exports) are split at their CRs."""
    note = "\n".join(f"line {i} of a long note" for i in range(300))  # 300 short lines
    path = tmp_path / "notes.csv"
    path.write_text(f'Name,Email,Notes\nAda,ada@example.org,"{note}"\n', encoding="utf-8")
    assert read_contacts(path).records[0].email == "ada@example.org"
    rows = "\r".join(["Name,Email"] + [f"P{i},p{i}@example.org" for i in range(60_000)])
    mac = tmp_path / "mac.csv"
    mac.write_bytes(rows.encode() + b"\r")
    assert len(read_contacts(mac).records) == 60_000


# --- Files of any size: a few rows in memory at a time --------------------------------------


def people_csv(path: Path, rows: int, note: str = "met at the alumni evening; " * 30) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("Name,Email,Company,Notes\n")
        for n in range(rows):
            handle.write(f"Person {n},person{n}@example.org,Org {n % 97},{note}\n")
    return path


def test_a_big_file_is_read_without_holding_its_rows(tmp_path: Path) -> None:
    path = people_csv(tmp_path / "people.csv", 10_000)  # 8.5 MB
    tracemalloc.start()
    try:
        with open_contacts_file(path) as contacts:
            count = sum(1 for _ in contacts.records())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 10_000
    # A 1 MB chunk of the file and its text, and a few numbers per row (the whole-file reader
    # held the bytes, the text, the lines and every record: over 60 MB).
    assert path.stat().st_size > 8 * 1024 * 1024
    assert peak < 3 * 1024 * 1024, peak


def test_rows_sharing_an_address_merge_into_the_first_even_when_hashes_collide() -> None:
    """The spill finds repeated identities by hash; a collision between different people
    must not merge them (every identity hashed alike here)."""
    rows = [
        ContactRecord(name="Ada", email="ada@example.org", line=2),
        ContactRecord(name="Grace", email="grace@example.org", org="Navy", line=3),
        ContactRecord(name="Ada L", email="ADA@example.org", org="Engines", tags=["x"], line=4),
        ContactRecord(name="No Address", line=5),
        ContactRecord(name="Grace H", email="grace@example.org", title="Admiral", line=6),
        ContactRecord(name="Linked", linkedin_url="https://linkedin.com/in/l/", line=7),
        ContactRecord(name="Linked 2", linkedin_url="https://LINKEDIN.com/in/l", org="L", line=8),
    ]
    results = []
    for hasher in (hash, lambda key: 7):
        spill = RecordSpill(hasher)
        for row in rows:
            spill.add(row)
        spill.finish()
        results.append(([(r.name, r.org, r.title, r.tags, r.line) for r in spill.records()],
                         spill.merged, spill.count, spill.unreachable))
        spill.close()
    assert results[0] == results[1]
    records, merged, count, unreachable = results[0]
    assert records == [
        ("Ada", "Engines", "", ["x"], 2),
        ("Grace", "Navy", "Admiral", [], 3),
        ("No Address", "", "", [], 5),
        ("Linked", "L", "", [], 7),
    ]
    assert merged == [
        (4, "same email address as line 2; merged"),
        (6, "same email address as line 3; merged"),
        (8, "same LinkedIn URL as line 7; merged"),
    ]
    assert (count, unreachable) == (4, 2)


def test_an_interrupted_import_writes_nothing_and_a_rerun_counts_the_same(tmp_path: Path) -> None:
    path = people_csv(tmp_path / "people.csv", 1_000, note="short")

    class StopAfterTwoChunks:
        done = 0

        def __call__(self, steps: int = 1, /) -> None:
            self.done += steps
            if self.done >= 2 * IMPORT_CHUNK:
                raise KeyboardInterrupt

        def expect(self, total: int) -> None:
            assert total == 1_000

    store = Store.open(tmp_path / "outreach.db")
    with pytest.raises(KeyboardInterrupt):
        import_contacts(store, path, fmt="auto", tags=(), dry_run=False, now=NOW,
                        progress=StopAfterTwoChunks())
    assert store.conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 0
    report = import_contacts(store, path, fmt="auto", tags=(), dry_run=False, now=NOW)
    assert len(report.summary.added) == 1_000
    again = import_contacts(store, path, fmt="auto", tags=(), dry_run=False, now=NOW)
    assert (len(again.summary.added), len(again.summary.unchanged)) == (0, 1_000)


def test_a_file_that_changes_while_it_is_read_is_refused_cleanly() -> None:
    """The encoding is chosen in a first pass; if the bytes change before the rows are read
    (a sync tool rewriting the file), the import stops with a clear error."""
    versions = [b"Name,Email\nAda,ada@example.org\n", b"Name,Email\nAda,ada@\xffexample.org\n"]
    calls = 0

    def opener() -> io.BytesIO:
        nonlocal calls
        calls += 1
        return io.BytesIO(versions[0] if calls <= 2 else versions[1])

    with pytest.raises(ImportFileError) as caught:
        open_contacts(opener, "moving.csv")
    assert caught.value.message == "moving.csv changed while it was being read"
