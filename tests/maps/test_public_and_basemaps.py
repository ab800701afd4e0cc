"""The public page carries nothing internal; base maps line up (GCJ-02 for AMap only); pages
load their scripts from sijie's files, never from a CDN."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.crs import geometry_to_gcj02
from maps import (
    Basemap,
    BasemapError,
    UnknownAssetError,
    page_html,
    public_map,
    static_dir,
    validation_map,
)
from maps.assets import ASSETS
from tests.maps.pages import calls, control, first_ring, layers, texts

TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="session")
def public_page(ctx, good, results) -> str:
    m = public_map(good, ctx, plan=results["plan"], sites=results["sites"])
    return page_html(m, static_url="/static/maps")


def test_public_page_holds_no_enterprise_name_or_employee_count(ctx, public_page, results):
    parcels = ctx.layer("parcels")
    names = [n for n in parcels["name"].dropna().unique() if n]
    names += [n for n in ctx.layer("buildings")["name"].dropna().unique() if n]
    for name in names:  # as written, and as JSON writes it
        assert name not in public_page and json.dumps(name)[1:-1] not in public_page, name
    for code in parcels["uscc"].dropna():
        assert code not in public_page
    counts = {int(v) for v in parcels["employees"].dropna()}
    counts |= {int(v) for v in results["plan"].grids["employees"]}
    data = [t for kind, spec in calls(public_page) if kind not in ("fit", "controls")
            for t in texts(spec)]
    token = r"(?<![\w.]){}(?![\w.])"
    for count in counts:
        assert not [t for t in data if re.search(token.format(count), t)], count
        # small numbers are also the page's zoom and line widths; three digits and up are not
        if count >= 100:
            assert not re.search(token.format(count), public_page), count
    for word in ("就业", "人口", "企业", "employees", "检查发现", "popup", "tooltip"):
        assert word not in public_page, word


def test_public_page_shows_boundary_grid_codes_and_centre_only(public_page, good, results):
    drawn = layers(public_page)
    assert list(drawn) == ["neighbours", "water", "roads", "places", "grids", "community",
                           "centre"]
    for context in ("neighbours", "water", "roads"):  # drawn, named only by the place names
        assert all(f["properties"] == {} or set(f["properties"]) == {"style"}
                   for f in drawn[context]["data"]["features"]), context
    places = {f["properties"]["label"]: f["properties"]["kind"]
              for f in drawn["places"]["data"]["features"]}
    assert places["勤勇社区"] == "village" and places["甬江"] == "river"
    assert "road" in places.values()
    assert [f["properties"]["label"] for f in drawn["grids"]["data"]["features"]] == list(
        results["plan"].grids["code"])
    assert [f["properties"].get("label") for f in drawn["centre"]["data"]["features"]] == [
        None, f"{good.name}党群服务中心"]
    assert drawn["grids"]["labelClass"] == "sijie-label-big"
    assert control(public_page, "title")["big"] is True
    assert "L.control.fullscreen" in public_page
    assert control(public_page, "controls")["overlays"] == list(drawn)


def _proposal_ring(page: str) -> np.ndarray:
    return np.array(first_ring(layers(page)["proposal"]))


def test_amap_shifts_every_vertex_to_gcj02(ctx, offroad):
    from geo.validate import validate

    report = validate(offroad, ctx)
    plain = _proposal_ring(page_html(validation_map(report, offroad, ctx)))
    amap = _proposal_ring(page_html(validation_map(report, offroad, ctx, basemap="amap")))
    lonlat = gpd.GeoSeries([offroad.geometry], crs=offroad.crs).to_crs(4326).iloc[0]
    expected = shapely.get_coordinates(geometry_to_gcj02(lonlat.exterior))
    assert np.abs(amap - expected).max() < 1e-6
    assert np.abs(plain - shapely.get_coordinates(lonlat.exterior)).max() < 1e-6
    shift = np.abs(amap - plain).max(axis=0)
    assert shift[0] > 1e-3 and shift[1] > 1e-3  # hundreds of metres, not rounding


@pytest.mark.parametrize("basemap", ["osm", "tianditu-vec", "tianditu-img", "plain"])
def test_other_base_maps_draw_vertices_unshifted(ctx, offroad, basemap):
    from geo.validate import validate

    report = validate(offroad, ctx)
    page = page_html(validation_map(report, offroad, ctx, basemap=basemap, tianditu_token=TOKEN))
    lonlat = gpd.GeoSeries([offroad.geometry], crs=offroad.crs).to_crs(4326).iloc[0]
    ring = _proposal_ring(page)
    assert np.abs(ring - shapely.get_coordinates(lonlat.exterior)).max() < 1e-6
    spec = control(page, "controls")
    assert spec["basemap"] == basemap and spec["datum"] == "wgs84"
    offered = {b["id"]: b for b in spec["basemaps"]}
    assert list(offered) == ["plain", "tianditu-vec", "tianditu-img", "amap", "osm"]
    assert offered["plain"]["tiles"] is None
    assert [b["id"] for b in spec["basemaps"] if b["gcj02"]] == ["amap"]
    tiles = {"osm": "tile.openstreetmap.org", "tianditu-vec": "vec_w/wmts",
             "tianditu-img": "img_w/wmts"}
    for name, host in tiles.items():
        assert host in offered[name]["tiles"][0]["url"]
    # the base and its Chinese annotation layer, with the key
    for name, notes in (("tianditu-vec", "cva_w"), ("tianditu-img", "cia_w")):
        urls = [t["url"] for t in offered[name]["tiles"]]
        assert all(f"tk={TOKEN}" in u for u in urls) and notes in urls[1]
    assert "L.tileLayer(\"http" not in page  # tiles are made only once a base map is chosen


def test_without_a_tianditu_key_the_switcher_says_so(ctx, offroad):
    from geo.validate import validate

    page = page_html(validation_map(validate(offroad, ctx), offroad, ctx), static_url="/s")
    offered = {b["id"]: b for b in control(page, "controls")["basemaps"]}
    for name in ("tianditu-vec", "tianditu-img"):
        assert offered[name]["tiles"] is None and "SIJIE_TIANDITU_TOKEN" in offered[name]["missing"]


def test_amap_tiles_are_gaode(ctx, offroad):
    from geo.validate import validate

    page = page_html(validation_map(validate(offroad, ctx), offroad, ctx, basemap=Basemap.amap))
    spec = control(page, "controls")
    assert spec["basemap"] == "amap" and spec["datum"] == "gcj02"
    amap = next(b for b in spec["basemaps"] if b["id"] == "amap")
    assert "is.autonavi.com" in amap["tiles"][0]["url"]


def test_tianditu_without_a_token_or_an_unknown_base_map_is_refused(ctx, offroad, results):
    from geo.validate import validate

    report = validate(offroad, ctx)
    with pytest.raises(BasemapError, match="token"):
        validation_map(report, offroad, ctx, basemap="tianditu-vec")
    with pytest.raises(BasemapError, match="token"):
        validation_map(report, offroad, ctx, basemap="tianditu-img", tianditu_token="x'};alert(1)")
    with pytest.raises(BasemapError, match="plain, osm"):
        validation_map(report, offroad, ctx, basemap="google")


def test_standalone_page_inlines_every_script_and_links_nothing(ctx, offroad):
    from geo.validate import validate

    page = page_html(validation_map(validate(offroad, ctx), offroad, ctx))
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    for host in ("jsdelivr", "cdnjs", "bootstrapcdn", "code.jquery", "unpkg"):
        assert host not in page
    assert "L.control.layers" in page and "/* leaflet/leaflet.js */" in page
    assert "url(images/" not in page and "data:image/png;base64," in page  # control icons


def test_served_page_links_the_shipped_files_under_the_prefix(ctx, offroad):
    from geo.validate import validate

    page = page_html(validation_map(validate(offroad, ctx), offroad, ctx),
                     static_url="/static/maps/")
    linked = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert linked == ["/static/maps/leaflet/leaflet.css", "/static/maps/sijie/sijie.css",
                      "/static/maps/leaflet/leaflet.js", "/static/maps/sijie/sijie.js",
                      "/static/maps/sijie/controls.js"]
    for url in linked:
        assert (static_dir() / url.removeprefix("/static/maps/")).is_file()
    with pytest.raises(UnknownAssetError):
        page_html(validation_map(validate(offroad, ctx), offroad, ctx),
                  static_url="https://cdn.example.com/maps")


def test_every_shipped_library_has_its_licence_beside_it():
    for asset in ASSETS.values():
        file = static_dir() / asset.path
        assert file.is_file(), asset.path
        if not asset.path.startswith("sijie/"):
            assert (file.parent / "LICENSE").is_file(), asset.path


def test_a_plugin_sijie_does_not_ship_is_refused_not_linked(ctx, offroad):
    from folium.plugins import MiniMap

    from geo.validate import validate

    m = validation_map(validate(offroad, ctx), offroad, ctx)
    MiniMap().add_to(m)
    with pytest.raises(UnknownAssetError, match="MiniMap"):
        page_html(m)


def test_a_page_can_be_made_in_both_modes_from_one_map(ctx, offroad):
    from geo.validate import validate

    m = validation_map(validate(offroad, ctx), offroad, ctx)
    served = page_html(m, static_url="/static/maps")
    standalone = page_html(m)
    again = page_html(m, static_url="/static/maps")
    assert served == again and "/* leaflet/leaflet.js */" in standalone
    assert isinstance(m, folium.Map)
