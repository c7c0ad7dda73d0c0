"""Database and workspace trouble (damaged, full, read-only, locked), named for the faces: the
CLI and the web app say it as an error with its fix, never a traceback."""

from __future__ import annotations

from outreach.config import Workspace
from outreach.errors import OutreachError
from outreach.store.trouble import explain

__all__ = ["name_trouble"]


def name_trouble(exc: BaseException, workspace: Workspace) -> OutreachError | None:
    """The trouble ``exc`` is, said with what to do; None when it is none of those."""
    return explain(exc, workspace.db_file, backup_dir=workspace.backups_dir)
