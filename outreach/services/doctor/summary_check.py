"""`doctor`'s look at the per-contact summary `status`, `due` and `contacts list` read
(``contact_summary``, kept by SQLite triggers): it must match each contact's history. A
difference can only come from a change made outside outreach (a hand edit with the sqlite3
shell, an old copy of the file); the summary is derived data, so doctor rebuilds it."""

from __future__ import annotations

from collections.abc import Iterable

from outreach.errors import OutreachError
from outreach.services.doctor.base import Check, Doctor, fail, ok


def check_summary(doc: Doctor) -> Iterable[Check]:
    """The kept summary matches every contact's history, or is rebuilt so that it does."""
    doc.needs("database", "integrity")
    app = doc.app
    drift = app.store.summary_drift()
    if not drift:
        yield ok("summary", "each contact's kept summary matches their history")
        return
    count = f"{len(drift)} contact{'s' if len(drift) != 1 else ''}"
    try:
        with app.writing():
            app.store.rebuild_summary()
    except (OutreachError, OSError) as exc:
        reason = getattr(exc, "message", None) or str(exc)
        yield fail(
            "summary",
            f"the kept summary of {count} differs from their history (changed outside "
            f"outreach?), and could not be rebuilt: {reason}",
            "Run `outreach doctor` again where the workspace can be written; until then "
            "`status`, `due` and `contacts list` may show those contacts at the wrong stage.",
        )
        return
    yield ok(
        "summary",
        f"the kept summary of {count} differed from their history (changed outside "
        "outreach?); rebuilt from the history",
    )
