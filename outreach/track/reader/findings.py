"""What the reply reader finds: one small frozen value per kind of finding.

Each finding carries ``evidence``, the sentence it came from, so every suggestion built on it
can show the user why. Times are aware datetimes; ``zone_assumed`` says the writer named no
zone and none was known, so the time was read in the user's zone and must be shown as an
assumption.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

__all__ = [
    "Decline",
    "Deferral",
    "Finding",
    "Handoff",
    "OfferedSlot",
    "ProposedRange",
    "ProposedTime",
    "Reading",
    "Referral",
    "ReturnDate",
    "SlotPick",
    "TimesWanted",
]


@dataclass(frozen=True)
class SlotPick:
    """They took one of the offered slots (``slot`` is its 1-based number)."""

    slot: int
    evidence: str


@dataclass(frozen=True)
class ProposedTime:
    """They proposed a time of their own."""

    at: datetime
    evidence: str
    zone_assumed: bool


@dataclass(frozen=True)
class ProposedRange:
    """They proposed a window ("any morning next week"): fresh times go inside it."""

    start: datetime
    end: datetime
    evidence: str
    zone_assumed: bool


@dataclass(frozen=True)
class Deferral:
    """They will answer later ("let me check and get back to you next week")."""

    until: date | None
    evidence: str


@dataclass(frozen=True)
class Decline:
    """A no to the conversation itself (not to one time)."""

    evidence: str


@dataclass(frozen=True)
class Handoff:
    """They pass the conversation to someone else ("please reach out to my colleague X")."""

    name: str | None
    email: str | None
    evidence: str


@dataclass(frozen=True)
class Referral:
    """Someone else worth talking to, named in the reply."""

    name: str
    email: str | None
    evidence: str


@dataclass(frozen=True)
class TimesWanted:
    """They asked for times ("could you send me a few times that suit you?"): new times go
    to them, nothing is booked for them."""

    evidence: str


@dataclass(frozen=True)
class ReturnDate:
    """An auto-reply's stated return date."""

    on: date
    evidence: str


Finding = (
    SlotPick | ProposedTime | ProposedRange | Deferral | Decline | Handoff | Referral | ReturnDate
    | TimesWanted
)

T = TypeVar("T")


@dataclass(frozen=True)
class Reading:
    """Everything read from one reply, in the order found, and what could not be read."""

    findings: tuple[Finding, ...]
    unsure: tuple[str, ...] = ()  # sentences that looked meaningful but were not read

    def first(self, kind: type[T]) -> T | None:
        """The first finding of ``kind``, or None."""
        for finding in self.findings:
            if isinstance(finding, kind):
                return finding
        return None

    def all(self, kind: type[T]) -> tuple[T, ...]:
        """Every finding of ``kind``, in order."""
        return tuple(f for f in self.findings if isinstance(f, kind))


@dataclass(frozen=True)
class OfferedSlot:
    """A slot we offered, as offered (aware datetimes)."""

    number: int
    start: datetime
    end: datetime
