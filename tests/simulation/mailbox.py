"""What the contacts received, read back from the backend's own record of what the user sent
(sent/ on the local backend, the fake Gmail's SENT label, the SMTP server, Outlook's Sent
Items), as a person's mail client would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from tests.conversation_world import World, invite_of, text_of

# The user is in New York; the first time of each offered line is theirs.
_ZONES = {"EST": -5, "EDT": -4, "GMT": 0, "UTC": 0, "BST": 1, "CET": 1, "CEST": 2,
          "CST": -6, "CDT": -5, "PST": -8, "PDT": -7}
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_SLOT = re.compile(
    r"^\s*- (?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{1,2}) ([A-Z][a-z]{2}), "
    r"(\d{2}):(\d{2})-\d{2}:\d{2} ([A-Z]{3,4})\b",
    re.MULTILINE,
)


@dataclass
class Received:
    """One message the user sent, as its recipient reads it."""

    name: str  # its Message-ID
    message: EmailMessage
    to: str
    cc: list[str]
    date: datetime
    text: str
    offered: list[datetime]
    invite_method: str | None  # REQUEST, CANCEL or None
    uid: str
    sequence: int
    start: datetime | None
    attachments: int

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def label(self) -> str:
        return f"{self.date:%a %d %b %H:%M} to {self.to} {self.subject!r}: {self.text[:160]!r}"


def offered_times(body: str, sent: datetime) -> list[datetime]:
    """The start of every time offered as a "- Tue 3 Mar, 09:00-09:20 EST" line."""
    found = []
    for day, month, hour, minute, zone in _SLOT.findall(body):
        offset = timezone(timedelta(hours=_ZONES[zone]))
        month_no = _MONTHS.index(month) + 1
        year = sent.year + (1 if month_no < sent.month - 6 else 0)
        found.append(datetime(year, month_no, int(day), int(hour), int(minute), tzinfo=offset))
    return found


def plain_lines(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    content = part.get_content() if part is not None else ""
    return str(content)


def read(message: EmailMessage) -> Received:
    date = parsedate_to_datetime(str(message["Date"]))
    event = invite_of(message)
    start = event.decoded("DTSTART") if event is not None else None
    non_text = [
        p for p in message.walk()
        if not p.is_multipart() and p.get_content_type() not in ("text/plain", "text/html")
    ]
    return Received(
        name=str(message["Message-ID"]),
        message=message,
        to=parseaddr(str(message["To"]))[1].casefold(),
        cc=[a.casefold() for _, a in getaddresses([str(message["Cc"] or "")]) if a],
        date=date,
        text=text_of(message),
        offered=offered_times(plain_lines(message), date),
        invite_method=str(event["X-TEST-METHOD"]) if event is not None else None,
        uid=str(event["UID"]) if event is not None else "",
        sequence=int(event.get("SEQUENCE", 0)) if event is not None else 0,
        start=start if isinstance(start, datetime) else None,
        attachments=len(non_text),
    )


class Mailbox:
    """What the user sent, read once per message, in the order things were sent."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._read: dict[str, Received] = {}
        self.order: list[str] = []

    def new(self) -> list[Received]:
        """Messages sent since the last call, oldest first (and none sent twice)."""
        sent = self.world.sent_messages()
        known = [str(m["Message-ID"]) for m in sent[: len(self.order)]]
        assert known == self.order, "the record of what was sent changed its past"
        fresh = [read(m) for m in sent[len(self.order):]]
        for item in fresh:
            assert item.name not in self._read, f"{item.label()} was sent twice"
            self._read[item.name] = item
            self.order.append(item.name)
        return fresh

    def to(self, address: str) -> list[Received]:
        wanted = address.casefold()
        return [self._read[n] for n in self.order if self._read[n].to == wanted]
