"""The workspace's endpoints: an unsaved sketch is validated exactly as ``sijie validate``
validates the same boundary, suggested as ``sijie suggest`` suggests it; blocks, their union,
snapping layers, a file read into the editor and the dashboard rows."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import shape

from geo.io import read_context
from geo.proposal import proposal_from_frame
from geo.rules import load_rules
from geo.validate import validate
from tests.api.conftest import (
    DEMO,
    assert_problem,
    bearer,
    create_proposal,
    demo_feature,
    service_per_engine,
)

# the sketches are checked against the demo town as shipped: a service of this module's own,
# which no other suite's registrations have changed
service = service_per_engine("workspace")


@pytest.fixture(scope="module")
def client(service):
    return service


@pytest.fixture(scope="module")
def auth(service) -> dict[str, dict[str, str]]:
    return bearer(service, "gis")


@pytest.fixture(scope="module")
def demo_ctx():
    return read_context(DEMO / "context.gpkg", load_rules(None))


def test_a_sketch_is_validated_as_the_command_line_validates_it(client, auth, demo_ctx):
    sketch = demo_feature("flaw_b3_offroad_edge", crs=4326)
    response = client.post("/towns/1/sketch/validation", json=sketch,
                           headers={**auth["gis"], "Accept-Language": "en"})
    assert response.status_code == 200, response.text
    body = response.json()
    frame = gpd.read_file(DEMO / "proposals" / "flaw_b3_offroad_edge.gpkg", layer="proposal")
    expected = validate(proposal_from_frame(frame), demo_ctx)
    got = sorted((f["properties"]["rule"], f["properties"]["severity"]) for f in body["features"])
    assert got == sorted((f.rule, f.severity) for f in expected.findings)
    assert body["report"]["ok"] is False
    assert body["report"]["metrics"]["edge_share"] == pytest.approx(
        expected.metrics["edge_share"], abs=1e-3)
    located = [f for f in body["features"] if f["properties"]["rule"] == "B3" and f["geometry"]]
    assert located and 121 < shape(located[0]["geometry"]).centroid.x < 122  # lon/lat
    assert all(f["properties"]["message"].isascii() for f in located)  # said in English


def test_a_drawn_sketch_is_fitted_to_the_village_edges_before_it_is_validated(client, auth):
    # flaw_b5_gap: good_industrial with one edge drawn 3 m inside a village (tolerance 5 m)
    sketch = demo_feature("flaw_b5_gap", crs=4326)
    plain = client.post("/towns/1/sketch/validation", json=sketch, headers=auth["gis"]).json()
    assert plain["fitted"] is None
    assert "B5" in {f["properties"]["rule"] for f in plain["features"]}
    body = client.post("/towns/1/sketch/validation?fit=true", json=sketch,
                       headers=auth["gis"]).json()
    fitted = body["fitted"]
    assert fitted["moved"] > 0 and 0 < fitted["max_move_m"] <= fitted["tolerance_m"] == 5.0
    assert body["report"]["ok"] is True
    assert not [f for f in body["features"] if f["properties"]["severity"] == "error"]
    # the fitted boundary sent back as drawn validates the same, nothing left to fit
    again = client.post("/towns/1/sketch/validation?fit=true", headers=auth["gis"],
                        json={**sketch, "geometry": fitted["geometry"]}).json()
    assert again["fitted"] is None and again["report"]["ok"] is True
    good = shape(demo_feature("good_industrial", crs=4326)["geometry"])
    assert shapely.symmetric_difference(shape(fitted["geometry"]), good).area < 1e-3 * good.area


def test_a_sketch_suggestion_passes_b2_b3_b6(client, auth):
    sketch = demo_feature("flaw_b6_cut_parcel", crs=4326)
    body = client.post("/towns/1/sketch/suggestion", json=sketch, headers=auth["gis"]).json()
    assert body["passes"] == {"B2": True, "B3": True, "B6": True}
    assert 0.9 < body["overlap_iou"] <= 1
    assert shape(body["suggested"]).is_valid


def test_sketch_endpoints_refuse_the_public_and_bad_bodies(client, auth):
    sketch = demo_feature("good_industrial", crs=4326)
    assert_problem(client.post("/towns/1/sketch/validation", json=sketch), 401)
    assert_problem(client.post("/towns/1/sketch/validation", content=b"{nope",
                               headers={**auth["gis"], "Content-Type": "application/json"}),
                   422, "bad_geojson")
    assert_problem(client.post("/towns/999/sketch/validation", json=sketch, headers=auth["gis"]),
                   404, "town_not_found")


def test_blocks_and_their_union_follow_the_town(client, auth, demo_ctx):
    blocks = client.get("/towns/1/blocks", headers=auth["gis"]).json()["features"]
    assert len(blocks) > 100
    ids = [b["id"] for b in blocks[:3]]
    union = client.post("/towns/1/blocks/union", json={"blocks": ids}, headers=auth["gis"])
    assert union.status_code == 200
    expected = shapely.union_all([shape(b["geometry"]) for b in blocks[:3]])
    got = shape(union.json()["geometry"])
    assert shapely.symmetric_difference(got, expected).area < 1e-3 * expected.area
    assert_problem(client.post("/towns/1/blocks/union", json={"blocks": [10**6]},
                               headers=auth["gis"]), 422, "blocks_invalid")


@pytest.mark.parametrize("layer", ["roads", "water", "terrain", "neighbours"])
def test_snapping_layers_are_served_in_lon_lat(client, auth, layer):
    body = client.get(f"/towns/1/layers/{layer}", headers=auth["gis"]).json()
    assert body["features"]
    x, y = shape(body["features"][0]["geometry"]).representative_point().coords[0]
    assert 121 < x < 122 and 29 < y < 31


def test_an_unknown_layer_is_not_found(client, auth):
    assert_problem(client.get("/towns/1/layers/parcels", headers=auth["gis"]), 404)


def test_a_file_is_read_into_the_editor_with_the_form_name_and_type(client, auth):
    data = (DEMO / "proposals" / "good_industrial.gpkg").read_bytes()
    response = client.post("/towns/1/sketch/upload", headers=auth["gis"],
                           files={"file": ("good.gpkg", data)},
                           data={"name": "试验工业社区", "type": "building"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["properties"] == {"name": "试验工业社区", "type": "building"}
    assert shape(body["geometry"]).area > 0


def test_the_dashboard_lists_each_proposal_with_state_and_area(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    client.post(f"/proposals/{pid}/versions/1/profile", headers=auth["gis"])
    body = client.get("/towns/1/dashboard", headers=auth["gis"]).json()
    row = next(p for p in body["proposals"] if p["id"] == pid)
    assert row["state"] == "draft" and row["area_m2"] > 1e6 and row["version"] == 1
    assert row["class"] and row["employees"] > 0
    assert body["states"]["draft"]
    assert_problem(client.get("/towns/1/dashboard"), 401)


def test_the_dashboard_grids_are_those_of_each_newest_version(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    client.post(f"/proposals/{pid}/versions/1/grids", headers=auth["gis"])
    body = client.get("/towns/1/dashboard/grids", headers=auth["gis"]).json()
    ours = sorted(f["properties"]["code"] for f in body["features"]
                  if f["properties"]["proposal"] == pid)
    stored = client.get(f"/proposals/{pid}/versions/1/grids", headers=auth["gis"]).json()
    assert ours == sorted(g["properties"]["code"] for g in stored["grids"]["features"])
    assert_problem(client.get("/towns/1/dashboard/grids"), 401)
