"""Calendar events routes of the fake Google, served from its EventsCalendar."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tests.fakegoogle.calendar_events import EventsCalendar
from tests.fakegoogle.handlers import Api, Upload, handles
from tests.fakegoogle.wire import ApiError, Request, Response, empty_response, json_response


def attach(api: Api, events: EventsCalendar) -> None:
    """Serve ``events`` through ``api`` (the handlers below find it there)."""
    api.calendar_events = events  # type: ignore[attr-defined]


def _store(api: Api) -> EventsCalendar:
    events = getattr(api, "calendar_events", None)
    if not isinstance(events, EventsCalendar):  # pragma: no cover - wiring error in the fake
        raise ApiError(501, "calendar events are not wired into this fake")
    return events


@handles("calendar.events.insert")
def _insert(api: Api, request: Request, params: dict[str, str], upload: Upload | None) -> Response:
    body = api.body_of(request, upload)
    return json_response(200, _store(api).insert(params["calendarId"], body, request))


@handles("calendar.events.get")
def _get(api: Api, request: Request, params: dict[str, str], upload: Upload | None) -> Response:
    return json_response(200, _store(api).get(params["calendarId"], params["eventId"]))


@handles("calendar.events.patch")
def _patch(api: Api, request: Request, params: dict[str, str], upload: Upload | None) -> Response:
    body = api.body_of(request, upload)
    events = _store(api)
    return json_response(
        200, events.change(params["calendarId"], params["eventId"], body, request, replace=False)
    )


@handles("calendar.events.update")
def _update(api: Api, request: Request, params: dict[str, str], upload: Upload | None) -> Response:
    body = api.body_of(request, upload)
    events = _store(api)
    return json_response(
        200, events.change(params["calendarId"], params["eventId"], body, request, replace=True)
    )


@handles("calendar.events.delete")
def _delete(api: Api, request: Request, params: dict[str, str], upload: Upload | None) -> Response:
    _store(api).delete(params["calendarId"], params["eventId"], request)
    return empty_response(204)


@handles("calendar.events.list")
def _list(api: Api, request: Request, params: dict[str, str], upload: Upload | None) -> Response:
    return json_response(200, _store(api).list(params["calendarId"], request))


def busy_source(events: EventsCalendar) -> Any:
    """A freeBusy source for :class:`tests.fakegoogle.state.Calendars`."""

    def source(
        calendar_id: str, time_min: datetime, time_max: datetime
    ) -> Iterable[tuple[datetime, datetime]]:
        return events.busy(calendar_id, time_min, time_max)

    return source


__all__ = ["attach", "busy_source"]
