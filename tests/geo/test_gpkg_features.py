"""The light GeoPackage reader gives what GDAL gives, or declines; a proposal is chosen the
same way from what either reads; a proposal reprojects as geopandas would.

Every comparison is with the GDAL reader (:func:`geo.io.read_layer`) on the same real file.
"""

from __future__ import annotations

import math
import sqlite3
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import pyogrio
import pyproj
import pytest
import shapely
from shapely.geometry import box

from geo.errors import CRSError, InputError, SijieError
from geo.features import FeatureTable, table_from_frame
from geo.io import read_layer
from geo.io.gpkg_features import read_gpkg_features
from geo.proposal import Proposal, column_for, proposal_from_frame, proposal_from_table
from geo.rules.model import ProposalColumns
from tests.conftest import DEMO

E = TypeVar("E", bound=SijieError)

DEMO_PROPOSALS = sorted((DEMO / "proposals").glob("*.gpkg"))
REPO = Path(__file__).resolve().parents[2]

# a community in Zhenhai, Ningbo, in CGCS2000 / 3-degree GK CM 120E (EPSG:4549)
X0, Y0 = 664_000.0, 3_315_000.0
SITE = box(X0, Y0, X0 + 400, Y0 + 300)


def assert_same_proposal(light: Proposal, gdal: Proposal) -> None:
    """Everything a command uses of a proposal is the same, the geometry to the last bit."""
    assert (light.name, light.type, light.raw_type, light.custodial, light.centre_name) == (
        gdal.name, gdal.type, gdal.raw_type, gdal.custodial, gdal.centre_name)
    assert light.crs == gdal.crs
    assert shapely.equals_exact(light.geometry, gdal.geometry, tolerance=0)
    assert light.geometry.wkb == gdal.geometry.wkb


def by_gdal(path: Path, **choice: object) -> Proposal:
    return proposal_from_frame(read_layer(path), source=str(path), **choice)  # type: ignore[arg-type]


def by_sqlite(path: Path, **choice: object) -> Proposal:
    table = read_gpkg_features(path)
    assert table is not None, f"{path} was left to GDAL"
    return proposal_from_table(table, source=str(path), **choice)  # type: ignore[arg-type]


def write(path: Path, frame: gpd.GeoDataFrame, layer: str = "proposal") -> Path:
    """``frame`` as a GeoPackage written by GDAL, without the spatial index (whose triggers
    call functions plain SQLite lacks, so that a test may change rows with SQL)."""
    pyogrio.write_dataframe(frame, path, layer=layer, layer_options={"SPATIAL_INDEX": "NO"})
    return path


def community(**columns: list[object]) -> gpd.GeoDataFrame:
    data = {"name": ["镇海新材料工业社区"], "type": ["工业社区"]} | columns
    count = len(data["name"])
    return gpd.GeoDataFrame(data, geometry=[shapely.affinity.translate(SITE, 500 * i)
                                            for i in range(count)], crs="EPSG:4549")


def set_blob(path: Path, blob: bytes, table: str = "proposal") -> None:
    with sqlite3.connect(path) as db:
        db.execute(f'UPDATE "{table}" SET geom = ?', (blob,))
    db.close()


def blob(geom: shapely.Geometry, *, flags: int = 0b01, srs_id: int = 4549,
         envelope: bytes = b"", big_endian_wkb: bool = False) -> bytes:
    """A GeoPackage geometry blob: header (``flags``, ``srs_id`` in the byte order of flags'
    bit 0), ``envelope``, then the ISO WKB of ``geom``."""
    order = "<" if flags & 1 else ">"
    wkb = shapely.to_wkb(geom, flavor="iso", byte_order=0 if big_endian_wkb else 1)
    return b"GP\x00" + bytes([flags]) + struct.pack(f"{order}i", srs_id) + envelope + wkb


# --- the demo proposals ------------------------------------------------------------------


@pytest.mark.parametrize("path", DEMO_PROPOSALS, ids=lambda p: p.stem)
def test_every_demo_proposal_reads_the_same_without_gdal(path: Path) -> None:
    assert_same_proposal(by_sqlite(path), by_gdal(path))


def test_a_demo_proposal_gives_the_table_gdal_gives() -> None:
    path = DEMO / "proposals" / "good_custodial_enclave.gpkg"
    light = read_gpkg_features(path)
    assert light is not None
    gdal = table_from_frame(read_layer(path))
    assert (light.layer, light.columns, len(light)) == (gdal.layer, gdal.columns, len(gdal))
    assert light.crs == gdal.crs
    assert light.bounds() == gdal.bounds()
    assert list(shapely.to_wkb(light.geometry)) == list(shapely.to_wkb(gdal.geometry))
    for name in light.columns:
        assert [None if v != v else v for v in light.column(name) or ()] == [
            None if v != v else v for v in gdal.column(name) or ()]


# --- values and geometries ---------------------------------------------------------------


def test_every_column_type_has_the_values_gdal_gives(tmp_path: Path) -> None:
    path = write(tmp_path / "types.gpkg", community(name=["甲", "乙", "丙"],
                                                    type=["工业社区"] * 3))
    columns = {"i": ("INTEGER", [1, None, 3]), "i2": ("INTEGER", [1, 2, 3]),
               "b": ("BOOLEAN", [1, 0, None]), "b2": ("BOOLEAN", [1, 0, 1]),
               "s": ("SMALLINT", [1, None, 2]), "t8": ("TINYINT", [1, 2, 3]),
               "m": ("MEDIUMINT", [1, 2, None]), "f": ("FLOAT", [0.1, None, 2.5]),
               "d": ("DOUBLE", [0.1, None, 3]), "r": ("REAL", [1.5, 2, 3]),
               "t": ("TEXT", ["x", None, "z"]), "t10": ("TEXT(10)", ["x", "y", "z"]),
               "bl": ("BLOB", [b"1", None, b"2"])}
    with sqlite3.connect(path) as db:
        for column, (kind, values) in columns.items():
            db.execute(f"ALTER TABLE proposal ADD COLUMN {column} {kind}")
            for fid, value in enumerate(values, start=1):
                db.execute(f"UPDATE proposal SET {column} = ? WHERE fid = ?", (value, fid))
    db.close()
    light = read_gpkg_features(path)
    assert light is not None
    gdal = table_from_frame(read_layer(path))
    assert light.columns == gdal.columns
    for name in light.columns:
        for ours, theirs in zip(light.column(name) or (), gdal.column(name) or (), strict=True):
            if theirs is None or (isinstance(theirs, float) and math.isnan(theirs)):
                # missing text is NaN in pandas' text columns, None here: both mean missing
                assert ours is None or (isinstance(ours, float) and math.isnan(ours)), name
            else:
                assert (type(ours), ours) == (type(theirs), theirs), name


def test_a_z_polygon_keeps_its_heights(tmp_path: Path) -> None:
    site = shapely.force_3d(SITE, 12.5)
    path = write(tmp_path / "z.gpkg", community().set_geometry([site], crs="EPSG:4549"))
    light = by_sqlite(path)
    assert shapely.has_z(light.geometry)
    assert_same_proposal(light, by_gdal(path))


@pytest.mark.parametrize(("flags", "envelope"), [
    (0b0000_0001, b""),                                           # no envelope, little-endian
    (0b0000_0000, b""),                                           # no envelope, big-endian
    (0b0000_0011, struct.pack("<4d", X0, X0 + 400, Y0, Y0 + 300)),  # xy envelope
    (0b0000_1001, struct.pack("<8d", X0, X0 + 400, Y0, Y0 + 300, 0, 0, 0, 0)),  # xyzm
], ids=["none-le", "none-be", "xy", "xyzm"])
def test_headers_with_any_envelope_decode(tmp_path: Path, flags: int, envelope: bytes) -> None:
    path = write(tmp_path / "env.gpkg", community())
    set_blob(path, blob(SITE, flags=flags, envelope=envelope, big_endian_wkb=not flags & 1))
    light = by_sqlite(path)
    assert light.geometry.wkb == SITE.wkb
    assert_same_proposal(light, by_gdal(path))


def test_an_empty_geometry_decodes_as_gdal_reads_it(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.gpkg", community())
    set_blob(path, blob(shapely.Polygon(), flags=0b0001_0001))  # the empty bit set
    light = by_sqlite(path)
    gdal = by_gdal(path)
    assert light.geometry.is_empty and gdal.geometry.is_empty
    assert light.geometry.wkb == gdal.geometry.wkb


# --- what it leaves to GDAL --------------------------------------------------------------


@pytest.mark.parametrize("damage", [
    lambda b: b[:-9],                     # cut short
    lambda b: b"GX" + b[2:],              # not a GeoPackage blob
    lambda b: b[:3] + bytes([b[3] | 0b0010_0000]) + b[4:],  # an extended geometry type
    lambda b: b[:3] + bytes([0b0000_1011]) + b[4:],         # envelope code 5: none such
], ids=["short", "magic", "extended", "envelope"])
def test_a_damaged_blob_is_left_to_gdal(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path / "bad.gpkg", community())
    set_blob(path, damage(blob(SITE)))
    assert read_gpkg_features(path) is None


def test_measures_are_left_to_gdal_which_drops_them(tmp_path: Path) -> None:
    path = write(tmp_path / "m.gpkg", community())
    set_blob(path, blob(shapely.from_wkt(f"POLYGON M (({X0} {Y0} 1, {X0 + 9} {Y0} 2, "
                                         f"{X0 + 9} {Y0 + 9} 3, {X0} {Y0} 1))")))
    assert read_gpkg_features(path) is None
    assert not shapely.has_m(by_gdal(path).geometry)


@pytest.mark.parametrize(("column", "value"), [
    ("approved DATE", "'2024-05-01'"),  # a date GDAL parses
    ("households INTEGER", "'many'"),  # text in a number column
])
def test_columns_gdal_reads_its_own_way_are_left_to_it(tmp_path: Path, column: str,
                                                       value: str) -> None:
    path = write(tmp_path / "columns.gpkg", community())
    with sqlite3.connect(path) as db:
        db.execute(f"ALTER TABLE proposal ADD COLUMN {column}")
        db.execute(f"UPDATE proposal SET {column.split()[0]} = {value}")
    db.close()
    assert read_gpkg_features(path) is None


def test_a_file_with_two_feature_layers_is_left_to_gdal(tmp_path: Path) -> None:
    path = write(tmp_path / "two.gpkg", community())
    write(path, community(), layer="second")
    assert read_gpkg_features(path) is None
    assert read_gpkg_features(f"{path}:second") is None  # a named layer, too


def test_a_layer_without_features_is_left_to_gdal(tmp_path: Path) -> None:
    path = write(tmp_path / "none.gpkg", community())
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM proposal")
    db.close()
    assert read_gpkg_features(path) is None


@pytest.mark.parametrize("srs_id", [0, -1, 99999])
def test_a_layer_without_a_defined_crs_is_left_to_gdal(tmp_path: Path, srs_id: int) -> None:
    path = write(tmp_path / "nocrs.gpkg", community())
    with sqlite3.connect(path) as db:
        db.execute("UPDATE gpkg_geometry_columns SET srs_id = ?", (srs_id,))
    db.close()
    assert read_gpkg_features(path) is None


def test_a_zone_prefixed_crs_is_left_to_gdal_which_converts_it(tmp_path: Path) -> None:
    frame = community().to_crs("EPSG:4528")  # zone 40, eastings 40 6xx xxx
    path = write(tmp_path / "prefixed.gpkg", frame)
    assert read_gpkg_features(path) is None
    assert by_gdal(path).crs == pyproj.CRS.from_epsg(4549)


@pytest.mark.parametrize("name", ["proposal.geojson", "proposal.fgb"])
def test_other_formats_are_left_to_gdal(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    pyogrio.write_dataframe(community(), path)
    assert read_gpkg_features(path) is None


def test_missing_files_and_folders_are_left_to_gdal(tmp_path: Path) -> None:
    assert read_gpkg_features(tmp_path / "absent.gpkg") is None
    assert read_gpkg_features(tmp_path) is None


def test_a_crs_without_an_epsg_code_is_the_one_gdal_reads(tmp_path: Path) -> None:
    custom = pyproj.CRS.from_proj4("+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 "
                                   "+ellps=GRS80 +units=m +no_defs")
    path = write(tmp_path / "custom.gpkg", community().set_crs(custom, allow_override=True))
    assert_same_proposal(by_sqlite(path), by_gdal(path))


# --- the CRS checks ----------------------------------------------------------------------


def refused_alike(kind: type[E], light: Callable[[Path], object],
                  gdal: Callable[[Path], object], path: Path) -> E:
    """The error both readers give for ``path``, the same words from each."""
    with pytest.raises(kind) as by_light:
        light(path)
    with pytest.raises(kind) as by_gdal_path:
        gdal(path)
    assert str(by_light.value) == str(by_gdal_path.value)
    return by_light.value


def test_lon_lat_in_the_wrong_order_is_refused_as_gdal_refuses_it(tmp_path: Path) -> None:
    swapped = gpd.GeoDataFrame({"name": ["甲"], "type": ["工业社区"]},
                               geometry=[box(30.0, 121.0, 30.01, 121.01)], crs="EPSG:4490")
    path = write(tmp_path / "swapped.gpkg", swapped)
    refused = refused_alike(CRSError, read_gpkg_features, read_layer, path)
    assert refused.message_key == "crs_axes_swapped"


def test_a_place_outside_china_is_refused_as_gdal_refuses_it(tmp_path: Path) -> None:
    path = write(tmp_path / "abroad.gpkg", community().set_crs("EPSG:32633",
                                                               allow_override=True))
    refused_alike(CRSError, read_gpkg_features, read_layer, path)


# --- choosing the proposal ---------------------------------------------------------------


def test_several_features_are_refused_by_name_on_either_reader(tmp_path: Path) -> None:
    path = write(tmp_path / "several.gpkg", community(name=["甲社区", "乙社区"],
                                                      type=["工业社区", "楼宇社区"]))
    refused = refused_alike(InputError, by_sqlite, by_gdal, path)
    assert refused.message_key == "several_proposals"
    assert "甲社区, 乙社区" in str(refused)
    assert_same_proposal(by_sqlite(path, feature="乙社区"), by_gdal(path, feature="乙社区"))


def test_columns_are_found_whatever_their_case_on_either_reader(tmp_path: Path) -> None:
    frame = community().rename(columns={"name": "Name", "type": "TYPE"})
    frame["centre_name"] = ["镇海党群服务中心"]
    frame["custodial_parts"] = ['[{"part": 1, "reason": "托管"}]']
    path = write(tmp_path / "case.gpkg", frame)
    light = by_sqlite(path)
    assert (light.name, light.type, light.centre_name) == (
        "镇海新材料工业社区", "industrial", "镇海党群服务中心")
    assert light.custodial[0].reason == "托管"
    assert_same_proposal(light, by_gdal(path))


def test_a_file_without_a_name_column_names_what_it_has_on_either_reader(
        tmp_path: Path) -> None:
    path = write(tmp_path / "unnamed.gpkg", community().rename(columns={"name": "title"}))
    with pytest.raises(InputError) as light:
        by_sqlite(path)
    with pytest.raises(InputError) as gdal:
        by_gdal(path)
    assert str(light.value) == str(gdal.value)
    assert "title, type" in str(light.value)


def test_a_malformed_custodial_declaration_names_its_row_on_either_reader(
        tmp_path: Path) -> None:
    path = write(tmp_path / "custodial.gpkg", community(custodial_parts=["[{part: 2}]"]))
    with pytest.raises(InputError) as light:
        by_sqlite(path)
    with pytest.raises(InputError) as gdal:
        by_gdal(path)
    assert str(light.value) == str(gdal.value)


def test_column_for_reads_a_frame_and_a_table_alike() -> None:
    frame = community().rename(columns={"name": "名称"})
    table = table_from_frame(frame)
    columns = ProposalColumns()
    assert column_for(frame, columns.name) == column_for(table, columns.name) == "名称"
    assert column_for(frame, ["absent"]) is column_for(table, ["absent"]) is None


def test_a_table_made_in_memory_chooses_as_a_frame_does() -> None:
    frame = community(centre_name=[None])
    table = FeatureTable(layer=None, columns=("name", "type", "centre_name"),
                         values=(("镇海新材料工业社区",), ("工业社区",), (None,)),
                         geometry=frame.geometry.to_numpy(), crs=pyproj.CRS.from_epsg(4549))
    assert_same_proposal(proposal_from_table(table), proposal_from_frame(frame))


# --- reprojection ------------------------------------------------------------------------


@pytest.mark.parametrize("path", DEMO_PROPOSALS[:3] + DEMO_PROPOSALS[-1:], ids=lambda p: p.stem)
def test_a_proposal_reprojects_to_the_bit_as_geopandas_does(path: Path) -> None:
    lonlat = read_layer(path).to_crs("EPSG:4490")
    prop = proposal_from_frame(lonlat)
    work = pyproj.CRS.from_epsg(4549)
    ours = prop.to_crs(work)
    theirs = gpd.GeoSeries([prop.geometry], crs=prop.crs).to_crs(work).iloc[0]
    assert ours.wkb == theirs.wkb
    assert prop.to_crs(work) is ours  # kept for the next rule


def test_a_z_proposal_reprojects_its_heights_as_geopandas_does() -> None:
    site = shapely.force_3d(SITE, 7.25)
    prop = proposal_from_frame(community().set_geometry([site], crs="EPSG:4549"))
    lonlat = pyproj.CRS.from_epsg(4490)
    theirs = gpd.GeoSeries([site], crs="EPSG:4549").to_crs(lonlat).iloc[0]
    assert prop.to_crs(lonlat).wkb == theirs.wkb
    assert shapely.has_z(prop.to_crs(lonlat))


# --- what it loads -----------------------------------------------------------------------



def test_the_proposal_and_the_light_reader_import_without_pandas() -> None:
    code = ("import sys\n"
            "import geo.features, geo.proposal, geo.io.gpkg_features\n"
            "print(sorted(m for m in ('pandas', 'geopandas', 'pyogrio') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=REPO)
    assert done.stdout.strip() == "[]"


def test_reading_a_demo_proposal_loads_no_pandas() -> None:
    path = DEMO / "proposals" / "good_industrial.gpkg"
    code = ("import sys\n"
            "from geo.io.gpkg_features import read_gpkg_features\n"
            "from geo.proposal import proposal_from_table\n"
            f"prop = proposal_from_table(read_gpkg_features({str(path)!r}))\n"
            "print(prop.name)\n"
            "print(sorted(m for m in ('pandas', 'geopandas', 'pyogrio') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=REPO)
    assert done.stdout.strip().splitlines()[-1] == "[]"
