"""A boundary traced on AMap read into the staff editor in Chromium: read as WGS 84 it fails
B3 and the panel suggests GCJ02 (rule CRS, measured fit); read again with GCJ02 in the upload
form's CRS field it follows the roads and the suggestion is gone."""

from __future__ import annotations

import geopandas as gpd

from geo.crs import geometry_to_gcj02
from tests.web.workspace import (
    DEMO,
    errors_by_rule,
    open_editor,
    sign_in,
    validations,
    wait_for_validation_after,
)


def _read(page, path, crs: str) -> dict:
    page.set_input_files("#upload-file", str(path))
    page.fill("#upload-crs", crs)
    before = validations(page)
    page.click("#upload-form button[type=submit]")
    return wait_for_validation_after(page, before)


def test_an_amap_boundary_is_read_right_with_gcj02_in_the_upload_form(service, browser,
                                                                       tmp_path):
    frame = gpd.read_file(DEMO / "proposals" / "good_industrial.gpkg",
                          layer="proposal").to_crs(4326)
    frame["geometry"] = geometry_to_gcj02(frame.geometry)
    path = tmp_path / "amap.geojson"
    path.write_text(frame[["name", "type", "geometry"]].to_json(), encoding="utf-8")
    watched = sign_in(browser, service)
    page = watched.page
    open_editor(watched, service)
    page.click("#upload-box summary")
    shifted = _read(page, path, "")
    assert "B3" in errors_by_rule(shifted)
    assert "--crs GCJ02" in page.locator("#findings").inner_text()
    right = _read(page, path, "GCJ02")
    assert not errors_by_rule(right) & {"B3", "B5"}
    assert "GCJ02" not in page.locator("#findings").inner_text()
    assert watched.errors == [] and watched.external == []
