"""Proposals: create, read, edit as new immutable versions with If-Match, diff, uploads."""

from __future__ import annotations

import threading

import geopandas as gpd
import pyproj
import pytest
import shapely
from shapely.geometry import box, shape

from api.crs import crs_uri
from api.db.models import User
from api.services import proposals as svc
from tests.api.conftest import DEMO, assert_problem, create_proposal, demo_feature

TRIANGLE = {
    "type": "Polygon",
    "coordinates": [[[121.6, 29.94], [121.61, 29.94], [121.61, 29.95], [121.6, 29.94]]],
}


def _area_m2(geometry: dict, epsg_from: int = 4490) -> float:
    return float(gpd.GeoSeries([shape(geometry)], crs=epsg_from).to_crs(4549).area.iloc[0])


def test_created_proposal_is_version_1_with_location_and_etag(client, auth):
    pid, etag = create_proposal(client, auth["gis"])
    response = client.get(f"/proposals/{pid}", headers=auth["gis"])
    assert response.status_code == 200
    assert response.headers["ETag"] == etag
    body = response.json()
    assert body["properties"]["version"] == 1 and body["properties"]["state"] == "draft"
    assert body["properties"]["author"] == "gis"
    expected = gpd.read_file(DEMO / "proposals" / "good_industrial.gpkg",
                             layer="proposal").to_crs(4549).area.iloc[0]
    assert body["properties"]["area_m2"] == pytest.approx(expected, abs=0.5)


def test_body_in_a_gauss_kruger_zone_is_read_in_that_crs_axis_order(client, auth):
    feature = demo_feature("good_industrial", crs=4549)
    # EPSG:4549 is northing, easting: swap the file's x/y as OGC API Features Part 2 asks
    feature["geometry"] = shapely.geometry.mapping(
        shapely.transform(shape(feature["geometry"]), lambda xy: xy[:, ::-1])
    )
    response = client.post(
        "/proposals", json=feature, headers={**auth["gis"], "Content-Crs": f"<{crs_uri(4549)}>"}
    )
    assert response.status_code == 201, response.text
    expected = gpd.read_file(DEMO / "proposals" / "good_industrial.gpkg",
                             layer="proposal").to_crs(4549).area.iloc[0]
    assert response.json()["properties"]["area_m2"] == pytest.approx(expected, abs=0.5)
    assert response.json()["properties"]["input_crs"] == "EPSG:4549"


def test_a_proposal_outside_the_town_is_refused(client, auth):
    feature = demo_feature("good_industrial")
    feature["geometry"] = shapely.geometry.mapping(box(100.0, 30.0, 100.01, 30.01))
    assert_problem(
        client.post("/proposals", json=feature, headers=auth["gis"]), 422, "outside_town"
    )


@pytest.mark.parametrize(
    "body, code",
    [
        (
            {
                "type": "Feature",
                "properties": {"name": "X工业社区"},
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[121.6, 29.94], [121.61, 29.95]],
                },
            },
            "not_polygon",
        ),
        (
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[121.6, 29.94], [121.61, 29.94], [121.61, 29.95], [121.6, 29.94]]
                    ],
                },
            },
            "name_missing",
        ),
        (
            {
                "type": "Feature",
                "properties": {"name": "X工业社区"},
                "geometry": {"type": "Polygon", "coordinates": "zz"},
            },
            "bad_geojson",
        ),
        ({"type": "FeatureCollection", "features": []}, "bad_geojson"),
        (
            {
                "type": "Feature",
                "properties": {"name": "长" * 201 + "工业社区"},
                "geometry": TRIANGLE,
            },
            "too_long",
        ),
        (
            {
                "type": "Feature",
                "properties": {"name": "X工业社区", "type": "工" * 51},
                "geometry": TRIANGLE,
            },
            "too_long",
        ),
    ],
)
def test_unusable_geojson_is_422_and_stores_nothing(client, auth, body, code):
    before = client.get("/collections/proposals/items", headers=auth["gis"]).json()["numberMatched"]
    assert_problem(client.post("/proposals", json=body, headers=auth["gis"]), 422, code)
    after = client.get("/collections/proposals/items", headers=auth["gis"]).json()["numberMatched"]
    assert after == before


def test_malformed_json_and_wrong_content_type_are_client_errors(client, auth):
    headers = {**auth["gis"], "Content-Type": "application/json"}
    assert_problem(
        client.post("/proposals", content=b"{not json", headers=headers), 422, "bad_geojson"
    )
    assert_problem(
        client.post(
            "/proposals", content=b"x", headers={**auth["gis"], "Content-Type": "text/plain"}
        ),
        415,
        "content_type",
    )


def test_edit_needs_if_match_428_and_a_stale_etag_gets_412(client, auth):
    pid, etag = create_proposal(client, auth["gis"])
    feature = demo_feature("good_industrial")
    feature["properties"]["name"] = "澥川新材料二期工业社区"
    body = assert_problem(
        client.put(f"/proposals/{pid}", json=feature, headers=auth["gis"]), 428, "if_match_missing"
    )
    assert etag in body["detail"]
    assert_problem(
        client.put(
            f"/proposals/{pid}", json=feature, headers={**auth["gis"], "If-Match": '"0000"'}
        ),
        412,
        "if_match_stale",
    )
    versions = client.get(f"/proposals/{pid}/versions", headers=auth["gis"]).json()
    assert [f["properties"]["version"] for f in versions["features"]] == [1]


def test_two_clients_editing_the_same_version_one_wins_one_gets_412(client, auth):
    pid, etag = create_proposal(client, auth["gis"])
    first, second = demo_feature("good_industrial"), demo_feature("good_industrial")
    first["properties"].update(name="甲工业社区", reason="甲的修改")
    second["properties"].update(name="乙工业社区", reason="乙的修改")
    won = client.put(f"/proposals/{pid}", json=first, headers={**auth["gis"], "If-Match": etag})
    lost = client.put(f"/proposals/{pid}", json=second, headers={**auth["gis"], "If-Match": etag})
    assert won.status_code == 200, won.text
    assert_problem(lost, 412, "if_match_stale")
    versions = client.get(f"/proposals/{pid}/versions", headers=auth["gis"]).json()["features"]
    assert [(v["properties"]["version"], v["properties"]["name"]) for v in versions] == [
        (1, "澥川新材料工业社区"),
        (2, "甲工业社区"),
    ]
    assert versions[1]["properties"]["reason"] == "甲的修改"


def test_concurrent_edits_of_one_version_create_exactly_one_new_version(client, auth):
    pid, etag = create_proposal(client, auth["gis"])
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def edit(n: int) -> None:
        feature = demo_feature("good_industrial")
        feature["properties"]["name"] = f"并发{n}工业社区"
        barrier.wait()
        response = client.put(
            f"/proposals/{pid}", json=feature, headers={**auth["gis"], "If-Match": etag}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [412] * 5
    versions = client.get(f"/proposals/{pid}/versions", headers=auth["gis"]).json()["features"]
    assert [v["properties"]["version"] for v in versions] == [1, 2]


def test_the_database_refuses_a_second_version_n_plus_1_even_past_the_etag_check(client, auth):
    """Two writers that both passed the If-Match check: the unique (proposal, version) wins."""
    pid, etag = create_proposal(client, auth["gis"])
    state = client.app.state
    with state.sessions() as a, state.sessions() as b:
        user_a = a.query(User).filter_by(username="gis").one()
        user_b = b.query(User).filter_by(username="gis").one()
        proposal_a, proposal_b = svc.get_proposal(a, pid, user_a), svc.get_proposal(b, pid, user_b)
        head_a, head_b = svc.head(a, pid), svc.head(b, pid)  # both read version 1
        ctx = state.contexts.get(proposal_a.town_id)
        inp_a, _ = svc.input_from_geojson(demo_feature("good_industrial"))
        svc.edit(
            a,
            proposal_a,
            ctx=ctx,
            town_name="t",
            user=user_a,
            inp=inp_a,
            reason="A",
            if_match=[etag.strip('"')],
            current=head_a,
        )
        with pytest.raises(Exception) as refused:
            svc.edit(
                b,
                proposal_b,
                ctx=ctx,
                town_name="t",
                user=user_b,
                inp=inp_a,
                reason="B",
                if_match=[etag.strip('"')],
                current=head_b,
            )
        assert getattr(refused.value, "status", None) == 412
    versions = client.get(f"/proposals/{pid}/versions", headers=auth["gis"]).json()["features"]
    assert [(v["properties"]["version"], v["properties"]["reason"]) for v in versions] == [
        (1, ""),
        (2, "A"),
    ]


def test_patch_renames_and_keeps_the_boundary_and_old_versions_stay_unchanged(client, auth):
    pid, etag = create_proposal(client, auth["gis"])
    v1 = client.get(f"/proposals/{pid}/versions/1", headers=auth["gis"]).json()
    response = client.patch(
        f"/proposals/{pid}",
        headers={**auth["gis"], "If-Match": etag},
        json={
            "type": "Feature",
            "properties": {"name": "新名工业社区", "reason": "更名"},
            "geometry": None,
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] != etag
    v2 = client.get(f"/proposals/{pid}/versions/2", headers=auth["gis"]).json()
    assert v2["properties"]["name"] == "新名工业社区" and v2["geometry"] == v1["geometry"]
    assert client.get(f"/proposals/{pid}/versions/1", headers=auth["gis"]).json() == v1


def test_diff_reports_the_area_removed_as_geometry(client, auth):
    pid, etag = create_proposal(client, auth["gis"])
    feature = demo_feature("good_industrial", crs=4549)
    outline = shape(feature["geometry"])
    centre = outline.representative_point()
    cut = box(centre.x - 50, centre.y - 50, centre.x + 50, centre.y + 50)  # 100 m × 100 m
    assert outline.contains(cut)
    to_4490 = pyproj.Transformer.from_crs(4549, 4490, always_xy=True).transform
    feature["geometry"] = shapely.geometry.mapping(
        shapely.transform(outline.difference(cut), to_4490, interleaved=False)
    )
    assert (
        client.put(
            f"/proposals/{pid}", json=feature, headers={**auth["gis"], "If-Match": etag}
        ).status_code
        == 200
    )
    diff = client.get(f"/proposals/{pid}/diff?from=1&to=2", headers=auth["gis"]).json()
    changes = {f["properties"]["change"]: f for f in diff["features"]}
    assert changes["removed"]["properties"]["area_m2"] == pytest.approx(10_000, abs=1)
    assert changes["added"]["properties"]["area_m2"] == pytest.approx(0, abs=0.01)
    assert _area_m2(changes["removed"]["geometry"]) == pytest.approx(10_000, abs=1)


def test_unknown_proposal_and_version_are_404_problems(client, auth):
    assert_problem(client.get("/proposals/999999", headers=auth["gis"]), 404, "proposal_not_found")
    pid, _ = create_proposal(client, auth["gis"])
    assert_problem(
        client.get(f"/proposals/{pid}/versions/7", headers=auth["gis"]), 404, "version_not_found"
    )
