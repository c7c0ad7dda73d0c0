"""`outreach doctor`'s check of the local backend: the Maildir folders in the workspace exist
as folders and are writable."""

from __future__ import annotations

import os
from collections.abc import Iterable

from outreach.mail.health import Check, Diagnosis, fail, ok


def check_local_maildirs(doc: Diagnosis) -> Iterable[Check]:
    root = doc.workspace.root
    for name in ("outbox", "sent", "inbox"):
        folder = root / name
        target = folder if folder.exists() else root
        if folder.exists() and not folder.is_dir():
            yield fail("mail", f"{folder} is a file, not a Maildir folder", f"Move {folder}.")
            return
        for place in (target, *(folder / sub for sub in ("cur", "new", "tmp"))):
            if place.exists() and not os.access(place, os.W_OK | os.X_OK):
                yield fail(
                    "mail",
                    f"the folder {place} is read-only for this user",
                    f"Fix the permissions of {place} (`chmod u+w {place}`).",
                )
                return
    yield ok(
        "mail",
        f"local backend: drafts are files in {root / 'outbox'}; nothing is emailed "
        '(set [mail] backend = "gmail" to use Gmail)',
    )


STEPS = [check_local_maildirs]
