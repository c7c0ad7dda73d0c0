"""Server-side SVG: bar charts, the referral tree and the week grid. Drawing only: the numbers
and the tree come from services (status_report, referral_tree, week_view)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from outreach.services.meetings.meetings_log import ReferralNode
from outreach.services.meetings.week import WeekView

BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, CHART_WIDTH = 22, 8, 160, 560
STAGE_FILL = {
    "new": "#e2e8f0", "drafted": "#fde68a", "sent": "#bfdbfe", "replied": "#a7f3d0",
    "scheduled": "#c7d2fe", "met": "#6ee7b7", "thanked": "#34d399", "bounced": "#fecaca",
    "closed": "#d1d5db",
}


@dataclass(frozen=True)
class Chart:
    title: str
    svg: Markup
    rows: list[tuple[str, str]]  # (label, value as text): the same numbers as a table


def bar_chart(
    title: str, data: Sequence[tuple[str, float, str]], *, percent: bool = False
) -> Chart:
    """Horizontal bars, each labelled with its value in words (readable without colour)."""
    top = max((value for _, value, _ in data), default=0.0)
    scale = 1.0 if percent else (top or 1.0)
    width = CHART_WIDTH - LABEL_WIDTH - 120
    height = max(1, len(data)) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">'
    ]
    rows = []
    for n, (label, value, words) in enumerate(data):
        y = BAR_GAP + n * (BAR_HEIGHT + BAR_GAP)
        bar = max(2.0, width * min(value / scale, 1.0))
        shown = f"{value:.0%}" if percent else words
        text = f"{shown} ({words})" if percent else shown
        rows.append((label, text))
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" class="label">'
            f"{escape(label[:24])}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar:.1f}" height="{BAR_HEIGHT}" '
            f'class="bar"/>'
            f'<text x="{LABEL_WIDTH + bar + 6:.1f}" y="{y + 16}" class="value">'
            f"{escape(text)}</text>"
        )
    if not data:
        parts.append('<text x="8" y="20" class="label">Nothing to show yet.</text>')
    parts.append("</svg>")
    svg = Markup("".join(parts))  # noqa: S704 - every value above is escaped
    return Chart(title, svg, rows)


def referral_svg(roots: Sequence[ReferralNode]) -> Markup:
    """The referral forest left to right: each person a box, a line to whom they referred."""
    placed: list[tuple[ReferralNode, int, int]] = []
    edges: list[tuple[int, int, int, int]] = []
    row = 0

    def lay(node: ReferralNode, depth: int) -> int:
        nonlocal row
        if not node.children:
            y = row
            row += 1
        else:
            ys = [lay(child, depth + 1) for child in node.children]
            y = (ys[0] + ys[-1]) // 2 if len(ys) > 1 else ys[0]
            for child_y in ys:
                edges.append((depth, y, depth + 1, child_y))
        placed.append((node, depth, y))
        return y

    for root in roots:
        lay(root, 0)
        row += 1
    if not placed:
        return Markup("")
    box_w, box_h, step_x, step_y = 200, 40, 240, 52
    width = (max(d for _, d, _ in placed) + 1) * step_x
    height = row * step_y
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="group" aria-label="Referral tree: who referred whom" class="network">'
    ]
    for x1, y1, x2, y2 in edges:
        parts.append(
            f'<line x1="{x1 * step_x + box_w}" y1="{y1 * step_y + box_h // 2 + 4}" '
            f'x2="{x2 * step_x}" y2="{y2 * step_y + box_h // 2 + 4}" class="edge"/>'
        )
    for node, depth, y in placed:
        ref = node.contact.email or str(node.contact.id)
        fill = STAGE_FILL.get(node.stage.value, "#e2e8f0")
        parts.append(
            f'<a href="/contact/{escape(ref)}"><g>'
            f'<rect x="{depth * step_x}" y="{y * step_y + 4}" width="{box_w}" height="{box_h}" '
            f'rx="6" fill="{fill}" class="node"/>'
            f'<text x="{depth * step_x + 8}" y="{y * step_y + 21}" class="name">'
            f"{escape(node.contact.name[:26])}</text>"
            f'<text x="{depth * step_x + 8}" y="{y * step_y + 37}" class="stage">'
            f"{escape(node.stage.value)}</text></g></a>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value above is escaped


def week_grid(view: WeekView) -> Markup:
    """Seven day columns, hours down the side; offered, booked and busy spans as blocks."""
    hour_h, day_w, left, top = 44, 150, 48, 28
    hours = view.last_hour - view.first_hour
    width, height = left + 7 * day_w, top + hours * hour_h + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Week of {view.monday.isoformat()}: offered, booked and busy times" '
        f'class="week">'
    ]
    for n, day in enumerate(view.days):
        x = left + n * day_w
        parts.append(
            f'<text x="{x + 6}" y="18" class="day">{day.strftime("%a %d %b")}</text>'
            f'<line x1="{x}" y1="{top}" x2="{x}" y2="{height}" class="rule"/>'
        )
    for h in range(hours + 1):
        y = top + h * hour_h
        parts.append(
            f'<text x="4" y="{y + 4}" class="hour">{view.first_hour + h:02d}:00</text>'
            f'<line x1="{left}" y1="{y}" x2="{width}" y2="{y}" class="rule"/>'
        )
    for block in view.blocks:
        column = (block.day - view.monday).days
        x = left + column * day_w + (4 if block.kind == "busy" else 10)
        y0 = top + (block.start_minute / 60 - view.first_hour) * hour_h
        y1 = top + (block.end_minute / 60 - view.first_hour) * hour_h
        label = escape(block.label)
        parts.append(
            f'<g class="{block.kind}"><title>{label}</title>'
            f'<rect x="{x}" y="{y0:.1f}" width="{day_w - 14}" height="{max(8.0, y1 - y0):.1f}" '
            f'rx="3"/>'
            f'<text x="{x + 4}" y="{y0 + 12:.1f}">{escape(block.kind)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value above is escaped
