"""Rendering a template for one contact: the sandbox, the filters and the error messages.

Templates run in Jinja's immutable sandbox with a strict undefined: a missing field is an
error that names the template file, the line (headers counted) and the contact, with a hint
(and a "did you mean" for a likely typo); only testing it (``{% if contact.connection %}``)
is false. Contact
values are data passed to the template, never template source, so a contact named
``{{ 7*7 }}`` renders literally.

Variables a template sees:

- ``contact``: :meth:`Contact.template_vars` (core fields plus imported extra columns).
- ``user``: ``[user]`` of config.toml, extra keys included (see :func:`user_vars`).
- ``slots``: proposed times, each formatting itself (``str(slot)``) in both time zones.
- ``referrer``: the referring contact's variables, or None.
- ``meeting``: see :func:`meeting_vars`, or None.
- ``today``: a ``datetime.date``; ``meeting_minutes``: the length asked for.

Filters besides Jinja's: ``bulleted``, ``join_and``, ``first_name``, ``first_item``,
``required`` (fail with a message when a value is empty), and ``phrase_kind``,
``as_clause``, ``as_sentence`` and ``to_you`` (:mod:`outreach.compose.phrases`: put a phrase
the user typed where it reads as English), ``promised`` and ``referral_news``
(:mod:`outreach.compose.followthrough`: what was promised, what came of each referral).
"""

from __future__ import annotations

import html
import itertools
import re
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, Undefined, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.exceptions import TemplateError as JinjaError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from outreach.compose import limits
from outreach.compose.followthrough import promised, referral_news
from outreach.compose.phrases import as_clause, as_sentence, phrase_kind, to_you
from outreach.compose.templates import (
    ParsedTemplate,
    TemplateFileError,
    TemplateSource,
    parse_template,
)

if TYPE_CHECKING:
    from outreach.config import UserConfig
    from outreach.contacts.model import Contact

# --- filters -----------------------------------------------------------------------------------

_BULLET_RE = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")
_HONORIFICS = frozenset({"dr", "prof", "mr", "mrs", "ms", "mx", "sir", "dame", "rev"})


class MissingValueError(Exception):
    """Raised by the ``required`` filter; becomes a TemplateError naming the line."""


def _display(item: object) -> str:
    """How a list item reads in prose: a contact-like mapping by its name, else str()."""
    if isinstance(item, Mapping):
        name = item.get("name")
        if name:
            return str(name)
        return str(item.get("email", ""))
    return str(item)


def _items(value: object) -> list[str]:
    """A list, or a multi-line string (one item per non-empty line, bullets removed)."""
    if value is None or isinstance(value, Undefined):
        return []
    if isinstance(value, str):
        return [_BULLET_RE.sub("", line).strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, Mapping):
        return [_display(value)]
    if isinstance(value, Iterable):
        return [_display(item) for item in value]
    return [_display(value)]


def bulleted(value: object, bullet: str = "-") -> str:
    """``["a", "b"]`` -> ``"- a\\n- b"``; a multi-line string gets one bullet per line."""
    return "\n".join(f"{bullet} {item}" for item in _items(value))


def join_and(value: object, conjunction: str = "and") -> str:
    """``["A", "B", "C"]`` -> ``"A, B and C"``; mappings are shown by their ``name``."""
    items = [item for item in _items(value) if item]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def first_name(value: object) -> str:
    """The first name in a full name ("Dr. Ada Lovelace" -> "Ada", "Lovelace, Ada" -> "Ada")."""
    if isinstance(value, Mapping):
        if value.get("first_name"):
            return str(value["first_name"])
        value = value.get("name", "")
    text = str(value).strip()
    if "," in text:
        text = text.split(",", 1)[1].strip() or text.split(",", 1)[0]
    words = text.split()
    while len(words) > 1 and words[0].rstrip(".").lower() in _HONORIFICS:
        words = words[1:]
    return words[0] if words else ""


def first_item(value: object) -> str:
    """The first item of a list, or of a note with one item per line or per ``;``, without a
    bullet or a final period."""
    items = _items(value)
    if not items:
        return ""
    first = next((part.strip() for part in items[0].split(";") if part.strip()), "")
    return first.rstrip(".")


def required(value: object, message: str = "a required value is empty") -> object:
    """Pass ``value`` through; when it is empty or undefined, fail with ``message``."""
    if isinstance(value, Undefined) or value is None or value == "" or value == []:
        raise MissingValueError(message)
    return value


FILTERS: dict[str, Callable[..., object]] = {
    "bulleted": bulleted,
    "join_and": join_and,
    "first_name": first_name,
    "first_item": first_item,
    "required": required,
    "phrase_kind": phrase_kind,
    "as_clause": as_clause,
    "as_sentence": as_sentence,
    "to_you": to_you,
    "promised": promised,
    "referral_news": referral_news,
}

# --- the environment ---------------------------------------------------------------------------

_DICT_READ_METHODS = frozenset({"get", "items", "keys", "values"})
_MAX_REPEAT = limits.MAX_TEXT
_MAX_EXPONENT = 100


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, where mapping keys win over dict methods.

    ``contact.items`` is the contact's ``items`` column, not ``dict.items``; a missing key is
    undefined (an error under StrictUndefined) rather than a bound method. Text size, loop
    iterations, calls and numbers are limited (:mod:`outreach.compose.limits`) so a template
    cannot exhaust memory or run for ever.
    """

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = limits.LimitedCodeGenerator
    concat = staticmethod(limits.concat)  # the output and every block or macro buffer
    checked_value = staticmethod(limits.check_size)  # the result of ``~``
    limited_loop = staticmethod(limits.limited_loop)  # what every for-loop iterates over

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        limits.step()
        limits.before_call(obj, args, kwargs)
        return limits.check_size(super().call(context, obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping):
            if attribute in obj:
                return obj[attribute]
            if attribute not in _DICT_READ_METHODS:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Mapping) and isinstance(argument, str) and argument not in obj:
            return self.undefined(obj=obj, name=argument)
        return super().getitem(obj, argument)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is too large")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(count, int)
                    and len(seq) * count > _MAX_REPEAT
                ):
                    raise SecurityError("repetition result is too large")
        limits.before_binop(operator, left, right)
        return limits.check_size(super().call_binop(context, operator, left, right))


class OptionalUndefined(StrictUndefined):
    """StrictUndefined, except that testing a missing value is simply false.

    ``{% if contact.connection %}`` is how a template says a column is optional; printing,
    comparing or looping over a missing value is still an error naming the line.
    """

    __slots__ = ()

    def __bool__(self) -> bool:  # type: ignore[override]
        return False


def _make_env(autoescape: bool) -> _Sandbox:
    env = _Sandbox(
        undefined=OptionalUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        finalize=limits.check_output,
    )
    env.filters.update(FILTERS)
    limits.limit_filters(env.filters)
    return env


TEXT_ENV = _make_env(autoescape=False)
HTML_ENV = _make_env(autoescape=True)

# --- context and result ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RenderContext:
    """Everything one message is rendered from. Mappings are copied, never mutated."""

    contact: Mapping[str, Any]
    contact_label: str
    user: Mapping[str, Any]
    today: date
    slots: Sequence[object] = ()
    referrer: Mapping[str, Any] | None = None
    meeting: Mapping[str, Any] | None = None
    meeting_minutes: int = 20

    @classmethod
    def for_contact(
        cls,
        contact: Contact,
        user: UserConfig,
        *,
        today: date,
        slots: Sequence[object] = (),
        referrer: Contact | None = None,
        meeting: Mapping[str, Any] | None = None,
        meeting_minutes: int = 20,
    ) -> RenderContext:
        """The context for a stored contact and the configured user."""
        return cls(
            contact=contact.template_vars(),
            contact_label=contact.label(),
            user=user_vars(user),
            today=today,
            slots=tuple(slots),
            referrer=None if referrer is None else referrer.template_vars(),
            meeting=meeting,
            meeting_minutes=meeting_minutes,
        )

    def variables(self) -> dict[str, Any]:
        """The template's variables."""
        return {
            "contact": dict(self.contact),
            "user": dict(self.user),
            "slots": list(self.slots),
            "referrer": None if self.referrer is None else dict(self.referrer),
            "meeting": None if self.meeting is None else dict(self.meeting),
            "today": self.today,
            "meeting_minutes": self.meeting_minutes,
        }


VARIABLES: tuple[str, ...] = (
    "contact",
    "user",
    "slots",
    "referrer",
    "meeting",
    "today",
    "meeting_minutes",
)


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str | None
    template_name: str
    kind: str = field(default="")


def user_vars(user: UserConfig) -> dict[str, str]:
    """What a template sees as ``user``: name, email, signature, timezone, first_name, extras."""
    values = dict(user.extra)
    values.update(
        name=user.name,
        email=user.email,
        signature=user.signature,
        timezone=user.timezone,
    )
    values.setdefault("first_name", first_name(user.name))
    return values


def meeting_vars(
    *,
    start: str,
    end: str,
    when: str | None = None,
    join: str = "",
    notes: str = "",
    takeaways: str = "",
    referrals: Iterable[Mapping[str, Any] | str] = (),
) -> dict[str, Any]:
    """What a template sees as ``meeting``.

    ``start``/``end`` are formatted times; ``when`` is the human phrase for the booked time
    (both zones), defaulting to ``start``; ``join`` says how to join (a link or a phone
    number, may be empty); ``notes`` and ``takeaways`` are the user's words from
    ``outreach met``; ``referrals`` are people they suggested, as mappings with ``name`` and
    ``email`` or as ``"Name <email>"`` strings, each given ``name``, ``first_name``, ``email``.
    """
    people: list[dict[str, Any]] = []
    for referral in referrals:
        if isinstance(referral, str):
            name, address = parseaddr(referral)
            person = {"name": name or address, "email": address}
        else:
            person = {str(k): v for k, v in referral.items()}  # outcome, referred, ...
            person["email"] = str(person.get("email", ""))
            person["name"] = str(person.get("name") or person["email"])
        person.setdefault("first_name", first_name(person["name"]))
        people.append(person)
    return {
        "start": start,
        "end": end,
        "when": when or start,
        "join": join,
        "notes": notes,
        "takeaways": takeaways,
        "referrals": people,
    }


# --- compiling ---------------------------------------------------------------------------------

_counter = itertools.count()


@dataclass(frozen=True)
class _Part:
    """One compiled piece of a template file (the subject, or the body) and where it starts."""

    name: str  # "subject" or "body"
    filename: str  # unique, to find the template's frames in a traceback
    first_line: int  # the file line of the part's line 1
    source: str
    template: Template

    def file_line(self, lineno: int) -> int:
        return self.first_line + lineno - 1

    def source_line(self, lineno: int) -> str:
        lines = self.source.split("\n")
        return lines[lineno - 1] if 0 < lineno <= len(lines) else ""


@dataclass(frozen=True)
class CompiledTemplate:
    parsed: ParsedTemplate
    subject: _Part
    body: _Part
    html_body: _Part | None


_FILTER_NAMES = ", ".join(sorted(FILTERS))
_SYNTAX_HINT = (
    "Check the Jinja syntax on that line: every {{ has a }}, every {% if %} or {% for %} its "
    "{% endif %} or {% endfor %}. Filters available besides Jinja's own: " + _FILTER_NAMES + "."
)


_BLOCK_TAGS = frozenset(
    {"for", "if", "macro", "call", "filter", "block", "with", "raw", "autoescape", "trans"}
)


def _unclosed_block(env: _Sandbox, source: str) -> tuple[str, int] | None:
    """The innermost block tag left open at the end of ``source``, with its line."""
    stack: list[tuple[str, int]] = []
    try:
        tokens = list(env.lex(source))
    except TemplateSyntaxError:
        return None
    expect_name = False
    pending_set: tuple[str, int] | None = None
    for lineno, kind, value in tokens:
        if kind == "whitespace":
            continue
        if kind == "block_begin":
            expect_name = True
            continue
        if expect_name and kind == "name":
            expect_name = False
            if value in _BLOCK_TAGS:
                stack.append((value, lineno))
            elif value == "set":
                pending_set = (value, lineno)
            elif value.startswith("end") and stack and stack[-1][0] == value[3:]:
                stack.pop()
            continue
        expect_name = False
        if pending_set is not None and kind == "operator" and value == "=":
            pending_set = None
        if pending_set is not None and kind == "block_end":
            stack.append(pending_set)
            pending_set = None
    return stack[-1] if stack else None


def _compile_part(
    env: _Sandbox, parsed: ParsedTemplate, name: str, source: str, first_line: int
) -> _Part:
    filename = f"<outreach-template {next(_counter)} {name}>"
    try:
        code = env.compile(source, name=parsed.source.name, filename=filename)
    except TemplateSyntaxError as exc:
        lineno, detail = exc.lineno or 1, exc.message or "syntax error"
        if detail.startswith("Unexpected end of template"):
            unclosed = _unclosed_block(env, source)
            if unclosed is not None:
                tag, lineno = unclosed
                detail = f"{{% {tag} %}} is never closed (add {{% end{tag} %}})"
        raise TemplateFileError(
            template=parsed.source,
            line=first_line + lineno - 1,
            detail=detail,
            hint=_SYNTAX_HINT,
        ) from None
    template = env.template_class.from_code(env, code, env.make_globals(None))
    return _Part(name, filename, first_line, source, template)


_compiled_cache: dict[TemplateSource, CompiledTemplate] = {}
_CACHE_LIMIT = 256


def compile_template(source: TemplateSource) -> CompiledTemplate:
    """Parse and compile a template (cached); malformed files raise TemplateError with a line."""
    cached = _compiled_cache.get(source)
    if cached is not None:
        return cached
    parsed = parse_template(source)
    subject = _compile_part(TEXT_ENV, parsed, "subject", parsed.subject, parsed.subject_line)
    body = _compile_part(TEXT_ENV, parsed, "body", parsed.body, parsed.body_line)
    html_body = None
    if parsed.format == "html":
        html_body = _compile_part(HTML_ENV, parsed, "body", parsed.body, parsed.body_line)
    compiled = CompiledTemplate(parsed, subject, body, html_body)
    if len(_compiled_cache) >= _CACHE_LIMIT:
        _compiled_cache.clear()
    _compiled_cache[source] = compiled
    return compiled


# --- errors ------------------------------------------------------------------------------------

_NO_ATTR_RE = re.compile(r"^'(?P<owner>.+?)' has no attribute '(?P<attr>[^']*)'$")
_UNDEFINED_RE = re.compile(r"^'(?P<name>[^']*)' is undefined$")


def _expression_for(attr: str, source_line: str) -> str | None:
    """Find ``something.attr`` or ``something['attr']`` on the template line."""
    pattern = re.compile(
        r"([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)\s*(?:\.\s*"
        + re.escape(attr)
        + r"\b|\[\s*['\"]"
        + re.escape(attr)
        + r"['\"]\s*\])"
    )
    match = pattern.search(source_line)
    return f"{match.group(1)}.{attr}" if match else None


# Names people reach for, and the field that holds it.
FIELD_ALIASES = {
    "company": "org",
    "organisation": "org",
    "organization": "org",
    "employer": "org",
    "position": "title",
    "job_title": "title",
    "role": "title",
    "surname": "last_name",
    "lastname": "last_name",
    "firstname": "first_name",
    "given_name": "first_name",
    "fullname": "name",
    "full_name": "name",
    "tz": "timezone",
    "time_zone": "timezone",
    "linkedin": "linkedin_url",
    "note": "notes",
    "tag": "tags",
    "mail": "email",
    "email_address": "email",
}


def suggest_field(name: str, candidates: Iterable[str]) -> str | None:
    """The field ``name`` was probably meant to be ("compnay" -> "org", "tittle" -> "title"),
    among ``candidates`` and the usual aliases; None when nothing is close."""
    import difflib

    names = [c for c in dict.fromkeys(candidates) if c != name]
    if name.casefold() in FIELD_ALIASES:
        return FIELD_ALIASES[name.casefold()]
    pool = names + [alias for alias in FIELD_ALIASES if alias != name]
    close = difflib.get_close_matches(name.casefold(), pool, n=1, cutoff=0.75)
    if not close:
        return None
    return FIELD_ALIASES.get(close[0], close[0])


def _explain_undefined(
    message: str, source_line: str, contact_keys: Iterable[str] = ()
) -> tuple[str, str]:
    """A clearer message and a hint for an undefined-variable error."""
    generic_hint = (
        "Check the variable name. Templates see: " + ", ".join(VARIABLES) + ". Use "
        "{{ value | default('') }} for a value that may be missing."
    )
    match = _NO_ATTR_RE.match(message)
    if match is None:
        top = _UNDEFINED_RE.match(message)
        if top is not None:
            return f"unknown variable {top.group('name')!r}", generic_hint
        return message, generic_hint
    attr, owner = match.group("attr"), match.group("owner")
    expr = _expression_for(attr, source_line)
    root = expr.split(".", 1)[0] if expr else ""
    if owner == "None" and root in ("referrer", "meeting"):
        if root == "referrer":
            return (
                f"{expr} is used, but this contact has no referrer",
                "Use this template for contacts added with --referred-by, or wrap the line in "
                "{% if referrer %}...{% endif %}.",
            )
        return (
            f"{expr} is used, but this contact has no meeting",
            "Book or record the meeting first (outreach book / outreach met), or wrap the line "
            "in {% if meeting %}...{% endif %}.",
        )
    if root == "contact" and expr is not None:
        close = suggest_field(attr, contact_keys)
        if close is not None:
            return (
                f"no value for {expr}: did you mean contact.{close}?",
                f"Correct the field name, or write {{{{ {expr} | default('') }}}} if it is an "
                "optional column.",
            )
        return (
            f"no value for {expr}",
            f"Add a {attr!r} column to the contact (outreach contacts edit), or write "
            f"{{{{ {expr} | default('') }}}} in the template.",
        )
    if root == "user" and expr is not None:
        return (
            f"no value for {expr}",
            f'Add {attr} = "..." under [user] in config.toml, or write '
            f"{{{{ {expr} | default('') }}}} in the template.",
        )
    if expr is not None:
        return f"no value for {expr}", generic_hint
    return message, generic_hint


def _runtime_lineno(exc: BaseException, part: _Part) -> int | None:
    lineno = None
    for frame, frame_line in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == part.filename:
            lineno = frame_line
    return lineno


def _render_part(part: _Part, parsed: ParsedTemplate, variables: dict[str, Any], label: str) -> str:
    try:
        with limits.budget():
            return part.template.render(variables)
    except Exception as exc:  # user-authored template code: every failure becomes TemplateError
        lineno = _runtime_lineno(exc, part)
        if lineno is None and isinstance(exc, TemplateSyntaxError):
            lineno = exc.lineno
        source_line = part.source_line(lineno) if lineno else ""
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        if isinstance(exc, MissingValueError):
            detail, hint = str(exc), "Fill in the missing information, then try again."
        elif isinstance(exc, limits.LimitExceeded | MemoryError | RecursionError):
            detail = f"the template does too much: {message}"
            hint = (
                f"A message may be at most {limits.MAX_TEXT:,} characters, and a template may "
                f"run at most {limits.MAX_STEPS:,} loop iterations and calls; check the "
                "padding width or the loop on that line."
            )
        elif isinstance(exc, SecurityError):
            detail = f"blocked by the template sandbox: {message}"
            hint = "Templates can use variables, filters and tests, not Python internals."
        elif isinstance(exc, UndefinedError):
            contact = variables.get("contact")
            keys = list(contact) if isinstance(contact, Mapping) else []
            detail, hint = _explain_undefined(message, source_line, keys)
        elif isinstance(exc, JinjaError):
            detail, hint = message, _SYNTAX_HINT
        else:
            detail, hint = f"{type(exc).__name__}: {message}", _SYNTAX_HINT
        raise TemplateFileError(
            template=parsed.source,
            line=None if lineno is None else part.file_line(lineno),
            detail=detail,
            hint=hint,
            contact_label=label,
        ) from None


# --- output shaping ----------------------------------------------------------------------------

_BLANK_RUN_RE = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """Blank out whitespace-only lines, collapse blank runs, end with one newline."""
    lines = ["" if not line.strip() else line for line in text.split("\n")]
    result = _BLANK_RUN_RE.sub("\n\n", "\n".join(lines)).strip("\n")
    return result + "\n"


def _paragraphs(escaped: str) -> str:
    paragraphs = [p for p in escaped.strip("\n").split("\n\n") if p.strip()]
    inner = "\n".join("<p>" + "<br>\n".join(p.split("\n")) + "</p>" for p in paragraphs)
    return f"<html><body>\n{inner}\n</body></html>\n"


def text_to_html(text: str) -> str:
    """A plain-text body as simple HTML: escaped, paragraphs as <p>, line breaks as <br>."""
    return _paragraphs(html.escape(tidy(text), quote=False))


def one_line(text: str) -> str:
    """Collapse all whitespace (newlines included) to single spaces."""
    return " ".join(text.split())


# --- render ------------------------------------------------------------------------------------


def render(template: TemplateSource, context: RenderContext) -> RenderedMessage:
    """Render ``template`` for one contact; every failure is a TemplateError naming the file,
    the line and the contact."""
    label = context.contact_label
    try:
        compiled = compile_template(template)
    except TemplateFileError as exc:
        raise exc.for_contact(label) from None
    parsed = compiled.parsed
    variables = context.variables()
    subject = one_line(_render_part(compiled.subject, parsed, variables, label))
    if not subject:
        raise TemplateFileError(
            template=template,
            line=parsed.subject_line,
            detail="the subject is empty for this contact",
            hint="Make sure the Subject line has text that does not depend on empty fields.",
            contact_label=label,
        )
    text = tidy(_render_part(compiled.body, parsed, variables, label))
    html_text = None
    if compiled.html_body is not None:
        html_text = _paragraphs(tidy(_render_part(compiled.html_body, parsed, variables, label)))
    return RenderedMessage(
        subject=subject,
        text=text,
        html=html_text,
        template_name=template.name,
        kind=parsed.kind,
    )
