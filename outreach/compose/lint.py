"""Etiquette lint: the rules of ETIQUETTE.md, checked per template kind.

A template is checked twice over: statically (which variables and filters it uses) and by
rendering it with a realistic sample context (:func:`sample_context`) and with a contact that
has only a name and an email. Rules by kind:

every kind
    ``syntax``/``render`` (error): the template must parse and render.
    ``filters`` (error): only known filters and tests (Jinja defers some of these to run time).
    ``fields``: a contact field that no contact has (when the workspace has contacts) or that
    looks like a typo of a known one (``contact.compnay``) is an error with a "did you mean";
    a non-standard field read without ``default`` or an ``if`` (warning) fails for every
    contact without that column; a missing ``user.X`` (error) fails for all; an unknown
    variable (error). Fields only tested with ``if`` are optional and fine.
    ``no-job-ask`` (error, some phrasings warning): never ask for a job or a referral to one.
    ``tone`` (warning): no guilt-tripping ("just following up", "I haven't heard back").
    ``minimal`` (warning): renders, and reads cleanly, for a contact with only name and email.
    ``subject`` (warning): a subject over 78 characters.
outreach, referral (a first message)
    ``length``: body over 150 words (warning), over 200 (error); the signature and the slot
    lines are not counted.
    ``time-ask`` (error): asks for a specific 15-30 minutes; more than 30 is an error, less
    than 15 a warning.
    ``times`` (error): proposes times (uses ``slots``) or asks for theirs.
    ``connection`` (error): says how the writer found or is connected to the person.
    ``personal`` (warning): mentions something about the person beyond their name.
    ``easy`` (warning): offers phone, video or another easy format.
followup
    ``length``: over 100 words (warning), over 150 (error). ``easy-out`` (warning): makes
    "no" easy.
confirm
    ``confirm-time`` (error): states the booked time; ``invite`` (warning): mentions the invite.
thankyou
    ``specific`` (error): uses ``meeting.notes`` or ``meeting.takeaways``. ``big-ask``
    (warning): asks for nothing big. ``length`` (warning): over 150 words.
keepintouch
    ``outcome`` (warning): reports how their advice or referrals worked out.
congratulate
    ``congratulates`` (error): says congratulations. ``no-ask`` (error): asks for nothing: no
    times, no length of time, no call, favour or introduction ("could you ...", "let me
    know"); a question is a warning (it asks for a reply). ``update`` (warning): gives a short
    update (``user.update``, ``contact.outcome``, ``meeting.takeaways``, ``user.field``).
    ``length``: over 120 words (warning), over 180 (error).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import replace

from outreach.compose.lint_checks import (
    check_common,
    check_confirm,
    check_first_message,
    check_followup,
    check_keepintouch,
    check_newtimes,
    check_thankyou,
)
from outreach.compose.lint_congratulate import check_congratulate
from outreach.compose.lint_cues import ODD_EMPTY_RE, content_lines, durations
from outreach.compose.lint_fields import FieldCheck
from outreach.compose.lint_findings import (
    ERROR,
    FIRST_MESSAGE_KINDS,
    STANDARD_CONTACT_FIELDS,
    WARNING,
    Findings,
    LintFinding,
)
from outreach.compose.lint_fit import check_fit
from outreach.compose.lint_samples import (
    SAMPLE_SLOTS,
    SAMPLE_TODAY,
    SampleSlot,
    minimal_context,
    sample_context,
)
from outreach.compose.lint_usage import template_usage
from outreach.compose.render import (
    TEXT_ENV,
    VARIABLES,
    RenderContext,
    RenderedMessage,
    compile_template,
    render,
    suggest_field,
)
from outreach.compose.templates import KINDS, TemplateFileError, TemplateSource
from outreach.errors import TemplateError

__all__ = [
    "ERROR",
    "SAMPLE_SLOTS",
    "SAMPLE_TODAY",
    "STANDARD_CONTACT_FIELDS",
    "WARNING",
    "LintFinding",
    "SampleSlot",
    "durations",
    "lint",
    "lint_all",
    "lint_rendered",
    "minimal_context",
    "sample_context",
]


def _augment(context: RenderContext, fields: set[str], user_fields: set[str]) -> RenderContext:
    """Give the sample the non-standard fields the template reads, with placeholder values."""
    contact = dict(context.contact)
    for name in fields:
        contact.setdefault(name, f"sample {name.replace('_', ' ')}")
    user = dict(context.user)
    for name in user_fields:
        user.setdefault(name, f"sample {name.replace('_', ' ')}")
    return replace(context, contact=contact, user=user)


def lint(
    template: TemplateSource,
    sample_context: RenderContext | None = None,
    *,
    known_fields: frozenset[str] | None = None,
) -> list[LintFinding]:
    """Check ``template`` against the etiquette rules for its kind.

    ``sample_context`` defaults to :func:`sample_context` without a user; pass
    ``sample_context(config.user, meeting_minutes=...)`` so ``user.*`` is checked for real.
    ``known_fields`` are the extra columns the workspace's contacts have (None: unknown); a
    field none of them has is an error once there are any.
    """
    context = sample_context if sample_context is not None else _default_context()
    try:
        compiled = compile_template(template)
    except TemplateFileError as exc:
        return [LintFinding(template.display, "syntax", ERROR, exc.detail, exc.line)]
    parsed = compiled.parsed
    found = Findings(parsed)

    usage = template_usage(parsed.body)
    subject_usage = template_usage(parsed.subject)
    paths = usage.paths | subject_usage.paths
    missing_contact: set[str] = set()
    missing_user: set[str] = set()
    fields = FieldCheck(found, context, known_fields)
    for part_usage, first_line in ((subject_usage, parsed.subject_line), (usage, parsed.body_line)):
        for name, lineno in part_usage.filters:
            if name not in TEXT_ENV.filters:
                found.add("filters", ERROR, f"no filter named {name!r}", first_line + lineno - 1)
        for name, lineno in part_usage.tests:
            if name not in TEXT_ENV.tests:
                found.add("filters", ERROR, f"no test named {name!r}", first_line + lineno - 1)
        for name in sorted(part_usage.undeclared - set(VARIABLES)):
            close = suggest_field(name, VARIABLES)
            maybe = f"; did you mean {close!r}?" if close else ""
            found.add(
                "fields",
                ERROR,
                f"unknown variable {name!r}{maybe} (templates see {', '.join(VARIABLES)})",
                fields.line_of(name),
            )
        for path, lineno in part_usage.unguarded:
            missing = fields.read(path, first_line + lineno - 1, guarded=False)
            if missing == "contact":
                missing_contact.add(path.partition(".")[2])
            elif missing == "user":
                missing_user.add(path.partition(".")[2])
        for path, lineno in part_usage.guarded:
            fields.read(path, first_line + lineno - 1, guarded=True)

    sample = _augment(context, missing_contact, missing_user)
    try:
        rendered = render(template, sample)
    except TemplateFileError as exc:
        found.add("render", ERROR, f"fails with the sample contact: {exc.detail}", exc.line)
        return found.items
    except TemplateError as exc:  # pragma: no cover - render raises TemplateFileError
        found.add("render", ERROR, str(exc))
        return found.items

    _check_minimal(found, template, parsed.kind, sample, missing_contact)
    _check_content(found, rendered, sample, paths)
    return found.items


def lint_rendered(
    template: TemplateSource, rendered: RenderedMessage, context: RenderContext
) -> list[LintFinding]:
    """The content rules (no job ask, the time asked for, length, ...) applied to one
    message as it was rendered for a real contact: a contact's own fields can break a rule
    the template keeps with the sample."""
    compiled = compile_template(template)
    found = Findings(compiled.parsed)
    paths = set(_template_paths(compiled.parsed.body, compiled.parsed.subject))
    _check_content(found, rendered, context, paths)
    return [f for f in found.items if f.rule != "kind"]


@functools.lru_cache(maxsize=64)
def _template_paths(body: str, subject: str) -> frozenset[str]:
    """The variables a template's body and subject read: parsed once per template text, not
    once per contact (drafting lints every rendered message)."""
    return frozenset(template_usage(body).paths | template_usage(subject).paths)


def _check_content(
    found: Findings, rendered: RenderedMessage, context: RenderContext, paths: set[str]
) -> None:
    kind = found.parsed.kind
    check_common(found, rendered, context)
    check_fit(found, rendered, context)
    if kind in FIRST_MESSAGE_KINDS:
        check_first_message(found, rendered, context, paths)
    elif kind == "followup":
        check_followup(found, rendered, context)
    elif kind == "newtimes":
        check_newtimes(found, rendered, context, paths)
    elif kind == "confirm":
        check_confirm(found, rendered, paths)
    elif kind == "thankyou":
        check_thankyou(found, rendered, context, paths)
    elif kind == "keepintouch":
        check_keepintouch(found, rendered, paths)
    elif kind == "congratulate":
        check_congratulate(found, rendered, context, paths)
    else:
        found.add(
            "kind",
            WARNING,
            f"kind {kind!r} has no etiquette rules; add a header such as "
            f"'Kind: outreach' (kinds: {', '.join(KINDS)})",
            1,
        )


def lint_all(
    templates: Mapping[str, TemplateSource],
    sample_context: RenderContext | None = None,
    *,
    known_fields: frozenset[str] | None = None,
) -> list[LintFinding]:
    """Lint every template, in name order."""
    findings: list[LintFinding] = []
    for name in sorted(templates):
        findings.extend(lint(templates[name], sample_context, known_fields=known_fields))
    return findings


def _default_context() -> RenderContext:
    return sample_context()


def _check_minimal(
    found: Findings,
    template: TemplateSource,
    kind: str,
    sample: RenderContext,
    missing_contact: set[str],
) -> None:
    context = _augment(minimal_context(kind, sample), missing_contact, set())
    try:
        rendered = render(template, context)
    except TemplateFileError as exc:
        found.add(
            "minimal",
            WARNING,
            f"fails for a contact with only a name and email: {exc.detail}",
            exc.line,
        )
        return
    for text in (rendered.subject, *content_lines(rendered, context)):
        match = ODD_EMPTY_RE.search(text)
        if match:
            snippet = text.strip()
            found.add(
                "minimal",
                WARNING,
                f"reads oddly for a contact with only a name and email: {snippet!r}; wrap "
                "optional fields in {% if ... %}",
            )
            return
