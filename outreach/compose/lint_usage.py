"""Static analysis of a template: the variables, filters and tests it uses, and which reads are
guarded (``default``, ``is defined``, tested with ``if``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from jinja2 import meta, nodes

from outreach.compose.render import TEXT_ENV

GUARD_FILTERS = frozenset({"default", "d"})
GUARD_TESTS = frozenset({"defined", "undefined"})


@dataclass
class Usage:
    paths: set[str]  # "slots", "meeting.notes", "contact.org", ...
    unguarded: list[tuple[str, int]]  # (path, part line) for field reads without default
    filters: list[tuple[str, int]]
    tests: list[tuple[str, int]]
    guarded: list[tuple[str, int]] = field(default_factory=list)  # reads under default/if
    undeclared: set[str] = field(default_factory=set)  # top-level names never defined


def path_of(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = path_of(node.node)
        return None if base is None else f"{base}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        base = path_of(node.node)
        if base is not None and isinstance(node.arg.value, str):
            return f"{base}.{node.arg.value}"
    return None


def walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from walk(child)


def paths_in(node: nodes.Node) -> set[str]:
    return {path for child in walk(node) if (path := path_of(child)) is not None}


def truth_tested(node: nodes.Node) -> frozenset[str]:
    """Fields a condition only tests for truth (``if contact.x``, ``if a and not b``): a
    missing one is simply false there, so reading it in the test cannot fail."""
    if isinstance(node, nodes.Not):
        return truth_tested(node.node)
    if isinstance(node, nodes.And | nodes.Or):
        return truth_tested(node.left) | truth_tested(node.right)
    path = path_of(node)
    return frozenset() if path is None else frozenset({path})


def template_usage(source: str) -> Usage:
    """Which variables, filters and tests a template part uses.

    A field read counts as guarded (not reported as possibly missing) when it is the operand of
    ``default`` or ``is defined``, or sits in the branch of an ``if`` whose test reads it.
    """
    tree = TEXT_ENV.parse(source)
    usage = Usage(set(), [], [], [])

    def visit(node: nodes.Node, guarded: frozenset[str]) -> None:
        if isinstance(node, nodes.Filter):
            usage.filters.append((node.name, node.lineno))
            if node.name in GUARD_FILTERS and node.node is not None:
                guarded = guarded | {p for p in [path_of(node.node)] if p}
        if isinstance(node, nodes.Test):
            usage.tests.append((node.name, node.lineno))
            if node.name in GUARD_TESTS:
                guarded = guarded | {p for p in [path_of(node.node)] if p}
        if isinstance(node, nodes.Name) and node.ctx == "load":
            usage.paths.add(node.name)
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            path = path_of(node)
            if path is not None:
                usage.paths.add(path)
                if path.count(".") == 1 and isinstance(node.node, nodes.Name):
                    target = usage.guarded if path in guarded else usage.unguarded
                    target.append((path, node.lineno))
        if isinstance(node, nodes.If | nodes.CondExpr):
            test = node.test
            visit(test, guarded | truth_tested(test))
            inside = guarded | paths_in(test)
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
