"""A best guess at a contact's time zone from the country data an import already has.

Most LinkedIn rows carry no time zone, but many contacts say where they are in some other way:
an address country (vCard ``ADR``, Google's "Address 1 - Country", a "Country" column), a phone
number in international form (``+81 3 ...``) or a country-code email domain (``.jp``). When
that country keeps one clock (Japan, France, India, ...), its zone is a good guess; when it
spans several (the US, Australia, Brazil, ...), there is no guess and the zone stays unknown.

The guess is never stored as the contact's ``timezone``: it is derived from the stored fields
each time, so a zone the user gives (``--tz``) always wins and a guess always reads as one.

Country -> zones comes from the IANA database's ``zone.tab`` (shipped by ``tzdata``, else the
system's zoneinfo folder), the same data zoneinfo itself uses; nothing is fetched.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

# International calling codes of the countries they belong to (shared codes, such as +1 for
# the US, Canada and the Caribbean, or +7 for Russia and Kazakhstan, lead to no guess).
CALLING_CODES: dict[str, str] = {
    "20": "EG", "27": "ZA", "30": "GR", "31": "NL", "32": "BE", "33": "FR", "34": "ES",
    "36": "HU", "39": "IT", "40": "RO", "41": "CH", "43": "AT", "44": "GB", "45": "DK",
    "46": "SE", "47": "NO", "48": "PL", "49": "DE", "51": "PE", "52": "MX", "53": "CU",
    "54": "AR", "55": "BR", "56": "CL", "57": "CO", "58": "VE", "60": "MY", "61": "AU",
    "62": "ID", "63": "PH", "64": "NZ", "65": "SG", "66": "TH", "81": "JP", "82": "KR",
    "84": "VN", "86": "CN", "90": "TR", "91": "IN", "92": "PK", "93": "AF", "94": "LK",
    "95": "MM", "98": "IR", "212": "MA", "213": "DZ", "216": "TN", "218": "LY", "220": "GM",
    "221": "SN", "233": "GH", "234": "NG", "250": "RW", "251": "ET", "254": "KE", "255": "TZ",
    "256": "UG", "260": "ZM", "263": "ZW", "351": "PT", "352": "LU", "353": "IE", "354": "IS",
    "355": "AL", "356": "MT", "357": "CY", "358": "FI", "359": "BG", "370": "LT", "371": "LV",
    "372": "EE", "373": "MD", "374": "AM", "375": "BY", "380": "UA", "381": "RS", "385": "HR",
    "386": "SI", "387": "BA", "389": "MK", "420": "CZ", "421": "SK", "502": "GT", "503": "SV",
    "504": "HN", "505": "NI", "506": "CR", "507": "PA", "509": "HT", "591": "BO", "593": "EC",
    "595": "PY", "598": "UY", "852": "HK", "853": "MO", "855": "KH", "856": "LA", "880": "BD",
    "886": "TW", "960": "MV", "961": "LB", "962": "JO", "963": "SY", "964": "IQ", "965": "KW",
    "966": "SA", "967": "YE", "968": "OM", "971": "AE", "972": "IL", "973": "BH", "974": "QA",
    "975": "BT", "976": "MN", "977": "NP", "992": "TJ", "993": "TM", "994": "AZ", "995": "GE",
    "998": "UZ",
}  # fmt: skip

# Country-code domains widely used for other reasons (.io, .ai, .co, .me, .tv, ...): no guess.
GENERIC_CCTLDS = frozenset(
    {"ac", "ai", "am", "cc", "cf", "co", "fm", "ga", "gg", "gq", "im", "io", "la", "ly", "me",
     "ml", "nu", "sh", "so", "st", "tk", "to", "tv", "vc", "ws"}
)  # fmt: skip
_DOMAIN_COUNTRY = {"uk": "GB"}

# Countries whose zone.tab lists a second zone that almost nobody lives in, where one official
# clock is a safe guess (China: Beijing time is the national time).
_NATIONAL_ZONE = {"CN": "Asia/Shanghai"}

# Everyday names that differ from zone.tab's (iso3166.tab says "Britain (UK)").
_COUNTRY_ALIASES = {
    "uk": "GB", "united kingdom": "GB", "great britain": "GB", "britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "usa": "US", "u.s.a.": "US", "u.s.": "US", "united states of america": "US",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR", "czechia": "CZ",
    "the netherlands": "NL", "holland": "NL", "deutschland": "DE", "españa": "ES",
    "viet nam": "VN", "uae": "AE", "russian federation": "RU", "méxico": "MX",
    "brasil": "BR", "italia": "IT", "schweiz": "CH", "suisse": "CH", "österreich": "AT",
    "nippon": "JP", "türkiye": "TR", "turkiye": "TR", "ivory coast": "CI",
}  # fmt: skip

# Which year's rules decide whether a country keeps one clock (geography, not the date today).
_REFERENCE_YEAR = 2026

_COUNTRY_KEY = re.compile(r"(^|_)(country|country_region|nation)($|_)")
_PHONE_KEY = re.compile(r"(^|_)(phone|mobile|tel|telephone|cell|whatsapp)($|_)")


@dataclass(frozen=True)
class ZoneGuess:
    """A guessed IANA zone, the country it comes from, and what pointed there."""

    zone: str
    country: str  # ISO 3166 code
    basis: str  # e.g. "phone +81 3 1234 5678", "address country Japan", "email domain .jp"

    def describe(self) -> str:
        return f"{self.zone} (a guess from the {self.basis})"

    def to_json(self) -> dict[str, str]:
        return {"zone": self.zone, "country": self.country, "basis": self.basis}


def _zone_tab_text() -> str:
    try:
        return resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        pass
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / "zone.tab"
        if path.is_file():
            return path.read_text("utf-8")
    return ""


def _iso_names_text() -> str:
    try:
        return resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        pass
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / "iso3166.tab"
        if path.is_file():
            return path.read_text("utf-8")
    return ""


def _rows(text: str) -> Iterable[list[str]]:
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


@functools.cache
def zones_by_country() -> dict[str, tuple[str, ...]]:
    """ISO country code -> its zones, in zone.tab order (most populous first)."""
    found: dict[str, list[str]] = {}
    for cells in _rows(_zone_tab_text()):
        if len(cells) >= 3:
            found.setdefault(cells[0].upper(), []).append(cells[2])
    return {code: tuple(zones) for code, zones in found.items()}


@functools.cache
def country_codes_by_name() -> dict[str, str]:
    """Casefolded country name (or code) -> ISO code."""
    names: dict[str, str] = {code.casefold(): code for code in zones_by_country()}
    for cells in _rows(_iso_names_text()):
        if len(cells) >= 2:
            names[cells[1].strip().casefold()] = cells[0].upper()
    names.update(_COUNTRY_ALIASES)
    return names


def _offsets(zone: str) -> tuple[float, float] | None:
    """The zone's UTC offsets in January and July (hours), or None if unknown here."""
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None
    values = []
    for month in (1, 7):
        offset = datetime(_REFERENCE_YEAR, month, 15, 12, tzinfo=tz).utcoffset()
        values.append(offset.total_seconds() / 3600 if offset is not None else 0.0)
    return values[0], values[1]


@functools.cache
def single_zone(country: str) -> str | None:
    """The zone of a country that keeps one clock all year round, else None.

    A country counts as one clock when every zone listed for it has the same offsets in winter
    and summer (Germany's Busingen keeps Berlin time; Spain's Canaries do not).
    """
    code = country.upper()
    if code in _NATIONAL_ZONE:
        return _NATIONAL_ZONE[code]
    zones = zones_by_country().get(code)
    if not zones:
        return None
    offsets = {_offsets(zone) for zone in zones}
    if len(offsets) != 1 or None in offsets:
        return None
    return zones[0]


def country_from_name(text: str) -> str | None:
    """The ISO code of a country written as a name or a code ("Japan", "JP", "UK")."""
    value = " ".join(text.replace(",", " ").split()).strip().casefold()
    if not value:
        return None
    names = country_codes_by_name()
    if value in names:
        return names[value]
    last = value.rsplit(" ", 1)[-1]  # "Tokyo, Japan" -> "japan"
    return names.get(last) if len(last) > 2 else None


def country_from_phone(number: str) -> str | None:
    """The country of a phone number in international form (+CC or 00CC), else None."""
    text = number.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+"):
        return None
    digits = re.sub(r"\D", "", text[1:])
    for length in (3, 2, 1):
        code = CALLING_CODES.get(digits[:length])
        if code is not None:
            return code
    return None


def country_from_email(email: str | None) -> str | None:
    """The country of a country-code email domain (.jp, .de, .co.uk), else None."""
    if not email or "@" not in email:
        return None
    tld = email.rsplit(".", 1)[-1].casefold()
    if len(tld) != 2 or tld in GENERIC_CCTLDS:
        return None
    code = _DOMAIN_COUNTRY.get(tld, tld.upper())
    return code if code in zones_by_country() else None


def guess_zone(email: str | None, extra: Mapping[str, str]) -> ZoneGuess | None:
    """The best guess for a contact without a time zone, or None when there is none.

    Evidence in order of trust: an address country, then a phone number, then the email
    domain. The first piece of evidence that names a country decides; a country with several
    clocks means no guess (a weaker hint that disagrees is not trusted over it).
    """
    for key, value in extra.items():
        if _COUNTRY_KEY.search(key) and value:
            country = country_from_name(value)
            if country is not None:
                return _guess(country, f"address country {value.strip()}")
    for key, value in extra.items():
        if _PHONE_KEY.search(key) and value:
            for number in re.split(r"[;,]|:::", value):
                country = country_from_phone(number)
                if country is not None:
                    return _guess(country, f"phone number {number.strip()}")
    country = country_from_email(email)
    if country is not None:
        return _guess(country, f"email domain .{(email or '').rsplit('.', 1)[-1].casefold()}")
    return None


def _guess(country: str, basis: str) -> ZoneGuess | None:
    zone = single_zone(country)
    return None if zone is None else ZoneGuess(zone, country, basis)
