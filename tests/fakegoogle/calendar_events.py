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
- ``sendUpdates``: Google mails guests for ``all`` / ``externalOnly``; with ``none`` (the
  default) "some emails might still be sent" (the reference), and a guest whose calendar adds
  invitations (from everyone, or from known senders) sees the event at once. So every write
  of an event that has guests is recorded in :attr:`EventsCalendar.notifications`, as certain
  or as possible: a tool that wants to be sure Google mails nobody has no guests at all.
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
import secrets
import threading
from datetime import UTC, datetime
from typing import Any

from tests.fakegoogle.calendar_rules import (
    BASE32HEX,
    NOT_WITH_SYNC_TOKEN,
    READ_ONLY,
    RESPONSES,
    Notification,
    Stored,
    apply_conference,
    check_times,
    clean_attendees,
    conference_version,
    merge_patch,
    parse_when,
    rfc3339_ms,
    send_updates,
    settle,
)
from tests.fakegoogle.state import Clock, parse_rfc3339
from tests.fakegoogle.wire import ApiError, Request


class EventsCalendar:
    """The events of one account's primary calendar."""

    def __init__(self, owner: str, clock: Clock, lock: threading.RLock) -> None:
        self.owner = owner
        self.clock = clock
        self.lock = lock
        self.events: dict[str, Stored] = {}
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

    def _touch(self, stored: Stored) -> None:
        self._changes += 1
        stored.changed = self._changes
        stored.resource["updated"] = rfc3339_ms(self.clock.now())
        stored.resource["etag"] = f'"{self._changes:016d}"'

    def _find_uid(self, ical_uid: str) -> Stored | None:
        return next(
            (s for s in self.events.values() if s.resource.get("iCalUID") == ical_uid), None
        )

    def _get(self, event_id: str) -> Stored:
        stored = self.events.get(event_id)
        if stored is None:
            raise ApiError(404, "Not Found", "notFound")
        return stored

    def _conference(self, stored: Stored, body: dict[str, Any], version: int) -> None:
        apply_conference(
            stored,
            body,
            version,
            fails=self.meet_fails,
            pending_reads=self.meet_pending_reads,
            number=next(self._meet),
        )

    def _view(self, stored: Stored) -> dict[str, Any]:
        settle(stored)
        view = copy.deepcopy(stored.resource)
        data = view.get("conferenceData")
        if isinstance(data, dict):
            data.pop("_code", None)
        if view.get("transparency") == "opaque":
            del view["transparency"]  # Google leaves the default out
        return view

    def _notify(self, stored: Stored, send_updates: str | None, what: str) -> None:
        certain = send_updates in ("all", "externalOnly")
        for attendee in stored.resource.get("attendees") or []:
            if not attendee.get("organizer"):
                self.notifications.append(
                    Notification(attendee["email"], what, stored.resource["id"], certain)
                )

    def _log(self, method: str, event_id: str, request: Request) -> None:
        self.writes.append(
            (method, event_id, request.param("sendUpdates"), request.param("conferenceDataVersion"))
        )

    # ----------------------------------------------------------------- API operations

    def insert(self, calendar_id: str, body: dict[str, Any], request: Request) -> dict[str, Any]:
        self._calendar(calendar_id)
        notify = send_updates(request)
        version = conference_version(request)
        check_times(body)
        event_id = str(body.get("id") or "")
        if event_id and not BASE32HEX.match(event_id):
            raise ApiError(400, "Invalid resource id value.", "invalid")
        event_id = event_id or "".join(
            secrets.choice("abcdefghijklmnopqrstuv0123456789") for _ in range(26)
        )
        ical_uid = str(body.get("iCalUID") or f"{event_id}@google.com")
        if event_id in self.events or self._find_uid(ical_uid) is not None:
            raise ApiError(409, "The requested identifier already exists.", "duplicate")
        now = rfc3339_ms(self.clock.now())
        resource = {
            k: copy.deepcopy(v)
            for k, v in body.items()
            if k not in (*READ_ONLY, "conferenceData", "hangoutLink")
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
        clean_attendees(resource, self.owner)
        stored = Stored(resource, 0, next(self._seq))
        self._conference(stored, body, version)
        self.events[event_id] = stored
        self._touch(stored)
        self._log("insert", event_id, request)
        self._notify(stored, notify, "created")
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
        notify = send_updates(request)
        version = conference_version(request)
        if stored.resource.get("status") == "cancelled":
            raise ApiError(410, "Resource has been deleted", "deleted")
        if body.get("iCalUID") not in (None, stored.resource["iCalUID"]):
            raise ApiError(400, "Cannot change the iCalUID of an event.", "invalid")
        before = (
            copy.deepcopy(stored.resource.get("start")),
            copy.deepcopy(stored.resource.get("end")),
        )
        incoming = {
            k: v for k, v in body.items() if k not in (*READ_ONLY, "conferenceData", "hangoutLink")
        }
        if replace:
            kept = {k: stored.resource[k] for k in READ_ONLY if k in stored.resource}
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
            merge_patch(candidate, incoming)
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
        check_times(candidate)
        if "attendees" in incoming:
            clean_attendees(candidate, self.owner)
        moved = (candidate.get("start"), candidate.get("end")) != before
        if moved and "sequence" not in body:
            candidate["sequence"] = int(stored.resource.get("sequence", 0)) + 1
        stored.resource = candidate
        self._conference(stored, body, version)
        self._touch(stored)
        self._log("update" if replace else "patch", event_id, request)
        self._notify(stored, notify, "updated")
        return self._view(stored)

    def delete(self, calendar_id: str, event_id: str, request: Request) -> None:
        self._calendar(calendar_id)
        stored = self._get(event_id)
        notify = send_updates(request)
        if stored.resource.get("status") == "cancelled":
            raise ApiError(410, "Resource has been deleted", "deleted")
        self._tombstone(stored)
        self._log("delete", event_id, request)
        self._notify(stored, notify, "cancelled")

    def _tombstone(self, stored: Stored) -> None:
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
            clash = [name for name in NOT_WITH_SYNC_TOKEN if request.param(name) is not None]
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
            "updated": rfc3339_ms(self.clock.now()),
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
    def _ends_after(stored: Stored, moment: datetime) -> bool:
        try:
            end = parse_when(stored.resource.get("end"), "end")
        except ApiError:
            return True
        return end is None or end > moment

    @staticmethod
    def _starts_before(stored: Stored, moment: datetime) -> bool:
        try:
            start = parse_when(stored.resource.get("start"), "start")
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
            start = parse_when(resource.get("start"), "start")
            end = parse_when(resource.get("end"), "end")
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
        if status not in RESPONSES:
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

    def add_guest_as_user(self, ical_uid: str, email: str) -> None:
        """The user adds a guest to the event by hand in Google Calendar (which mails them)."""
        with self.lock:
            stored = self._find_uid(ical_uid)
            if stored is None:
                raise KeyError(ical_uid)
            guests = [a for a in stored.resource.get("attendees") or [] if not a.get("organizer")]
            stored.resource["attendees"] = [*guests, {"email": email}]
            clean_attendees(stored.resource, self.owner)
            self._touch(stored)
            self._notify(stored, "all", "updated")

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


__all__ = ["EventsCalendar", "Notification"]
