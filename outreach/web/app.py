"""Building the Starlette app: routes, templates, and the one way a handler reaches a service.

Each request gets a fresh AppContext on the workspace (so what the CLI changed shows on the next
load). Reads never wait for anyone; a handler that writes holds the workspace's writer lock for
that one call only (:meth:`AppContext.writing`), so CLI commands keep working beside the app.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from outreach.app import AppContext
from outreach.config import Workspace
from outreach.errors import OutreachError
from outreach.web.security import Gate, Secrets, csrf_ok

T = TypeVar("T")
Handler = Callable[[Request], Awaitable[Response]]
MAX_FLASHES = 200


@dataclass
class WebState:
    """What every handler shares: the workspace, this run's secrets, one-shot messages."""

    workspace: Workspace
    secrets: Secrets
    templates: Environment
    flashes: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    uploads: dict[str, tuple[Path, str]] = field(default_factory=dict)


def state_of(request: Request) -> WebState:
    state = request.app.state.web
    assert isinstance(state, WebState)
    return state


def _call(state: WebState, work: Callable[[AppContext], T], write: bool) -> T:
    app = AppContext(workspace=state.workspace, lock_mode="self", command="outreach ui")
    try:
        if write:
            _ = app.store  # opened first, so the first write of the day backs it up
            with app.writing():
                return work(app)
        return work(app)
    finally:
        app.close()


async def read(request: Request, work: Callable[[AppContext], T]) -> T:
    """Run ``work`` (one service call) on a fresh AppContext, without the writer lock."""
    return await run_in_threadpool(_call, state_of(request), work, False)


async def write(request: Request, work: Callable[[AppContext], T]) -> T:
    """Run ``work`` (one service call) holding the workspace's writer lock for it alone."""
    return await run_in_threadpool(_call, state_of(request), work, True)


def page(request: Request, template_file: str, status: int = 200, **values: Any) -> HTMLResponse:
    state = state_of(request)
    flash = state.flashes.pop(request.query_params.get("flash", ""), None)
    html = state.templates.get_template(template_file).render(
        request=request,
        csrf=state.secrets.csrf,
        flash=flash,
        path=request.url.path,
        **values,
    )
    return HTMLResponse(html, status_code=status)


def done(request: Request, target: str, message: str, kind: str = "ok", hint: str = "") -> Response:
    """After a change: show ``target`` with ``message`` once (post, redirect, get)."""
    state = state_of(request)
    if len(state.flashes) > MAX_FLASHES:
        state.flashes.clear()
    key = secrets.token_urlsafe(8)
    state.flashes[key] = (kind, message, hint)
    target, hash_mark, fragment = target.partition("#")
    joiner = "&" if "?" in target else "?"
    return RedirectResponse(
        f"{target}{joiner}flash={key}{hash_mark}{fragment}", status_code=303
    )


def back_to(form: FormData, default: str) -> str:
    """Where the form asked to go back to: a local path only."""
    target = form.get("back")
    if isinstance(target, str) and target.startswith("/") and target[1:2] not in ("/", "\\"):
        return target
    return default


def action(handler: Callable[[Request, FormData], Awaitable[Response]]) -> Handler:
    """A POST handler: the CSRF token first (403 and nothing done without it), then the
    handler; an OutreachError is shown on the page it came from, as the CLI words it."""

    async def guarded(request: Request) -> Response:
        state = state_of(request)
        form = await request.form(max_part_size=20 * 1024 * 1024)
        if not csrf_ok(state.secrets, form.get("csrf"), request.headers.get("x-csrf-token")):
            return Response("Forbidden: a missing or stale form token; reload the page.\n",
                            status_code=403, media_type="text/plain")
        try:
            return await handler(request, form)
        except OutreachError as exc:
            return done(request, back_to(form, "/"), exc.message, "error", exc.hint or "")

    guarded.csrf_checked = True  # type: ignore[attr-defined]
    return guarded


def link(path: str, **query: object) -> str:
    """A local address: the path quoted (a contact's address in it), then the query."""
    parts = [f"{k}={quote(str(v), safe='@')}" for k, v in query.items() if v not in (None, "")]
    return quote(path, safe="/@") + ("?" + "&".join(parts) if parts else "")


def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("outreach.web", "templates"),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["link"] = link
    return env


def create_app(workspace: Workspace, secrets_: Secrets) -> Starlette:
    """The whole app behind its gate (:mod:`outreach.web.security`)."""
    from outreach.web.actions import ACTION_ROUTES
    from outreach.web.pages import PAGE_ROUTES

    routes: list[BaseRoute] = [
        *PAGE_ROUTES,
        *[Route(path, action(handler), methods=["POST"]) for path, handler in ACTION_ROUTES],
        Mount("/static", app=StaticFiles(packages=[("outreach.web", "static")]), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Gate, secrets_=secrets_)],
        exception_handlers={Exception: _unexpected},
    )
    app.state.web = WebState(workspace, secrets_, _templates())
    return app


async def _unexpected(request: Request, exc: Exception) -> Response:
    """Anything else, said as the CLI says it (database trouble named), never a traceback."""
    from outreach.services.workspace.trouble import name_trouble

    if isinstance(exc, OutreachError):
        return error_page(request, exc, "Error")
    workspace = state_of(request).workspace
    named = name_trouble(exc, workspace)
    if named is not None:
        return error_page(request, named, "Error")
    return page(
        request,
        "error.html",
        status=500,
        title="Unexpected error",
        message=f"Unexpected error: {type(exc).__name__}: {exc}",
        hint="This is a bug in outreach. Work saved before the error is kept, and the database "
        "never keeps half a step. Run the same step with `outreach --verbose ...` in a terminal "
        "to see the details, and report them.",
    )


def error_page(request: Request, exc: OutreachError, title: str) -> HTMLResponse:
    """A page that could not be built, with the CLI's message and hint (never a traceback)."""
    return page(request, "error.html", status=400, title=title, message=exc.message,
                hint=exc.hint or "")
