"""Reading the time a user typed for `book --at` / `reschedule --at`: pure, values in and out.

A time means one instant only when its zone is known. Three ways say it:

- an offset: ``2026-11-10T10:00+01:00`` (also ``Z``);
- an IANA zone name after the time: ``2026-11-10 10:00 Europe/Berlin`` (or ``...T10:00 UTC``);
- ``their_time``: a bare time on the contact's clock (``--their-time``).

A bare time is the user's own when the contact's zone is unknown or keeps the same clock then.
When their clock differs it could be either, and guessing wrong books the wrong hour: the
answer is a :class:`TwoReadings`, for the command to ask about (or refuse, naming both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["AtError", "TwoReadings", "read_at"]

_ZONE_NAME = re.compile(
    r"^(?P<time>.+?)\s+(?P<zone>[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*)$"
)
EXAMPLES = (
    'e.g. --at 2026-03-04T15:00+01:00, --at "2026-03-04 15:00 Europe/Berlin", or a bare '
    "--at 2026-03-04T15:00 with --their-time for their clock"
)


class AtError(ValueError):
    """The text is not a time this module can read; the message says why."""


@dataclass(frozen=True)
class TwoReadings:
    """A bare time that means a different instant on each person's clock."""

    yours: datetime  # the time on the user's clock
    theirs: datetime  # the same wall time on the contact's clock


def _parse_naive_or_offset(text: str) -> datetime:
    cleaned = text.strip()
    if len(cleaned) > 10 and cleaned[10] == " ":
        cleaned = cleaned[:10] + "T" + cleaned[11:]
    cleaned = re.sub(r"Z$", "+00:00", cleaned)
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError:
        raise AtError("not a date and time") from None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AtError(
            f"{name!r} is not a time zone (use an IANA name such as Europe/Berlin)"
        ) from None


def _split_zone(text: str) -> tuple[str, ZoneInfo | None]:
    """The time and the zone named after it (None when none is named)."""
    found = _ZONE_NAME.match(text.strip())
    if found is None:
        return text, None
    zone_text = found.group("zone")
    if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", zone_text):
        return text, None  # "2026-03-04 15:00": the second word is the clock
    _parse_naive_or_offset(found.group("time"))  # "next tuesday" is no time with a zone
    return found.group("time"), _zone(zone_text)


def _same_clock(moment: datetime, one: tzinfo, other: tzinfo) -> bool:
    return moment.replace(tzinfo=one).utcoffset() == moment.replace(tzinfo=other).utcoffset()


def read_at(
    text: str,
    *,
    user_zone: tzinfo,
    contact_zone: tzinfo | None,
    their_time: bool = False,
) -> datetime | TwoReadings:
    """The instant ``text`` names, or both readings when a bare time is ambiguous.

    Raises:
        AtError: not a date and time; an unknown zone name; ``their_time`` with a zone or an
            offset already given, or for a contact whose zone is unknown.
    """
    time_text, named = _split_zone(text)
    moment = _parse_naive_or_offset(time_text)
    given = named is not None or moment.tzinfo is not None
    if their_time and given:
        raise AtError("--their-time is for a bare time; this one already names its zone")
    if named is not None:
        if moment.tzinfo is not None:
            raise AtError("give either an offset or a zone name, not both")
        return moment.replace(tzinfo=named)
    if moment.tzinfo is not None:
        return moment
    if their_time:
        if contact_zone is None:
            raise AtError("their time zone is unknown, so --their-time cannot be read")
        return moment.replace(tzinfo=contact_zone)
    if contact_zone is None or _same_clock(moment, user_zone, contact_zone):
        return moment.replace(tzinfo=user_zone)
    return TwoReadings(moment.replace(tzinfo=user_zone), moment.replace(tzinfo=contact_zone))
