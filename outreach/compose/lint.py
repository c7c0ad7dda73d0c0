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

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from jinja2 import meta, nodes

from outreach.compose.render import (
    TEXT_ENV,
    VARIABLES,
    RenderContext,
    RenderedMessage,
    compile_template,
    meeting_vars,
    render,
    suggest_field,
    user_vars,
)
from outreach.compose.templates import KINDS, ParsedTemplate, TemplateFileError, TemplateSource
from outreach.contacts.model import Contact
from outreach.errors import TemplateError

if TYPE_CHECKING:
    from outreach.config import UserConfig

ERROR = "error"
WARNING = "warning"

FIRST_MESSAGE_KINDS = frozenset({"outreach", "referral"})
STANDARD_CONTACT_FIELDS = frozenset(Contact(id=0, name="", email=None).template_vars())
_GUARD_FILTERS = frozenset({"default", "d"})
_GUARD_TESTS = frozenset({"defined", "undefined"})


@dataclass(frozen=True)
class LintFinding:
    template: str
    rule: str
    severity: str  # "error" or "warning"
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.template if self.line is None else f"{self.template} line {self.line}"
        return f"{where}: {self.severity}: {self.message} [{self.rule}]"


# --- sample contexts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleSlot:
    """Stands in for a scheduler slot: formats itself in both zones."""

    text: str

    def __str__(self) -> str:
        return self.text


SAMPLE_TODAY = date(2026, 3, 2)
SAMPLE_SLOTS: tuple[SampleSlot, ...] = (
    SampleSlot("Tue 3 Mar, 15:00-15:20 GMT (10:00-10:20 EST, your time)"),
    SampleSlot("Wed 4 Mar, 16:30-16:50 GMT (11:30-11:50 EST, your time)"),
    SampleSlot("Thu 5 Mar, 14:00-14:20 GMT (09:00-09:20 EST, your time)"),
)
_SAMPLE_USER = {
    "name": "Alex Morgan",
    "email": "alex.morgan@example.com",
    "signature": "Alex Morgan\nMSc Data Science, University of Leeds",
    "timezone": "Europe/London",
    "first_name": "Alex",
}


def _sample_contact() -> Contact:
    return Contact(
        id=0,
        name="Maya Chen",
        email="maya.chen@example.org",
        first_name="Maya",
        last_name="Chen",
        org="Northwind Health",
        title="Senior Data Scientist",
        timezone="America/New_York",
        linkedin_url="https://www.linkedin.com/in/example",
        notes="Leads the forecasting team; spoke at PyData about hospital demand models.",
        source="linkedin",
    )


def _sample_meeting() -> dict[str, Any]:
    values = meeting_vars(
        start="Tue 3 Mar, 15:00 GMT",
        end="15:20 GMT",
        when="Tuesday 3 March, 15:00-15:20 GMT (10:00-10:20 EST, your time)",
        join="https://meet.example.com/abc-defg-hij",
        notes="moving from academic research into healthcare analytics",
        takeaways=(
            "building a portfolio of small, finished projects\n"
            "asking teams how they review models before deployment"
        ),
        referrals=[
            {
                "name": "Grace Okafor",
                "email": "grace.okafor@example.net",
                "outcome": "met",
                "when": "in March",
                "referred": ["Tomás Reyes"],
                "may_name": True,
            }
        ],
    )
    values["promises"] = ["send the link to my thesis", "introduce you to Dana Whitfield"]
    values["resources"] = "the NHS-R community\nForecasting: Principles and Practice"
    return values


def sample_context(user: UserConfig | None = None, *, meeting_minutes: int = 20) -> RenderContext:
    """A realistic context for preview and lint, without a real contact.

    Pass the configured user so templates see your real ``[user]`` values (extras included).
    """
    contact = _sample_contact()
    referrer = Contact(
        id=0,
        name="Priya Raman",
        email="priya.raman@example.com",
        first_name="Priya",
        org="Northwind Health",
        title="Analytics Manager",
    )
    return RenderContext(
        contact=contact.template_vars(),
        contact_label=f"sample {contact.label()}",
        user=dict(_SAMPLE_USER) if user is None else user_vars(user),
        today=SAMPLE_TODAY,
        slots=SAMPLE_SLOTS,
        referrer=referrer.template_vars(),
        meeting=_sample_meeting(),
        meeting_minutes=meeting_minutes,
    )


def minimal_context(kind: str, base: RenderContext) -> RenderContext:
    """A contact with only a name and email; referrer and meeting only where the kind needs."""
    contact = Contact(id=0, name="Jordan Lee", email="jordan.lee@example.net")
    referrer = None
    meeting = None
    if kind == "referral":
        referrer = Contact(id=0, name="Sam Patel", email="sam.patel@example.net").template_vars()
    if kind in ("confirm", "thankyou"):
        meeting = meeting_vars(
            start="Tue 3 Mar, 15:00 GMT",
            end="15:20 GMT",
            notes="moving from teaching into product design" if kind == "thankyou" else "",
        )
    return replace(
        base,
        contact=contact.template_vars(),
        contact_label=f"a contact with only a name and email ({contact.label()})",
        referrer=referrer,
        meeting=meeting,
    )


# --- static analysis ---------------------------------------------------------------------------


@dataclass
class _Usage:
    paths: set[str]  # "slots", "meeting.notes", "contact.org", ...
    unguarded: list[tuple[str, int]]  # (path, part line) for field reads without default
    filters: list[tuple[str, int]]
    tests: list[tuple[str, int]]
    guarded: list[tuple[str, int]] = field(default_factory=list)  # reads under default/if
    undeclared: set[str] = field(default_factory=set)  # top-level names never defined


def _path_of(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _path_of(node.node)
        return None if base is None else f"{base}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        base = _path_of(node.node)
        if base is not None and isinstance(node.arg.value, str):
            return f"{base}.{node.arg.value}"
    return None


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def _paths_in(node: nodes.Node) -> set[str]:
    return {path for child in _walk(node) if (path := _path_of(child)) is not None}


def _truth_tested(node: nodes.Node) -> frozenset[str]:
    """Fields a condition only tests for truth (``if contact.x``, ``if a and not b``): a
    missing one is simply false there, so reading it in the test cannot fail."""
    if isinstance(node, nodes.Not):
        return _truth_tested(node.node)
    if isinstance(node, nodes.And | nodes.Or):
        return _truth_tested(node.left) | _truth_tested(node.right)
    path = _path_of(node)
    return frozenset() if path is None else frozenset({path})


def _usage(source: str) -> _Usage:
    """Which variables, filters and tests a template part uses.

    A field read counts as guarded (not reported as possibly missing) when it is the operand of
    ``default`` or ``is defined``, or sits in the branch of an ``if`` whose test reads it.
    """
    tree = TEXT_ENV.parse(source)
    usage = _Usage(set(), [], [], [])

    def visit(node: nodes.Node, guarded: frozenset[str]) -> None:
        if isinstance(node, nodes.Filter):
            usage.filters.append((node.name, node.lineno))
            if node.name in _GUARD_FILTERS and node.node is not None:
                guarded = guarded | {p for p in [_path_of(node.node)] if p}
        if isinstance(node, nodes.Test):
            usage.tests.append((node.name, node.lineno))
            if node.name in _GUARD_TESTS:
                guarded = guarded | {p for p in [_path_of(node.node)] if p}
        if isinstance(node, nodes.Name) and node.ctx == "load":
            usage.paths.add(node.name)
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            path = _path_of(node)
            if path is not None:
                usage.paths.add(path)
                if path.count(".") == 1 and isinstance(node.node, nodes.Name):
                    target = usage.guarded if path in guarded else usage.unguarded
                    target.append((path, node.lineno))
        if isinstance(node, nodes.If | nodes.CondExpr):
            test = node.test
            visit(test, guarded | _truth_tested(test))
            inside = guarded | _paths_in(test)
            branch = node.body if isinstance(node, nodes.If) else [node.expr1]
            for child in branch:
                visit(child, inside)
            if isinstance(node, nodes.If):
                for elif_node in node.elif_:
                    visit(elif_node, guarded)
                for child in node.else_:
                    visit(child, guarded)
            elif node.expr2 is not None:
                visit(node.expr2, guarded)
            return
        for child in node.iter_child_nodes():
            visit(child, guarded)

    visit(tree, frozenset())
    usage.undeclared = set(meta.find_undeclared_variables(tree)) - set(TEXT_ENV.globals)
    return usage


# --- helpers -----------------------------------------------------------------------------------


class _Findings:
    def __init__(self, parsed: ParsedTemplate) -> None:
        self.parsed = parsed
        self.items: list[LintFinding] = []

    def add(self, rule: str, severity: str, message: str, line: int | None = None) -> None:
        finding = LintFinding(self.parsed.source.display, rule, severity, message, line)
        if finding not in self.items:
            self.items.append(finding)

    def line_of(self, phrase: str) -> int | None:
        """The file line whose template text contains ``phrase`` (case-insensitive)."""
        needle = phrase.lower().strip()
        if not needle:
            return None
        if needle in self.parsed.subject.lower():
            return self.parsed.subject_line
        for offset, line in enumerate(self.parsed.body.split("\n")):
            if needle in line.lower():
                return self.parsed.body_line + offset
        return None


_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _content_lines(rendered: RenderedMessage, context: RenderContext) -> list[str]:
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


def _word_count(lines: list[str]) -> int:
    return sum(len(_WORD_RE.findall(line)) for line in lines)


_NUMBER_WORDS = {
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
_NUM = r"(\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_HALF_HOUR_RE = re.compile(r"\b(?:half|1/2)[\s-]*(?:an?\s+)?hour\b", re.IGNORECASE)
_QUARTER_HOUR_RE = re.compile(r"\bquarter[\s-]+(?:of\s+)?(?:an?\s+)?hour\b", re.IGNORECASE)
_HOURS_RE = re.compile(
    r"\b(an|one|a\s+full|a\s+couple\s+of|two|three|\d{1,2}(?:\.\d)?)[\s-]*hours?\b"
    r"|\bhour[\s-]long\b",
    re.IGNORECASE,
)
_MINUTES_RE = re.compile(
    rf"\b{_NUM}(?:\s*(?:-|–|to|or)\s*{_NUM})?[\s-]*(?:minutes?|mins?)\b", re.IGNORECASE
)


def _number(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.lower()
    if text.isdigit():
        return int(text)
    return _NUMBER_WORDS.get(text.replace("  ", " "))


def durations(text: str) -> list[tuple[int, str]]:
    """Meeting lengths asked for in ``text``, in minutes, with the phrase that asked."""
    found: list[tuple[int, str]] = []
    for pattern, minutes in ((_HALF_HOUR_RE, 30), (_QUARTER_HOUR_RE, 15)):
        for match in pattern.finditer(text):
            found.append((minutes, match.group(0)))
        text = pattern.sub(" ", text)
    for match in _HOURS_RE.finditer(text):
        amount = (match.group(1) or "an").lower()
        hours = {"an": 1.0, "one": 1.0, "two": 2.0, "three": 3.0}.get(amount)
        if hours is None:
            hours = 1.0 if not amount[0].isdigit() else float(amount)
        found.append((int(hours * 60), match.group(0)))
    text = _HOURS_RE.sub(" ", text)
    for match in _MINUTES_RE.finditer(text):
        values = [v for v in (_number(match.group(1)), _number(match.group(2))) if v is not None]
        if values:
            found.append((max(values), match.group(0)))
    return found


def _search(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match
    return None


def _cues(*phrases: str) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in phrases]


_TIMES_CUES = _cues(
    r"\b(?:times?|days?|slots?|dates?)\s+(?:that\s+)?(?:would\s+)?(?:might\s+)?(?:work|suit)s?\b",
    r"\bwhat(?:ever)?\s+(?:time\s+)?(?:works|suits)\b",
    r"\byour\s+availability\b",
    r"\bwhen\s+(?:you(?:'re|’re|\s+are)|would\s+you\s+be)\s+(?:free|available)\b",
    r"\b(?:suggest|propose|name|pick)\s+a\s+(?:time|day)\b",
    r"\bconvenient\s+(?:time|for\s+you)\b",
)
_CONNECTION_CUES = _cues(
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
_CONNECTION_VARS = frozenset(
    {"source", "connection", "how_we_met", "met_at", "referred_by", "school", "event", "group"}
)
_EASY_CUES = _cues(
    r"\b(?:phone|video|zoom|teams|meet|call|coffee|in\s+person|your\s+office|near\s+you)\b"
)
_EASY_OUT_CUES = _cues(
    r"\bno\s+(?:worries|problem|pressure)\b",
    r"\bif\s+(?:now|this)\s+(?:isn['’]t|is\s+not)\b",
    r"\b(?:completely|totally|entirely)\s+(?:understand|fine)\b",
    r"\bif\s+(?:you['’]re|you\s+are)\s+(?:too\s+)?busy\b",
    r"\bno\s+need\s+to\s+reply\b",
)
_INVITE_CUES = _cues(r"\binvit", r"\bcalendar\b")
_BIG_ASK_CUES = _cues(
    r"\b(?:could|would|can)\s+you\s+(?:please\s+)?(?:introduce|connect|refer|send|review|"
    r"look\s+over|forward|share|meet)\b",
    r"\b(?:another|a\s+second|a\s+follow-up)\s+(?:call|meeting|chat|conversation)\b",
)
_OUTCOME_CUES = _cues(
    r"\b(?:your\s+)?advice\b",
    r"\b(?:you\s+)?(?:suggested|recommended)\b",
    r"\bintroduc",
    r"\bworked\s+out\b",
    r"\bthanks\s+to\s+you\b",
)
_OUTCOME_VARS = frozenset(
    {
        "meeting.notes",
        "meeting.takeaways",
        "meeting.takeaway",
        "meeting.referrals",
        "contact.notes",
        "contact.outcome",
    }
)
_SPECIFIC_VARS = frozenset(
    {"meeting.notes", "meeting.takeaways", "meeting.takeaway", "meeting.advice"}
)
_TONE_CUES = _cues(
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
_ROLE = r"(?:jobs?|positions?|roles?|openings?|vacanc(?:y|ies)|internships?)"
_JOB_ASK_ERRORS = _cues(
    r"\b(?:job|position|role|internship|employment|career)\s+(?:openings?|opportunit(?:y|ies)|"
    r"vacanc(?:y|ies))\b",
    rf"\b(?:any|open|available)\s+{_ROLE}\b",
    r"\b(?:are\s+you|is\s+(?:your\s+)?\w+|are\s+(?:they|your\s+\w+))\s+(?:currently\s+)?hiring\b",
    r"\b(?:hire|employ)\s+me\b",
    r"\bconsider\s+me\s+for\b",
    rf"\b(?:refer|recommend)\s+me\s+(?:for|to)\s+(?:a|an|the|any|your|this|that)?\s*{_ROLE}",
    r"\brefer\s+me\s+for\b",
    r"\bput\s+in\s+a\s+(?:good\s+)?word\b",
    r"\bpass\s+(?:along|on)\s+my\s+(?:resume|résumé|cv|application)\b",
    rf"\bhelp\s+me\s+(?:get|land|find|secure)\s+(?:a|an)\s+(?:{_ROLE}|interviews?)",
    rf"\bget\s+me\s+(?:a|an)\s+(?:{_ROLE}|interviews?)",
    rf"\breferral\s+(?:for|to)\s+(?:a|an|the|any|your)?\s*{_ROLE}",
)
_JOB_ASK_WARNINGS = _cues(
    r"\b(?:my|attached|attach|attaching|enclosed?)\s+(?:my\s+)?(?:resume|résumé|cv)\b",
    rf"\b(?:looking|searching|hunting)\s+for\s+(?:a\s+|an\s+)?(?:new\s+)?"
    rf"(?:{_ROLE}|work|employment)\b",
    r"\bjob\s+(?:hunt|hunting|search|searching)\b",
    rf"\bapply(?:ing)?\s+(?:for|to)\s+(?:a|an|the)?\s*{_ROLE}",
)
_ODD_EMPTY_RE = re.compile(
    r"(?<=\w) [,.;:!?](?=\s|$)|\b(?:at|as|for|with|from|of|the|an?)\s*[,.;:!?](?=\s|$)|\S {2,}\S",
    re.MULTILINE,
)


# --- the lint ----------------------------------------------------------------------------------


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
    found = _Findings(parsed)

    usage = _usage(parsed.body)
    subject_usage = _usage(parsed.subject)
    paths = usage.paths | subject_usage.paths
    missing_contact: set[str] = set()
    missing_user: set[str] = set()
    fields = _FieldCheck(found, context, known_fields)
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
    found = _Findings(compiled.parsed)
    paths = _usage(compiled.parsed.body).paths | _usage(compiled.parsed.subject).paths
    _check_content(found, rendered, context, paths)
    return [f for f in found.items if f.rule != "kind"]


def _check_content(
    found: _Findings, rendered: RenderedMessage, context: RenderContext, paths: set[str]
) -> None:
    kind = found.parsed.kind
    _check_common(found, rendered, context)
    if kind in FIRST_MESSAGE_KINDS:
        _check_first_message(found, rendered, context, paths)
    elif kind == "followup":
        _check_followup(found, rendered, context)
    elif kind == "newtimes":
        _check_newtimes(found, rendered, context, paths)
    elif kind == "confirm":
        _check_confirm(found, rendered, paths)
    elif kind == "thankyou":
        _check_thankyou(found, rendered, context, paths)
    elif kind == "keepintouch":
        _check_keepintouch(found, rendered, paths)
    elif kind == "congratulate":
        _check_congratulate(found, rendered, context, paths)
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


class _FieldCheck:
    """The ``fields`` rule for one template: which ``contact.X`` and ``user.X`` reads can fail,
    which look like typos, and the "did you mean" for each."""

    def __init__(
        self, found: _Findings, context: RenderContext, known: frozenset[str] | None
    ) -> None:
        self.found = found
        self.context = context
        self.known = known

    def line_of(self, name: str) -> int | None:
        """The file line where the variable ``name`` is first used (as a whole word)."""
        parsed = self.found.parsed
        word = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
        if word.search(parsed.subject):
            return parsed.subject_line
        for offset, text in enumerate(parsed.body.split("\n")):
            if word.search(text):
                return parsed.body_line + offset
        return None

    def read(self, path: str, line: int, *, guarded: bool) -> str | None:
        """Report one field read; returns "contact" or "user" when the sample lacks it."""
        root, _, name = path.partition(".")
        if root == "contact":
            return self._contact(name, line, guarded)
        if root == "user" and name not in self.context.user:
            known = [*self.context.user, "intro", "field", "school"]
            close = suggest_field(name, known)
            if guarded:
                if close is not None and close in self.context.user:
                    self.found.add(
                        "fields",
                        WARNING,
                        f"user.{name} is never set; did you mean user.{close}?",
                        line,
                    )
                return None
            maybe = f"; did you mean user.{close}?" if close else ""
            self.found.add(
                "fields",
                ERROR,
                f"user.{name} is not set under [user] in config.toml, so every draft fails"
                f"{maybe} (write {{{{ user.{name} | default('') }}}} if it is optional)",
                line,
            )
            return "user"
        return None

    def _contact(self, name: str, line: int, guarded: bool) -> str | None:
        if name in STANDARD_CONTACT_FIELDS:
            return None
        known = self.known or frozenset()
        if name in known:
            if not guarded:
                self.found.add(
                    "fields",
                    WARNING,
                    f"contact.{name} is not a standard field: drafting fails for every "
                    f"contact without a {name!r} column; write "
                    f"{{{{ contact.{name} | default('') }}}} if it is optional",
                    line,
                )
            return None if guarded else "contact"
        close = suggest_field(name, [*STANDARD_CONTACT_FIELDS, *known])
        if guarded:
            if close is not None:
                self.found.add(
                    "fields",
                    WARNING,
                    f"no contact has a {name!r} field, so this is always empty; did you mean "
                    f"contact.{close}?",
                    line,
                )
            return None
        if close is not None or known:
            maybe = f"; did you mean contact.{close}?" if close else ""
            self.found.add(
                "fields",
                ERROR,
                f"contact.{name} is not a field of any contact{maybe} (an optional column: "
                f"{{% if contact.{name} %}}...{{% endif %}} or {{{{ contact.{name} | "
                "default('') }})",
                line,
            )
            return "contact"
        self.found.add(
            "fields",
            WARNING,
            f"contact.{name} is not a standard field: drafting fails for every contact without "
            f"a {name!r} column; write {{{{ contact.{name} | default('') }}}} if it is optional",
            line,
        )
        return "contact"


def _default_context() -> RenderContext:
    return sample_context()


def _check_minimal(
    found: _Findings,
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
    for text in (rendered.subject, *_content_lines(rendered, context)):
        match = _ODD_EMPTY_RE.search(text)
        if match:
            snippet = text.strip()
            found.add(
                "minimal",
                WARNING,
                f"reads oddly for a contact with only a name and email: {snippet!r}; wrap "
                "optional fields in {% if ... %}",
            )
            return


def _check_common(found: _Findings, rendered: RenderedMessage, context: RenderContext) -> None:
    text = "\n".join([rendered.subject, *_content_lines(rendered, context)])
    for pattern in _JOB_ASK_ERRORS:
        for match in pattern.finditer(text):
            found.add(
                "no-job-ask",
                ERROR,
                f"{match.group(0)!r} asks for a job; an informational interview never does "
                "(ask to learn about their work instead)",
                found.line_of(match.group(0)),
            )
    for pattern in _JOB_ASK_WARNINGS:
        for match in pattern.finditer(text):
            found.add(
                "no-job-ask",
                WARNING,
                f"{match.group(0)!r} makes the message read like a job application",
                found.line_of(match.group(0)),
            )
    for pattern in _TONE_CUES:
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


def _check_length(
    found: _Findings,
    rendered: RenderedMessage,
    context: RenderContext,
    warn_over: int,
    error_over: int | None,
) -> None:
    words = _word_count(_content_lines(rendered, context))
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


def _check_first_message(
    found: _Findings, rendered: RenderedMessage, context: RenderContext, paths: set[str]
) -> None:
    _check_length(found, rendered, context, 150, 200)
    text = "\n".join([rendered.subject, *_content_lines(rendered, context)])

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

    if "slots" not in paths and _search(_TIMES_CUES, text) is None:
        found.add(
            "times",
            ERROR,
            "proposes no times and does not ask for theirs; list {{ slots | bulleted }} or ask "
            "which times work for them",
        )
    if _search(_EASY_CUES, text) is None:
        found.add(
            "easy",
            WARNING,
            "make it easy to say yes: offer a phone or video call, or to fit their schedule",
        )

    uses_connection = any(path.startswith("referrer") for path in paths) or any(
        f"contact.{name}" in paths for name in _CONNECTION_VARS
    )
    if not uses_connection and _search(_CONNECTION_CUES, text) is None:
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


def _check_followup(found: _Findings, rendered: RenderedMessage, context: RenderContext) -> None:
    _check_length(found, rendered, context, 100, 150)
    text = "\n".join(_content_lines(rendered, context))
    if _search(_EASY_OUT_CUES, text) is None:
        found.add(
            "easy-out",
            WARNING,
            "make 'no' easy (for example 'if now isn't a good time, no worries')",
        )


def _check_newtimes(
    found: _Findings, rendered: RenderedMessage, context: RenderContext, paths: set[str]
) -> None:
    if "slots" not in paths:
        found.add("times", ERROR, "proposes no new times; use {{ slots | bulleted }}")
    _check_length(found, rendered, context, 120, 180)


def _check_confirm(found: _Findings, rendered: RenderedMessage, paths: set[str]) -> None:
    if not paths & {"meeting.when", "meeting.start"}:
        found.add(
            "confirm-time",
            ERROR,
            "does not state the booked time; use {{ meeting.when }}",
        )
    if _search(_INVITE_CUES, rendered.text) is None:
        found.add("invite", WARNING, "say that a calendar invite is attached")


def _check_thankyou(
    found: _Findings, rendered: RenderedMessage, context: RenderContext, paths: set[str]
) -> None:
    if not paths & _SPECIFIC_VARS:
        found.add(
            "specific",
            ERROR,
            "does not name anything specific from the conversation; use {{ meeting.takeaways }} "
            "or {{ meeting.notes }}",
        )
    text = "\n".join(_content_lines(rendered, context))
    ask = _search(_BIG_ASK_CUES, text)
    if ask is not None or "slots" in paths:
        phrase = ask.group(0) if ask is not None else "slots"
        found.add(
            "big-ask",
            WARNING,
            f"a thank-you asks for nothing big ({phrase!r}); save the next request for later",
            found.line_of(phrase),
        )
    _check_length(found, rendered, context, 150, None)


def _check_keepintouch(found: _Findings, rendered: RenderedMessage, paths: set[str]) -> None:
    if not paths & _OUTCOME_VARS and _search(_OUTCOME_CUES, rendered.text) is None:
        found.add(
            "outcome",
            WARNING,
            "tell them how their advice or referrals worked out (meeting.takeaways, "
            "meeting.referrals, contact.outcome)",
        )


_CONGRATS_CUES = _cues(r"\bcongrat")
_REQUEST_CUES = _cues(
    r"\b(?:could|would|can|will)\s+you\b",
    r"\blet\s+me\s+know\b",
    r"\b(?:catch\s+up|grab\s+(?:a\s+)?coffee|(?:hop|jump)\s+on\s+a\s+call)\b",
    r"\b(?:would|I'd|I\s+would)\s+(?:love|like)\s+to\s+(?:chat|talk|meet|speak|connect)\b",
    r"\b(?:wondering|wonder)\s+(?:if|whether)\b",
    r"\bfavou?r\b",
    r"\b(?:keep\s+me\s+in\s+mind|think\s+of\s+me)\b",
)
_UPDATE_VARS = frozenset({"user.update", "contact.outcome", "meeting.takeaways", "user.field"})
_UPDATE_CUES = _cues(
    r"\bupdate\b", r"\bsince\s+we\s+(?:spoke|talked|met)\b", r"\bI(?:'ve|\s+have)\s+been\b"
)


def _check_congratulate(
    found: _Findings, rendered: RenderedMessage, context: RenderContext, paths: set[str]
) -> None:
    text = "\n".join(_content_lines(rendered, context))
    if _search(_CONGRATS_CUES, "\n".join([rendered.subject, text])) is None:
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
    for patterns in (_BIG_ASK_CUES, _REQUEST_CUES):
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
    if not paths & _UPDATE_VARS and _search(_UPDATE_CUES, text) is None:
        found.add(
            "update",
            WARNING,
            "give a short update on what you have been doing (user.update, contact.outcome, "
            "meeting.takeaways)",
        )
    _check_length(found, rendered, context, 120, 180)
