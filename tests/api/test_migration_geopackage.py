"""Migration 0009: a service GeoPackage in the layout of earlier versions (SpatiaLite geometry
blobs, VirtualGPKG wrappers, no R-tree, the base tables as SpatiaLite makes them) becomes one
GDAL's validator passes, every row kept, and the service reads and writes it as before."""

from __future__ import annotations

from shapely import wkt
from shapely.geometry import box
from sqlalchemy import insert, select, text

from api.db.engine import make_engine
from api.db.migrate import upgrade
from api.db.models import ContextFeature, ProposalVersion, utcnow
from api.geometry import bbox_columns, db_geom, geometry_kind, shape_of
from tests.gpkg_checks import gdal_layers, validate_gpkg

_BOUNDARY = "POLYGON ((121.6 29.94, 121.61 29.94, 121.61 29.95, 121.6 29.95, 121.6 29.94))"
_ROAD = "LINESTRING (121.6 29.94, 121.62 29.96)"


def _old_layout(url: str) -> None:
    """A database as versions up to migration 0008 left it, written as they wrote it."""
    engine = make_engine(url)
    try:
        upgrade(engine, "0008")
        with engine.begin() as db:
            now = "2026-11-30T08:00:00.000Z"
            db.execute(text(
                "INSERT INTO users (id, username, display_name, password_hash, role, "
                "created_at) VALUES (1, 'gis', '', 'pbkdf2$secret', 'gis', :now)"), {"now": now})
            db.execute(text("INSERT INTO towns (id, name, work_crs, source, created_at) "
                            "VALUES (1, '澥川街道', 'EPSG:4549', '', :now)"), {"now": now})
            db.execute(text("INSERT INTO proposals (id, town_id, state, created_by, "
                            "created_at) VALUES (1, 1, 'draft', 1, :now)"), {"now": now})
            # SpatiaLite blobs, as GeoAlchemy2's GeomFromEWKT wrote them
            db.execute(text(
                "INSERT INTO proposal_versions (id, proposal_id, version, name, type, "
                "custodial, input_crs, area_m2, reason, author_id, created_at, etag, geom, "
                "minx, miny, maxx, maxy) VALUES (1, 1, 1, '甲工业社区', 'industrial', '[]', "
                "'EPSG:4490', 1.0, '', 1, :now, 'e', GeomFromEWKT(:g), 121.6, 29.94, 121.61, "
                "29.95)"), {"now": now, "g": f"SRID=4490;{_BOUNDARY}"})
            for fid, (layer, shape) in enumerate((("neighbours", _BOUNDARY),
                                                  ("roads", _ROAD)), start=1):
                db.execute(text(
                    "INSERT INTO context_features (id, town_id, layer, fid, properties, geom, "
                    "minx, miny, maxx, maxy, version_from) VALUES (:i, 1, :l, :i, '{}', "
                    "GeomFromEWKT(:g), 0, 0, 0, 0, 1)"),
                    {"i": fid, "l": layer, "g": f"SRID=4490;{shape}"})
            db.execute(text("SELECT AutoGpkgStart()"))  # every earlier connection did
            binary = db.execute(text(
                "SELECT count(*) FROM proposal_versions WHERE hex(geom) LIKE '4750%'")).scalar()
            assert binary == 0
    finally:
        engine.dispose()


def test_an_earlier_service_geopackage_is_migrated_to_a_valid_one(tmp_path):
    path = tmp_path / "sijie.gpkg"
    url = f"gpkg:///{path}"
    _old_layout(url)
    assert validate_gpkg(path) != []  # what the earlier layout was

    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.connect() as db:
            assert db.execute(text(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'vgpkg_%'")).scalar() == 0
            for table, rows in (("proposal_versions", 1), ("context_features", 2)):
                counts = db.execute(text(
                    f"SELECT count(*), sum(hex(geom) LIKE '4750%'), "
                    f"(SELECT count(*) FROM rtree_{table}_geom) FROM {table}")).one()
                assert tuple(counts) == (rows, rows, rows), table
            stored = db.execute(select(ProposalVersion.geom)).scalar_one()
            assert shape_of(stored).equals_exact(wkt.loads(_BOUNDARY), 1e-12)
        # the migrated file takes new rows as GeoPackage binary, indexed, and still refuses
        # to change a stored version
        shape = box(121.62, 29.95, 121.63, 29.96)
        with engine.begin() as db:
            db.execute(insert(ContextFeature.__table__).values(
                town_id=1, layer="parcels", fid=3, properties={}, geom=db_geom(shape),
                shape=geometry_kind(shape), version_from=1, **bbox_columns(shape)))
            db.execute(insert(ProposalVersion.__table__).values(
                proposal_id=1, version=2, name="甲工业社区", type="industrial", custodial=[],
                input_crs="EPSG:4490", area_m2=1.0, reason="修改", author_id=1,
                created_at=utcnow(), etag="f", geom=db_geom(shape), **bbox_columns(shape)))
        with engine.connect() as db:
            hits = db.execute(text(
                "SELECT count(*) FROM rtree_context_features_geom WHERE minx >= 121.615")).scalar()
            assert hits == 1
            guard = db.execute(text(
                "SELECT count(*) FROM sqlite_master WHERE name = 'proposal_versions_no_update'"))
            assert guard.scalar() == 1
        upgrade(engine)  # at head: nothing changes
    finally:
        engine.dispose()

    assert validate_gpkg(path) == []
    seen = gdal_layers(path)
    assert "users" not in seen["layers"] and "runs" not in seen["layers"]
    assert seen["layers"]["proposal_versions"]["count"] == 2
    assert seen["layers"]["context_polygons"]["count"] == 2
    assert seen["layers"]["context_lines"]["count"] == 1
