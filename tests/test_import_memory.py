"""A contacts file with an absurd field is refused while it is read, without holding the field
(or its decoded copies) in memory; ordinary files import as before."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from outreach.contacts.importers import read_contacts
from outreach.errors import ImportFileError
from tests.conftest import Invoke


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
