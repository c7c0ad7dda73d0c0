"""A reading as JSON and back: sync stores the reading, never the body it came from."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from outreach.track.reader.findings import (
    Decline,
    Deferral,
    Finding,
    Handoff,
    ProposedRange,
    ProposedTime,
    Reading,
    Referral,
    ReturnDate,
    SlotPick,
    TimesWanted,
)

__all__ = ["reading_from_json", "reading_to_json"]


def _finding_to_json(finding: Finding) -> dict[str, Any]:
    match finding:
        case SlotPick(slot, evidence):
            return {"kind": "slot_pick", "slot": slot, "evidence": evidence}
        case ProposedTime(at, evidence, assumed):
            return {"kind": "proposed_time", "at": at.isoformat(), "evidence": evidence,
                    "zone_assumed": assumed}
        case ProposedRange(start, end, evidence, assumed):
            return {"kind": "proposed_range", "start": start.isoformat(),
                    "end": end.isoformat(), "evidence": evidence, "zone_assumed": assumed}
        case Deferral(until, evidence):
            return {"kind": "deferral", "until": until.isoformat() if until else None,
                    "evidence": evidence}
        case Decline(evidence):
            return {"kind": "decline", "evidence": evidence}
        case Handoff(name, email, evidence):
            return {"kind": "handoff", "name": name, "email": email, "evidence": evidence}
        case Referral(name, email, evidence):
            return {"kind": "referral", "name": name, "email": email, "evidence": evidence}
        case ReturnDate(on, evidence):
            return {"kind": "return_date", "on": on.isoformat(), "evidence": evidence}
        case TimesWanted(evidence):
            return {"kind": "times_wanted", "evidence": evidence}
    raise TypeError(f"not a finding: {finding!r}")  # pragma: no cover - the union is closed


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"a stored time has no offset: {text!r}")
    return value


def _finding_from_json(data: dict[str, Any]) -> Finding:
    kind = data.get("kind")
    evidence = str(data.get("evidence", ""))
    if kind == "slot_pick":
        return SlotPick(int(data["slot"]), evidence)
    if kind == "proposed_time":
        return ProposedTime(_aware(data["at"]), evidence, bool(data["zone_assumed"]))
    if kind == "proposed_range":
        return ProposedRange(_aware(data["start"]), _aware(data["end"]), evidence,
                             bool(data["zone_assumed"]))
    if kind == "deferral":
        until = data.get("until")
        return Deferral(date.fromisoformat(until) if until else None, evidence)
    if kind == "decline":
        return Decline(evidence)
    if kind == "handoff":
        return Handoff(data.get("name"), data.get("email"), evidence)
    if kind == "referral":
        return Referral(str(data["name"]), data.get("email"), evidence)
    if kind == "return_date":
        return ReturnDate(date.fromisoformat(data["on"]), evidence)
    if kind == "times_wanted":
        return TimesWanted(evidence)
    raise ValueError(f"unknown finding kind {kind!r}")


def reading_to_json(reading: Reading) -> dict[str, Any]:
    """A JSON-ready dict: ``{"findings": [...], "unsure": [...]}``."""
    return {
        "findings": [_finding_to_json(f) for f in reading.findings],
        "unsure": list(reading.unsure),
    }


def reading_from_json(data: dict[str, Any]) -> Reading:
    """The reading :func:`reading_to_json` wrote. Raises ValueError on a malformed value."""
    try:
        findings = tuple(_finding_from_json(dict(item)) for item in data.get("findings", ()))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed stored reading: {exc}") from exc
    return Reading(findings, tuple(str(s) for s in data.get("unsure", ())))
