"""The only door to Google Calendar events: the user's own copy of each meeting.

Calls (Calendar API v3, ``calendarId="primary"``):

- ``events.insert`` with the invite's ``iCalUID`` and ``sendUpdates="none"``: the event is the
  user's; the contact's invite is the tool's own, in the mail thread, so Google mails nothing.
  With a Meet link, ``conferenceData.createRequest`` and ``conferenceDataVersion=1``;
- ``events.patch`` (move it, or ask for a Meet link later) and ``events.delete``, both with
  ``sendUpdates="none"``;
- ``events.list`` with ``iCalUID`` to find an event whose insert's answer was lost, and with a
  sync token to read what changed since the last sync (attendees' answers); without a token,
  from a time on with ``showDeleted`` (a tombstone says the user deleted the event);
- ``events.get`` while Google is still creating a Meet link.

A deleted event stays on Google as a tombstone (``status: "cancelled"``) holding its iCalUID;
so does an event the user deleted by hand, which is why a second insert of the same UID is a
409 and never a second event. Everything here answers "gone" for a 404, a 410 or a tombstone
alike, so the tool stays safe whichever of them Google gives.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httplib2
from googleapiclient.errors import HttpError

# The errors of the one calendar protocol, shared by every calendar adapter.
from outreach.schedule.calendar_protocol import CalendarFailure as CalendarFailure
from outreach.schedule.calendar_protocol import CalendarNotAllowed as CalendarNotAllowed
from outreach.schedule.calendar_protocol import SyncTokenExpired as SyncTokenExpired
from outreach.schedule.calendar_protocol import attendee_answer as attendee_answer
from outreach.schedule.calendar_protocol import conference_request_id as conference_request_id
from outreach.schedule.calendar_protocol import event_times as event_times
from outreach.schedule.calendar_protocol import is_cancelled as is_cancelled
from outreach.schedule.calendar_protocol import meet_link as meet_link
from outreach.schedule.calendar_protocol import updated_at as updated_at

EVENTS_SCOPE = "https://www.googleapis.com/auth/calendar.events"
# Scopes that also allow events.insert/patch/delete (the discovery document lists them).
WRITE_SCOPES = frozenset(
    {
        EVENTS_SCOPE,
        "https://www.googleapis.com/auth/calendar",
        "https://www.googleapis.com/auth/calendar.events.owned",
    }
)
NUM_RETRIES = 4
MEET_WAITS = (0.5, 1.0, 2.0, 4.0)  # seconds between looks while a Meet link is pending
PAGE_SIZE = 2500  # the most events.list gives per page
TRANSPORT_ERRORS = (httplib2.HttpLib2Error, OSError, ConnectionError, TimeoutError)

_CHECK_HINT = (
    "Check your connection (`outreach doctor`) and run the same command again; it is safe to "
    "re-run and never makes a second event."
)




def _content(exc: HttpError) -> dict[str, Any]:
    try:
        data = json.loads(exc.content or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


def _status(exc: HttpError) -> int:
    return int(getattr(exc.resp, "status", 0) or 0)


def error_reason(exc: HttpError) -> str:
    """errors[0].reason of Google's error JSON ("" when there is none)."""
    errors = _content(exc).get("errors") or []
    if errors and isinstance(errors[0], dict):
        return str(errors[0].get("reason", ""))
    return ""


def _message(exc: HttpError) -> str:
    return str(_content(exc).get("message") or exc.reason or f"HTTP {_status(exc)}")


def scope_refused(exc: HttpError) -> bool:
    """A 403 saying the token's scopes do not allow the call."""
    if _status(exc) != 403:
        return False
    return error_reason(exc) == "insufficientPermissions" or (
        b"ACCESS_TOKEN_SCOPE_INSUFFICIENT" in (exc.content or b"")
    )


def _gone(exc: HttpError) -> bool:
    return _status(exc) in (404, 410)


# --- the calls -----------------------------------------------------------------------------


class CalendarEvents:
    """Events on one calendar of the user (``primary``), through a built Calendar service."""

    def __init__(
        self,
        service: Any,
        *,
        granted: frozenset[str] | None = None,
        calendar_id: str = "primary",
        num_retries: int = NUM_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service
        self.granted = granted  # the token's scopes when known (None: only a call can tell)
        self.calendar_id = calendar_id
        self.num_retries = num_retries
        self.sleep = sleep
        self.requests = 0

    @classmethod
    def connect(cls, account: str, api_root: str) -> CalendarEvents:
        """The events of ``account``'s primary calendar (its token from the keyring)."""
        from outreach.google.auth import load_credentials
        from outreach.google.services import build_service

        credentials = load_credentials(account, api_root)
        service = build_service("calendar", credentials, api_root)
        scopes = credentials.scopes
        return cls(
            service, granted=frozenset(scopes) if scopes else None, num_retries=NUM_RETRIES
        )

    @property
    def may_write(self) -> bool:
        """False when the token's known scopes cannot write events (no call needed)."""
        return self.granted is None or bool(self.granted & WRITE_SCOPES)

    def _execute(self, request: Any, doing: str) -> Any:
        if not self.may_write:
            raise CalendarNotAllowed
        self.requests += 1
        try:
            return request.execute(num_retries=self.num_retries)
        except HttpError as exc:
            if scope_refused(exc):
                raise CalendarNotAllowed from None
            raise
        except TRANSPORT_ERRORS as exc:
            raise CalendarFailure(
                f"Could not reach Google Calendar while {doing}: {exc}.", hint=_CHECK_HINT
            ) from None

    def _fail(self, exc: HttpError, doing: str) -> CalendarFailure:
        reason = error_reason(exc)
        hint = _CHECK_HINT
        if reason in ("accessNotConfigured", "SERVICE_DISABLED") or "has not been used" in str(
            _message(exc)
        ):
            hint = (
                "Enable the Google Calendar API for your OAuth client's project (README, "
                "'Connect your Gmail', step 2), then run the same command again."
            )
        return CalendarFailure(
            f"Google Calendar refused {doing}: HTTP {_status(exc)}: {_message(exc)}", hint=hint
        )

    def _events(self) -> Any:
        return self.service.events()

    def insert(self, body: dict[str, Any], *, conference: bool) -> dict[str, Any] | None:
        """Create the event; None when an event with its iCalUID already exists (a lost
        answer to an earlier insert, or a tombstone): find it with :meth:`find`."""
        request = self._events().insert(
            calendarId=self.calendar_id,
            body=body,
            sendUpdates="none",
            conferenceDataVersion=1 if conference else 0,
        )
        try:
            event: dict[str, Any] = self._execute(request, "adding the meeting to your calendar")
        except HttpError as exc:
            if _status(exc) == 409:
                return None
            raise self._fail(exc, "adding the meeting to your calendar") from None
        return event

    def find(self, ical_uid: str) -> dict[str, Any] | None:
        """The event with this iCalUID, a tombstone included; None when there is none."""
        request = self._events().list(
            calendarId=self.calendar_id, iCalUID=ical_uid, showDeleted=True, maxResults=10
        )
        try:
            page = self._execute(request, "looking up the meeting on your calendar")
        except HttpError as exc:
            raise self._fail(exc, "looking up the meeting on your calendar") from None
        items = [i for i in page.get("items") or [] if isinstance(i, dict)]
        live = [i for i in items if not is_cancelled(i)]
        found = live or items
        return found[0] if found else None

    def get(self, event_id: str) -> dict[str, Any] | None:
        """The event, or None when it is gone (404, 410 or a tombstone)."""
        request = self._events().get(calendarId=self.calendar_id, eventId=event_id)
        try:
            event: dict[str, Any] = self._execute(request, "reading the meeting's event")
        except HttpError as exc:
            if _gone(exc):
                return None
            raise self._fail(exc, "reading the meeting's event") from None
        return None if is_cancelled(event) else event

    def patch(
        self, event_id: str, body: dict[str, Any], *, conference: bool
    ) -> dict[str, Any] | None:
        """Change the event; None when it is gone (deleted, perhaps by the user)."""
        request = self._events().patch(
            calendarId=self.calendar_id,
            eventId=event_id,
            body=body,
            sendUpdates="none",
            conferenceDataVersion=1 if conference else 0,
        )
        try:
            event: dict[str, Any] = self._execute(request, "moving the meeting on your calendar")
        except HttpError as exc:
            if _gone(exc):
                return None
            raise self._fail(exc, "changing the meeting on your calendar") from None
        return None if is_cancelled(event) else event

    def delete(self, event_id: str) -> bool:
        """Remove the event; False when it was already gone."""
        request = self._events().delete(
            calendarId=self.calendar_id, eventId=event_id, sendUpdates="none"
        )
        try:
            self._execute(request, "removing the meeting from your calendar")
        except HttpError as exc:
            if _gone(exc):
                return False
            raise self._fail(exc, "removing the meeting from your calendar") from None
        return True

    def wait_for_meet(self, event: dict[str, Any]) -> dict[str, Any]:
        """Look again while Google is still creating the Meet link (a bounded wait)."""
        for pause in MEET_WAITS:
            if meet_link(event).status != "pending":
                return event
            self.sleep(pause)
            again = self.get(str(event["id"]))
            if again is None:
                return event
            event = again
        return event

    def changes(
        self, sync_token: str | None, time_min: datetime
    ) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
        """Pages of events changed since ``sync_token`` (every event ending after
        ``time_min`` when there is none), each with the next sync token (on the last page).

        Raises:
            SyncTokenExpired: Google answered 410 for the token; list everything again.
        """
        token: str | None = None
        while True:
            arguments: dict[str, Any] = {
                "calendarId": self.calendar_id,
                "maxResults": PAGE_SIZE,
                "pageToken": token,
            }
            if sync_token:
                arguments["syncToken"] = sync_token
            else:  # tombstones too: an event the user deleted before the first read
                arguments["timeMin"] = time_min.isoformat()
                arguments["showDeleted"] = True
            request = self._events().list(**arguments)
            try:
                page = self._execute(request, "reading answers from your calendar")
            except HttpError as exc:
                if _status(exc) == 410 and sync_token:
                    raise SyncTokenExpired from None
                raise self._fail(exc, "reading answers from your calendar") from None
            items = [i for i in page.get("items") or [] if isinstance(i, dict)]
            token = page.get("nextPageToken")
            yield items, None if token else page.get("nextSyncToken")
            if not token:
                return
