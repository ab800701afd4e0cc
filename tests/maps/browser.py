"""Map pages in Debian's Chromium, driven by Playwright, served from a local server, with
every request that would leave localhost blocked and counted.

``python -m tests.maps.browser`` rewrites the README's picture, docs/map_validation.png.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from maps import static_dir

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-quic"]
VIEWPORT = {"width": 1280, "height": 800}
STATIC_URL = "/static/maps"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass


@dataclass
class Site:
    """A folder served on 127.0.0.1, with sijie's map assets at ``/static/maps``."""

    root: Path
    base: str

    def publish(self, name: str, page: str) -> str:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
        return f"{self.base}/{name}"


@contextmanager
def serve(root: Path) -> Iterator[Site]:
    """Serve ``root`` on a free localhost port while the block runs."""
    shutil.copytree(static_dir(), root / STATIC_URL.strip("/"), dirs_exist_ok=True)
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(root, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless, with a fresh profile (Playwright's own browsers unused)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make test`, which installs Debian's "
                           "chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class MapPage:
    """An open map page and what happened while it loaded."""

    page: object
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def layer_ids(self) -> list[str]:
        return self.page.evaluate("Object.keys(sijie.layers)")

    def feature_count(self, layer_id: str) -> int:
        return self.page.evaluate(
            "id => sijie.layers[id].sijieFeatures.getLayers().length", layer_id)


def open_map(browser, url: str, **context_options) -> MapPage:
    """Open ``url`` in a new context (Playwright's options, e.g. ``viewport``); requests off
    localhost are aborted and recorded."""
    context = browser.new_context(**{"viewport": VIEWPORT, **context_options})
    page = context.new_page()
    opened = MapPage(page)
    page.on("console", lambda msg: msg.type == "error" and opened.errors.append(msg.text))
    page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
    page.on("requestfailed", lambda req: opened.failed.append(req.url))
    page.on("response", lambda res: res.status >= 400 and opened.failed.append(res.url))

    def on_dialog(dialog) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    def route(request_route) -> None:
        url_ = request_route.request.url
        opened.requested.append(url_)
        if urlsplit(url_).hostname in ("127.0.0.1", "localhost"):
            request_route.continue_()
        else:
            opened.external.append(url_)
            request_route.abort()

    context.route("**/*", route)
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.sijie && window.sijie.map && "
                           "document.querySelector('.leaflet-container')")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return opened


def _readme_picture(out: Path) -> None:
    """The validation map of the off-road-edge proposal, with a finding's popup open."""
    import tempfile

    from geo.io import read_context
    from geo.rules import load_rules
    from geo.validate import validate
    from maps import page_html, validation_map
    from tests.maps.conftest import DEMO, demo_proposal

    ctx = read_context(DEMO / "context.gpkg", load_rules(None))
    proposal = demo_proposal("flaw_b3_offroad_edge")
    page = page_html(validation_map(validate(proposal, ctx), proposal, ctx),
                     static_url=STATIC_URL)
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp)) as site, chromium() as browser:
        opened = open_map(browser, site.publish("validation.html", page))
        opened.page.click(".sijie-panel-item[data-key=f2]")
        opened.page.wait_for_selector(".leaflet-popup-content")
        opened.page.evaluate("sijie.map.setZoom(15, {animate: false})")
        opened.page.screenshot(path=str(out))


if __name__ == "__main__":
    _readme_picture(Path(__file__).resolve().parents[2] / "docs" / "map_validation.png")
