"""What is due now: kept apart from drafting so `outreach due` loads no template engine."""

from __future__ import annotations

from outreach.app import AppContext
from outreach.track.model import DueAction
from outreach.track.pipeline import due_actions


def due_now(app: AppContext) -> list[DueAction]:
    """What is due at ``app.now()``, overdue first."""
    config = app.config
    return due_actions(app.store.facts().values(), config.followup, app.now(), config.user.zone)
