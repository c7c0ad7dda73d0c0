"""Serving the app on 127.0.0.1 only: a socket bound first (a free port unless one is asked
for), the address with its token printed first, the browser opened, Ctrl-C stops cleanly."""

from __future__ import annotations

import socket
import threading
import webbrowser
from collections.abc import Callable

import uvicorn

from outreach.config import Workspace
from outreach.errors import OutreachError
from outreach.web.app import create_app
from outreach.web.security import Secrets

LOOPBACK = "127.0.0.1"


def bind(port: int, host: str = LOOPBACK) -> socket.socket:
    """A listening socket on the loopback address (refusing any other)."""
    if host != LOOPBACK:
        raise OutreachError(
            f"outreach ui listens on {LOOPBACK} only, not {host!r}.",
            hint="Open it on this computer; it serves your mailbox and must not be reachable "
            "from the network.",
        )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OutreachError(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}.",
            hint="Leave out --port to take a free port, or choose another.",
        ) from None
    sock.listen(64)
    return sock


def make_server(workspace: Workspace, sock: socket.socket) -> tuple[uvicorn.Server, Secrets]:
    secrets_ = Secrets(port=sock.getsockname()[1])
    app = create_app(workspace, secrets_)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            server_header=False, date_header=False)
    return uvicorn.Server(config), secrets_


def serve(
    workspace: Workspace,
    *,
    port: int = 0,
    open_browser: bool = True,
    say: Callable[[str], None] = print,
) -> None:
    """Run until Ctrl-C (uvicorn turns SIGINT into a clean shutdown)."""
    sock = bind(port)
    server, secrets_ = make_server(workspace, sock)
    say(secrets_.url)
    say("Serving your workspace on this computer only; press Ctrl-C to stop.")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(secrets_.url,)).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
