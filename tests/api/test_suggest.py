"""``sijie suggest`` and ``POST /proposals/{id}/versions/{v}/suggestion``: the union of
road-bounded blocks closest to a failing proposal, written as layer ``suggested`` with the
proposal's name and type, passes B2, B3 and B6 when validated again, overlap reported."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import shape

from tests.api.conftest import DEMO, create_proposal
from tests.api.test_cli import assert_refused, sijie

CONTEXT = str(DEMO / "context.gpkg")


@pytest.mark.parametrize("name", ["flaw_b2_disjoint", "flaw_b3_offroad_edge",
                                  "flaw_b6_cut_parcel"])
def test_sijie_suggest_writes_a_suggestion_that_validates_without_b2_b3_b6_errors(name, tmp_path):
    source = DEMO / "proposals" / f"{name}.gpkg"
    out = tmp_path / "suggested.gpkg"
    result = sijie("suggest", str(source), "--context", CONTEXT, "-o", str(out), "--format", "json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {"proposal", "overlap_iou", "area_m2", "added_m2", "removed_m2"} <= set(summary)
    written = gpd.read_file(out, layer="suggested")
    original = gpd.read_file(source, layer="proposal")
    assert len(written) == 1
    assert written["name"].iloc[0] == original["name"].iloc[0] == summary["proposal"]
    assert written["type"].iloc[0] == original["type"].iloc[0]
    a, b = written.to_crs(4549).geometry.iloc[0], original.to_crs(4549).geometry.iloc[0]
    iou = shapely.intersection(a, b).area / shapely.union(a, b).area
    assert summary["overlap_iou"] == pytest.approx(iou, abs=1e-3) and iou > 0.9
    report = sijie("validate", f"{out}:suggested", "--context", CONTEXT, "--format", "json")
    errors = {f["rule"] for f in json.loads(report.stdout)["findings"]
              if f["severity"] == "error"}
    assert errors & {"B2", "B3", "B6"} == set()


def test_sijie_suggest_prints_its_summary_in_english(tmp_path):
    out = tmp_path / "s.gpkg"
    result = sijie("suggest", str(DEMO / "proposals" / "flaw_b3_offroad_edge.gpkg"),
                   "--context", CONTEXT, "-o", str(out), "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "overlap with the original" in result.stdout and "suggested" in result.stdout


def test_sijie_suggest_refuses_a_missing_proposal_naming_it(tmp_path):
    assert_refused(sijie("suggest", str(tmp_path / "none.gpkg"), "--context", CONTEXT,
                         "-o", str(tmp_path / "s.gpkg")), "none.gpkg")


def test_the_suggestion_endpoint_stores_a_passing_suggestion_beside_the_original(client, auth):
    pid, _ = create_proposal(client, auth["gis"], name="flaw_b3_offroad_edge")
    response = client.post(f"/proposals/{pid}/versions/1/suggestion", headers=auth["gis"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["passes"] == {"B2": True, "B3": True, "B6": True}
    suggested, original = shape(body["suggested"]), shape(body["original"])
    assert suggested.geom_type == "Polygon" and 0.9 < body["overlap_iou"] <= 1.0
    version = shape(client.get(f"/proposals/{pid}/versions/1", headers=auth["gis"])
                    .json()["geometry"])
    assert shapely.intersection(original, version).area / shapely.union(original, version).area \
        > 0.9999
    assert shapely.difference(suggested, original).equals_exact(shape(body["added"]), 1e-9) or \
        shapely.symmetric_difference(shapely.difference(suggested, original),
                                     shape(body["added"])).area < 1e-9
    stored = client.get(f"/proposals/{pid}/versions/1/suggestion", headers=auth["gis"])
    assert stored.status_code == 200 and stored.json() == body
