"""Storage: migrations on both engines, the demo town in tables, a GeoPackage GDAL reads."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import pytest
from shapely.geometry import shape
from sqlalchemy import func, inspect, select

from api.db.engine import gpkg_path, is_geopackage
from api.db.migrate import upgrade
from api.db.models import ContextFeature, ProposalVersion
from tests.api.conftest import DEMO


def test_migrations_create_every_table_and_run_again_harmlessly(client):
    engine = client.app.state.engine
    upgrade(engine)  # already at head: nothing to do, nothing broken
    tables = set(inspect(engine).get_table_names())
    assert {
        "towns",
        "context_features",
        "users",
        "proposals",
        "proposal_versions",
        "runs",
        "validation_results",
        "grids",
        "microgrids",
        "facility_sites",
        "survey_findings",
        "opinions",
        "workflow_events",
        "alembic_version",
    } <= tables


def test_demo_town_layers_are_stored_feature_for_feature(client):
    with client.app.state.sessions() as session:
        counts = dict(
            session.execute(
                select(ContextFeature.layer, func.count()).group_by(ContextFeature.layer)
            ).all()
        )
    for layer in ("neighbours", "roads", "parcels", "buildings", "landuse", "jurisdiction"):
        assert counts[layer] == len(gpd.read_file(DEMO / "context.gpkg", layer=layer)), layer


# GDAL reads the live file from a process of its own, as QGIS would: two copies of SQLite in
# one process (GDAL's and the service's) would drop each other's file locks
_READ_IN_GDAL = """
import json, sys
import geopandas as gpd, pyogrio
path = sys.argv[1]
frame = gpd.read_file(path, layer="proposal_versions")
print(json.dumps({"layers": [name for name, _ in pyogrio.list_layers(path)],
                  "versions": len(frame), "epsg": frame.crs.to_epsg()}))
"""


def test_geopackage_opens_in_gdal_with_versions_as_a_layer(client, auth, settings):
    if not is_geopackage(settings.database_url):
        pytest.skip("a GeoPackage property")
    from tests.api.conftest import create_proposal

    create_proposal(client, auth["gis"])
    path = gpkg_path(settings.database_url)
    with client.app.state.sessions() as session:
        stored = session.scalar(select(func.count()).select_from(ProposalVersion))
    read = subprocess.run([sys.executable, "-c", _READ_IN_GDAL, str(path)], check=True,
                          capture_output=True, text=True, timeout=120)
    seen = json.loads(read.stdout)
    assert {"proposal_versions", "context_polygons", "context_lines", "grids"} <= set(
        seen["layers"])
    assert seen["versions"] == stored and seen["epsg"] == 4490


def test_the_service_geopackage_passes_gdal_validator_and_lists_no_plain_tables(
        client, auth, settings):
    """The service's file with the demo town after API writes: GeoPackage binary geometries,
    R-tree indexes, GDAL's validator content; every layer has one concrete geometry type (the
    polygon tables, and a typed view per kind of the mixed tables, which are no layers
    themselves); users, runs and the other plain tables are not layers; each layer has its
    QGIS style and every field its alias."""
    if not is_geopackage(settings.database_url):
        pytest.skip("a GeoPackage property")
    from sqlalchemy import text

    from api.db.typed_layers import POLYGON_TABLES, TYPED_VIEWS
    from tests.api.conftest import create_proposal
    from tests.gpkg_checks import gdal_layers, validate_gpkg

    pid, _ = create_proposal(client, auth["gis"])
    grids = client.post(f"/proposals/{pid}/versions/1/grids", headers=auth["gis"])
    assert grids.status_code == 201
    path = gpkg_path(settings.database_url)
    assert validate_gpkg(path) == []
    seen = gdal_layers(path)
    features = {*POLYGON_TABLES, *TYPED_VIEWS}
    assert set(seen["layers"]) == features | {"towns", "proposals", "layer_styles"}
    types = {name: layer["geometry"] for name, layer in seen["layers"].items()
             if layer["geometry"] is not None}
    assert types == {**dict.fromkeys(POLYGON_TABLES, "Multi Polygon"),
                     "context_polygons": "Multi Polygon", "context_lines": "Multi Line String",
                     "survey_points": "Multi Point", "survey_lines": "Multi Line String",
                     "survey_polygons": "Multi Polygon"}
    for name, layer in seen["layers"].items():
        if name != "layer_styles":  # GDAL takes a view's fid for its FID once it has a row
            assert set(layer["fields"]) <= set(seen["aliases"][name]) <= {*layer["fields"],
                                                                          "fid"}, name
    assert set(seen["styles"]) == features
    assert seen["aliases"]["proposal_versions"]["name"] == "名称"
    with client.app.state.engine.connect() as connection:
        for table in ("context_features", "proposal_versions", "grids", "microgrids"):
            rows, binary, indexed = connection.execute(text(
                f"SELECT count(*), sum(substr(hex(geom), 1, 4) = '4750'), "
                f"(SELECT count(*) FROM rtree_{table}_geom) FROM {table}")).one()
            assert rows > 0 and binary == rows and indexed == rows, table
        shapes = dict(connection.execute(text(
            "SELECT shape, count(*) FROM context_features GROUP BY shape")).all())
    assert seen["layers"]["context_polygons"]["count"] == shapes["area"]
    assert seen["layers"]["context_lines"]["count"] == shapes["line"]


@pytest.mark.parametrize("name", ["good_industrial", "good_custodial_enclave"])
def test_a_boundary_is_stored_as_a_multipolygon_and_read_back_as_posted(client, auth, name):
    """A Polygon is stored as a one-part MultiPolygon and read back as the same Polygon; a
    two-part boundary stays a MultiPolygon."""
    from sqlalchemy import text

    from tests.api.conftest import demo_feature

    posted = demo_feature(name)
    if isinstance(posted["properties"].get("custodial_parts"), str):  # as the file holds it
        posted["properties"]["custodial_parts"] = json.loads(
            posted["properties"]["custodial_parts"])
    created = client.post("/proposals", json=posted, headers=auth["gis"])
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    read = client.get(f"/proposals/{pid}/versions/1", headers=auth["gis"]).json()
    assert read["geometry"]["type"] == posted["geometry"]["type"]
    assert shape(read["geometry"]).normalize().equals_exact(
        shape(posted["geometry"]).normalize(), 1e-6)
    with client.app.state.engine.connect() as connection:
        stored = connection.execute(text(
            "SELECT ST_GeometryType(geom) FROM proposal_versions WHERE proposal_id = :p"),
            {"p": pid}).scalar_one()
    assert stored.upper().removeprefix("ST_") == "MULTIPOLYGON"


def test_postgis_columns_and_views_are_typed(client, settings):
    """In PostGIS the polygon tables' columns and the mixed tables' views are typed, as QGIS
    reads them from geometry_columns."""
    if is_geopackage(settings.database_url):
        pytest.skip("a PostGIS property")
    from sqlalchemy import text

    from api.db.typed_layers import POLYGON_TABLES, TYPED_VIEWS

    with client.app.state.engine.connect() as connection:
        types = dict(connection.execute(text(
            "SELECT f_table_name, type FROM geometry_columns WHERE srid = 4490")).all())
        counted = {name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar()
                   for name in ("context_polygons", "context_lines")}
    assert types == {**dict.fromkeys(POLYGON_TABLES, "MULTIPOLYGON"),
                     **{name: view.geometry_type for name, view in TYPED_VIEWS.items()},
                     "context_features": "GEOMETRY", "survey_findings": "GEOMETRY"}
    assert counted["context_polygons"] > 0 and counted["context_lines"] > 0


def test_the_migrations_build_exactly_the_schema_the_models_declare(client):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from api.db.migrate import compare_type, include_object
    from api.db.models import Base

    with client.app.state.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": compare_type}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE proposal_versions SET name = 'overwritten' WHERE version = 1",
        "DELETE FROM proposal_versions",
        "UPDATE workflow_events SET reason = 'rewritten'",
        "DELETE FROM workflow_events",
    ],
)
def test_the_database_refuses_to_change_or_delete_records(client, auth, statement):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from tests.api.conftest import create_proposal

    pid, _ = create_proposal(client, auth["gis"])
    applied = client.post(f"/proposals/{pid}/events",
                          json={"action": "application", "reason": "申报"}, headers=auth["gis"])
    assert applied.status_code == 201
    before = client.get(f"/proposals/{pid}/versions", headers=auth["gis"]).json()
    with client.app.state.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="never changed or deleted"):
            connection.execute(text(statement))  # rows exist: the proposal and its event
        connection.rollback()
    assert client.get(f"/proposals/{pid}/versions", headers=auth["gis"]).json() == before


def test_a_bureau_context_file_is_loaded_once_instead_of_the_demo_town(tmp_path):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings, UploadSettings

    context = tmp_path / "bureau.gpkg"
    context.write_bytes((DEMO / "context.gpkg").read_bytes())
    settings = Settings(
        database_url=f"gpkg:///{tmp_path / 'bureau_db.gpkg'}",
        secret_key="k" * 32,
        context_file=str(context),
        load_demo=False,
        uploads=UploadSettings(dir=str(tmp_path / "up")),
    )
    neighbours = len(gpd.read_file(context, layer="neighbours"))
    for _ in range(2):  # the second start finds the town and loads nothing
        with TestClient(create_app(settings)) as client:
            towns = client.get("/towns").json()["towns"]
            assert len(towns) == 1 and towns[0]["work_crs"] == "EPSG:4549"
            matched = client.get("/collections/neighbours/items").json()["numberMatched"]
            assert matched == neighbours
