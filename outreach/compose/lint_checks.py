"""The etiquette rules per template kind, applied to one rendered message."""

from __future__ import annotations

from outreach.compose.lint_cues import (
    BIG_ASK_CUES,
    CONNECTION_CUES,
    CONNECTION_VARS,
    EASY_CUES,
    EASY_OUT_CUES,
    INVITE_CUES,
    JOB_ASK_ERRORS,
    JOB_ASK_WARNINGS,
    OUTCOME_CUES,
    OUTCOME_VARS,
    SPECIFIC_VARS,
    TIMES_CUES,
    TONE_CUES,
    content_lines,
    durations,
    first_match,
    word_count,
)
from outreach.compose.lint_findings import ERROR, WARNING, Findings
from outreach.compose.render import RenderContext, RenderedMessage


def check_common(found: Findings, rendered: RenderedMessage, context: RenderContext) -> None:
    text = "\n".join([rendered.subject, *content_lines(rendered, context)])
    for pattern in JOB_ASK_ERRORS:
        for match in pattern.finditer(text):
            found.add(
                "no-job-ask",
                ERROR,
                f"{match.group(0)!r} asks for a job; an informational interview never does "
                "(ask to learn about their work instead)",
                found.line_of(match.group(0)),
            )
    for pattern in JOB_ASK_WARNINGS:
        for match in pattern.finditer(text):
            found.add(
                "no-job-ask",
                WARNING,
                f"{match.group(0)!r} makes the message read like a job application",
                found.line_of(match.group(0)),
            )
    for pattern in TONE_CUES:
        for match in pattern.finditer(text):
            found.add(
                "tone",
                WARNING,
                f"{match.group(0)!r} can read as guilt-tripping; people are busy, so keep "
                "the note light",
                found.line_of(match.group(0)),
            )
    if len(rendered.subject) > 78:
        found.add(
            "subject",
            WARNING,
            f"the subject is {len(rendered.subject)} characters with the sample contact; "
            "keep it under 78",
            found.parsed.subject_line,
        )


def check_length(
    found: Findings,
    rendered: RenderedMessage,
    context: RenderContext,
    warn_over: int,
    error_over: int | None,
) -> None:
    words = word_count(content_lines(rendered, context))
    if error_over is not None and words > error_over:
        found.add(
            "length",
            ERROR,
            f"the body is {words} words with the sample contact; keep it under {warn_over}",
        )
    elif words > warn_over:
        found.add(
            "length",
            WARNING,
            f"the body is {words} words with the sample contact; aim for under {warn_over}",
        )


def check_first_message(
    found: Findings, rendered: RenderedMessage, context: RenderContext, paths: set[str]
) -> None:
    check_length(found, rendered, context, 150, 200)
    text = "\n".join([rendered.subject, *content_lines(rendered, context)])

    asked = durations(text)
    if not asked:
        found.add(
            "time-ask",
            ERROR,
            "does not ask for a specific amount of time; ask for 15-30 minutes (20 is common)",
        )
    for minutes, phrase in asked:
        if minutes > 30:
            found.add(
                "time-ask",
                ERROR,
                f"asks for {phrase!r} ({minutes} minutes); keep the ask to 15-30 minutes",
                found.line_of(phrase),
            )
        elif minutes < 15:
            found.add(
                "time-ask",
                WARNING,
                f"asks for {phrase!r}; 15-30 minutes gives time for a real conversation",
                found.line_of(phrase),
            )

    if "slots" not in paths and first_match(TIMES_CUES, text) is None:
        found.add(
            "times",
            ERROR,
            "proposes no times and does not ask for theirs; list {{ slots | bulleted }} or ask "
            "which times work for them",
        )
    if first_match(EASY_CUES, text) is None:
        found.add(
            "easy",
            WARNING,
            "make it easy to say yes: offer a phone or video call, or to fit their schedule",
        )

    uses_connection = any(path.startswith("referrer") for path in paths) or any(
        f"contact.{name}" in paths for name in CONNECTION_VARS
    )
    if not uses_connection and first_match(CONNECTION_CUES, text) is None:
        found.add(
            "connection",
            ERROR,
            "does not say how you found or are connected to them (a referrer, a shared school, "
            "an event, their talk or article, ...)",
        )

    personal = {
        path
        for path in paths
        if path.startswith("contact.")
        and path.split(".")[1] not in {"name", "first_name", "last_name", "email", "id"}
    }
    if not personal:
        found.add(
            "personal",
            WARNING,
            "mentions nothing about the person beyond their name; say what about their work "
            "interests you (contact.org, contact.title, a column of your own)",
        )


def check_followup(found: Findings, rendered: RenderedMessage, context: RenderContext) -> None:
    check_length(found, rendered, context, 100, 150)
    text = "\n".join(content_lines(rendered, context))
    if first_match(EASY_OUT_CUES, text) is None:
        found.add(
            "easy-out",
            WARNING,
            "make 'no' easy (for example 'if now isn't a good time, no worries')",
        )


def check_newtimes(
    found: Findings, rendered: RenderedMessage, context: RenderContext, paths: set[str]
) -> None:
    if "slots" not in paths:
        found.add("times", ERROR, "proposes no new times; use {{ slots | bulleted }}")
    check_length(found, rendered, context, 120, 180)


def check_confirm(found: Findings, rendered: RenderedMessage, paths: set[str]) -> None:
    if not paths & {"meeting.when", "meeting.start"}:
        found.add(
            "confirm-time",
            ERROR,
            "does not state the booked time; use {{ meeting.when }}",
        )
    if first_match(INVITE_CUES, rendered.text) is None:
        found.add("invite", WARNING, "say that a calendar invite is attached")


def check_thankyou(
    found: Findings, rendered: RenderedMessage, context: RenderContext, paths: set[str]
) -> None:
    if not paths & SPECIFIC_VARS:
        found.add(
            "specific",
            ERROR,
            "does not name anything specific from the conversation; use {{ meeting.takeaways }} "
            "or {{ meeting.notes }}",
        )
    text = "\n".join(content_lines(rendered, context))
    ask = first_match(BIG_ASK_CUES, text)
    if ask is not None or "slots" in paths:
        phrase = ask.group(0) if ask is not None else "slots"
        found.add(
            "big-ask",
            WARNING,
            f"a thank-you asks for nothing big ({phrase!r}); save the next request for later",
            found.line_of(phrase),
        )
    check_length(found, rendered, context, 150, None)


def check_keepintouch(found: Findings, rendered: RenderedMessage, paths: set[str]) -> None:
    if not paths & OUTCOME_VARS and first_match(OUTCOME_CUES, rendered.text) is None:
        found.add(
            "outcome",
            WARNING,
            "tell them how their advice or referrals worked out (meeting.takeaways, "
            "meeting.referrals, contact.outcome)",
        )
