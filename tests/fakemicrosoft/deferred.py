"""The fake's deferred send: Exchange holds a message whose PidTagDeferredSendTime is ahead.

A client sets ``SystemTime 0x3FEF`` on a draft (``PATCH /me/messages/{id}`` with
``singleValueExtendedProperties``), then sends it; the message waits in Drafts until its time
(the fake's clock, moved by the tests) and then goes exactly as an immediate send would.
Deleting the waiting message before its time cancels it. See REALITY.md ("Deferred send").
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import datetime

from tests.fakemicrosoft.mailbox import Mailbox
from tests.fakemicrosoft.wire import Answer, Call, GraphFault, not_found

DEFERRED_SEND_TIME = "systemtime 0x3fef"
# The forms Graph accepts for a property id (its error message lists them).
_PROPERTY_ID = re.compile(
    r"^(?P<type>[A-Za-z]+) (?:(?P<tag>0x[0-9A-Fa-f]{1,8})|\{[0-9A-Fa-f-]{36}\} "
    r"(?:Name \S.*|Id 0x[0-9A-Fa-f]{1,8}))$"
)
_MAPI_TYPES = {
    "binary", "boolean", "clsid", "currency", "double", "float", "integer", "long",
    "object", "short", "string", "systemtime",
}
_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$")


def _invalid_id() -> GraphFault:
    return GraphFault(
        400,
        "ErrorInvalidProperty",
        "PropertyId values may only be in one of the following formats: 'MapiPropertyType "
        "namespaceGuid Name propertyName', 'MapiPropertyType namespaceGuid Id propertyId' or "
        "'MapiPropertyType propertyTag'.",
    )


def _moment(value: str) -> datetime:
    if not _ISO.match(value):
        raise GraphFault(400, "ErrorInvalidProperty", "The property has an invalid value.")
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class DeferredSend:
    """Extended properties on messages, and the messages Exchange holds until their time."""

    def __init__(
        self, box: Mailbox, now: Callable[[], datetime], deliver: Callable[[str, datetime], None]
    ) -> None:
        self.box = box
        self.now = now
        self.deliver = deliver  # sends a held message (the mail routes' immediate send)
        self.properties: dict[str, dict[str, str]] = {}  # item id -> property id -> value
        self.held: dict[str, datetime] = {}  # item id -> when it goes
        self.lock = threading.RLock()

    def routes(self) -> list[tuple[str, str, frozenset[str], Callable[..., Answer]]]:
        i = r"(?P<item>[A-Za-z0-9_=-]+)"
        return [("PATCH", rf"/me/messages/{i}", frozenset({"Mail.ReadWrite"}), self.patch)]

    def patch(self, call: Call, item: str) -> Answer:
        """Only ``singleValueExtendedProperties`` are modelled (all the tool patches)."""
        found = self.box.items.get(item)
        if found is None:
            raise not_found("message")
        if item in self.held:
            raise GraphFault(400, "ErrorInvalidOperation", "The item has been submitted and "
                             "can't be changed.")
        data = call.json()
        if not isinstance(data, dict) or set(data) != {"singleValueExtendedProperties"}:
            raise GraphFault(400, "ErrorInvalidRequest", "This fake models only "
                             "singleValueExtendedProperties in a message PATCH.")
        given: dict[str, str] = {}
        for prop in data["singleValueExtendedProperties"] or []:
            prop_id = str((prop or {}).get("id", ""))
            match = _PROPERTY_ID.match(prop_id)
            if match is None or match.group("type").lower() not in _MAPI_TYPES:
                raise _invalid_id()
            value = prop.get("value")
            if not isinstance(value, str):
                raise GraphFault(400, "ErrorInvalidProperty", "The property has an invalid "
                                 "value.")
            if match.group("type").lower() == "systemtime":
                _moment(value)
            given[_normal(prop_id)] = value
        with self.lock:
            self.properties.setdefault(item, {}).update(given)
        return Answer(200, found.resource(None))

    def defer_at(self, item: str) -> datetime | None:
        """The deferred send time set on a message, if any."""
        value = self.properties.get(item, {}).get(DEFERRED_SEND_TIME)
        return None if value is None else _moment(value)

    def hold_if_deferred(self, item: str, now: datetime) -> bool:
        """At send: keep the message in Drafts when its deferred time is ahead (a time
        already past sends it at once, as MAPI says)."""
        if item in self.held:
            raise GraphFault(400, "ErrorInvalidOperation", "The item has already been "
                             "submitted.")
        at = self.defer_at(item)
        if at is None or at <= now:
            return False
        with self.lock:
            self.held[item] = at
        return True

    def release_due(self) -> int:
        """Send each held message whose time has come (and that was not deleted meanwhile)."""
        now = self.now()
        with self.lock:
            due = sorted((at, item) for item, at in self.held.items() if at <= now)
            for at, item in due:
                del self.held[item]
                if item in self.box.items:
                    self.deliver(item, at)
        return len(due)

    def forget(self, item: str) -> None:
        with self.lock:
            self.held.pop(item, None)
            self.properties.pop(item, None)


def _normal(prop_id: str) -> str:
    """Type names and tags are case-insensitive (``SystemTime 0x3FEF``, ``systemtime 0x3fef``)."""
    kind, rest = prop_id.split(" ", 1)
    if rest.lower().startswith("0x"):
        return f"{kind.lower()} 0x{int(rest, 16):04x}"
    return prop_id
