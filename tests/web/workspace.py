"""Driving the staff workspace in Chromium: sign in, place points on the map, read what the
editor shows (its state through ``window.sijieWorkspace``, the findings panel's text)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from tests.web.server import Watched, watched_page

DEMO = Path(__file__).resolve().parents[2] / "boundary_data" / "demo"
PASSWORD = "test-password"
VIEWPORT = {"width": 1400, "height": 900}


def demo_shape(name: str) -> tuple[str, shapely.Polygon]:
    """A demo proposal's name and its boundary in lon/lat."""
    frame = gpd.read_file(DEMO / "proposals" / f"{name}.gpkg", layer="proposal").to_crs(4326)
    return str(frame["name"].iloc[0]), frame.geometry.iloc[0]


def sign_in(browser, base: str, user: str = "gis", *, locale: str = "zh-CN") -> Watched:
    """A new browser context signed in as ``user`` through the login page."""
    context = browser.new_context(viewport=VIEWPORT, locale=locale)
    watched = watched_page(context)
    page = watched.page
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workspace")
    return watched


def open_editor(watched: Watched, base: str, proposal: int | None = None) -> None:
    page = watched.page
    page.goto(f"{base}/workspace/proposals/{proposal if proposal else 'new'}")
    page.wait_for_function("window.sijieWorkspace && "
                           "Object.keys(window.sijieWorkspace.snapLayers).length === 4")
    page.evaluate("window.sijieWorkspace.ready")


def fit(page, shape: shapely.Polygon) -> None:
    """Show ``shape`` filling the map (no animation)."""
    w, s, e, n = shape.bounds
    page.evaluate("b => window.sijieWorkspace.map.fitBounds([[b[1], b[0]], [b[3], b[2]]], "
                  "{animate: false, padding: [20, 20]})", [w, s, e, n])


def screen_points(page, lonlat: np.ndarray) -> list[tuple[float, float]]:
    """Page coordinates of lon/lat points on the editor's map."""
    return [tuple(p) for p in page.evaluate(
        """pts => { const m = window.sijieWorkspace.map;
                    const box = m.getContainer().getBoundingClientRect();
                    return pts.map(p => { const c = m.latLngToContainerPoint([p[1], p[0]]);
                                          return [box.left + c.x, box.top + c.y]; }); }""",
        [list(map(float, p)) for p in lonlat])]


def validations(page) -> int:
    return int(page.evaluate("window.sijieWorkspace.state.validations"))


def wait_for_validation_after(page, count: int) -> dict:
    """Wait until the editor has shown a validation newer than ``count``; its report."""
    page.wait_for_function(f"window.sijieWorkspace.state.validations > {count} && "
                           "!window.sijieWorkspace.state.dirty", timeout=20_000)
    return page.evaluate("window.sijieWorkspace.state.report")


def errors_by_rule(report: dict) -> set[str]:
    return {f["properties"]["rule"] for f in report["features"]
            if f["properties"]["severity"] == "error"}
