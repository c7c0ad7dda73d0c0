"""The pages (GET): each reads through one service and renders what it returns."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from outreach.app import AppContext
from outreach.errors import OutreachError
from outreach.web.app import error_page, page, read, state_of
from outreach.web.charts import bar_chart, referral_svg, week_grid
from outreach.web.due_buttons import buttons_for
from outreach.web.security import CALENDAR_PATH

NAV = [
    ("/", "Today"),
    ("/pipeline", "Pipeline"),
    ("/meetings", "Meetings"),
    ("/network", "Network"),
    ("/works", "What works"),
    ("/import", "Import"),
    ("/settings", "Settings"),
]


def _text(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value or None


async def today(request: Request) -> Response:
    from outreach.services.reporting.today import today_page

    try:
        view = await read(request, today_page)
    except OutreachError as exc:
        return error_page(request, exc, "Today")
    rows = [(entry, buttons_for(entry)) for entry in view.items]
    return page(request, "today.html", title="Today", nav=NAV, rows=rows, queued=view.queued,
                notes=view.notes, calendar=calendar_link(request))


def calendar_link(request: Request) -> str:
    """The due calendar's address, with its read-only token (what a calendar app keeps)."""
    secrets_ = state_of(request).secrets
    return f"{secrets_.origin}{CALENDAR_PATH}?calendar={secrets_.calendar}"


async def due_ics(request: Request) -> Response:
    """`outreach due --ics` as a feed: the same events, as text/calendar."""
    from outreach.services.reporting.due_calendar import due_calendar_now

    data = await read(request, due_calendar_now)
    return Response(data, media_type="text/calendar; charset=utf-8",
                    headers={"content-disposition": 'inline; filename="outreach-due.ics"'})


async def pipeline(request: Request) -> Response:
    from outreach.services.contacts.board import board

    tag, source, search = _text(request, "tag"), _text(request, "source"), _text(request, "q")
    try:
        view = await read(request, lambda app: board(app, tag=tag, source=source, search=search))
    except OutreachError as exc:
        return error_page(request, exc, "Pipeline")
    template = "board.html" if request.headers.get("hx-target") == "board" else "pipeline.html"
    return page(request, template, title="Pipeline", nav=NAV, view=view, tag=tag or "",
                source=source or "", q=search or "")


async def contact(request: Request) -> Response:
    from outreach.services.contacts.board import contact_page

    ref = request.path_params["ref"]
    try:
        view = await read(request, lambda app: contact_page(app, ref))
    except OutreachError as exc:
        return error_page(request, exc, "Contact")
    windowed = await read(request, _windowed_kinds)
    return page(request, "contact.html", title=view.detail["name"], nav=NAV, view=view,
                ref=ref, d=view.detail, windowed=windowed)


def _windowed_kinds(app: AppContext) -> frozenset[str]:
    """The kinds `send` would queue for the recipient's morning (none without a window)."""
    from outreach.schedule.delivery import WINDOWED_KINDS

    return WINDOWED_KINDS if app.config.mail.delivery_window is not None else frozenset()


async def compose(request: Request) -> Response:
    from outreach.services.drafting.compose import compose_view

    template = _text(request, "template") or "outreach"
    ref = _text(request, "contact")
    if ref is None:
        return error_page(request, OutreachError("Choose a contact to write to.",
                          hint="Open a contact from the Pipeline, then Compose."), "Compose")
    try:
        view = await read(request, lambda app: compose_view(app, template, ref))
    except OutreachError as exc:
        return error_page(request, exc, "Compose")
    return page(request, "compose.html", title="Compose", nav=NAV, view=view,
                template=template, ref=ref, text=view.preview.rendered.text)


async def meetings(request: Request) -> Response:
    from outreach.services.meetings.week import week_view

    wanted = _text(request, "week")
    try:
        day = date.fromisoformat(wanted) if wanted else None
    except ValueError:
        day = None
    try:
        view = await read(request, lambda app: week_view(app, day))
    except OutreachError as exc:
        return error_page(request, exc, "Meetings")
    return page(request, "meetings.html", title="Meetings", nav=NAV, view=view,
                grid=week_grid(view))


async def network(request: Request) -> Response:
    from outreach.services.meetings.meetings_log import referral_tree

    roots = await read(request, lambda app: referral_tree(app.store))
    return page(request, "network.html", title="Network", nav=NAV, roots=roots,
                svg=referral_svg(roots))


async def works(request: Request) -> Response:
    from outreach.services.reporting.summary import status_report

    report = await read(request, lambda app: status_report(app.store))
    charts = [
        bar_chart("Reply rate by template",
                  [(t["template"], t["reply_rate"], f"{t['replied']} of {t['sent']}")
                   for t in report["templates"]], percent=True),
        bar_chart("Reply rate by source",
                  [(g["group"], g["reply_rate"] or 0.0, f"{g['replied']} of {g['contacted']}")
                   for g in report["by_source"] if g["contacted"]], percent=True),
        bar_chart("Reply rate by tag",
                  [(g["group"], g["reply_rate"] or 0.0, f"{g['replied']} of {g['contacted']}")
                   for g in report["by_tag"] if g["contacted"]], percent=True),
        bar_chart("Median days from first message to a meeting, by source",
                  [(g["group"], float(g["median_days_to_meeting"]),
                    f"{g['median_days_to_meeting']} days")
                   for g in report["by_source"] if g["median_days_to_meeting"] is not None]),
    ]
    return page(request, "works.html", title="What works", nav=NAV, report=report,
                charts=charts)


async def import_form(request: Request) -> Response:
    return page(request, "import.html", title="Import", nav=NAV, preview=None)


async def settings(request: Request) -> Response:
    from outreach.services.workspace.settings import settings_view

    try:
        view = await read(request, settings_view)
    except OutreachError as exc:
        return error_page(request, exc, "Settings")
    return page(request, "settings.html", title="Settings", nav=NAV, view=view)


PAGE_ROUTES = [
    Route("/", today),
    Route(CALENDAR_PATH, due_ics),
    Route("/pipeline", pipeline),
    Route("/contact/{ref}", contact),
    Route("/compose", compose),
    Route("/meetings", meetings),
    Route("/network", network),
    Route("/works", works),
    Route("/import", import_form),
    Route("/settings", settings),
]
