"""Running a migration's SQL inside its transaction."""

from __future__ import annotations

import sqlite3

__all__ = ["run_script"]


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run several statements inside the current transaction.

    ``executescript`` would COMMIT first, breaking a migration's all-or-nothing promise.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        raise sqlite3.ProgrammingError(f"incomplete SQL statement: {pending.strip()[:60]}")
