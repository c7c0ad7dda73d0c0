"""What came of a conversation, in words for the person who gave it: promises kept and the
people they introduced.

Two filters for templates, both pure:

- ``promised`` turns the promises the user recorded at ``outreach met`` ("send my résumé",
  "introduce you to Grace") into one sentence for the thank-you: "As promised, I'm including
  my résumé, and I'll introduce you to Grace." Something to send is said to be included (the
  user attaches it: :func:`to_attach` names it, for a reminder on the terminal, never in the
  message).
- ``referral_news`` tells someone who referred people what came of each referral, for the
  keep-in-touch note: "I spoke with Grace Hopper in March, as you suggested, and I have a
  conversation with Alan Turing coming up on Thu 14 May. Thank you for the introductions."
  Each referral is a mapping with ``name`` and an ``outcome`` (see :data:`OUTCOMES`), and
  optionally ``when`` (a phrase such as "in March") and ``referred`` (the names of the people
  they in turn introduced).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from outreach.compose.phrases import as_clause, as_sentence, phrase_kind

__all__ = ["OUTCOMES", "promised", "referral_news", "to_attach"]

# Verbs of promises kept by sending something (the thing goes with the message).
_SENDING = re.compile(
    r"^(?:to\s+)?(?:send|share|forward|email|e-mail|mail|attach|pass\s+(?:along|on))\s+"
    r"(?:(?:you|her|him|them)\s+)?(?:over\s+|along\s+)?(?P<thing>.+)$",
    re.IGNORECASE,
)
# Verbs of promises that the general word list leaves out.
_PROMISE_VERBS = frozenset(
    {
        "introduce", "connect", "bring", "buy", "cc", "copy", "forward", "invite", "mention",
        "recommend", "refer", "reply", "review", "schedule", "tag", "thank",
    }
)
# Things people promise to send, named without a verb ("my CV", "the slides").
_SENDABLE = re.compile(
    r"^(?:my|the|a|an|our|some)\s+.*\b(?:r[eé]sum[eé]s?|cvs?|portfolio|slides?|deck|paper|"
    r"thesis|links?|notes|article|report|sample|code|repo(?:sitory)?|draft|list|reading)\b",
    re.IGNORECASE,
)
# The thank-you is written to them: "introduce her to Grace" -> "introduce you to Grace",
# "read her paper" -> "read your paper" ("her" before a noun is hers).
_HER_AS_OBJECT = re.compile(
    r"\bher\b(?=\s+(?:to|about|with|at|in|on|for|a|an|the|my|our|some|this|that|when|if|"
    r"next|soon|later|tomorrow)\b|\s*[,.;]|\s*$)",
    re.IGNORECASE,
)
_PRONOUNS = ((_HER_AS_OBJECT, "you"), (re.compile(r"\bhim\b", re.I), "you"),
             (re.compile(r"\b(?:her|his)\b", re.I), "your"))


def _to_them(phrase: str) -> str:
    """A promise about the person, as said to them."""
    for pattern, word in _PRONOUNS:
        phrase = pattern.sub(word, phrase)
    return phrase


def _items(value: object) -> list[str]:
    if value is None or isinstance(value, str | bytes):
        text = "" if value is None else str(value)
        return [part.strip() for part in re.split(r"[\n;]", text) if part.strip()]
    if isinstance(value, Iterable):
        found: list[str] = []
        for item in value:
            text = str(item.get("text", "")) if isinstance(item, Mapping) else str(item)
            if text.strip():
                found.append(text.strip())
        return found
    return [str(value)]


def to_attach(promise: str) -> str:
    """What a promise sends, to attach or paste ("send my résumé" -> "my résumé"); "" when the
    promise is not about sending something."""
    phrase = as_clause(promise)
    match = _SENDING.match(phrase)
    if match:
        return _to_them(match.group("thing").strip())
    if phrase_kind(phrase) == "noun" and _SENDABLE.search(phrase):
        return phrase  # a bare thing ("my portfolio"): something to send
    return ""


def _join(parts: list[str], conjunction: str = "and") -> str:
    if len(parts) <= 1:
        return "".join(parts)
    if len(parts) == 2:
        return f"{parts[0]} {conjunction} {parts[1]}"
    return f"{', '.join(parts[:-1])} {conjunction} {parts[-1]}"


def promised(value: object) -> str:
    """One sentence for the thank-you about what the user promised; "" when nothing was."""
    things: list[str] = []
    deeds: list[str] = []
    sentences: list[str] = []
    for promise in _items(value):
        thing = to_attach(promise)
        if thing:
            things.append(thing)
            continue
        phrase = as_clause(promise)
        kind = phrase_kind(phrase)
        if kind == "verb" or phrase.split(" ", 1)[0].lower() in _PROMISE_VERBS:
            deeds.append(_to_them(phrase))
        elif kind == "sentence":
            sentences.append(as_sentence(promise))
        else:
            sentences.append(f"And I haven't forgotten: {phrase}.")
    parts = []
    if things:
        parts.append(f"I'm including {_join(things)}")
    if deeds:
        parts.append(f"I'll {_join(deeds)}")
    text = ""
    if parts:
        text = f"As promised, {', and '.join(parts)}."
    return " ".join([text, *sentences]).strip()


# --- referrals ------------------------------------------------------------------------------

# In the order the news is told: what went well first.
OUTCOMES = ("met", "scheduled", "replied", "waiting", "not_yet", "declined", "no_reply")


# Where ", as you suggested" goes in a clause that goes on after the name.
_AS_SUGGESTED = "\x00"


def _clause(person: Mapping[str, Any]) -> str:
    name = str(person.get("name") or person.get("email") or "").strip()
    when = str(person.get("when") or "").strip()
    at = f" {when}" if when else ""
    outcome = str(person.get("outcome") or "")
    if outcome == "met":
        return f"I spoke with {name}{at}"
    if outcome == "scheduled":
        return f"I have a conversation with {name} coming up{at}"
    if outcome == "replied":
        return f"{name} and I are finding a time to talk"
    if outcome == "waiting":
        return f"I've written to {name}{_AS_SUGGESTED} and hope to speak with them soon"
    if outcome == "not_yet":
        return f"I'm about to write to {name}"
    if outcome == "declined":
        return f"{name} couldn't make time for a conversation, which I completely understand"
    if outcome == "no_reply":
        return f"I wasn't able to connect with {name}"
    return f"I reached out to {name}"


def _first_name(person: Mapping[str, Any]) -> str:
    first = str(person.get("first_name") or "").strip()
    if first:
        return first
    name = str(person.get("name") or "").split()
    return name[0] if name else ""


def referral_news(value: object) -> str:
    """A paragraph on what came of each referral; "" when there were none."""
    people: list[Mapping[str, Any]] = []
    if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping):
        people = [p for p in value if isinstance(p, Mapping)]
    if not people:
        return ""
    order = {outcome: index for index, outcome in enumerate(OUTCOMES)}
    people = sorted(people, key=lambda p: order.get(str(p.get("outcome") or ""), 4.5))
    clauses = [_clause(person) for person in people]
    if str(people[0].get("outcome") or "") not in ("declined", "no_reply"):
        if _AS_SUGGESTED in clauses[0]:
            clauses[0] = clauses[0].replace(_AS_SUGGESTED, ", as you suggested,")
        else:
            clauses[0] += ", as you suggested"
    clauses = [clause.replace(_AS_SUGGESTED, "") for clause in clauses]
    if len(clauses) <= 2:
        text = ", and ".join(clauses) + "."
    else:
        text = "; ".join(clauses[:-1]) + "; and " + clauses[-1] + "."
    text = text[:1].upper() + text[1:]
    onward = []
    for person in people:
        referred = [str(name) for name in person.get("referred") or [] if str(name).strip()]
        if referred and person.get("outcome") == "met":
            onward.append(f"{_first_name(person)} in turn introduced me to {_join(referred)}.")
    thanks = "Thank you for the introduction." if len(people) == 1 else (
        "Thank you for the introductions."
    )
    return " ".join([text, *onward, thanks])
