"""Lint: the words fit what happened.

A sentence dropped after "what you said about" ("what you said about utilities move
slowly"), "as promised" with nothing promised, and thanks "again" or "our conversation" to
someone the user never met read wrong in front of a professional. Checked on each rendered
message against its own context (a template's sample context, or the contact's).
"""

from __future__ import annotations

import re

from outreach.compose.lint_cues import content_lines
from outreach.compose.lint_findings import WARNING, Findings
from outreach.compose.phrases import phrase_kind
from outreach.compose.render import RenderContext, RenderedMessage

__all__ = ["check_fit"]

_ABOUT = re.compile(r"\bwhat you said about ([^.;:!?\n]+)", re.IGNORECASE)
_AS_PROMISED = re.compile(r"\bas promised\b", re.IGNORECASE)
_MET_ONLY = re.compile(
    r"\b(?:thank you again|thanks again|our conversation has stayed with me|since we spoke|"
    r"after our conversation)\b",
    re.IGNORECASE,
)


def _promised(context: RenderContext) -> bool:
    meeting = context.meeting or {}
    if meeting.get("promises"):
        return True
    return meeting.get("state") == "cancelled" and bool(meeting.get("invited", True))


def _met(context: RenderContext) -> bool:
    meeting = context.meeting
    if not meeting:
        return False
    return bool(meeting.get("held", True)) and meeting.get("state") not in (
        "missed",
        "cancelled",
        "declined",
    )


def check_fit(found: Findings, rendered: RenderedMessage, context: RenderContext) -> None:
    text = "\n".join(content_lines(rendered, context))
    for match in _ABOUT.finditer(text):
        clause = match.group(1).split(",")[0].strip()
        if phrase_kind(clause) == "sentence":
            found.add(
                "fit",
                WARNING,
                f"{match.group(0)!r} puts a sentence after \"about\"; write \"what you said: "
                f"{clause}\" or \"your point that {clause}\"",
                found.line_of(match.group(0)),
            )
    for match in _AS_PROMISED.finditer(text):
        if not _promised(context):
            found.add(
                "fit",
                WARNING,
                f"{match.group(0)!r} but nothing was promised to them",
                found.line_of(match.group(0)),
            )
    for match in _MET_ONLY.finditer(text):
        if not _met(context):
            found.add(
                "fit",
                WARNING,
                f"{match.group(0)!r} speaks of a conversation that did not take place",
                found.line_of(match.group(0)),
            )
