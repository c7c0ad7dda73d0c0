"""Rendering a template for one contact: the sandbox, compiling, and failures that name the line.

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

import itertools
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.exceptions import TemplateError as JinjaError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from outreach.compose import limits
from outreach.compose.context import (
    VARIABLES,
    RenderContext,
    RenderedMessage,
    meeting_vars,
    user_vars,
)
from outreach.compose.filters import (
    FILTERS,
    MissingValueError,
    bulleted,
    first_item,
    first_name,
    join_and,
    required,
)
from outreach.compose.render_errors import FIELD_ALIASES, explain_undefined, suggest_field
from outreach.compose.templates import (
    ParsedTemplate,
    TemplateFileError,
    TemplateSource,
    parse_template,
)
from outreach.compose.text import one_line, paragraphs, text_to_html, tidy

__all__ = [
    "FIELD_ALIASES",
    "FILTERS",
    "HTML_ENV",
    "TEXT_ENV",
    "VARIABLES",
    "CompiledTemplate",
    "MissingValueError",
    "RenderContext",
    "RenderedMessage",
    "bulleted",
    "compile_template",
    "first_item",
    "first_name",
    "join_and",
    "meeting_vars",
    "one_line",
    "render",
    "required",
    "suggest_field",
    "text_to_html",
    "tidy",
    "user_vars",
]

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
            detail, hint = explain_undefined(message, source_line, keys)
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
        html_text = paragraphs(tidy(_render_part(compiled.html_body, parsed, variables, label)))
    return RenderedMessage(
        subject=subject,
        text=text,
        html=html_text,
        template_name=template.name,
        kind=parsed.kind,
    )
