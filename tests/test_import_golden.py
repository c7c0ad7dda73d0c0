"""`contacts import` prints exactly what it printed before it learned to read a file a chunk at
a time: the same counts, the same skipped and merged rows with the same line numbers, the same
job changes and the same stored contacts, for every kind of file people import (LinkedIn and
Google exports, duplicates, broken rows, byte-order marks, Latin-1, UTF-16, vCards, files that
cannot be imported at all).

The expected outputs in `tests/data/import_golden/expected.json` were recorded with the
whole-file reader (commit a3c18ab). After a deliberate change of output, rewrite them with
`python -m tests.test_import_golden --write` and review the diff.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach.cli import cli

HERE = Path(__file__).parent / "data"
GOLDEN = HERE / "import_golden"
EXPECTED = GOLDEN / "expected.json"
NOW = "2026-03-02T09:00:00-05:00"


PAD = "a long note about where we met and what we talked about; " * 6


def _many_rows(path: Path) -> None:
    """3,000 rows: duplicates reaching back across the import's 250-row batches, bad addresses,
    multi-line notes, rows without an address."""
    lines = ["Name,Email,Company,Title,Notes,Tags"]
    for n in range(3000):
        if n % 7 == 6:
            back = (n * 37) % max(n, 1)
            lines.append(f"Again {n},PERSON{back}@example.org,,Title {n},,t{n % 5}")
        elif n % 50 == 49:
            lines.append(f"Broken {n},person{n}@@example.org,Org,,,")
        elif n % 41 == 40:
            lines.append(f'Noted {n},person{n}@example.org,Org {n},,"line one\nline two",')
        elif n % 29 == 28:
            lines.append(f"No Address {n % 3},,Org {n},,,")
        else:
            lines.append(f"Person {n},person{n}@example.org,Org {n % 13},,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _late_bad_byte(path: Path) -> None:
    """2.2 MB of UTF-8 with accents across the reader's 1 MB chunks, and one byte that is not
    UTF-8 in the last row: the whole file is read as Windows-1252, as before."""
    with open(path, "wb") as handle:
        handle.write(b"Name,Email,Company,Notes\n")
        n = 0
        while handle.tell() < 2_200_000:
            row = f"Zoë Ångström {n},zoe{n}@example.org,Café Ünïcode {n % 11},{PAD}\n"
            handle.write(row.encode())
            n += 1
        handle.write(b"Last \xff,last@example.org,End,\n")


def _good_utf8(path: Path) -> None:
    """2.2 MB of valid UTF-8 whose multi-byte characters straddle the chunk boundaries."""
    with open(path, "wb") as handle:
        handle.write(b"Name,Email,Notes\n")
        n = 0
        while handle.tell() < 2_200_000:
            handle.write(f"日本語の名前 {n},user{n}@example.jp,{PAD}日本\n".encode())
            n += 1


def _long_line(path: Path) -> None:
    with open(path, "wb") as handle:
        handle.write(b"Name,Email,Notes\nAda,ada@example.org,ok\nGrace,grace@example.org,\"")
        handle.write(b"y" * (2 * 1024 * 1024))
        handle.write(b'"\n')


GENERATED: dict[str, Callable[[Path], None]] = {
    "many_rows.csv": _many_rows,
    "late_bad_byte.csv": _late_bad_byte,
    "good_utf8.csv": _good_utf8,
    "long_line.csv": _long_line,
}

# Each case: a list of (file, extra options) imported one after the other in one workspace.
SINGLE = [
    *(f"contacts/{p.name}" for p in sorted((HERE / "contacts").iterdir())),
    *(f"bad/contacts/{p.name}" for p in sorted((HERE / "bad" / "contacts").iterdir())),
    *(f"import_golden/{p.name}" for p in sorted(GOLDEN.iterdir()) if p.name != EXPECTED.name),
    *(f"generated/{name}" for name in GENERATED),
]
CASES: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    name: [(name, ())] for name in SINGLE
}
CASES.update(
    {
        "linkedin job changes": [
            ("import_golden/linkedin_v1.csv", ()),
            ("import_golden/linkedin_v2.csv", ()),
        ],
        "linkedin as google": [("contacts/linkedin_connections.csv", ("--format", "google"))],
        "linkedin as csv": [("contacts/linkedin_connections.csv", ("--format", "csv"))],
        "linkedin as linkedin": [("contacts/linkedin_connections.csv", ("--format", "linkedin"))],
        "vcard as csv": [("contacts/google_contacts.vcf", ("--format", "csv"))],
        "csv as vcard": [("contacts/tabs.tsv", ("--format", "vcard"))],
        "tags": [("import_golden/dups.csv", ("--tag", "pycon", "--tag", "2024"))],
        "google then vcard": [
            ("contacts/google_contacts.csv", ()),
            ("contacts/google_contacts.vcf", ()),
        ],
    }
)


def _invoke(runner: CliRunner, home: Path, *args: str) -> dict[str, object]:
    result = runner.invoke(
        cli, list(args), env={"OUTREACH_HOME": str(home), "OUTREACH_NOW": NOW},
        catch_exceptions=False,
    )
    return {"exit": result.exit_code, "stdout": result.stdout, "stderr": result.stderr}


def _digest(text: str) -> str:
    """Long outputs (thousands of contacts) are kept as their start and a hash."""
    if len(text) <= 4000:
        return text
    return f"{text[:2000]}... sha256 {hashlib.sha256(text.encode()).hexdigest()} ({len(text)})"


def capture(case: str, tmp: Path) -> list[dict[str, object]]:
    """Every output of the case's imports: dry run (text and JSON), the import, a second import
    (JSON), and the contacts stored after each file."""
    generated = tmp / "generated"
    generated.mkdir(exist_ok=True)
    home = tmp / "home"
    runner = CliRunner()
    init = runner.invoke(
        cli, ["init", "--name", "Sam Rivera", "--email", "sam@example.edu", "--timezone",
              "America/New_York"], env={"OUTREACH_HOME": str(home), "OUTREACH_NOW": NOW})
    assert init.exit_code == 0, init.output
    outputs: list[dict[str, object]] = []
    for file, options in CASES[case]:
        if file.startswith("generated/"):
            path = generated / file.split("/", 1)[1]
            if not path.exists():
                GENERATED[path.name](path)
        else:
            path = HERE / file
        base = ("contacts", "import", str(path), *options)
        for args in (
            (*base, "--dry-run"),
            (*base, "--dry-run", "--json"),
            base,
            (*base, "--json"),
            ("contacts", "list", "--json"),
        ):
            out = _invoke(runner, home, *args)
            for key in ("stdout", "stderr"):
                out[key] = _digest(str(out[key]).replace(str(path.parent), "<DIR>"))
            outputs.append({"args": [a.replace(str(path.parent), "<DIR>") for a in args], **out})
    return outputs


@pytest.mark.parametrize("case", sorted(CASES))
def test_import_outputs_are_unchanged(case: str, tmp_path: Path) -> None:
    expected = json.loads(EXPECTED.read_text("utf-8"))
    assert capture(case, tmp_path) == expected[case]


def test_every_case_has_recorded_outputs() -> None:
    assert sorted(json.loads(EXPECTED.read_text("utf-8"))) == sorted(CASES)


if __name__ == "__main__" and "--write" in sys.argv:
    recorded = {}
    for name in sorted(CASES):
        with tempfile.TemporaryDirectory() as folder:
            recorded[name] = capture(name, Path(folder))
    EXPECTED.write_text(json.dumps(recorded, indent=1, ensure_ascii=False) + "\n", "utf-8")
