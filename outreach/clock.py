"""The only source of "now".

``OUTREACH_NOW`` (ISO 8601 with an offset) fixes the current time for every command: for tests,
demos and "what will be due on Monday". Nothing else reads the clock for what time it is;
only waits measure real time (the Gmail pacer, and Gmail's "retry after" moments, which are
on Google's real clock).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from outreach.errors import ConfigError

ENV_NOW = "OUTREACH_NOW"


def now() -> datetime:
    """Return the current time as an aware datetime (UTC unless OUTREACH_NOW says otherwise)."""
    fixed = os.environ.get(ENV_NOW)
    if not fixed:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(fixed)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ConfigError(
            f"{ENV_NOW}={fixed!r} is not an ISO 8601 time with an offset.",
            hint=f"Use e.g. {ENV_NOW}=2026-03-02T09:00:00+01:00, or unset it.",
        )
    return value


def iso(moment: datetime) -> str:
    """Format an aware datetime for storage: ISO 8601 in UTC, to the second.

    One offset everywhere keeps stored times comparable as text (SQL MIN/MAX, ORDER BY), even
    when OUTREACH_NOW or a contact's zone uses another offset.
    """
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    """Parse a stored ISO 8601 time (always written with an offset by :func:`iso`)."""
    return datetime.fromisoformat(text)
