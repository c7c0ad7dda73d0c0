"""`outreach restore`: put an automatic backup back in place of a damaged database.

The current database (and its WAL files) moves aside as ``outreach.db.damaged-STAMP``, never
deleted; the backup is checked with ``PRAGMA integrity_check`` before it is used. The writer
lock is held throughout, so no other outreach command is using the database meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from outreach.app import AppContext
from outreach.errors import WorkspaceError
from outreach.store import backup
from outreach.store.backup import Backup, Holding


@dataclass(frozen=True)
class RestoreResult:
    backup: Backup
    moved: list[Path]  # where the files it replaced went
    drafts_on_disk: bool  # the drafts are files in the outbox (the local backend)
    drafts_shown: str  # where the drafts are, in words ("your Gmail drafts", ...)


def backups(app: AppContext) -> list[Backup]:
    """The workspace's automatic backups, newest first."""
    return backup.list_backups(app.workspace.backups_dir)


def holdings(app: AppContext) -> list[tuple[Backup, Holding | None]]:
    """Each backup, newest first, with what it holds (None when it cannot be read)."""
    return [(item, backup.holding(item.path)) for item in backups(app)]


def prune(app: AppContext) -> list[Path]:
    """Rotate the backups down to the newest week, even those holding history the newer ones
    lack (the user asked; rotation alone never does that)."""
    app.hold_workspace()
    return backup.prune(app.workspace.backups_dir)


def choose(app: AppContext, name: str | None) -> Backup:
    """The backup called ``name`` (a file name or path), else the newest."""
    found = backups(app)
    if not found:
        raise WorkspaceError(
            f"There is no automatic backup in {app.workspace.backups_dir}.",
            hint="Put back outreach.db from your own backup; `sqlite3 outreach.db .recover "
            "| sqlite3 recovered.db` may save most of a damaged file.",
        )
    if name is None:
        return found[0]
    wanted = Path(name).name
    for item in found:
        if item.name == wanted:
            return item
    raise WorkspaceError(
        f"No backup called {wanted} in {app.workspace.backups_dir}.",
        hint="See the backups with `outreach restore --list`.",
    )


def restore(app: AppContext, chosen: Backup) -> RestoreResult:
    app.hold_workspace()
    verdict = backup.verify(chosen.path)
    if verdict != "ok":
        raise WorkspaceError(
            f"The backup {chosen.path} is damaged too ({verdict}); nothing was changed.",
            hint="Pick an older one from `outreach restore --list`: "
            "`outreach restore NAME`.",
        )
    app.close_store()
    stamp = app.now().strftime("%Y%m%dT%H%M%S")
    moved = backup.restore(chosen.path, app.workspace.db_file, stamp)
    from outreach.services.workspace.mailbox_words import drafts_shown

    return RestoreResult(chosen, moved, app.mail_kind().files_on_disk, drafts_shown(app))
