"""The words the etiquette rules look for: durations asked for, times proposed, how the writer
is connected, job asks, tone; and the body lines they are counted on."""

from __future__ import annotations

import re

from outreach.compose.render import RenderContext, RenderedMessage

WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def content_lines(rendered: RenderedMessage, context: RenderContext) -> list[str]:
    """Body lines without slot lines and without the signature."""
    text = rendered.text
    if "\n-- \n" in text:
        text = text.split("\n-- \n", 1)[0]
    signature = str(context.user.get("signature", "")).strip()
    if signature and signature in text:
        head, _, tail = text.rpartition(signature)
        text = head + tail
    slot_texts = [str(slot) for slot in context.slots if str(slot)]
    return [line for line in text.split("\n") if not any(s in line for s in slot_texts)]


def word_count(lines: list[str]) -> int:
    return sum(len(WORD_RE.findall(line)) for line in lines)


NUMBER_WORDS = {
    "five": 5,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "twenty-five": 25,
    "twenty five": 25,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "forty five": 45,
    "sixty": 60,
    "ninety": 90,
}
NUM = r"(\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
HALF_HOUR_RE = re.compile(r"\b(?:half|1/2)[\s-]*(?:an?\s+)?hour\b", re.IGNORECASE)
QUARTER_HOUR_RE = re.compile(r"\bquarter[\s-]+(?:of\s+)?(?:an?\s+)?hour\b", re.IGNORECASE)
HOURS_RE = re.compile(
    r"\b(an|one|a\s+full|a\s+couple\s+of|two|three|\d{1,2}(?:\.\d)?)[\s-]*hours?\b"
    r"|\bhour[\s-]long\b",
    re.IGNORECASE,
)
MINUTES_RE = re.compile(
    rf"\b{NUM}(?:\s*(?:-|–|to|or)\s*{NUM})?[\s-]*(?:minutes?|mins?)\b", re.IGNORECASE
)


def number_in(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.lower()
    if text.isdigit():
        return int(text)
    return NUMBER_WORDS.get(text.replace("  ", " "))


def durations(text: str) -> list[tuple[int, str]]:
    """Meeting lengths asked for in ``text``, in minutes, with the phrase that asked."""
    found: list[tuple[int, str]] = []
    for pattern, minutes in ((HALF_HOUR_RE, 30), (QUARTER_HOUR_RE, 15)):
        for match in pattern.finditer(text):
            found.append((minutes, match.group(0)))
        text = pattern.sub(" ", text)
    for match in HOURS_RE.finditer(text):
        amount = (match.group(1) or "an").lower()
        hours = {"an": 1.0, "one": 1.0, "two": 2.0, "three": 3.0}.get(amount)
        if hours is None:
            hours = 1.0 if not amount[0].isdigit() else float(amount)
        found.append((int(hours * 60), match.group(0)))
    text = HOURS_RE.sub(" ", text)
    for match in MINUTES_RE.finditer(text):
        numbers = (number_in(match.group(1)), number_in(match.group(2)))
        values = [v for v in numbers if v is not None]
        if values:
            found.append((max(values), match.group(0)))
    return found


def first_match(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match
    return None


def cues(*phrases: str) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in phrases]


TIMES_CUES = cues(
    r"\b(?:times?|days?|slots?|dates?)\s+(?:that\s+)?(?:would\s+)?(?:might\s+)?(?:work|suit)s?\b",
    r"\bwhat(?:ever)?\s+(?:time\s+)?(?:works|suits)\b",
    r"\byour\s+availability\b",
    r"\bwhen\s+(?:you(?:'re|’re|\s+are)|would\s+you\s+be)\s+(?:free|available)\b",
    r"\b(?:suggest|propose|name|pick)\s+a\s+(?:time|day)\b",
    r"\bconvenient\s+(?:time|for\s+you)\b",
)
CONNECTION_CUES = cues(
    r"\balum(?:ni|na|nae|nus)?\b",
    r"\bfellow\b",
    r"\bfound\s+(?:you|your)\b",
    r"\bcame\s+across\b",
    r"\bwe\s+met\b",
    r"\bmet\s+(?:you|at|during|through)\b",
    r"\bconnect(?:ed|ion)\b",
    r"\b(?:read|saw|watched|heard|enjoyed|admired)\s+(?:you|your)\b",
    r"\byour\s+(?:talk|article|post|paper|book|podcast|presentation|interview|blog)\b",
    r"\bsuggested\s+(?:that\s+)?I\b",
    r"\b(?:recommended|referred|pointed\s+me|introduced|introduction)\b",
    r"\bmutual\b",
    r"\bthrough\b",
    r"\bfollow(?:ed|ing)?\s+your\s+work\b",
)
CONNECTION_VARS = frozenset(
    {"source", "connection", "how_we_met", "met_at", "referred_by", "school", "event", "group"}
)
EASY_CUES = cues(
    r"\b(?:phone|video|zoom|teams|meet|call|coffee|in\s+person|your\s+office|near\s+you)\b"
)
EASY_OUT_CUES = cues(
    r"\bno\s+(?:worries|problem|pressure)\b",
    r"\bif\s+(?:now|this)\s+(?:isn['’]t|is\s+not)\b",
    r"\b(?:completely|totally|entirely)\s+(?:understand|fine)\b",
    r"\bif\s+(?:you['’]re|you\s+are)\s+(?:too\s+)?busy\b",
    r"\bno\s+need\s+to\s+reply\b",
)
INVITE_CUES = cues(r"\binvit", r"\bcalendar\b")
BIG_ASK_CUES = cues(
    r"\b(?:could|would|can)\s+you\s+(?:please\s+)?(?:introduce|connect|refer|send|review|"
    r"look\s+over|forward|share|meet)\b",
    r"\b(?:another|a\s+second|a\s+follow-up)\s+(?:call|meeting|chat|conversation)\b",
)
OUTCOME_CUES = cues(
    r"\b(?:your\s+)?advice\b",
    r"\b(?:you\s+)?(?:suggested|recommended)\b",
    r"\bintroduc",
    r"\bworked\s+out\b",
    r"\bthanks\s+to\s+you\b",
)
OUTCOME_VARS = frozenset(
    {
        "meeting.notes",
        "meeting.takeaways",
        "meeting.takeaway",
        "meeting.referrals",
        "contact.notes",
        "contact.outcome",
    }
)
SPECIFIC_VARS = frozenset(
    {"meeting.notes", "meeting.takeaways", "meeting.takeaway", "meeting.advice"}
)
TONE_CUES = cues(
    r"\bjust\s+(?:following|checking|circling)\s+(?:up|in|back)\b",
    r"\b(?:haven['’]t|have\s+not|didn['’]t|did\s+not)\s+(?:heard|hear)\s+(?:back|from\s+you)\b",
    r"\bdid\s+you\s+(?:get|see|receive)\s+my\b",
    r"\bbump(?:ing)?\s+(?:this|my)\b",
    r"\bcircling\s+back\b",
    r"\bper\s+my\s+(?:last|previous)\b",
    r"\bas\s+(?:I\s+)?(?:previously\s+)?mentioned\b",
    r"\bstill\s+waiting\b",
    r"\bany\s+updates?\b",
    r"\bfollowing\s+up\s+again\b",
    r"\bfriendly\s+reminder\b",
)
ROLE = r"(?:jobs?|positions?|roles?|openings?|vacanc(?:y|ies)|internships?)"
JOB_ASK_ERRORS = cues(
    r"\b(?:job|position|role|internship|employment|career)\s+(?:openings?|opportunit(?:y|ies)|"
    r"vacanc(?:y|ies))\b",
    rf"\b(?:any|open|available)\s+{ROLE}\b",
    r"\b(?:are\s+you|is\s+(?:your\s+)?\w+|are\s+(?:they|your\s+\w+))\s+(?:currently\s+)?hiring\b",
    r"\b(?:hire|employ)\s+me\b",
    r"\bconsider\s+me\s+for\b",
    rf"\b(?:refer|recommend)\s+me\s+(?:for|to)\s+(?:a|an|the|any|your|this|that)?\s*{ROLE}",
    r"\brefer\s+me\s+for\b",
    r"\bput\s+in\s+a\s+(?:good\s+)?word\b",
    r"\bpass\s+(?:along|on)\s+my\s+(?:resume|résumé|cv|application)\b",
    rf"\bhelp\s+me\s+(?:get|land|find|secure)\s+(?:a|an)\s+(?:{ROLE}|interviews?)",
    rf"\bget\s+me\s+(?:a|an)\s+(?:{ROLE}|interviews?)",
    rf"\breferral\s+(?:for|to)\s+(?:a|an|the|any|your)?\s*{ROLE}",
)
JOB_ASK_WARNINGS = cues(
    r"\b(?:my|attached|attach|attaching|enclosed?)\s+(?:my\s+)?(?:resume|résumé|cv)\b",
    rf"\b(?:looking|searching|hunting)\s+for\s+(?:a\s+|an\s+)?(?:new\s+)?"
    rf"(?:{ROLE}|work|employment)\b",
    r"\bjob\s+(?:hunt|hunting|search|searching)\b",
    rf"\bapply(?:ing)?\s+(?:for|to)\s+(?:a|an|the)?\s*{ROLE}",
)
ODD_EMPTY_RE = re.compile(
    r"(?<=\w) [,.;:!?](?=\s|$)|\b(?:at|as|for|with|from|of|the|an?)\s*[,.;:!?](?=\s|$)|\S {2,}\S",
    re.MULTILINE,
)
