"""The reply corpus (tests/data/replies/*.toml) and how the reader is scored on it.

Each file has a ``[context]`` (the user's zone, ``sent_at``: when the reply was written, the
slots offered as local times in the user's zone, 20 minutes each, and optionally the sender's
zone) and ``[[reply]]`` entries with their ``text`` and ``expect``ed findings; a reply may
override ``sent_at``, ``sender_zone`` and ``auto_reply``, and ``unsure = true`` says the
reader must report a sentence it could not read (a time it must not guess). A finding found
is correct when an expected one of its kind has the same values (the evidence is not
compared, but it must be a sentence of the reply). Used by tests/test_reader_corpus.py and
bench/bench_reader.py.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from outreach.track.reader import (
    Decline,
    Deferral,
    Finding,
    Handoff,
    OfferedSlot,
    ProposedRange,
    ProposedTime,
    Reading,
    Referral,
    ReturnDate,
    SlotPick,
    TimesWanted,
    read_reply,
)

CORPUS = Path(__file__).parent / "data" / "replies"
KINDS = ("slot_pick", "proposed_time", "proposed_range", "deferral", "decline", "handoff",
         "referral", "return_date")
TIME_KINDS = frozenset({"slot_pick", "proposed_time", "proposed_range"})


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    sent_at: datetime
    sender_zone: ZoneInfo | None
    user_zone: ZoneInfo
    offered: tuple[OfferedSlot, ...]
    auto_reply: bool
    expect: tuple[dict[str, Any], ...]
    source: str
    unsure: bool = False  # the reader must say it is unsure of a sentence

    def read(self) -> Reading:
        return read_reply(self.text, sent_at=self.sent_at, sender_zone=self.sender_zone,
                          user_zone=self.user_zone, offered=self.offered,
                          auto_reply=self.auto_reply)


def _local(text: str, zone: ZoneInfo) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def load() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CORPUS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        context = data.get("context", {})
        for number, reply in enumerate(data.get("reply", []), start=1):
            merged = {**context, **reply}
            user_zone = ZoneInfo(merged["user_zone"])
            sender = merged.get("sender_zone") or None
            offered = tuple(
                OfferedSlot(i, start, start + timedelta(minutes=20))
                for i, start in enumerate(
                    (_local(s, user_zone) for s in merged.get("offered", [])), start=1)
            )
            cases.append(Case(
                id=str(reply.get("id", f"{path.stem}#{number}")),
                text=str(merged["text"]),
                sent_at=_local(merged["sent_at"], user_zone),
                sender_zone=ZoneInfo(sender) if sender else None,
                user_zone=user_zone,
                offered=offered,
                auto_reply=bool(merged.get("auto_reply", False)),
                expect=tuple(merged.get("expect", [])),
                source=f"{path.name}#{number}",
                unsure=bool(merged.get("unsure", False)),
            ))
    return cases


def kind_of(finding: Finding) -> str:
    return {
        SlotPick: "slot_pick", ProposedTime: "proposed_time", ProposedRange: "proposed_range",
        Deferral: "deferral", Decline: "decline", Handoff: "handoff", Referral: "referral",
        ReturnDate: "return_date", TimesWanted: "times_wanted",
    }[type(finding)]


def _same_instant(expected: str, found: datetime) -> bool:
    return datetime.fromisoformat(expected) == found


def matches(expected: dict[str, Any], found: Finding) -> bool:
    """True when ``found`` is the finding ``expected`` describes."""
    if expected["kind"] != kind_of(found):
        return False
    match found:
        case SlotPick(slot, _):
            return int(expected["slot"]) == slot
        case ProposedTime(at, _, assumed):
            return _same_instant(expected["at"], at) and bool(
                expected.get("zone_assumed", False)) == assumed
        case ProposedRange(start, end, _, assumed):
            return (_same_instant(expected["start"], start)
                    and _same_instant(expected["end"], end)
                    and bool(expected.get("zone_assumed", False)) == assumed)
        case Deferral(until, _):
            want = expected.get("until")
            return (date.fromisoformat(want) if want else None) == until
        case Decline(_):
            return True
        case Handoff(name, email, _) | Referral(name, email, _):
            same_email = (expected.get("email") or None) == (email or None)
            want_name = expected.get("name")
            same_name = want_name is None or (name or "").lower() == want_name.lower()
            return same_email and same_name
        case ReturnDate(on, _):
            return date.fromisoformat(expected["on"]) == on
    return False


@dataclass
class Score:
    found: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    wrong_times: list[str] = field(default_factory=list)  # confident wrong times, with case id
    misses: list[str] = field(default_factory=list)
    cases: int = 0

    def precision(self, kind: str) -> float | None:
        return self.correct[kind] / self.found[kind] if self.found[kind] else None

    def recall(self, kind: str) -> float | None:
        return self.correct[kind] / self.expected[kind] if self.expected[kind] else None


def score(cases: list[Case]) -> Score:
    result = Score()
    for case in cases:
        result.cases += 1
        reading = case.read()
        left = list(case.expect)
        for item in left:
            result.expected[item["kind"]] += 1
        for finding in reading.findings:
            kind = kind_of(finding)
            result.found[kind] += 1
            hit = next((e for e in left if matches(e, finding)), None)
            if hit is not None:
                left.remove(hit)
                result.correct[kind] += 1
            else:
                result.misses.append(f"{case.id}: unexpected {finding}")
                if kind in TIME_KINDS:
                    result.wrong_times.append(f"{case.id}: {finding}")
        result.misses.extend(f"{case.id}: missed {e}" for e in left)
    return result
