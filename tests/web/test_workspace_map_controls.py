"""The service's other Leaflet pages carry the same map controls (sijie/controls.js): the town
dashboard, the editor and the OGC API map preview, in Chromium with the internet blocked, at a
phone's width; the editor offers only base maps in the data's own datum, so a boundary drawn
over one is never stored shifted."""

from __future__ import annotations

import pytest

from tests.maps.checks import PHONE, room_for_the_map
from tests.web.server import watched_page
from tests.web.workspace import PASSWORD


def _signed_in(browser, base: str):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    watched = watched_page(context)
    page = watched.page
    page.goto(f"{base}/login")
    page.fill("#username", "gis")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workspace")
    return watched


def _controls(page) -> dict:
    return page.evaluate("""() => ({
        basemaps: [...document.querySelectorAll('.leaflet-control-layers-base label')]
                  .map(l => l.textContent.trim()),
        tools: [...document.querySelectorAll('.sijie-tools button')].map(b => b.textContent),
        scale: !!document.querySelector('.leaflet-control-scale-line'),
        north: !!document.querySelector('.sijie-north'),
        scrollWidth: document.documentElement.scrollWidth, width: innerWidth})""")


@pytest.mark.parametrize("where", ["dashboard", "editor"])
def test_workspace_maps_have_the_controls_at_phone_width(service, browser, where):
    watched = _signed_in(browser, service)
    page = watched.page
    if where == "editor":
        page.goto(f"{service}/workspace/proposals/new")
    page.wait_for_selector(".sijie-tools")
    got = _controls(page)
    assert got["tools"] == ["测距离", "测面积", "清除测量", "定位我的位置"]
    assert got["scale"] and got["north"] and got["scrollWidth"] <= got["width"]
    got = _controls(page)
    expected = ["素色底图", "天地图矢量", "天地图影像", "高德地图（GCJ-02）", "OpenStreetMap"]
    if where == "editor":  # drawing over GCJ-02 tiles would store shifted coordinates
        expected.remove("高德地图（GCJ-02）")
    assert got["basemaps"] == expected
    assert watched.errors == [] and watched.external == []
    page.context.close()


def test_the_map_preview_of_items_has_the_controls(service, browser):
    watched = watched_page(browser.new_context(viewport=PHONE, locale="zh-CN"))
    page = watched.page
    page.goto(f"{service}/collections/neighbours/items?f=html", wait_until="networkidle")
    page.wait_for_function("window.sijiePreview && sijie.map && sijie.map.sijieControls")
    got = _controls(page)
    assert "测距离" in got["tools"] and got["scale"] and got["scrollWidth"] <= got["width"]
    room = room_for_the_map(page)
    assert room["scrollWidth"] <= room["width"]
    assert watched.errors == [] and watched.external == []
    page.context.close()
