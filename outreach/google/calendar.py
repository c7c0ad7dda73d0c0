"""Busy times from the user's primary Google Calendar (freebusy: no event details)."""

from __future__ import annotations

from datetime import datetime

from googleapiclient.errors import HttpError

from outreach.errors import ScheduleError
from outreach.schedule.busy import busy_from_freebusy, freebusy_request_body
from outreach.schedule.intervals import Interval

NUM_RETRIES = 4


def fetch_busy(account: str, api_root: str, start: datetime, end: datetime) -> list[Interval]:
    """The primary calendar's busy intervals in [start, end)."""
    from outreach.google.auth import load_credentials
    from outreach.google.services import build_service

    credentials = load_credentials(account, api_root)
    service = build_service("calendar", credentials, api_root)
    body = freebusy_request_body(start, end, ["primary"])
    try:
        response = service.freebusy().query(body=body).execute(num_retries=NUM_RETRIES)
    except HttpError as exc:
        raise ScheduleError(
            f"Google Calendar refused the free/busy query: HTTP {exc.resp.status}.",
            hint="Check that the Calendar API is enabled for your OAuth client (`outreach "
            'doctor`), or remove "google" from [schedule] busy in config.toml.',
        ) from None
    return busy_from_freebusy(response)
