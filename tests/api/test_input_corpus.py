"""Proposal files as towns and bureaus make them give the demo proposal's verdict and area,
on the command line and through an API upload.

The corpus is made here from the demo's ``good_industrial`` proposal: a GBK CSV with a WKT
column, a KMZ from a Google-Earth-style KML (folders, styles, ExtendedData), a DXF drawing
(R12, GBK code page) with the boundary on a named CAD layer beside GBK text and a road, a
zipped FileGDB, a MapInfo TAB (GBK), GCJ-02 GeoJSON and a Shapefile with 名称/类型 columns
whose ``.dbf`` is GBK without a ``.cpg``.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from typer.testing import CliRunner

from api.cli import app
from geo.crs import geometry_to_gcj02
from tests.api.conftest import DEMO

GOOD = DEMO / "proposals" / "good_industrial.gpkg"
CONTEXT = DEMO / "context.gpkg"
NAME = "澥川新材料工业社区"
TYPE = "工业社区"


@dataclass(frozen=True)
class Sample:
    """One corpus file: how the CLI names it and its options, and how it is uploaded."""

    cli_source: str
    cli_options: tuple[str, ...] = ()
    upload: Path | None = None  # the file sent, when not ``cli_source`` itself
    form: dict[str, str] = field(default_factory=dict)


def _zip(target: Path, members: dict[str, Path | bytes]) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data if isinstance(data, bytes) else data.read_bytes())
    return target


def _csv_gbk(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    path = folder / "申报边界.csv"
    text = f'编号,名称,类型,WKT\r\n1,{NAME},{TYPE},"{good.geometry.iloc[0].wkt}"\r\n'
    path.write_bytes(text.encode("gbk"))
    return Sample(str(path), ("--crs", "EPSG:4549"), form={"crs": "EPSG:4549"})


def _kmz(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    ring = good.to_crs(4326).geometry.iloc[0].exterior.coords
    coords = " ".join(f"{x!r},{y!r},0" for x, y in ring)
    kml = f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document><name>申报边界.kmz</name>
<Style id="s_edge"><LineStyle><color>ff0000ff</color><width>2</width></LineStyle>
<PolyStyle><color>4d0000ff</color></PolyStyle></Style>
<StyleMap id="m_edge"><Pair><key>normal</key><styleUrl>#s_edge</styleUrl></Pair>
<Pair><key>highlight</key><styleUrl>#s_edge</styleUrl></Pair></StyleMap>
<Folder><name>产业社区</name><open>1</open>
<Folder><name>申报</name>
<Placemark><name>{NAME}</name><description>镇海区申报</description><styleUrl>#m_edge</styleUrl>
<ExtendedData><Data name="类型"><value>{TYPE}</value></Data></ExtendedData>
<Polygon><tessellate>1</tessellate><outerBoundaryIs><LinearRing><coordinates>{coords}
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Folder></Folder></Document></kml>"""
    return Sample(str(_zip(folder / "申报边界.kmz", {"doc.kml": kml.encode()})))


def _dxf_gbk(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    def group(code: int, value: object) -> str:
        return f"{code}\r\n{value}\r\n"

    ring = list(good.geometry.iloc[0].exterior.coords)[:-1]
    x0, y0 = ring[0]
    body = [group(0, "SECTION"), group(2, "HEADER"), group(9, "$ACADVER"), group(1, "AC1009"),
            group(9, "$DWGCODEPAGE"), group(3, "ANSI_936"), group(0, "ENDSEC"),
            group(0, "SECTION"), group(2, "TABLES"), group(0, "TABLE"), group(2, "LAYER"),
            group(70, 3)]
    for layer, colour in (("社区边界", 1), ("标注", 7), ("道路中线", 3)):
        body += [group(0, "LAYER"), group(2, layer), group(70, 0), group(62, colour),
                 group(6, "CONTINUOUS")]
    body += [group(0, "ENDTAB"), group(0, "ENDSEC"), group(0, "SECTION"), group(2, "ENTITIES"),
             group(0, "POLYLINE"), group(8, "社区边界"), group(66, 1), group(70, 1)]
    for x, y in ring:
        body += [group(0, "VERTEX"), group(8, "社区边界"), group(10, repr(x)), group(20, repr(y))]
    body += [group(0, "SEQEND"), group(8, "社区边界"),
             group(0, "TEXT"), group(8, "标注"), group(10, x0), group(20, y0), group(40, 20),
             group(1, NAME),
             group(0, "LINE"), group(8, "道路中线"), group(10, x0 - 50), group(20, y0),
             group(11, x0 + 50), group(21, y0),
             group(0, "ENDSEC"), group(0, "EOF")]
    path = folder / "申报边界.dxf"
    path.write_bytes("".join(body).encode("gbk"))
    options = ("--crs", "EPSG:4549", "--name", NAME, "--type", TYPE)
    return Sample(f"{path}:社区边界", options,
                  form={"crs": "EPSG:4549", "layer": "社区边界", "name": NAME, "type": TYPE},
                  upload=path)


def _filegdb_zip(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    gdb = folder / "work" / "边界.gdb"
    gdb.parent.mkdir()
    frame = good.rename(columns={"name": "社区名称", "type": "社区类型"})
    pyogrio.write_dataframe(frame[["社区名称", "社区类型", "geometry"]], gdb, layer="申报范围",
                            driver="OpenFileGDB")
    members = {f"边界.gdb/{p.name}": p for p in sorted(gdb.iterdir())}
    return Sample(str(_zip(folder / "边界.gdb.zip", members)))


def _tab(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    # MapInfo field names are ASCII: bureaus use the pinyin initials MC (名称), LX (类型)
    frame = good.rename(columns={"name": "MC", "type": "LX"})[["MC", "LX", "geometry"]]
    frame["LX"] = TYPE
    x0, y0, x1, y1 = frame.total_bounds
    (folder / "tab").mkdir()
    path = folder / "tab" / "boundary.tab"
    pyogrio.write_dataframe(frame, path, driver="MapInfo File", layer_options={
        "ENCODING": "CP936", "BOUNDS": f"{x0 - 1000},{y0 - 1000},{x1 + 1000},{y1 + 1000}"})
    members: dict[str, Path | bytes] = {p.name: p for p in sorted(path.parent.iterdir())}
    return Sample(str(path), upload=_zip(folder / "boundary_tab.zip", members))


def _gcj02_geojson(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    frame = good.to_crs(4326)[["name", "type", "geometry"]]
    frame["geometry"] = geometry_to_gcj02(frame.geometry)
    path = folder / "amap.geojson"
    path.write_text(frame.to_json(), encoding="utf-8")
    return Sample(str(path), ("--crs", "GCJ02"), form={"crs": "GCJ02"})


def _shapefile_gbk(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    (folder / "shp").mkdir()
    path = folder / "shp" / "申报边界.shp"
    frame = good.rename(columns={"name": "名称", "type": "类型"})[["名称", "类型", "geometry"]]
    pyogrio.write_dataframe(frame, path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)  # as Chinese desktop GIS often leaves it
    members: dict[str, Path | bytes] = {p.name: p for p in sorted(path.parent.iterdir())}
    archive = _zip(folder / "申报边界.zip", members)
    return Sample(str(archive))


MAKERS = {"csv_gbk_wkt": _csv_gbk, "kmz_google_earth": _kmz, "dxf_cad_layer_gbk": _dxf_gbk,
          "filegdb_zip": _filegdb_zip, "mapinfo_tab": _tab, "geojson_gcj02": _gcj02_geojson,
          "shapefile_chinese_columns": _shapefile_gbk}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Sample]:
    good = gpd.read_file(GOOD)
    folder = tmp_path_factory.mktemp("corpus")
    made = {}
    for key, make in MAKERS.items():
        (folder / key).mkdir()
        made[key] = make(folder / key, good)
    return made


def _validate(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(app, ["validate", *args, "--context", str(CONTEXT),
                                      "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def original() -> tuple[int, dict]:
    return _validate(str(GOOD))


@pytest.mark.parametrize("key", list(MAKERS))
def test_a_bureau_file_gives_the_demo_verdict_and_area_on_the_cli(corpus, original, key):
    sample = corpus[key]
    code, report = _validate(sample.cli_source, *sample.cli_options)
    assert code == original[0] == 0
    assert report["ok"] is True and report["proposal"] == NAME
    assert abs(report["metrics"]["area_m2"] - original[1]["metrics"]["area_m2"]) < 1.0
    assert report["work_crs"] == "EPSG:4549"
    assert not [f for f in report["findings"] if f["rule"] == "CRS"], report["findings"]


@pytest.mark.parametrize("key", list(MAKERS))
def test_a_bureau_file_gives_the_demo_verdict_and_area_through_an_upload(
        client, auth, corpus, original, key):
    sample = corpus[key]
    path = sample.upload or Path(sample.cli_source)
    sent = {"file": (path.name, path.read_bytes(), "application/octet-stream")}
    response = client.post("/proposals", headers=auth["gis"], data=sample.form, files=sent)
    assert response.status_code == 201, response.text
    assert response.json()["properties"]["name"] == NAME
    pid = response.json()["id"]
    report = client.post(f"/proposals/{pid}/versions/1/validation", headers=auth["gis"])
    assert report.status_code == 201, report.text
    assert report.json()["ok"] is True
    assert abs(report.json()["metrics"]["area_m2"] - original[1]["metrics"]["area_m2"]) < 1.0


def test_gcj02_coordinates_read_as_wgs84_get_a_measured_hint(corpus):
    code, report = _validate(corpus["geojson_gcj02"].cli_source)
    assert code == 1  # about 500 m off: B3 and B5 fail
    hint = [f for f in report["findings"] if f["rule"] == "CRS"]
    assert len(hint) == 1 and "--crs GCJ02" in hint[0]["message"]
    assert hint[0]["measure"]["edge_share_gcj02"] - hint[0]["measure"]["edge_share"] >= 0.3


def test_an_old_datum_is_used_as_given_with_a_warning(tmp_path):
    path = tmp_path / "xian80.gpkg"
    gpd.read_file(GOOD).to_crs(2385).to_file(path)
    _, report = _validate(str(path), "--lang", "en")
    warned = [f for f in report["findings"] if f["rule"] == "CRS"]
    assert len(warned) == 1 and "Xian 1980" in warned[0]["message"]
    assert "without local parameters" in warned[0]["message"]
    assert report["crs"] == "EPSG:2385" and report["work_crs"] == "EPSG:4549"


def test_gcj02_on_a_file_declaring_wgs84_is_exit_2_or_422_never_a_crash(client, auth, tmp_path):
    good = gpd.read_file(GOOD).to_crs(4549)
    path = tmp_path / "projected.geojson"
    good.to_file(path)  # metres: no GCJ-02 longitude/latitude
    result = CliRunner().invoke(app, ["validate", str(path), "--context", str(CONTEXT),
                                      "--crs", "GCJ02"])
    assert result.exit_code == 2 and "GCJ-02" in result.output and "Traceback" not in result.output
    response = client.post("/proposals", headers=auth["gis"], data={"crs": "GCJ02"},
                           files={"file": (path.name, path.read_bytes(), "application/json")})
    assert response.status_code == 422, response.text


def test_a_file_without_name_or_type_columns_names_the_columns_it_has(tmp_path, client, auth):
    frame = gpd.read_file(GOOD).rename(columns={"name": "BZ", "type": "DM"})[["BZ", "DM",
                                                                            "geometry"]]
    path = tmp_path / "odd.gpkg"
    frame.to_file(path)
    result = CliRunner().invoke(app, ["validate", str(path), "--context", str(CONTEXT),
                                      "--lang", "en"])
    assert result.exit_code == 2
    assert "BZ, DM" in result.output and "名称" in result.output and "--name" in result.output
    response = client.post("/proposals", headers=auth["gis"],
                           files={"file": (path.name, path.read_bytes(), "application/geopackage")})
    assert response.status_code == 422 and "BZ, DM" in response.text
    named = client.post("/proposals", headers=auth["gis"], data={"name": NAME, "type": TYPE},
                        files={"file": (path.name, path.read_bytes(), "application/geopackage")})
    assert named.status_code == 201, named.text


def test_a_format_gdal_reads_but_sijie_does_not_accept_is_refused_by_name(tmp_path):
    path = tmp_path / "boundary.gml"
    pyogrio.write_dataframe(gpd.read_file(GOOD), path, driver="GML")
    result = CliRunner().invoke(app, ["validate", str(path), "--context", str(CONTEXT),
                                      "--lang", "en"])
    assert result.exit_code == 2 and "GML" in result.output and "FileGDB" in result.output


def test_a_kmz_upload_with_an_external_entity_is_refused(client, auth):
    kml = (b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&x;</name></Placemark>'
           b"</kml>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("doc.kml", kml)
    response = client.post("/proposals", headers=auth["gis"],
                           files={"file": ("x.kmz", buffer.getvalue(), "application/zip")})
    assert response.status_code == 400, response.text
