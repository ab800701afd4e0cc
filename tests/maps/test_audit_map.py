"""The district overview map of an audit: each community by pass or fail with its outcome in a
popup, the overlaps as their own layer, the neighbours around, a legend — in Chinese by
default, English on request — as built, as ``sijie audit -o x.html`` writes it, and in
Chromium with no console error and nothing fetched off localhost."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geo.audit import audit, communities_from_frame
from geo.io import write_gpkg
from maps import audit_map, page_html
from tests.api.test_cli import sijie
from tests.maps.browser import STATIC_URL, chromium, open_map, serve
from tests.maps.pages import control, layers, texts


@pytest.fixture(scope="module")
def layer(proposals):
    """The demo proposals as one layer: variants of a few sites, so some overlap."""
    return gpd.GeoDataFrame(pd.concat(list(proposals.values()), ignore_index=True))


@pytest.fixture(scope="module")
def result(layer, ctx):
    communities, codes = communities_from_frame(layer, source="proposals.gpkg")
    return audit(communities, ctx, codes=codes)


def _page(m) -> str:
    return page_html(m, static_url=STATIC_URL)


def test_audit_map_colours_each_community_by_its_outcome_and_draws_the_overlaps(result, ctx,
                                                                                   layer):
    page = _page(audit_map(result, ctx))
    drawn = layers(page)
    assert {"communities", "overlaps", "neighbours"} <= set(drawn)
    features = drawn["communities"]["data"]["features"]
    assert [f["properties"]["tooltip"] for f in features] == list(layer["name"])
    for feature, outcome in zip(features, result.communities, strict=True):
        popup = feature["properties"]["popup"]
        rows = dict(popup["rows"])
        assert popup["title"] == outcome.name
        assert rows["通过"] == ("是" if outcome.ok else "否")
        assert rows["有错误的规则数"] == str(outcome.errors)
        assert "就业人口" in rows and "其中核定就业人数" in rows
        assert rows["社区分类"] == {"general": "一般", "larger": "较大", "extra_large": "特大",
                                None: "—"}[outcome.community_class]
        for rule, n in outcome.findings.items():
            if n:
                assert f"{rule}×{n}" in rows["各规则检查发现"]
        # failing communities in red, passing ones in green
        colour = feature["properties"]["style"]["color"]
        assert colour == ("#1a7f37" if outcome.ok else "#c62828")
    assert any(c.ok for c in result.communities) and not all(c.ok for c in result.communities)
    assert drawn["overlaps"]["label"] == "社区之间重叠"
    overlaps = drawn["overlaps"]["data"]["features"]
    assert len(overlaps) == len(result.overlaps) > 0
    first = result.overlaps[0]
    assert overlaps[0]["properties"]["tooltip"] == f"{first.a} 与 {first.b} 重叠"
    legend = " ".join(texts(control(page, "legend")))
    for word in ("图例", "通过", "未通过（有错误）", "社区之间重叠", "背景"):
        assert word in legend
    failing = sum(not c.ok for c in result.communities)
    assert control(page, "panel")["summary"] == (
        f"共 {len(layer)} 个社区，{failing} 个有错误，社区之间重叠 {len(result.overlaps)} 处")
    assert control(page, "title")["text"] == "全区社区核查图"


def test_audit_map_speaks_english_on_request(result, ctx):
    page = _page(audit_map(result, ctx, lang="en"))
    drawn = layers(page)
    assert drawn["overlaps"]["label"] == "overlaps between communities"
    rows = dict(drawn["communities"]["data"]["features"][0]["properties"]["popup"]["rows"])
    assert {"passes", "rules with errors", "findings by rule", "employees", "Class"} <= set(rows)
    legend = " ".join(texts(control(page, "legend")))
    assert "fails (has errors)" in legend and "未通过" not in legend
    assert control(page, "title")["text"] == "District audit map"


def test_sijie_audit_writes_the_map_to_an_html_output(layer, demo_dir, tmp_path):
    path = tmp_path / "communities.gpkg"
    write_gpkg(layer[["name", "type", "geometry"]], path, "communities")
    out = tmp_path / "audit.html"
    result = sijie("audit", str(path), "--context", str(demo_dir / "context.gpkg"),
                   "-o", str(out))
    assert result.returncode == 1, result.stderr
    page = out.read_text(encoding="utf-8")
    drawn = layers(page)
    assert {"communities", "overlaps"} <= set(drawn)
    names = [f["properties"]["tooltip"] for f in drawn["communities"]["data"]["features"]]
    assert names == list(layer["name"])
    assert "社区之间重叠" in " ".join(texts(control(page, "legend")))
    english = tmp_path / "audit_en.html"
    result = sijie("audit", str(path), "--context", str(demo_dir / "context.gpkg"),
                   "-o", str(english), "--lang", "en")
    assert result.returncode == 1, result.stderr
    assert layers(english.read_text(encoding="utf-8"))["overlaps"]["label"] == (
        "overlaps between communities")


def test_audit_map_loads_in_chromium_offline_with_no_console_error(result, ctx, tmp_path):
    try:
        with chromium() as browser, serve(tmp_path) as site:
            opened = open_map(browser, site.publish("audit.html", _page(audit_map(result, ctx))))
            assert opened.errors == [] and opened.external == [] and opened.failed == []
            assert {"communities", "overlaps", "neighbours"} <= set(opened.layer_ids())
            assert opened.feature_count("communities") == len(result.communities)
            assert opened.feature_count("overlaps") == len(result.overlaps)
            assert "社区之间重叠" in opened.page.inner_text(".sijie-legend")
            opened.page.context.close()
    except RuntimeError as exc:  # no Chromium is a failure, never a skip
        pytest.fail(str(exc))
