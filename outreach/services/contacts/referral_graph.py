"""The referral tree as a diagram: Mermaid (for notes apps that draw it) or Graphviz DOT.

Pure: referral trees (:func:`outreach.services.meetings.meetings_log.referral_tree`) in, text out.
Every contact is one node, named by id (``c12``) so names need no quoting rules beyond the
label's; labels give the name and the stage.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from outreach.services.meetings.meetings_log import ReferralNode

__all__ = ["FORMATS", "dot", "mermaid"]

FORMATS = ("tree", "mermaid", "dot")


def _edges(roots: Sequence[ReferralNode]) -> Iterator[tuple[ReferralNode, ReferralNode | None]]:
    """(node, its referrer) for every node, depth first."""

    def walk(node: ReferralNode, parent: ReferralNode | None) -> Iterator[
        tuple[ReferralNode, ReferralNode | None]
    ]:
        yield node, parent
        for child in node.children:
            yield from walk(child, node)

    for root in roots:
        yield from walk(root, None)


def _mermaid_label(node: ReferralNode) -> str:
    text = " ".join(f"{node.contact.name} ({node.stage.value})".split())
    # Mermaid's entity codes keep quotes and brackets from ending the label ("#" first).
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text


def mermaid(roots: Sequence[ReferralNode]) -> str:
    """``flowchart LR`` with one node per contact and an arrow from referrer to referral."""
    lines = ["flowchart LR"]
    for node, parent in _edges(roots):
        name = f"c{node.contact.id}"
        lines.append(f'  {name}["{_mermaid_label(node)}"]')
        if parent is not None:
            lines.append(f"  c{parent.contact.id} --> {name}")
    return "\n".join(lines) + "\n"


def _dot_label(node: ReferralNode) -> str:
    name = " ".join(node.contact.name.split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{name}\\n({node.stage.value})"'


def dot(roots: Sequence[ReferralNode]) -> str:
    """A Graphviz digraph: ``dot -Tsvg referrals.dot -o referrals.svg`` draws it."""
    lines = [
        "digraph referrals {",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
    ]
    for node, parent in _edges(roots):
        lines.append(f"  c{node.contact.id} [label={_dot_label(node)}];")
        if parent is not None:
            lines.append(f"  c{parent.contact.id} -> c{node.contact.id};")
    lines.append("}")
    return "\n".join(lines) + "\n"
