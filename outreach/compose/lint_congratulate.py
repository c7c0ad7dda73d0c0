"""The etiquette rules of a congratulation on a new job: it congratulates, gives a short update,
and asks for nothing (no time, no call, no favour, no introduction)."""

from __future__ import annotations

from outreach.compose.lint_checks import check_length
from outreach.compose.lint_cues import BIG_ASK_CUES, content_lines, cues, durations, first_match
from outreach.compose.lint_findings import ERROR, WARNING, Findings
from outreach.compose.render import RenderContext, RenderedMessage

__all__ = ["check_congratulate"]

CONGRATS_CUES = cues(r"\bcongrat")
REQUEST_CUES = cues(
    r"\b(?:could|would|can|will)\s+you\b",
    r"\blet\s+me\s+know\b",
    r"\b(?:catch\s+up|grab\s+(?:a\s+)?coffee|(?:hop|jump)\s+on\s+a\s+call)\b",
    r"\b(?:would|I'd|I\s+would)\s+(?:love|like)\s+to\s+(?:chat|talk|meet|speak|connect)\b",
    r"\b(?:wondering|wonder)\s+(?:if|whether)\b",
    r"\bfavou?r\b",
    r"\b(?:keep\s+me\s+in\s+mind|think\s+of\s+me)\b",
)
UPDATE_VARS = frozenset({"user.update", "contact.outcome", "meeting.takeaways", "user.field"})
UPDATE_CUES = cues(
    r"\bupdate\b", r"\bsince\s+we\s+(?:spoke|talked|met)\b", r"\bI(?:'ve|\s+have)\s+been\b"
)


def check_congratulate(
    found: Findings, rendered: RenderedMessage, context: RenderContext, paths: set[str]
) -> None:
    text = "\n".join(content_lines(rendered, context))
    if first_match(CONGRATS_CUES, "\n".join([rendered.subject, text])) is None:
        found.add("congratulates", ERROR, "does not congratulate them on the new role")
    if "slots" in paths:
        found.add(
            "no-ask",
            ERROR,
            "proposes times; a congratulation asks for nothing (leave meetings for later)",
            found.line_of("slots"),
        )
    for minutes, phrase in durations(text):
        found.add(
            "no-ask",
            ERROR,
            f"asks for {phrase!r} ({minutes} minutes); a congratulation asks for nothing",
            found.line_of(phrase),
        )
    for patterns in (BIG_ASK_CUES, REQUEST_CUES):
        for pattern in patterns:
            for match in pattern.finditer(text):
                found.add(
                    "no-ask",
                    ERROR,
                    f"{match.group(0)!r} asks for something; a congratulation asks for nothing",
                    found.line_of(match.group(0)),
                )
    if "?" in text:
        line = next((line for line in text.split("\n") if "?" in line), "")
        found.add(
            "no-ask",
            WARNING,
            f"asks a question ({line.strip()!r}): it invites a reply; congratulate and stop",
            found.line_of(line.strip()[:40]),
        )
    if not paths & UPDATE_VARS and first_match(UPDATE_CUES, text) is None:
        found.add(
            "update",
            WARNING,
            "give a short update on what you have been doing (user.update, contact.outcome, "
            "meeting.takeaways)",
        )
    check_length(found, rendered, context, 120, 180)
