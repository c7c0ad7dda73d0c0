"""The meeting on the user's Outlook calendar, behind the one calendar protocol
(:class:`~outreach.schedule.calendar_protocol.EventCalendar`), and free/busy for slots.

**No attendees, ever.** Outlook mails its own invitation to every attendee of an event, and
an update or a cancellation with each change. The contact's invitation is the tool's own
iCalendar invite, in the mail thread (where the conversation is, with its REQUEST/CANCEL and
SEQUENCE, identical on every backend); so the Outlook event is the user's own copy and has
no attendees. Exactly one invitation reaches the contact per change: ours. Their answer (an
iTIP REPLY) comes back by mail and is read by sync like any other backend's. A body asking
for attendees (the contact as guest, as on Google) has them left out here.

Events are found again by a single-value extended property holding the invite's UID (Graph's
``iCalUId`` is read-only), and created with a ``transactionId`` derived from it, so a retried
create never makes a second event. A video link is a Teams meeting (``isOnlineMeeting``).

Bodies come in and go out in the protocol's shape (Calendar API v3's); this module translates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from outreach.microsoft.graph import Graph, GraphError, GraphUnreachable, odata_string
from outreach.schedule.calendar_protocol import CalendarFailure, CalendarNotAllowed
from outreach.schedule.intervals import Interval

# A custom single-value extended property (String, our own GUID namespace).
UID_PROPERTY = "String {6e5c2a1f-6f3b-4f2e-9a0e-5d2b8c1e7a40} Name outreachMeetingUid"
_HINT = (
    "Check your connection (`outreach doctor`) and run the same command again; it is safe to "
    "re-run and never makes a second event."
)


def transaction_id(uid: str) -> str:
    return "outreach-" + hashlib.sha256(uid.encode("utf-8")).hexdigest()[:32]


def _graph_when(value: dict[str, Any]) -> dict[str, str]:
    moment = datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def _protocol_when(value: dict[str, Any]) -> dict[str, str]:
    raw = str(value.get("dateTime", ""))[:19]
    zone = str(value.get("timeZone", "UTC"))
    moment = datetime.fromisoformat(raw).replace(tzinfo=UTC if zone == "UTC" else ZoneInfo(zone))
    return {"dateTime": moment.isoformat(), "timeZone": zone}


def to_graph(body: dict[str, Any], *, uid: str | None = None) -> dict[str, Any]:
    """A protocol-shaped event (or patch) as Graph's event JSON; attendees left out."""
    out: dict[str, Any] = {}
    if "summary" in body:
        out["subject"] = body["summary"]
    if "description" in body:
        out["body"] = {"contentType": "text", "content": body["description"]}
    for name in ("start", "end"):
        if name in body:
            out[name] = _graph_when(body[name])
    if "transparency" in body:
        out["showAs"] = "free" if body["transparency"] == "transparent" else "busy"
    if "location" in body:
        out["location"] = {"displayName": body["location"]}
    if "conferenceData" in body:
        out["isOnlineMeeting"] = True
        out["onlineMeetingProvider"] = "teamsForBusiness"
    if uid:
        out["singleValueExtendedProperties"] = [{"id": UID_PROPERTY, "value": uid}]
        out["transactionId"] = transaction_id(uid)
    return out


def from_graph(event: dict[str, Any]) -> dict[str, Any]:
    """Graph's event JSON in the protocol's shape."""
    out: dict[str, Any] = {
        "id": event["id"],
        "status": "cancelled" if event.get("isCancelled") else "confirmed",
        "summary": event.get("subject", ""),
        "start": _protocol_when(event["start"]),
        "end": _protocol_when(event["end"]),
        "transparency": "transparent" if event.get("showAs") == "free" else "opaque",
        "attendees": [
            {
                "email": (a.get("emailAddress") or {}).get("address", ""),
                "responseStatus": _answer((a.get("status") or {}).get("response")),
            }
            for a in event.get("attendees") or []
        ],
    }
    if event.get("lastModifiedDateTime"):
        out["updated"] = event["lastModifiedDateTime"]
    join = (event.get("onlineMeeting") or {}).get("joinUrl")
    if event.get("isOnlineMeeting"):
        points = [{"entryPointType": "video", "uri": join}] if join else []
        status = "success" if join else "pending"
        out["conferenceData"] = {
            "entryPoints": points,
            "createRequest": {"status": {"statusCode": status}},
        }
    return out


def _answer(response: Any) -> str:
    return {
        "accepted": "accepted",
        "declined": "declined",
        "tentativelyAccepted": "tentative",
    }.get(str(response or ""), "needsAction")


class OutlookCalendar:
    """Events on the user's default Outlook calendar (see the module docstring)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._start = graph.stats.requests

    @property
    def requests(self) -> int:
        return self.graph.stats.requests - self._start

    @property
    def granted(self) -> frozenset[str] | None:
        return None  # only a call can tell

    @property
    def may_write(self) -> bool:
        return True  # only a call can tell (a 403 raises CalendarNotAllowed)

    def _call(
        self, method: str, path: str, doing: str, json: Any = None, *, gone_ok: bool = False
    ) -> dict[str, Any] | None:
        try:
            response = self.graph.request(
                method, path, json=json, safe=method != "POST" or json is None
            )
        except GraphError as exc:
            if exc.status == 403:
                raise CalendarNotAllowed from None
            if gone_ok and exc.status in (404, 410):
                return None
            raise CalendarFailure(
                f"Outlook refused {doing}: {exc}", hint=_HINT
            ) from None
        except GraphUnreachable as exc:
            raise CalendarFailure(
                f"Could not reach Outlook while {doing}: {exc}.", hint=_HINT
            ) from None
        if response.status_code == 204 or not response.content:
            return {}
        data: dict[str, Any] = response.json()
        return data

    def insert(self, body: dict[str, Any], *, conference: bool) -> dict[str, Any] | None:
        uid = str(body.get("iCalUID") or "")
        wanted = to_graph(body, uid=uid)
        created = self._call("POST", "/me/events", "adding the meeting to your calendar", wanted)
        if created is None:
            return None
        event = from_graph(created)
        if (_graph_when(event["start"]), _graph_when(event["end"])) != (
            wanted.get("start"),
            wanted.get("end"),
        ):
            # Graph answered with the event an earlier create made (same transactionId: its
            # answer was lost), as it stood then: like Google's 409, the caller finds it and
            # puts it in step.
            return None
        return event

    def find(self, ical_uid: str) -> dict[str, Any] | None:
        flt = (
            f"singleValueExtendedProperties/Any(ep: ep/id eq {odata_string(UID_PROPERTY)} "
            f"and ep/value eq {odata_string(ical_uid)})"
        )
        try:
            page = self.graph.get("/me/events", {"$filter": flt})
        except GraphError as exc:
            raise CalendarFailure(
                f"Outlook refused looking up the meeting: {exc}", hint=_HINT
            ) from None
        except GraphUnreachable as exc:
            raise CalendarFailure(f"Could not reach Outlook: {exc}.", hint=_HINT) from None
        rows = page.get("value") or []
        return from_graph(rows[0]) if rows else None

    def get(self, event_id: str) -> dict[str, Any] | None:
        found = self._call("GET", f"/me/events/{event_id}", "reading the meeting's event",
                           gone_ok=True)
        return None if not found else from_graph(found)

    def patch(
        self, event_id: str, body: dict[str, Any], *, conference: bool
    ) -> dict[str, Any] | None:
        change = to_graph(body)
        if not change:  # only attendees were asked for: none are kept (module docstring)
            return self.get(event_id)
        found = self._call("PATCH", f"/me/events/{event_id}", "changing the meeting on your "
                           "calendar", change, gone_ok=True)
        return None if not found else from_graph(found)

    def delete(self, event_id: str) -> bool:
        done = self._call("DELETE", f"/me/events/{event_id}", "removing the meeting from your "
                          "calendar", gone_ok=True)
        return done is not None

    def wait_for_meet(self, event: dict[str, Any]) -> dict[str, Any]:
        return event  # Teams links come with the event's answer

    def changes(
        self, sync_token: str | None, time_min: datetime
    ) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
        """No attendees, so no answers on the event: answers come by mail."""
        yield [], sync_token or "outlook"

    def busy(self, account: str, start: datetime, end: datetime) -> list[Interval]:
        """Busy (and tentative, away) spans of the user's calendar, from getSchedule."""
        body = {
            "schedules": [account],
            "startTime": _graph_when({"dateTime": start.isoformat()}),
            "endTime": _graph_when({"dateTime": end.isoformat()}),
            "availabilityViewInterval": 15,
        }
        try:
            response = self.graph.request("POST", "/me/calendar/getSchedule", json=body, safe=True)
        except (GraphError, GraphUnreachable) as exc:
            raise CalendarFailure(
                f"Outlook refused the free/busy query: {exc}",
                hint='Check `outreach auth status`, or remove "microsoft" from [schedule] busy.',
            ) from None
        spans: list[Interval] = []
        for schedule in response.json().get("value") or []:
            for item in schedule.get("scheduleItems") or []:
                if item.get("status") == "free":
                    continue
                spans.append(
                    Interval(
                        datetime.fromisoformat(_protocol_when(item["start"])["dateTime"]),
                        datetime.fromisoformat(_protocol_when(item["end"])["dateTime"]),
                    )
                )
        return spans
