"""Tests of geo.io: every format round-trips, Chinese text survives, bad input is named."""

from __future__ import annotations

import json
import sqlite3
import time
import zipfile
from pathlib import Path

import ezdxf
import geopandas as gpd
import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import LineString, Point, box

from geo.errors import InputError, MissingCRSError
from geo.io import LayerInfo, list_layers, read_layer, write_geojson, write_gpkg
from geo.io.encoding import cpg_encoding, sniff_dbf_encoding

# Zhenhai, Ningbo, in CGCS2000 / 3-degree GK CM 120E (EPSG:4549), x = easting.
X0, Y0 = 664_000.0, 3_315_000.0
NAMES = ["镇海炼化", "招宝山街道"]
AREAS = [100.0 * 50.0, 30.0 * 40.0]  # the two parcels below, in m²


def parcels(crs: str | None = "EPSG:4549") -> gpd.GeoDataFrame:
    """Two rectangles with Chinese names; areas 5000 m² and 1200 m²."""
    return gpd.GeoDataFrame(
        {"name": NAMES, "code": [1, 2], "note": ["石化基地", "街道办事处"]},
        geometry=[
            box(X0, Y0, X0 + 100, Y0 + 50),
            box(X0 + 200, Y0, X0 + 230, Y0 + 40),
        ],
        crs=crs,
    )


def roads() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["海天中路"]},
        geometry=[LineString([(X0, Y0 - 10), (X0 + 300, Y0 - 10)])],
        crs="EPSG:4549",
    )


def assert_names_place(err: pytest.ExceptionInfo[InputError], path: Path, layer: str) -> None:
    message = str(err.value)
    assert str(path) in message
    assert f"layer '{layer}'" in message


def write_shapefile(folder: Path, stem: str, encoding: str, *, keep_cpg: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / f"{stem}.shp"
    pyogrio.write_dataframe(parcels(), shp, encoding=encoding)
    cpg = shp.with_suffix(".cpg")
    if not keep_cpg:
        cpg.unlink()
    return shp


# --- GeoPackage -----------------------------------------------------------------------


def test_gpkg_round_trip_by_layer(tmp_path: Path) -> None:
    path = tmp_path / "规划.gpkg"
    write_gpkg(parcels(), path, "parcels")
    write_gpkg(roads(), path, "roads")

    got = read_layer(f"{path}:parcels")
    assert_geodataframe_equal(got, parcels())
    assert got.attrs["source"] == str(path)
    assert got.attrs["layer"] == "parcels"

    assert_geodataframe_equal(read_layer(path, layer="roads"), roads())


def test_gpkg_single_layer_needs_no_name_but_several_do(tmp_path: Path) -> None:
    single = tmp_path / "one.gpkg"
    write_gpkg(parcels(), single, "地块")
    assert read_layer(single).attrs["layer"] == "地块"

    several = tmp_path / "two.gpkg"
    write_gpkg(parcels(), several, "parcels")
    write_gpkg(roads(), several, "roads")
    with pytest.raises(InputError) as err:
        read_layer(several)
    assert str(several) in str(err.value)
    assert "'parcels'" in str(err.value) and "'roads'" in str(err.value)


def test_gpkg_text_columns_and_cgcs2000_definitions(tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    write_gpkg(parcels(), path, "parcels")
    write_gpkg(parcels().to_crs("EPSG:4490"), path, "parcels_lonlat")
    with sqlite3.connect(path) as con:
        columns = {row[1]: row[2] for row in con.execute("PRAGMA table_info(parcels)")}
        srs = {
            row[0]: row
            for row in con.execute(
                "SELECT srs_id, organization, organization_coordsys_id, definition "
                "FROM gpkg_spatial_ref_sys"
            )
        }
        geometry_srs = dict(con.execute("SELECT table_name, srs_id FROM gpkg_geometry_columns"))
    assert columns["name"] == "TEXT"
    assert columns["note"] == "TEXT"
    assert geometry_srs == {"parcels": 4549, "parcels_lonlat": 4490}
    assert srs[4549][1:3] == ("EPSG", 4549)
    assert "CGCS2000 / 3-degree Gauss-Kruger CM 120E" in srs[4549][3]
    assert 'AUTHORITY["EPSG","4549"]' in srs[4549][3]
    assert srs[4490][1:3] == ("EPSG", 4490)
    assert "China Geodetic Coordinate System 2000" in srs[4490][3]


def test_gpkg_layer_replaced_and_file_replaced(tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    write_gpkg(parcels(), path, "parcels")
    write_gpkg(roads(), path, "roads")
    write_gpkg(parcels().iloc[[1]], path, "parcels")
    assert_geodataframe_equal(read_layer(path, layer="parcels"),
                              parcels().iloc[[1]].reset_index(drop=True))
    # beside them QGIS's table of their styles
    assert sorted(info.name for info in list_layers(path)) == ["layer_styles", "parcels", "roads"]

    write_gpkg(roads(), path, "only", append_layer=False)
    assert [info.name for info in list_layers(path)] == ["only", "layer_styles"]


def test_gpkg_bytes_are_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    for target in (first, second):
        write_gpkg(parcels(), target, "parcels")
        write_gpkg(roads(), target, "roads")
        time.sleep(1.1)
    assert first.read_bytes() == second.read_bytes()
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None  # restored


def test_write_gpkg_refuses_frame_without_crs(tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    with pytest.raises(InputError) as err:
        write_gpkg(parcels(crs=None), path, "parcels")
    assert_names_place(err, path, "parcels")
    assert not path.exists()


# --- GeoJSON and FlatGeobuf ----------------------------------------------------------


def test_geojson_is_rfc7946_utf8_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "parcels.geojson"
    write_geojson(parcels(), path)
    text = path.read_bytes().decode("utf-8")
    assert "镇海炼化" in text and "\\u" not in text
    data = json.loads(text)
    assert "crs" not in data
    lon, lat = data["features"][0]["geometry"]["coordinates"][0][0]
    assert 121.6 < lon < 121.8 and 29.9 < lat < 30.0

    got = read_layer(path)
    # GeoJSON is lon/lat to 7 decimals (about 1 cm) and keeps the code as a 32-bit integer
    assert_geodataframe_equal(got, parcels().to_crs("EPSG:4326"), check_dtype=False,
                              check_less_precise=True)
    assert got.attrs["encoding"] == "UTF-8"


def test_write_geojson_refuses_frame_without_crs(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        write_geojson(parcels(crs=None), tmp_path / "x.geojson")


def test_flatgeobuf_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "parcels.fgb"
    pyogrio.write_dataframe(parcels(), path, driver="FlatGeobuf")
    got = read_layer(path).sort_values("code")  # the packed R-tree reorders features
    assert_geodataframe_equal(got.reset_index(drop=True), parcels())


# --- Shapefile -----------------------------------------------------------------------


def test_shapefile_with_cpg(tmp_path: Path) -> None:
    shp = write_shapefile(tmp_path, "parcels", "UTF-8", keep_cpg=True)
    assert shp.with_suffix(".cpg").exists()
    got = read_layer(shp)
    assert_geodataframe_equal(got, parcels())
    assert got.attrs["layer"] == "parcels"
    assert got.attrs["encoding"] == "UTF-8"


def test_cpg_is_honoured_over_sniffing(tmp_path: Path) -> None:
    shp = write_shapefile(tmp_path, "parcels", "GBK", keep_cpg=False)
    shp.with_suffix(".cpg").write_text("936")
    got = read_layer(shp)
    assert_geodataframe_equal(got, parcels())
    assert got.attrs["encoding"] == "GBK"


def test_cpg_that_lies_is_overruled_by_the_data(tmp_path: Path) -> None:
    shp = write_shapefile(tmp_path, "parcels", "GBK", keep_cpg=False)
    shp.with_suffix(".cpg").write_text("UTF-8")
    got = read_layer(shp)
    assert_geodataframe_equal(got, parcels())
    assert got.attrs["encoding"] == "GBK"


@pytest.mark.parametrize("keep_cpg", [True, False])
def test_utf8_names_cut_inside_a_character_lose_only_that_character(
        tmp_path: Path, keep_cpg: bool) -> None:
    # GDAL (and QGIS through it) cuts UTF-8 field names at 10 bytes: 社区名称 is 12
    frame = gpd.GeoDataFrame({"社区名称": ["澥川新材料工业社区"], "社区类型": ["工业社区"]},
                             geometry=[box(656_000, 3_316_000, 656_100, 3_316_100)],
                             crs="EPSG:4549")
    shp = tmp_path / "boundary.shp"
    with pytest.warns(RuntimeWarning, match="laundered"):
        pyogrio.write_dataframe(frame, shp, encoding="UTF-8")
    assert "社区名称".encode()[:10] in shp.with_suffix(".dbf").read_bytes()  # cut in 称
    if not keep_cpg:
        shp.with_suffix(".cpg").unlink()
    got = read_layer(shp)
    assert list(got.columns) == ["社区名", "社区类", "geometry"]
    assert (got["社区名"].iloc[0], got["社区类"].iloc[0]) == ("澥川新材料工业社区", "工业社区")
    assert got.attrs["encoding"] == "UTF-8"


def test_explicit_encoding_wins_and_bad_ones_are_named(tmp_path: Path) -> None:
    shp = write_shapefile(tmp_path, "parcels", "GBK", keep_cpg=False)
    assert_geodataframe_equal(read_layer(shp, encoding="cp936"), parcels())
    with pytest.raises(InputError) as err:
        read_layer(shp, encoding="UTF-8")
    assert_names_place(err, shp, "parcels")
    assert isinstance(err.value.__cause__, UnicodeDecodeError)
    with pytest.raises(InputError) as err:
        read_layer(shp, encoding="no-such-codec")
    assert "no-such-codec" in str(err.value)


def test_gbk_shapefile_without_cpg(tmp_path: Path) -> None:
    shp = write_shapefile(tmp_path, "parcels", "GBK", keep_cpg=False)
    dbf = shp.with_suffix(".dbf").read_bytes()
    assert "镇海炼化".encode("gbk") in dbf  # the fixture really is GBK
    assert not shp.with_suffix(".cpg").exists()
    got = read_layer(shp)
    assert_geodataframe_equal(got, parcels())
    assert got.attrs["encoding"] == "GBK"


def test_utf8_shapefile_without_cpg(tmp_path: Path) -> None:
    shp = write_shapefile(tmp_path, "parcels", "UTF-8", keep_cpg=False)
    assert "招宝山街道".encode() in shp.with_suffix(".dbf").read_bytes()
    got = read_layer(shp)
    assert_geodataframe_equal(got, parcels())
    assert got.attrs["encoding"] == "UTF-8"


def test_zipped_shapefile_in_subfolder(tmp_path: Path) -> None:
    shp = write_shapefile(tmp_path / "src", "地块", "GBK", keep_cpg=False)
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in sorted(shp.parent.iterdir()):
            zf.write(part, f"数据/2024/{part.name}")
        zf.writestr("readme.txt", "说明")
    for source in (archive, f"{archive}:地块"):
        got = read_layer(source)
        assert_geodataframe_equal(got, parcels())
        assert got.attrs["layer"] == "地块"
        assert got.attrs["encoding"] == "GBK"
        assert got.attrs["source"] == str(archive)
    (info,) = list_layers(archive)
    assert (info.name, info.feature_count, info.encoding) == ("地块", 2, "GBK")


def test_missing_prj_needs_declared_crs(tmp_path: Path) -> None:
    shp = write_shapefile(tmp_path, "parcels", "UTF-8", keep_cpg=True)
    shp.with_suffix(".prj").unlink()
    with pytest.raises(MissingCRSError) as err:
        read_layer(shp)
    assert_names_place(err, shp, "parcels")
    assert_geodataframe_equal(read_layer(shp, crs="EPSG:4549"), parcels())


# --- KML, KMZ ------------------------------------------------------------------------

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document><name>规划</name>
<Placemark><name>镇海炼化</name><description>石化基地</description>
<Polygon><outerBoundaryIs><LinearRing><coordinates>
121.70,29.95,0 121.72,29.95,0 121.72,29.97,0 121.70,29.97,0 121.70,29.95,0
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
<Placemark><name>招宝山街道</name><description>街道办事处</description>
<Point><coordinates>121.71,29.96,0</coordinates></Point></Placemark>
</Document></kml>
"""


def check_kml_frame(got: gpd.GeoDataFrame) -> None:
    assert got.crs.to_epsg() == 4326
    assert got["name"].tolist() == NAMES
    assert got["description"].tolist() == ["石化基地", "街道办事处"]
    assert got.geom_type.tolist() == ["Polygon", "Point"]
    assert not got.has_z.any()
    assert got.geometry.iloc[0].bounds == pytest.approx((121.70, 29.95, 121.72, 29.97))
    assert got.geometry.iloc[1].coords[0] == pytest.approx((121.71, 29.96))


def test_kml(tmp_path: Path) -> None:
    path = tmp_path / "规划.kml"
    path.write_text(KML, encoding="utf-8")
    check_kml_frame(read_layer(path))


def test_kmz(tmp_path: Path) -> None:
    path = tmp_path / "规划.kmz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("doc.kml", KML.encode("utf-8"))
    got = read_layer(path)
    check_kml_frame(got)
    assert got.attrs["layer"] == "规划"


# --- DXF -----------------------------------------------------------------------------


def make_dxf(path: Path) -> Path:
    doc = ezdxf.new("R2010")
    doc.layers.add("规划边界")
    doc.layers.add("道路")
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 50), (X0, Y0 + 50)],
        close=True,
        dxfattribs={"layer": "规划边界"},
    )
    hatch = msp.add_hatch(dxfattribs={"layer": "规划边界"})
    hatch.paths.add_polyline_path(
        [(X0 + 200, Y0), (X0 + 230, Y0), (X0 + 230, Y0 + 40), (X0 + 200, Y0 + 40)],
        is_closed=True,
    )
    msp.add_lwpolyline(
        [(X0, Y0 - 10), (X0 + 150, Y0 - 20), (X0 + 300, Y0 - 10)], dxfattribs={"layer": "道路"}
    )
    doc.saveas(path)
    return path


def test_dxf_closed_outlines_and_hatches_become_polygons(tmp_path: Path) -> None:
    path = make_dxf(tmp_path / "总平面.dxf")
    got = read_layer(path, crs="EPSG:4549")
    assert got.crs.to_epsg() == 4549
    assert got["layer"].tolist() == ["规划边界", "规划边界", "道路"]
    assert got.geom_type.tolist() == ["Polygon", "Polygon", "LineString"]
    assert got.area.iloc[:2].tolist() == pytest.approx(AREAS)
    assert got.geometry.iloc[2].length == pytest.approx(2 * (150**2 + 10**2) ** 0.5)
    assert got.attrs["encoding"] == "UTF-8"

    boundary = read_layer(f"{path}:规划边界", crs="EPSG:4549")
    assert boundary.geom_type.tolist() == ["Polygon", "Polygon"]
    assert boundary.attrs["layer"] == "规划边界"


@pytest.mark.parametrize("encoding", ["gbk", "cp1252"])
def test_old_dxf_code_page_and_unicode_escapes(tmp_path: Path, encoding: str) -> None:
    # R12 files are in $DWGCODEPAGE (ANSI_936 = GBK); under ANSI_1252 ezdxf writes \U+XXXX.
    doc = ezdxf.new("R12")
    doc.encoding = encoding
    doc.layers.add("规划边界")
    doc.modelspace().add_polyline2d(
        [(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 50), (X0, Y0 + 50)],
        close=True,
        dxfattribs={"layer": "规划边界"},
    )
    path = tmp_path / "old.dxf"
    doc.saveas(path)
    raw = path.read_bytes()
    if encoding == "gbk":
        assert "规划边界".encode("gbk") in raw
    else:
        assert b"\\U+89c4" in raw.replace(b"\\U+89C4", b"\\U+89c4")
    got = read_layer(path, crs="EPSG:4549")
    assert got["layer"].tolist() == ["规划边界"]
    assert got.area.tolist() == pytest.approx([5000.0])


def test_dxf_without_crs_is_refused(tmp_path: Path) -> None:
    path = make_dxf(tmp_path / "plan.dxf")
    with pytest.raises(MissingCRSError) as err:
        read_layer(path)
    assert_names_place(err, path, "entities")


def test_dxf_unknown_cad_layer_lists_layers(tmp_path: Path) -> None:
    path = make_dxf(tmp_path / "plan.dxf")
    with pytest.raises(InputError) as err:
        read_layer(path, layer="绿地", crs="EPSG:4549")
    assert_names_place(err, path, "绿地")
    assert "规划边界" in str(err.value) and "道路" in str(err.value)


# --- bad input -----------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.gpkg"
    with pytest.raises(InputError) as err:
        read_layer(path, layer="parcels")
    assert_names_place(err, path, "parcels")
    assert "does not exist" in str(err.value)


def test_truncated_geopackage(tmp_path: Path) -> None:
    whole = tmp_path / "whole.gpkg"
    write_gpkg(parcels(), whole, "parcels")
    data = whole.read_bytes()
    cut = tmp_path / "cut.gpkg"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as err:
        read_layer(f"{cut}:parcels")
    assert_names_place(err, cut, "parcels")
    assert err.value.__cause__ is not None
    assert not isinstance(err.value.__cause__, InputError)


def test_zip_without_dataset(tmp_path: Path) -> None:
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "说明")
        zf.writestr("图纸/parcels.pdf", "%PDF-1.4\n")
    with pytest.raises(InputError) as err:
        read_layer(archive, layer="parcels")
    assert_names_place(err, archive, "parcels")
    message = str(err.value)
    assert "no dataset" in message and "FileGDB" in message and "GeoJSON" in message
    assert "readme.txt" in message and "图纸/parcels.pdf" in message


def test_a_zipped_table_is_read_as_the_table_alone_is(tmp_path: Path) -> None:
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "说明")
        zf.writestr("表格/parcels.csv", "name\n镇海炼化\n")
    with pytest.raises(InputError) as err:
        read_layer(archive)
    assert_names_place(err, archive, "parcels")
    assert "name" in str(err.value) and "WKT" in str(err.value)


def test_not_a_zip(tmp_path: Path) -> None:
    archive = tmp_path / "upload.zip"
    archive.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError) as err:
        read_layer(archive)
    assert str(archive) in str(err.value)


def test_empty_layer(tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    write_gpkg(parcels(), path, "parcels")
    write_gpkg(parcels().iloc[:0], path, "empty")
    with pytest.raises(InputError) as err:
        read_layer(path, layer="empty")
    assert_names_place(err, path, "empty")
    assert "has no features" in str(err.value)


def test_unknown_layer_lists_layers(tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    write_gpkg(parcels(), path, "parcels")
    write_gpkg(roads(), path, "roads")
    with pytest.raises(InputError) as err:
        read_layer(f"{path}:绿地")
    assert_names_place(err, path, "绿地")
    assert "'parcels'" in str(err.value) and "'roads'" in str(err.value)


def test_conflicting_layer_names(tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    write_gpkg(parcels(), path, "parcels")
    with pytest.raises(InputError):
        read_layer(f"{path}:parcels", layer="roads")


def test_windows_style_path_is_not_split(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_layer(r"C:\data\plan.gpkg")
    assert r"C:\data\plan.gpkg" in str(err.value)
    assert "does not exist" in str(err.value)


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text("x")
    with pytest.raises(InputError) as err:
        read_layer(path)
    assert ".txt" in str(err.value)


# --- list_layers ---------------------------------------------------------------------


def test_list_layers_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    write_gpkg(parcels(), path, "parcels")
    write_gpkg(roads().to_crs("EPSG:4490"), path, "roads")
    infos = {info.name: info for info in list_layers(path)}
    assert infos["parcels"] == LayerInfo(
        name="parcels",
        geometry_type="Polygon",
        feature_count=2,
        crs="EPSG:4549",
        bounds=(X0, Y0, X0 + 230, Y0 + 50),
        encoding="UTF-8",
    )
    assert infos["roads"].crs == "EPSG:4490"
    assert infos["roads"].geometry_type == "LineString"
    assert [i.name for i in list_layers(f"{path}:roads")] == ["roads"]


def test_list_layers_gbk_shapefile_kml_and_dxf(tmp_path: Path) -> None:
    shp = write_shapefile(tmp_path, "parcels", "GBK", keep_cpg=False)
    (info,) = list_layers(shp)
    assert (info.name, info.feature_count, info.encoding) == ("parcels", 2, "GBK")

    kml = tmp_path / "plan.kml"
    kml.write_text(KML, encoding="utf-8")
    (info,) = list_layers(kml)
    assert (info.name, info.feature_count, info.crs) == ("规划", 2, "EPSG:4326")
    assert info.geometry_type == "Mixed (Point, Polygon)"

    dxf = make_dxf(tmp_path / "plan.dxf")
    infos = {i.name: i for i in list_layers(dxf)}
    assert set(infos) == {"规划边界", "道路"}
    assert infos["规划边界"].feature_count == 2
    assert infos["规划边界"].geometry_type == "Polygon"
    assert infos["道路"].geometry_type == "LineString"
    assert infos["规划边界"].crs is None


# --- encoding helpers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cpg", "expected"),
    [("UTF-8", "UTF-8"), ("936", "GBK"), ("GB2312", "GBK"), ("ANSI 1252", "CP1252"),
     ("System", None), ("", None)],
)
def test_cpg_encoding(cpg: str, expected: str | None) -> None:
    assert cpg_encoding(cpg) == expected


def test_sniff_dbf_encoding_on_hand_made_header() -> None:
    def dbf(value: bytes) -> bytes:
        header = bytearray(32)
        header[0] = 3
        header[4:8] = (1).to_bytes(4, "little")
        header[8:10] = (65).to_bytes(2, "little")  # 32 + one 32-byte field + 0x0D
        header[10:12] = (21).to_bytes(2, "little")  # delete flag + 20 bytes
        field = bytearray(32)
        field[0:4] = b"NAME"
        field[11] = ord("C")
        field[16] = 20
        return bytes(header) + bytes(field) + b"\r" + b" " + value.ljust(20, b" ")

    assert sniff_dbf_encoding(dbf("镇海炼化".encode("gbk"))) == "GBK"
    assert sniff_dbf_encoding(dbf("镇海炼化".encode())) == "UTF-8"
    assert sniff_dbf_encoding(dbf(b"ZHENHAI")) == "UTF-8"


def test_points_survive_gpkg(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"name": ["招宝山"]}, geometry=[Point(121.71, 29.96)], crs=4490)
    path = write_gpkg(frame, tmp_path / "p.gpkg", "poi")
    assert_geodataframe_equal(read_layer(path), frame)
