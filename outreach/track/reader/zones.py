"""Zones a writer names beside a time: "CET", "10am ET", "Berlin time", "UTC+1",
"Europe/Berlin", "my time", "your time".

Abbreviations are matched as written (upper case), so the French "est" (is) is never Eastern
time; a region abbreviation means that region's local time all year ("EST" in July is what
New York clocks show), which is what people mean by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outreach.track.reader.lexicon import alternation, words

__all__ = ["ZoneSaid", "zone_said", "zones_named"]

_ABBREVIATIONS = {
    "CET": "Europe/Berlin", "CEST": "Europe/Berlin", "MEZ": "Europe/Berlin",
    "MESZ": "Europe/Berlin", "WET": "Europe/Lisbon", "WEST": "Europe/Lisbon",
    "EET": "Europe/Athens", "EEST": "Europe/Athens", "BST": "Europe/London",
    "UTC": "UTC", "GMT": "UTC", "ET": "America/New_York", "EST": "America/New_York",
    "EDT": "America/New_York", "CT": "America/Chicago", "CST": "America/Chicago",
    "CDT": "America/Chicago", "MT": "America/Denver", "MST": "America/Denver",
    "MDT": "America/Denver", "PT": "America/Los_Angeles", "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles", "JST": "Asia/Tokyo", "SGT": "Asia/Singapore",
    "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney", "IST": "Asia/Kolkata",
}
_PLACES = {
    "berlin": "Europe/Berlin", "munich": "Europe/Berlin", "munchen": "Europe/Berlin",
    "hamburg": "Europe/Berlin", "frankfurt": "Europe/Berlin", "germany": "Europe/Berlin",
    "german": "Europe/Berlin", "deutscher": "Europe/Berlin", "vienna": "Europe/Vienna",
    "wien": "Europe/Vienna", "zurich": "Europe/Zurich", "paris": "Europe/Paris",
    "france": "Europe/Paris", "amsterdam": "Europe/Amsterdam", "nederlandse": "Europe/Amsterdam",
    "brussels": "Europe/Brussels", "bruxelles": "Europe/Brussels", "madrid": "Europe/Madrid",
    "barcelona": "Europe/Madrid", "espana": "Europe/Madrid", "peninsular": "Europe/Madrid",
    "rome": "Europe/Rome", "roma": "Europe/Rome", "milan": "Europe/Rome",
    "milano": "Europe/Rome", "italiana": "Europe/Rome", "lisbon": "Europe/Lisbon",
    "lisboa": "Europe/Lisbon", "porto": "Europe/Lisbon", "stockholm": "Europe/Stockholm",
    "svensk": "Europe/Stockholm", "london": "Europe/London", "uk": "Europe/London",
    "dublin": "Europe/Dublin", "new york": "America/New_York", "nyc": "America/New_York",
    "boston": "America/New_York", "toronto": "America/Toronto", "east coast": "America/New_York",
    "eastern": "America/New_York", "chicago": "America/Chicago", "central": "America/Chicago",
    "denver": "America/Denver", "mountain": "America/Denver",
    "san francisco": "America/Los_Angeles", "los angeles": "America/Los_Angeles",
    "seattle": "America/Los_Angeles", "west coast": "America/Los_Angeles",
    "pacific": "America/Los_Angeles", "sao paulo": "America/Sao_Paulo",
    "brasilia": "America/Sao_Paulo", "mexico city": "America/Mexico_City",
    "tokyo": "Asia/Tokyo", "singapore": "Asia/Singapore", "sydney": "Australia/Sydney",
    "bangalore": "Asia/Kolkata", "india": "Asia/Kolkata",
}
_ABBREVIATION_RE = re.compile(r"(?<![\w/])(" + alternation(_ABBREVIATIONS) + r")(?![\w/])")
_OFFSET_RE = re.compile(r"\b(?:UTC|GMT)\s?([+-−])\s?(\d{1,2})(?::?(\d{2}))?\b")
_IANA_RE = re.compile(r"\b((?:Europe|America|Asia|Africa|Australia|Pacific)/[A-Za-z_]+"
                      r"(?:/[A-Za-z_]+)?)\b")
# A place counts as a zone next to "time"/"Zeit"/"heure"/... or in brackets: "Berlin time",
# "(Berlin)", "heure de Paris", "hora de Madrid", "ora italiana", "Nederlandse tijd".
_PLACE = alternation(_PLACES)
_PLACE_RE = re.compile(
    rf"\(\s*({_PLACE})\s*\)|\b({_PLACE})(?:er)?\s+(?:time|zeit|tijd|tid|hora|ora)\b"
    rf"|\b(?:time|heure|hora|horario|ora|tijd|tid|zeit) (?:de |di |in |en |van |i )?({_PLACE})\b"
    rf"|\b(?:hora|ora|tijd|tid) ({_PLACE})\b|\b({_PLACE})-?tid\b"
    rf"|(?:\d|am|pm|uhr|h)\s+({_PLACE})\b"
)
_MINE = words(
    r"mine|here|over here|hier|ici|aqui|qui|bei mir|hos mig|my time|local time|my local time"
    r"|my timezone|my time zone|meiner zeit|ortszeit"
    r"|mon heure|heure locale|chez moi|mi hora|hora local|mia ora|ora locale|mijn tijd"
    r"|lokale tijd|minha hora|horario local|min tid|lokal tid|svensk tid hos mig"
)
_YOURS = words(
    r"yours|bei ihnen|bei dir|chez vous|chez toi|para usted|para ti|da lei|da te"
    r"|bij u|bij jou|para voce|hos dig|hos er|your time|your timezone|your time zone"
    r"|deiner zeit|ihrer zeit|votre heure|ton heure"
    r"|tu hora|su hora|tua ora|vostra ora|jouw tijd|uw tijd|sua hora|seu horario|din tid"
)


@dataclass(frozen=True)
class ZoneSaid:
    """The zone a clause names: a zone itself, or the writer's ("mine") or reader's ("yours")."""

    zone: tzinfo | None
    mine: bool = False
    yours: bool = False


def zones_named(clause: str) -> int:
    """How many zone abbreviations a clause writes ("9am ET / 3pm CET" is two)."""
    return len(_ABBREVIATION_RE.findall(clause)) + len(_OFFSET_RE.findall(clause))


def zone_said(clause: str, plain: str) -> ZoneSaid | None:
    """The zone ``clause`` names (``plain`` is its normalize_text form), or None."""
    iana = _IANA_RE.search(clause)
    if iana:
        try:
            return ZoneSaid(ZoneInfo(iana.group(1)))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    offset = _OFFSET_RE.search(clause)
    if offset:
        sign = -1 if offset.group(1) in "-−" else 1
        delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3) or 0))
        return ZoneSaid(timezone(sign * delta))
    abbreviation = _ABBREVIATION_RE.search(clause)
    if abbreviation:
        return ZoneSaid(ZoneInfo(_ABBREVIATIONS[abbreviation.group(1)]))
    place = _PLACE_RE.search(plain)
    if place:
        name = next(g for g in place.groups() if g)
        return ZoneSaid(ZoneInfo(_PLACES[name]), mine=_MINE.search(plain) is not None)
    if _MINE.search(plain):
        return ZoneSaid(None, mine=True)
    if _YOURS.search(plain):
        return ZoneSaid(None, yours=True)
    return None
