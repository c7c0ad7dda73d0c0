"""Resource limits for rendering a template: how much text it may build, how much work it may do.

A template is the user's own file, but it may come from anywhere (a shared folder, a forum
post), and one slip (padding to the wrong width, a loop over the wrong thing) must end in an
error that names the template and the line, not in a frozen terminal or 400 MB of memory.

Per rendered part (the subject, the body):

- **text**: no string the template builds may pass :data:`MAX_TEXT` characters, nor may the
  ``{{ }}`` values it writes, added up. Operations that can make a string far longer than
  their inputs (``center``, ``ljust``, ``indent``, ``wordwrap``, ``replace``, ``join``,
  ``format`` and ``%`` widths, repetition, ``batch``/``slice`` fill, ``lipsum``) are checked
  *before* they run; everything else (``~``, ``+``, filter and call results) is checked as it
  is produced, so no value grows past the limit by more than the sum of its (already limited)
  inputs. The output and every block or macro buffer, template text included, stop at twice
  the limit (a backstop: its error cannot name a line);
- **work**: loop iterations and calls together may not pass :data:`MAX_STEPS`;
- **numbers**: no integer may pass :data:`MAX_INT_BITS` bits.

A real message is a few thousand characters and loops over three slots or a few referrals, so
the limits are far above anything a template needs.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError

MAX_TEXT = 100_000
MAX_STEPS = 10_000
MAX_INT_BITS = 100_000


class LimitExceeded(SecurityError):
    """A template went past one of the limits."""


@dataclass
class _Budget:
    steps: int = 0
    output: int = 0  # characters written by {{ }} so far (macro output may count twice)


_budget: ContextVar[_Budget | None] = ContextVar("outreach_template_budget", default=None)


class budget:
    """The work budget of one rendered part."""

    def __enter__(self) -> _Budget:
        spent = _Budget()
        self._token = _budget.set(spent)
        return spent

    def __exit__(self, *exc: object) -> None:
        _budget.reset(self._token)


def step(count: int = 1) -> None:
    """Spend ``count`` steps of the current budget (outside a render: nothing)."""
    spent = _budget.get()
    if spent is None:
        return
    spent.steps += count
    if spent.steps > MAX_STEPS:
        raise LimitExceeded(
            f"the template ran more than {MAX_STEPS:,} loop iterations and calls for one "
            "message (a loop inside a loop over a large range?)"
        )


def _too_long(length: int, what: str = "the result") -> LimitExceeded:
    return LimitExceeded(
        f"{what} would be {length:,} characters long; a template may build at most "
        f"{MAX_TEXT:,}"
    )


def check_size(value: Any) -> Any:
    """Pass ``value`` through, refusing a string or list longer than the limit."""
    if isinstance(value, str | list | tuple) and len(value) > MAX_TEXT:
        raise _too_long(len(value))
    if isinstance(value, int) and not isinstance(value, bool):
        check_int(value)
    return value


def check_output(value: Any) -> Any:
    """Every ``{{ }}`` value: limited itself, and counted towards the whole output, so the
    error names the line that makes the message too long."""
    check_size(value)
    spent = _budget.get()
    if spent is not None and value is not None:
        spent.output += len(value) if isinstance(value, str) else len(str(value))
        if spent.output > MAX_TEXT:
            raise _too_long(spent.output, "the message")
    return value


def check_int(value: int) -> None:
    if value.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(f"a number with {value.bit_length():,} bits is too large")


def _width(value: Any, what: str) -> None:
    if isinstance(value, int) and value > MAX_TEXT:
        raise _too_long(value, what)


def concat(parts: Iterable[str]) -> str:
    """``"".join`` that stops as soon as the text passes twice the limit: the backstop for
    output and block or macro buffers (``{{ }}`` values are counted, with their line, by
    :func:`check_output`; this also counts the template's own text)."""
    kept: list[str] = []
    total = 0
    for part in parts:
        total += len(part)
        if total > 2 * MAX_TEXT:
            raise _too_long(total, "the text")
        kept.append(part)
    return "".join(kept)


class _Limited:
    """An iterable that spends one step per item; keeps ``len()`` when the source has one."""

    def __init__(self, source: Iterable[Any]) -> None:
        self.source = source

    def __iter__(self) -> Iterator[Any]:
        for item in self.source:
            step()
            yield item

    def __len__(self) -> int:
        return len(self.source)  # type: ignore[arg-type]


def limited_loop(value: Iterable[Any]) -> Iterable[Any]:
    """What every ``{% for %}`` loops over (see :class:`LimitedCodeGenerator`)."""
    return _Limited(value)


class LimitedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with every for-loop's iterable counted against the budget and
    every ``~`` result checked."""

    _loop_iterables: set[int] | None = None

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        if self._loop_iterables is None:
            self._loop_iterables = set()
        self._loop_iterables.add(id(node.iter))
        super().visit_For(node, frame)

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        if self._loop_iterables is not None and id(node) in self._loop_iterables:
            self._loop_iterables.discard(id(node))
            self.write("environment.limited_loop(")
            super().visit(node, *args, **kwargs)
            self.write(")")
            return None
        return super().visit(node, *args, **kwargs)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_value(")
        super().visit_Concat(node, frame)
        self.write(")")


# --- checks before an operation runs ---------------------------------------------------------

_PRINTF_RE = re.compile(r"%[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _printf(template: str, values: Any) -> None:
    """``'%400000000s' % x``: refuse widths and precisions past the limit."""
    stars = 0
    for width, precision in _PRINTF_RE.findall(template):
        for number in (width, precision):
            if number == "*":
                stars += 1
            elif number:
                _width(int(number), "a %-format width")
    if stars:
        args = values if isinstance(values, tuple) else (values,)
        for arg in args:
            _width(arg, "a %-format width")


def _format_spec(template: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """``'{:>400000000}'.format(x)``: refuse widths past the limit."""
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return  # str.format raises the same error itself
    for _literal, _name, spec, _conversion in fields:
        if not spec:
            continue
        if "{" in spec:  # a width given as an argument: check every number passed
            for value in (*args, *kwargs.values()):
                _width(value, "a format width")
        for number in re.findall(r"\d+", spec):
            _width(int(number), "a format width")


def _replace_length(text: str, old: str, new: str, count: int | None) -> int:
    hits = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * (len(new) - len(old))


def before_call(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse a str method or global call that would build a string past the limit."""
    target = getattr(obj, "__wrapped__", obj)
    owner = getattr(target, "__self__", None)
    name = getattr(target, "__name__", "")
    if isinstance(owner, str):
        if name in ("center", "ljust", "rjust", "zfill") and args:
            _width(args[0], f"str.{name}()")
        elif name == "expandtabs":
            size = args[0] if args else kwargs.get("tabsize", 8)
            if isinstance(size, int):
                length = len(owner) + owner.count("\t") * max(size, 0)
                if length > MAX_TEXT:
                    raise _too_long(length, "str.expandtabs()")
        elif name == "replace" and len(args) >= 2:
            old, new = str(args[0]), str(args[1])
            count = args[2] if len(args) > 2 and isinstance(args[2], int) else None
            length = _replace_length(owner, old, new, count)
            if length > MAX_TEXT:
                raise _too_long(length, "str.replace()")
        elif name in ("format", "format_map"):
            values = kwargs if name == "format" else (args[0] if args else {})
            _format_spec(owner, args if name == "format" else (), values)
    elif name == "generate_lorem_ipsum":
        count = args[0] if args else kwargs.get("n", 5)
        longest = args[3] if len(args) > 3 else kwargs.get("max", 100)
        if isinstance(count, int) and isinstance(longest, int) and count * longest * 12 > MAX_TEXT:
            raise _too_long(count * longest * 12, "lipsum()")


def join_length(items: list[Any], separator: str) -> int:
    return sum(len(str(item)) for item in items) + len(separator) * max(len(items) - 1, 0)


def before_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``*``, ``**`` and ``%`` that would build a value past the limits."""
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            if (
                isinstance(seq, str | list | tuple)
                and isinstance(count, int)
                and len(seq) * count > MAX_TEXT
            ):
                raise _too_long(len(seq) * count, "the repetition")
        both_ints = isinstance(left, int) and isinstance(right, int)
        if both_ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise LimitExceeded("the product is too large a number")
    elif operator == "**" and isinstance(left, int) and isinstance(right, int):
        if right > 0 and left.bit_length() * right > MAX_INT_BITS:
            raise LimitExceeded(f"{left} ** {right} is too large a number")
    elif operator == "%" and isinstance(left, str):
        _printf(left, right)


# --- filters ------------------------------------------------------------------------------


def _pre_center(value: Any, width: Any = 80, *_: Any, **__: Any) -> None:
    _width(width, "center()")


def _pre_indent(value: Any, width: Any = 4, *_: Any, **__: Any) -> None:
    text = str(value)
    pad = width if isinstance(width, int) else len(str(width))
    length = len(text) + (text.count("\n") + 1) * max(pad, 0)
    if length > MAX_TEXT:
        raise _too_long(length, "indent()")


def _pre_wordwrap(value: Any, width: Any = 79, *args: Any, **kwargs: Any) -> None:
    wrapstring = kwargs.get("wrapstring", args[1] if len(args) > 1 else None) or "\n"
    text = str(value)
    chunks = len(text) // max(width if isinstance(width, int) else 79, 1) + 1
    length = len(text) + chunks * len(str(wrapstring))
    if length > MAX_TEXT:
        raise _too_long(length, "wordwrap()")


def _pre_replace(value: Any, old: Any = "", new: Any = "", count: Any = None, **_: Any) -> None:
    length = _replace_length(str(value), str(old), str(new), count)
    if length > MAX_TEXT:
        raise _too_long(length, "replace()")


def _pre_format(value: Any, *args: Any, **kwargs: Any) -> None:
    _printf(str(value), kwargs or args)


def _pre_batch(value: Any, linecount: Any = 1, *_: Any, **__: Any) -> None:
    _width(linecount, "batch()")


def _pre_slice(value: Any, slices: Any = 1, *_: Any, **__: Any) -> None:
    _width(slices, "slice()")


_BEFORE: dict[str, Callable[..., None]] = {
    "center": _pre_center,
    "indent": _pre_indent,
    "wordwrap": _pre_wordwrap,
    "replace": _pre_replace,
    "format": _pre_format,
    "batch": _pre_batch,
    "slice": _pre_slice,
}


def _limited_join(original: Callable[..., Any], passes_arg: bool) -> Callable[..., Any]:
    @functools.wraps(original)
    def join(*args: Any, **kwargs: Any) -> Any:
        lead = 1 if passes_arg else 0
        value = args[lead]
        separator = kwargs.get("d", args[lead + 1] if len(args) > lead + 1 else "")
        if kwargs.get("attribute") is None and len(args) <= lead + 2:
            items = list(value)
            length = join_length(items, str(separator))
            if length > MAX_TEXT:
                raise _too_long(length, "join()")
            args = (*args[:lead], items, *args[lead + 1 :])
        return check_size(original(*args, **kwargs))

    return join


def limited_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """``original`` with its pre-check (if it can amplify) and a check of its result."""
    passes_arg = getattr(original, "jinja_pass_arg", None) is not None
    if name == "join":
        return _limited_join(original, passes_arg)
    before = _BEFORE.get(name)

    @functools.wraps(original)
    def limited(*args: Any, **kwargs: Any) -> Any:
        if before is not None:
            before(*args[1 if passes_arg else 0 :], **kwargs)
        return check_size(original(*args, **kwargs))

    return limited


def limit_filters(filters: dict[str, Callable[..., Any]]) -> None:
    """Wrap every filter of an environment in its limits."""
    for name, original in list(filters.items()):
        filters[name] = limited_filter(name, original)
