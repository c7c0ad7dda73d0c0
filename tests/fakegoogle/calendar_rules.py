"""The rules the fake's Calendar events follow, as plain functions (see calendar_events)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.fakegoogle.wire import ApiError, Request

BASE32HEX = re.compile(r"^[a-v0-9]{5,1024}$")
EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
SEND_UPDATES = ("all", "externalOnly", "none")
RESPONSES = ("needsAction", "declined", "tentative", "accepted")
NOT_WITH_SYNC_TOKEN = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)
READ_ONLY = ("id", "iCalUID", "created", "updated", "creator", "organizer", "kind", "etag")


@dataclass
class Notification:
    """A mail Google would send, or may send, to a guest: with ``sendUpdates`` all or
    externalOnly it does; with none (or nothing) "some emails might still be sent"
    (``certain`` False), and a guest's calendar may show the event at once."""

    to: str
    what: str  # created, updated, cancelled
    event_id: str
    certain: bool = True


@dataclass
class Stored:
    resource: dict[str, Any]
    changed: int  # the change counter when it last changed
    seq: int  # creation order
    request_ids: set[str] = field(default_factory=set)
    pending_reads: int = 0  # reads left before a pending Meet link is ready


def rfc3339_ms(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def parse_when(value: Any, which: str) -> datetime | None:
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


def merge_patch(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """Patch semantics: objects merge field by field, arrays and values are replaced."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge_patch(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def check_times(resource: dict[str, Any]) -> None:
    start = parse_when(resource.get("start"), "start")
    end = parse_when(resource.get("end"), "end")
    if start is not None and end is not None and end < start:
        raise ApiError(400, "The specified time range is empty.", "timeRangeEmpty")


def clean_attendees(resource: dict[str, Any], owner: str) -> None:
    """Validate the attendees; the organizer's own entry is Google's to add."""
    attendees = resource.get("attendees")
    if attendees is None:
        return
    if not isinstance(attendees, list):
        raise ApiError(400, "Invalid attendees.", "invalid")
    cleaned = []
    for attendee in attendees:
        email = str((attendee or {}).get("email", "")).strip()
        if not EMAIL.match(email):
            raise ApiError(400, "Invalid attendee email.", "invalid")
        status = attendee.get("responseStatus", "needsAction")
        if status not in RESPONSES:
            raise ApiError(400, f"Invalid attendee response status: {status}", "invalid")
        if email.casefold() == owner.casefold():
            continue  # the organizer's own entry is Google's to write
        cleaned.append({**attendee, "email": email, "responseStatus": status})
    if cleaned:
        cleaned.append(
            {
                "email": owner,
                "organizer": True,
                "self": True,
                "responseStatus": "accepted",
            }
        )
    resource["attendees"] = cleaned


def apply_conference(
    stored: Stored,
    body: dict[str, Any],
    version: int,
    *,
    fails: bool,
    pending_reads: int,
    number: int,
) -> None:
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
    if fails or kind != "hangoutsMeet":
        stored.resource["conferenceData"] = {
            "createRequest": {
                "requestId": request_id,
                "conferenceSolutionKey": {"type": kind},
                "status": {"statusCode": "failure"},
            }
        }
        stored.resource.pop("hangoutLink", None)
        return
    code = f"{'abcdefghij'[number % 10]}xy-{number:04d}-mtg"
    stored.pending_reads = pending_reads
    stored.resource["conferenceData"] = {
        "createRequest": {
            "requestId": request_id,
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
            "status": {"statusCode": "pending"},
        },
        "_code": code,
    }
    stored.resource.pop("hangoutLink", None)


def settle(stored: Stored) -> None:
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


def send_updates(request: Request) -> str | None:
    value = request.param("sendUpdates")
    if value is not None and value not in SEND_UPDATES:
        raise ApiError(400, f"Invalid value for sendUpdates: {value}", "invalidParameter")
    if value is None and (request.param("sendNotifications") or "").lower() == "true":
        return "all"
    return value


def conference_version(request: Request) -> int:
    text = request.param("conferenceDataVersion") or "0"
    if text not in ("0", "1"):
        raise ApiError(400, f"Invalid conferenceDataVersion: {text}", "invalidParameter")
    return int(text)
