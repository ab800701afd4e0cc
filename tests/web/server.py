"""The service on a free localhost port (uvicorn in a thread) and Chromium pages on it whose
requests off localhost are aborted and counted, with console errors recorded."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn

from api.app import create_app
from tests.api.conftest import make_settings

PAGE_TIMEOUT_MS = 20_000
LOCAL = ("127.0.0.1", "localhost")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_service(folder: Path) -> Iterator[str]:
    """A service with the demo town and users on a new GeoPackage in ``folder``; its URL."""
    settings = make_settings(f"gpkg:///{folder}/sijie.gpkg", folder / "uploads")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Watched:
    """A browser page and what went wrong on it: console errors and requests off localhost."""

    page: object
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def watched_page(context) -> Watched:
    """A new page of ``context`` whose errors and off-localhost requests are recorded (and
    those requests aborted)."""
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    watched = Watched(page)
    page.on("console", lambda m: m.type == "error" and watched.errors.append(m.text))
    page.on("pageerror", lambda exc: watched.errors.append(str(exc)))
    page.on("response", lambda r: r.status >= 500 and watched.failed.append(r.url))

    block_outside(page, watched)
    return watched


def block_outside(target, watched: Watched) -> None:
    """Abort and record in ``watched`` every request of ``target`` (a page, or a context: its
    pages and service workers) that would leave localhost."""
    def route(request_route) -> None:
        url = urlsplit(request_route.request.url)
        # blob: and data: URLs are made in the page (Redoc's worker), not fetched from anywhere
        if url.scheme in ("blob", "data") or url.hostname in LOCAL:
            request_route.continue_()
        else:
            watched.external.append(request_route.request.url)
            request_route.abort()

    target.route("**/*", route)
