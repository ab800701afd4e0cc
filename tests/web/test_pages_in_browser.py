"""Every page in Chromium with requests off localhost blocked: no console error, no request
leaving localhost; axe-core (shipped with sijie) finds no serious or critical accessibility
violation on the five main pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.server import watched_page
from tests.web.workspace import VIEWPORT, open_editor, sign_in

AXE = Path(__file__).resolve().parents[2] / "maps" / "static" / "axe-core" / "axe.min.js"
PUBLIC_PAGES = ["/", "/?lang=en", "/conformance?f=html", "/collections?f=html",
                "/collections/roads?f=html", "/collections/roads/items?f=html&limit=20",
                "/collections/neighbours/items?f=html", "/api", "/api/redoc", "/login"]
MAIN_PAGES = ["/", "/collections?f=html", "/login", "/workspace", "/workspace/proposals/new"]


def _axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_load_without_errors_or_outside_requests(service, browser, path):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    watched = watched_page(context)
    watched.page.goto(service + path, wait_until="networkidle")
    if path.startswith("/collections/") and "items" in path:
        watched.page.wait_for_function("window.sijiePreview && "
                                       "window.sijiePreview.layer.getLayers().length > 0")
    if path == "/api":
        watched.page.wait_for_selector(".swagger-ui .opblock")
    if path == "/api/redoc":
        watched.page.wait_for_selector("[role=navigation], .menu-content", state="attached")
    assert watched.errors == [], watched.errors
    assert watched.external == [], watched.external
    context.close()


def test_workspace_pages_load_without_errors_or_outside_requests(service, browser):
    watched = sign_in(browser, service)
    page = watched.page
    page.wait_for_function("window.sijieDashboard && window.sijieDashboard.ready")
    open_editor(watched, service)
    created = page.evaluate("""() => window.sijieApi.request('GET', '/proposals')""")
    if created["features"]:
        open_editor(watched, service, created["features"][0]["id"])
    assert watched.errors == [] and watched.external == []


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_main_pages_have_no_serious_accessibility_violations(service, browser, path):
    watched = sign_in(browser, service)
    page = watched.page
    if path.startswith("/workspace/proposals"):
        open_editor(watched, service)
    else:
        page.goto(service + path, wait_until="networkidle")
        if path == "/workspace":
            page.wait_for_function("window.sijieDashboard && window.sijieDashboard.ready")
    assert _axe(page) == []
