"""Migration 0011: a database of either engine made at 0010, with rows in it, gets one geometry
type per layer; every row is kept as it was (a Polygon still reads as that Polygon), the
GeoPackage still passes GDAL's validator with its R-trees and triggers, no layer is "Unknown",
and the stored records still refuse to change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from shapely import wkt
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from api.db.engine import make_engine
from api.db.migrate import upgrade
from api.db.models import Base
from api.db.typed_layers import POLYGON_TABLES, TYPED_VIEWS
from api.geometry import shape_of
from tests.api.conftest import ENGINES, fresh_postgis
from tests.gpkg_checks import gdal_layers, validate_gpkg

_SQUARE = "POLYGON ((121.6 29.94, 121.61 29.94, 121.61 29.95, 121.6 29.95, 121.6 29.94))"
_TWO_PARTS = ("MULTIPOLYGON (((121.6 29.94, 121.61 29.94, 121.61 29.95, 121.6 29.94)), "
              "((121.62 29.94, 121.63 29.94, 121.63 29.95, 121.62 29.94)))")
_ROAD = "LINESTRING (121.6 29.94, 121.62 29.96)"
_WELL = "POINT (121.605 29.945)"
# (table, id, shape): what each stored geometry was at 0010
_STORED = [("proposal_versions", 1, _SQUARE), ("proposal_versions", 2, _TWO_PARTS),
           ("context_features", 1, _SQUARE), ("context_features", 2, _ROAD),
           ("context_features", 3, _TWO_PARTS), ("survey_findings", 1, _WELL),
           ("survey_findings", 2, _ROAD)]
_NOW = "2026-11-30T08:00:00.000Z"


@contextmanager
def _database(engine_name: str, folder: Path) -> Iterator[tuple[Engine, Path | None]]:
    if engine_name == "gpkg":
        engine = make_engine(f"gpkg:///{folder / 'sijie.gpkg'}")
        try:
            yield engine, folder / "sijie.gpkg"
        finally:
            engine.dispose()
        return
    with fresh_postgis() as url:
        engine = make_engine(url)
        try:
            yield engine, None
        finally:
            engine.dispose()


def _at_0010(engine: Engine) -> None:
    """The database as migration 0010 left it, with rows written as that version wrote them."""
    upgrade(engine, "0010")
    from_ewkt = "AsGPB(GeomFromEWKT(:g))" if engine.dialect.name == "geopackage" else (
        "ST_GeomFromEWKT(:g)")
    with engine.begin() as db:
        db.execute(text("INSERT INTO users (id, username, display_name, password_hash, role, "
                        "created_at) VALUES (1, 'gis', '', 'x', 'gis', :now)"), {"now": _NOW})
        db.execute(text("INSERT INTO towns (id, name, work_crs, source, created_at) "
                        "VALUES (1, '澥川街道', 'EPSG:4549', '', :now)"), {"now": _NOW})
        db.execute(text("INSERT INTO proposals (id, town_id, state, created_by, created_at) "
                        "VALUES (1, 1, 'draft', 1, :now)"), {"now": _NOW})
        for table, key, shape in _STORED:
            g = {"g": f"SRID=4490;{shape}", "now": _NOW, "i": key}
            if table == "proposal_versions":
                db.execute(text(
                    "INSERT INTO proposal_versions (id, proposal_id, version, name, type, "
                    "custodial, input_crs, area_m2, reason, author_id, created_at, etag, geom, "
                    f"minx, miny, maxx, maxy) VALUES (:i, 1, :i, '甲工业社区', 'industrial', "
                    f"'[]', 'EPSG:4490', 1.0, '', 1, :now, 'e', {from_ewkt}, 0, 0, 0, 0)"), g)
            elif table == "context_features":
                db.execute(text(
                    "INSERT INTO context_features (id, town_id, layer, fid, properties, geom, "
                    f"minx, miny, maxx, maxy, version_from) VALUES (:i, 1, 'water', :i, "
                    f"'{{\"kind\": \"河\"}}', {from_ewkt}, 0, 0, 0, 0, 1)"), g)
            else:
                db.execute(text(
                    "INSERT INTO survey_findings (id, proposal_id, version_id, author_id, "
                    "department, kind, note, created_at, geom, minx, miny, maxx, maxy) VALUES "
                    f"(:i, 1, 1, 1, '规划', :k, '井', :now, {from_ewkt}, 0, 0, 0, 0)"),
                    {**g, "k": "point" if shape == _WELL else "line"})


def _rows(engine: Engine) -> dict[tuple[str, int], tuple[object, ...]]:
    """Every stored row of the tables above (geometry as read back), by table and key."""
    rows = {}
    with engine.connect() as db:
        for table in ("proposal_versions", "context_features", "survey_findings"):
            columns = [c for c in ("id", "name", "version", "layer", "fid", "properties",
                                   "kind", "note", "created_at", "version_from")
                       if c in _column_names(db, table)]
            stored = Base.metadata.tables[table]
            for row in db.execute(select(*[stored.c[c] for c in columns], stored.c.geom)
                                  .order_by(stored.c.id)).all():
                *values, geom = row
                rows[(table, row[0])] = (*values, shape_of(geom).wkt)
    return rows


def _column_names(db, table: str) -> set[str]:
    if db.dialect.name == "postgresql":
        return set(db.execute(text("SELECT column_name FROM information_schema.columns WHERE "
                                   "table_name = :t"), {"t": table}).scalars())
    return {row[1] for row in db.exec_driver_sql(f"PRAGMA table_info({table})")}


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_database_at_0010_gets_typed_layers_with_every_row_kept(engine_name, tmp_path):
    with _database(engine_name, tmp_path) as (engine, path):
        _at_0010(engine)
        before = _rows(engine)
        upgrade(engine)
        upgrade(engine)  # at head: nothing changes
        after = _rows(engine)
        assert after == before
        # a Polygon stored at 0010 reads back as that Polygon, a two-part one as two parts
        assert wkt.loads(after[("proposal_versions", 1)][-1]).equals_exact(
            wkt.loads(_SQUARE), 0)
        assert wkt.loads(after[("proposal_versions", 2)][-1]).geom_type == "MultiPolygon"
        with engine.connect() as db:
            kinds = db.execute(text(
                "SELECT id, shape FROM context_features ORDER BY id")).all()
            assert [tuple(k) for k in kinds] == [(1, "area"), (2, "line"), (3, "area")]
            counts = {name: db.execute(text(f"SELECT count(*) FROM {name}")).scalar()
                      for name in TYPED_VIEWS}
            assert counts == {"context_polygons": 2, "context_lines": 1, "survey_points": 1,
                              "survey_lines": 1, "survey_polygons": 0}
            with pytest.raises(DBAPIError, match="never changed or deleted"):
                db.execute(text("UPDATE survey_findings SET note = 'rewritten'"))
            db.rollback()
            with pytest.raises(DBAPIError, match="never changed or deleted"):
                db.execute(text("DELETE FROM proposal_versions"))
            db.rollback()
            if engine_name == "postgis":
                types = dict(db.execute(text(
                    "SELECT f_table_name, type FROM geometry_columns")).all())
                assert types == {**dict.fromkeys(POLYGON_TABLES, "MULTIPOLYGON"),
                                 **{n: v.geometry_type for n, v in TYPED_VIEWS.items()},
                                 "context_features": "GEOMETRY", "survey_findings": "GEOMETRY"}
                return
            for table, rows in (("proposal_versions", 2), ("context_features", 3),
                                ("survey_findings", 2)):
                indexed = db.execute(text(f"SELECT count(*) FROM rtree_{table}_geom")).scalar()
                triggers = db.execute(text(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND "
                    f"name LIKE 'rtree_{table}_geom_%'")).scalar()
                assert (indexed, triggers) == (rows, 6), table
            declared = {row[1]: row[2] for row in db.exec_driver_sql(
                "PRAGMA table_info(proposal_versions)")}
            assert declared["geom"] == "MULTIPOLYGON"
        # a new row is indexed by the R-tree the rebuilt table kept
        with engine.begin() as db:
            db.execute(text(
                "INSERT INTO proposal_versions (id, proposal_id, version, name, type, custodial, "
                "input_crs, area_m2, reason, author_id, created_at, etag, geom, minx, miny, "
                "maxx, maxy) VALUES (3, 1, 3, '甲', 'industrial', '[]', 'EPSG:4490', 1.0, '', "
                "1, :now, 'f', AsGPB(CastToMulti(GeomFromEWKT(:g))), 0, 0, 0, 0)"),
                {"now": _NOW, "g": f"SRID=4490;{_SQUARE}"})
        with engine.connect() as db:
            assert db.execute(text(
                "SELECT count(*) FROM rtree_proposal_versions_geom WHERE id = 3")).scalar() == 1

    assert path is not None
    assert validate_gpkg(path) == []
    seen = gdal_layers(path)
    layers = {name: layer["geometry"] for name, layer in seen["layers"].items()
              if layer["geometry"] is not None}
    assert set(layers) == {*POLYGON_TABLES, *TYPED_VIEWS}
    assert "Unknown (any)" not in layers.values()
    assert not {"users", "runs", "context_features", "survey_findings"} & set(seen["layers"])
    assert seen["layers"]["context_polygons"]["count"] == 2


@pytest.mark.parametrize("engine_name", ENGINES)
def test_going_back_to_0010_and_forward_again_keeps_every_row(engine_name, tmp_path):
    from alembic import command

    from api.db.migrate import alembic_config

    with _database(engine_name, tmp_path) as (engine, path):
        _at_0010(engine)
        before = _rows(engine)
        upgrade(engine)
        config = alembic_config(engine)
        with engine.begin() as db:
            config.attributes["connection"] = db
            command.downgrade(config, "0010")
        assert _rows(engine) == before
        with engine.connect() as db:
            assert "shape" not in _column_names(db, "context_features")
        upgrade(engine)
        assert _rows(engine) == before
    if path is not None:
        assert validate_gpkg(path) == []
