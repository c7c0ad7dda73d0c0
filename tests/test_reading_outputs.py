"""`contacts list`, `status` and `due` (text and --json) print byte for byte what they printed
before their figures were kept per contact and their listings written as they come (issue
16), on a generated year of a user who keeps up and of one with a backlog (the outputs of
main a3c18ab, kept in tests/data/reading_outputs by tests/reading_outputs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import reading_outputs


@pytest.mark.parametrize("year", list(reading_outputs.YEARS))
def test_reading_commands_print_what_they_printed_before(tmp_path: Path, year: str) -> None:
    root = tmp_path / year
    reading_outputs.build(root, reading_outputs.YEARS[year])
    for name, printed in reading_outputs.outputs(root, year).items():
        expected = (reading_outputs.GOLDEN / name).read_bytes()
        assert printed == expected, name
