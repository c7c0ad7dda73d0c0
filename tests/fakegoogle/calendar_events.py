"""Calendar v3 events for the fake Google: the account's primary calendar, as strict as Google.

What it imitates (Calendar API v3 reference and guides; the bundled discovery document):

- ``events.insert`` / ``patch`` / ``update`` / ``delete`` / ``get`` / ``list`` on ``primary``
  (also addressed by the account's email); any other calendar is 404 ``notFound``. Scopes are
  the discovery document's (checked by the server): ``calendar.freebusy`` cannot touch events.
- ``iCalUID`` is unique per calendar, tombstones included: a second insert with the same
  iCalUID, even after the first was deleted, is 409 "The requested identifier already exists."
  (google-api-python-client #846, google-api-ruby-client #1811). A client-chosen ``id`` must
  be base32hex, 5-1024 characters.
- A deleted event becomes a tombstone (``status: "cancelled"``): ``events.get`` still returns
  it ("The get method always returns them"), ``events.list`` shows it only with
  ``showDeleted`` or a sync token, a second delete is 410 "Resource has been deleted", and a
  patch or update of it is 410 too (what Google does there is not documented; the tool treats
  404, 410 and a tombstone alike). :meth:`EventsCalendar.purge` forgets tombstones (then 404).
- ``sendUpdates``: Google mails guests only for ``all`` / ``externalOnly`` (the default sends
  nothing); every such mail is recorded in :attr:`EventsCalendar.notifications`.
- ``conferenceData`` is read only with ``conferenceDataVersion=1``; a ``createRequest`` of type
  ``hangoutsMeet`` makes a Meet link, at once or, with :attr:`meet_pending_reads`, after that
  many reads report ``status.statusCode = "pending"``; a request id seen before on the event
  is ignored. Google adds the organizer to the attendees (``organizer``/``self``).
- Moving an event (start or end) raises its ``sequence``; every change sets ``updated``.
- ``events.list`` pages with ``pageToken`` (``maxResults`` default 250, at most 2500) and
  gives ``nextSyncToken`` on the last page; a sync token returns every event changed since
  (tombstones included) and refuses ``iCalUID``, ``orderBy``, ``q``, ``timeMin``, ``timeMax``,
  ``updatedMin`` and extended-property filters beside it; an expired or unknown token is 410
  ``fullSyncRequired`` "Sync token is no longer valid, a full sync is required." (the shape
  seen in KeepSoftwareSimple/compass-calendar #1239).
- freeBusy reports confirmed and tentative opaque timed events (:meth:`EventsCalendar.busy`).

Tests steer it as the people involved would: the contact answers (:meth:`respond`), the user
deletes or moves the event by hand (:meth:`delete_as_user`, :meth:`move_as_user`), Google
drops sync tokens (:meth:`expire_sync_tokens`).
"""

from __future__ import annotations

import copy
import itertools
import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.fakegoogle.handlers import Api, Upload, handles
from tests.fakegoogle.state import Clock, parse_rfc3339
from tests.fakegoogle.wire import ApiError, Request, Response, empty_response, json_response

_BASE32HEX = re.compile(r"^[a-v0-9]{5,1024}$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_SEND_UPDATES = ("all", "externalOnly", "none")
_RESPONSES = ("needsAction", "declined", "tentative", "accepted")
_NOT_WITH_SYNC_TOKEN = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)
_READ_ONLY = ("id", "iCalUID", "created", "updated", "creator", "organizer", "kind", "etag")


@dataclass
class Notification:
    """A mail Google would have sent to a guest."""

    to: str
    what: str  # created, updated, cancelled
    event_id: str


@dataclass
class _Stored:
    resource: dict[str, Any]
    changed: int  # the change counter when it last changed
    seq: int  # creation order
    request_ids: set[str] = field(default_factory=set)
    pending_reads: int = 0  # reads left before a pending Meet link is ready


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def _when(value: Any, which: str) -> datetime | None:
    """A start/end object as an aware datetime (None for an all-day date)."""
    if not isinstance(value, dict) or not (value.get("dateTime") or value.get("date")):
        raise ApiError(400, f"Missing {which} time.", "required")
    zone_name = value.get("timeZone")
    zone: ZoneInfo | None = None
    if zone_name:
        try:
            zone = ZoneInfo(str(zone_name))
        except (ZoneInfoNotFoundError, ValueError):
            raise ApiError(
                400, f"Invalid time zone definition for {which} time.", "invalid"
            ) from None
    if not value.get("dateTime"):
        return None
    text = str(value["dateTime"])
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"Invalid value for {which} time: {text}", "invalid") from None
    if moment.tzinfo is None:
        if zone is None:
            raise ApiError(400, f"Missing time zone definition for {which} time.", "required")
        moment = moment.replace(tzinfo=zone)
    return moment


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """Patch semantics: objects merge field by field, arrays and values are replaced."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


class EventsCalendar:
    """The events of one account's primary calendar."""

    def __init__(self, owner: str, clock: Clock, lock: threading.RLock) -> None:
        self.owner = owner
        self.clock = clock
        self.lock = lock
        self.events: dict[str, _Stored] = {}
        self.notifications: list[Notification] = []
        # Every write as (method, event id, its sendUpdates, its conferenceDataVersion).
        self.writes: list[tuple[str, str, str | None, str | None]] = []
        self.meet_pending_reads = 0  # reads of a new Meet link that still say "pending"
        self.meet_fails = False  # Google cannot make Meet links for this account
        self._changes = 0
        self._token_floor = 0  # sync tokens from before this change count are expired
        self._tokens: dict[str, int] = {}
        self._seq = itertools.count(1)
        self._meet = itertools.count(1)

    # ----------------------------------------------------------------- helpers

    def _calendar(self, calendar_id: str) -> None:
        if calendar_id not in ("primary", self.owner) and calendar_id.casefold() != (
            self.owner.casefold()
        ):
            raise ApiError(404, "Not Found", "notFound")

    def _touch(self, stored: _Stored) -> None:
        self._changes += 1
        stored.changed = self._changes
        stored.resource["updated"] = _rfc3339(self.clock.now())
        stored.resource["etag"] = f'"{self._changes:016d}"'

    def _find_uid(self, ical_uid: str) -> _Stored | None:
        return next(
            (s for s in self.events.values() if s.resource.get("iCalUID") == ical_uid), None
        )

    def _get(self, event_id: str) -> _Stored:
        stored = self.events.get(event_id)
        if stored is None:
            raise ApiError(404, "Not Found", "notFound")
        return stored

    def _check_times(self, resource: dict[str, Any]) -> None:
        start = _when(resource.get("start"), "start")
        end = _when(resource.get("end"), "end")
        if start is not None and end is not None and end < start:
            raise ApiError(400, "The specified time range is empty.", "timeRangeEmpty")

    def _check_attendees(self, resource: dict[str, Any]) -> None:
        attendees = resource.get("attendees")
        if attendees is None:
            return
        if not isinstance(attendees, list):
            raise ApiError(400, "Invalid attendees.", "invalid")
        cleaned = []
        for attendee in attendees:
            email = str((attendee or {}).get("email", "")).strip()
            if not _EMAIL.match(email):
                raise ApiError(400, "Invalid attendee email.", "invalid")
            status = attendee.get("responseStatus", "needsAction")
            if status not in _RESPONSES:
                raise ApiError(400, f"Invalid attendee response status: {status}", "invalid")
            if email.casefold() == self.owner.casefold():
                continue  # the organizer's own entry is Google's to write
            cleaned.append({**attendee, "email": email, "responseStatus": status})
        if cleaned:
            cleaned.append(
                {
                    "email": self.owner,
                    "organizer": True,
                    "self": True,
                    "responseStatus": "accepted",
                }
            )
        resource["attendees"] = cleaned

    def _conference(self, stored: _Stored, body: dict[str, Any], version: int) -> None:
        """Apply ``conferenceData`` from a request body (ignored unless version 1)."""
        data = body.get("conferenceData")
        if version != 1 or data is None:
            return
        if not isinstance(data, dict):
            raise ApiError(400, "Invalid conference data.", "invalid")
        request = data.get("createRequest")
        if request is None:
            stored.resource["conferenceData"] = copy.deepcopy(data)
            return
        request_id = str(request.get("requestId") or "")
        if not request_id:
            raise ApiError(400, "Invalid conference create request: no request id.", "invalid")
        if request_id in stored.request_ids:
            return  # the same request again: ignored, as Google documents
        kind = str((request.get("conferenceSolutionKey") or {}).get("type") or "")
        if kind not in ("hangoutsMeet", "eventHangout", "eventNamedHangout", "addOn"):
            raise ApiError(400, "Invalid conference type value.", "invalid")
        stored.request_ids.add(request_id)
        if self.meet_fails or kind != "hangoutsMeet":
            stored.resource["conferenceData"] = {
                "createRequest": {
                    "requestId": request_id,
                    "conferenceSolutionKey": {"type": kind},
                    "status": {"statusCode": "failure"},
                }
            }
            stored.resource.pop("hangoutLink", None)
            return
        number = next(self._meet)
        code = f"{'abcdefghij'[number % 10]}xy-{number:04d}-mtg"
        stored.pending_reads = self.meet_pending_reads
        stored.resource["conferenceData"] = {
            "createRequest": {
                "requestId": request_id,
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
                "status": {"statusCode": "pending"},
            },
            "_code": code,
        }
        stored.resource.pop("hangoutLink", None)

    def _settle(self, stored: _Stored) -> None:
        """A pending Meet link becomes ready once its reads are used up."""
        data = stored.resource.get("conferenceData") or {}
        status = (data.get("createRequest") or {}).get("status") or {}
        if status.get("statusCode") != "pending":
            return
        if stored.pending_reads > 0:
            stored.pending_reads -= 1
            return
        code = data.pop("_code")
        url = f"https://meet.google.com/{code}"
        status["statusCode"] = "success"
        data.update(
            {
                "entryPoints": [
                    {"entryPointType": "video", "uri": url, "label": url[len("https://") :]}
                ],
                "conferenceSolution": {
                    "key": {"type": "hangoutsMeet"},
                    "name": "Google Meet",
                },
                "conferenceId": code,
            }
        )
        stored.resource["hangoutLink"] = url

    def _view(self, stored: _Stored) -> dict[str, Any]:
        self._settle(stored)
        view = copy.deepcopy(stored.resource)
        data = view.get("conferenceData")
        if isinstance(data, dict):
            data.pop("_code", None)
        if view.get("transparency") == "opaque":
            del view["transparency"]  # Google leaves the default out
        return view

    def _notify(self, stored: _Stored, send_updates: str | None, what: str) -> None:
        if send_updates not in ("all", "externalOnly"):
            return
        for attendee in stored.resource.get("attendees") or []:
            if not attendee.get("organizer"):
                self.notifications.append(
                    Notification(attendee["email"], what, stored.resource["id"])
                )

    @staticmethod
    def _send_updates(request: Request) -> str | None:
        value = request.param("sendUpdates")
        if value is not None and value not in _SEND_UPDATES:
            raise ApiError(400, f"Invalid value for sendUpdates: {value}", "invalidParameter")
        if value is None and (request.param("sendNotifications") or "").lower() == "true":
            return "all"
        return value

    def _log(self, method: str, event_id: str, request: Request) -> None:
        self.writes.append(
            (method, event_id, request.param("sendUpdates"), request.param("conferenceDataVersion"))
        )

    @staticmethod
    def _version(request: Request) -> int:
        text = request.param("conferenceDataVersion") or "0"
        if text not in ("0", "1"):
            raise ApiError(400, f"Invalid conferenceDataVersion: {text}", "invalidParameter")
        return int(text)

    # ----------------------------------------------------------------- API operations

    def insert(self, calendar_id: str, body: dict[str, Any], request: Request) -> dict[str, Any]:
        self._calendar(calendar_id)
        send_updates = self._send_updates(request)
        version = self._version(request)
        self._check_times(body)
        event_id = str(body.get("id") or "")
        if event_id and not _BASE32HEX.match(event_id):
            raise ApiError(400, "Invalid resource id value.", "invalid")
        event_id = event_id or "".join(
            secrets.choice("abcdefghijklmnopqrstuv0123456789") for _ in range(26)
        )
        ical_uid = str(body.get("iCalUID") or f"{event_id}@google.com")
        if event_id in self.events or self._find_uid(ical_uid) is not None:
            raise ApiError(409, "The requested identifier already exists.", "duplicate")
        now = _rfc3339(self.clock.now())
        resource = {
            k: copy.deepcopy(v)
            for k, v in body.items()
            if k not in (*_READ_ONLY, "conferenceData", "hangoutLink")
        }
        resource.update(
            {
                "kind": "calendar#event",
                "id": event_id,
                "iCalUID": ical_uid,
                "status": body.get("status") or "confirmed",
                "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}",
                "created": now,
                "creator": {"email": self.owner, "self": True},
                "organizer": {"email": self.owner, "self": True},
                "sequence": int(body.get("sequence") or 0),
                "reminders": body.get("reminders") or {"useDefault": True},
                "eventType": "default",
            }
        )
        self._check_attendees(resource)
        stored = _Stored(resource, 0, next(self._seq))
        self._conference(stored, body, version)
        self.events[event_id] = stored
        self._touch(stored)
        self._log("insert", event_id, request)
        self._notify(stored, send_updates, "created")
        return self._view(stored)

    def get(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        self._calendar(calendar_id)
        return self._view(self._get(event_id))

    def change(
        self,
        calendar_id: str,
        event_id: str,
        body: dict[str, Any],
        request: Request,
        *,
        replace: bool,
    ) -> dict[str, Any]:
        """events.patch (``replace`` False) or events.update (True)."""
        self._calendar(calendar_id)
        stored = self._get(event_id)
        send_updates = self._send_updates(request)
        version = self._version(request)
        if stored.resource.get("status") == "cancelled":
            raise ApiError(410, "Resource has been deleted", "deleted")
        if body.get("iCalUID") not in (None, stored.resource["iCalUID"]):
            raise ApiError(400, "Cannot change the iCalUID of an event.", "invalid")
        before = (
            copy.deepcopy(stored.resource.get("start")),
            copy.deepcopy(stored.resource.get("end")),
        )
        incoming = {
            k: v for k, v in body.items() if k not in (*_READ_ONLY, "conferenceData", "hangoutLink")
        }
        if replace:
            kept = {k: stored.resource[k] for k in _READ_ONLY if k in stored.resource}
            kept.update(
                {
                    k: stored.resource[k]
                    for k in ("htmlLink", "sequence", "eventType", "conferenceData", "hangoutLink")
                    if k in stored.resource
                }
            )
            candidate = {**copy.deepcopy(incoming), **kept}
            candidate.setdefault("status", "confirmed")
        else:
            candidate = copy.deepcopy(stored.resource)
            _merge(candidate, incoming)
        if "sequence" in body:
            wanted = int(body["sequence"])
            if wanted < int(stored.resource.get("sequence", 0)):
                raise ApiError(
                    400,
                    "Invalid sequence value. The specified sequence number is below the "
                    "current sequence number of the resource.",
                    "invalid",
                )
            candidate["sequence"] = wanted
        self._check_times(candidate)
        if "attendees" in incoming:
            self._check_attendees(candidate)
        moved = (candidate.get("start"), candidate.get("end")) != before
        if moved and "sequence" not in body:
            candidate["sequence"] = int(stored.resource.get("sequence", 0)) + 1
        stored.resource = candidate
        self._conference(stored, body, version)
        self._touch(stored)
        self._log("update" if replace else "patch", event_id, request)
        self._notify(stored, send_updates, "updated")
        return self._view(stored)

    def delete(self, calendar_id: str, event_id: str, request: Request) -> None:
        self._calendar(calendar_id)
        stored = self._get(event_id)
        send_updates = self._send_updates(request)
        if stored.resource.get("status") == "cancelled":
            raise ApiError(410, "Resource has been deleted", "deleted")
        self._tombstone(stored)
        self._log("delete", event_id, request)
        self._notify(stored, send_updates, "cancelled")

    def _tombstone(self, stored: _Stored) -> None:
        stored.resource["status"] = "cancelled"
        self._touch(stored)

    def list(self, calendar_id: str, request: Request) -> dict[str, Any]:
        self._calendar(calendar_id)
        sync_token = request.param("syncToken")
        show_deleted = (request.param("showDeleted") or "false").lower() == "true"
        size_text = request.param("maxResults") or "250"
        if not size_text.isdigit() or int(size_text) < 1:
            raise ApiError(400, f"Invalid value for maxResults: {size_text}", "invalidParameter")
        size = min(int(size_text), 2500)
        if sync_token is not None:
            clash = [name for name in _NOT_WITH_SYNC_TOKEN if request.param(name) is not None]
            if clash:
                raise ApiError(
                    400,
                    f"The syncToken parameter cannot be combined with {', '.join(clash)}.",
                    "invalidParameter",
                )
            if (request.param("showDeleted") or "").lower() == "false":
                raise ApiError(
                    400, "showDeleted cannot be false with a syncToken.", "invalidParameter"
                )
            since = self._tokens.get(sync_token)
            if since is None or since < self._token_floor:
                raise ApiError(
                    410,
                    "Sync token is no longer valid, a full sync is required.",
                    "fullSyncRequired",
                    domain="calendar",
                )
            pool = [s for s in self.events.values() if s.changed > since]
        else:
            pool = list(self.events.values())
            if not show_deleted:
                pool = [s for s in pool if s.resource.get("status") != "cancelled"]
            ical_uid = request.param("iCalUID")
            if ical_uid is not None:
                pool = [s for s in pool if s.resource.get("iCalUID") == ical_uid]
            time_min, time_max = request.param("timeMin"), request.param("timeMax")
            if time_min:
                low = parse_rfc3339(time_min)
                pool = [s for s in pool if self._ends_after(s, low)]
            if time_max:
                high = parse_rfc3339(time_max)
                pool = [s for s in pool if self._starts_before(s, high)]
            updated_min = request.param("updatedMin")
            if updated_min:
                low = parse_rfc3339(updated_min)
                pool = [s for s in pool if parse_rfc3339(s.resource["updated"]) >= low]
        pool.sort(key=lambda s: s.seq)
        token = request.param("pageToken")
        start = 0
        if token:
            if not token.startswith("p") or not token[1:].isdigit():
                raise ApiError(400, "Invalid page token value.", "invalid")
            start = int(token[1:])
        chunk = pool[start : start + size]
        out: dict[str, Any] = {
            "kind": "calendar#events",
            "etag": f'"{self._changes:016d}"',
            "summary": self.owner,
            "updated": _rfc3339(self.clock.now()),
            "timeZone": "UTC",
            "accessRole": "owner",
            "defaultReminders": [{"method": "popup", "minutes": 10}],
            "items": [self._view(s) for s in chunk],
        }
        if start + size < len(pool):
            out["nextPageToken"] = f"p{start + size}"
        else:
            token_value = f"CP{secrets.token_hex(8)}="
            self._tokens[token_value] = self._changes
            out["nextSyncToken"] = token_value
        return out

    @staticmethod
    def _ends_after(stored: _Stored, moment: datetime) -> bool:
        try:
            end = _when(stored.resource.get("end"), "end")
        except ApiError:
            return True
        return end is None or end > moment

    @staticmethod
    def _starts_before(stored: _Stored, moment: datetime) -> bool:
        try:
            start = _when(stored.resource.get("start"), "start")
        except ApiError:
            return True
        return start is None or start < moment

    def busy(
        self, calendar_id: str, time_min: datetime, time_max: datetime
    ) -> list[tuple[datetime, datetime]]:
        """What freeBusy reports for these events: confirmed or tentative, opaque, timed."""
        if calendar_id != "primary":
            return []
        found = []
        for stored in self.events.values():
            resource = stored.resource
            if (
                resource.get("status") == "cancelled"
                or resource.get("transparency") == "transparent"
            ):
                continue
            start = _when(resource.get("start"), "start")
            end = _when(resource.get("end"), "end")
            if start is None or end is None:
                continue
            if start < time_max and end > time_min:
                found.append((start.astimezone(UTC), end.astimezone(UTC)))
        return found

    # ----------------------------------------------------------------- test controls

    def all(self, *, deleted: bool = False) -> list[dict[str, Any]]:
        """Every event (tombstones too with ``deleted``), oldest first, as copies."""
        with self.lock:
            stored = sorted(self.events.values(), key=lambda s: s.seq)
            return [
                self._view(s) for s in stored if deleted or s.resource.get("status") != "cancelled"
            ]

    def by_uid(self, ical_uid: str) -> dict[str, Any] | None:
        """The event with this iCalUID (a tombstone too), as a copy; None when there is none."""
        with self.lock:
            stored = self._find_uid(ical_uid)
            return None if stored is None else self._view(stored)

    def respond(self, ical_uid: str, email: str, status: str, comment: str = "") -> None:
        """The attendee answers on their calendar: accepted, declined or tentative."""
        if status not in _RESPONSES:
            raise ValueError(f"not a response status: {status}")
        with self.lock:
            stored = self._find_uid(ical_uid)
            if stored is None or stored.resource.get("status") == "cancelled":
                raise KeyError(ical_uid)
            for attendee in stored.resource.get("attendees") or []:
                if attendee["email"].casefold() == email.casefold():
                    attendee["responseStatus"] = status
                    if comment:
                        attendee["comment"] = comment
                    break
            else:
                raise KeyError(email)
            self._touch(stored)

    def delete_as_user(self, ical_uid: str) -> None:
        """The user deletes the event in Google Calendar."""
        with self.lock:
            stored = self._find_uid(ical_uid)
            if stored is None:
                raise KeyError(ical_uid)
            self._tombstone(stored)

    def move_as_user(self, ical_uid: str, start: datetime, end: datetime) -> None:
        """The user drags the event to another time in Google Calendar."""
        with self.lock:
            stored = self._find_uid(ical_uid)
            if stored is None:
                raise KeyError(ical_uid)
            zone = stored.resource.get("start", {}).get("timeZone", "UTC")
            stored.resource["start"] = {"dateTime": start.isoformat(), "timeZone": zone}
            stored.resource["end"] = {"dateTime": end.isoformat(), "timeZone": zone}
            stored.resource["sequence"] = int(stored.resource.get("sequence", 0)) + 1
            self._touch(stored)

    def add_user_event(self, start: datetime, end: datetime, summary: str = "Busy") -> str:
        """An event of the user's own (not the tool's); returns its id."""
        with self.lock:
            event_id = "".join(
                secrets.choice("abcdefghijklmnopqrstuv0123456789") for _ in range(26)
            )
            resource = {
                "kind": "calendar#event",
                "id": event_id,
                "iCalUID": f"{event_id}@google.com",
                "status": "confirmed",
                "summary": summary,
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": end.isoformat()},
                "created": _rfc3339(self.clock.now()),
                "organizer": {"email": self.owner, "self": True},
                "sequence": 0,
            }
            stored = _Stored(resource, 0, next(self._seq))
            self.events[event_id] = stored
            self._touch(stored)
            return event_id

    def expire_sync_tokens(self) -> None:
        """Google invalidates every sync token issued so far (the next use is 410)."""
        with self.lock:
            self._token_floor = self._changes + 1

    def purge(self) -> None:
        """Google forgets the tombstones (a get of them is 404 from now on)."""
        with self.lock:
            self.events = {
                k: s for k, s in self.events.items() if s.resource.get("status") != "cancelled"
            }


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


__all__ = ["EventsCalendar", "Notification", "attach", "busy_source"]
