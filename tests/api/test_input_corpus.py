"""Proposal files as towns and bureaus make them give the demo proposal's verdict and area,
on the command line and through an API upload on both stores.

The corpus is made here from the demo's ``good_industrial`` proposal: a Shapefile with
名称/类型 columns whose ``.dbf`` is GBK without a ``.cpg``, one written as QGIS writes it (UTF-8,
社区名称/社区类型 cut inside a character at the 10-byte limit), a GBK CSV with a WKT column, a
UTF-8 CSV with a byte-order mark, a KMZ from a Google-Earth-style KML (folders, styles,
ExtendedData), a DXF drawing written by ezdxf (R12, GBK code page) with the boundary on a named
CAD layer beside GBK text and a road, a zipped FileGDB, a MapInfo TAB (GBK), GCJ-02 GeoJSON
(read with ``--crs GCJ02`` although it says WGS 84) and a GCJ-02 GeoPackage in AMap's Web
Mercator, a Xi'an 1980 Shapefile (EPSG:2385) and a FlatGeobuf whose columns only the bureau's
rules file names (XMMC/SQLX); and zips of one dataset each: a GeoPackage, the GCJ-02 GeoJSON,
the GBK CSV, the FlatGeobuf and a KML, each beside a readme. The command line and the service
read them with the same rules file.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import ezdxf
import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from typer.testing import CliRunner

from api.cli import app
from geo.crs import geometry_to_gcj02
from geo.proposal import TYPE_ALIASES
from geo.rules.model import ProposalColumns
from tests.api.conftest import DEMO, bearer, service_per_engine

GOOD = DEMO / "proposals" / "good_industrial.gpkg"
CONTEXT = DEMO / "context.gpkg"
NAME = "澥川新材料工业社区"
TYPE = "工业社区"
# the bureau's rules file: its own boundary system's columns after the usual ones
_USUAL = ProposalColumns()
RULES = f"""
[proposal]
name = {json.dumps([*_USUAL.name, "XMMC"], ensure_ascii=False)}
type = {json.dumps([*_USUAL.type, "SQLX"], ensure_ascii=False)}
"""

service = service_per_engine("corpus", rules=RULES)


@dataclass(frozen=True)
class Sample:
    """One corpus file: how the CLI names it and its options, how it is uploaded, and whether
    its report must warn (rule ``CRS``) of an old datum used as given."""

    cli_source: str
    cli_options: tuple[str, ...] = ()
    upload: Path | None = None  # the file sent, when not ``cli_source`` itself
    form: dict[str, str] = field(default_factory=dict)
    old_datum: bool = False


def _zip(target: Path, members: dict[str, Path | bytes]) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data if isinstance(data, bytes) else data.read_bytes())
    return target


def _zip_folder(target: Path, folder: Path) -> Path:
    return _zip(target, {p.name: p for p in sorted(folder.iterdir())})


def _csv_gbk(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    path = folder / "申报边界.csv"
    text = f'编号,名称,类型,WKT\r\n1,{NAME},{TYPE},"{good.geometry.iloc[0].wkt}"\r\n'
    path.write_bytes(text.encode("gbk"))
    return Sample(str(path), ("--crs", "EPSG:4549"), form={"crs": "EPSG:4549"})


def _csv_utf8_bom(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    # as Excel saves "CSV UTF-8": a byte-order mark, lon/lat WKT in CGCS2000
    path = folder / "boundary_utf8.csv"
    wkt = good.to_crs(4490).geometry.iloc[0].wkt
    text = f'社区名称,社区类型,geom_wkt\r\n{NAME},{TYPE},"{wkt}"\r\n'
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return Sample(str(path), ("--crs", "EPSG:4490"), form={"crs": "EPSG:4490"})


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
    # an R12 drawing in the GBK code page, as Chinese CAD offices exchange them
    doc = ezdxf.new("R12")
    doc.encoding = "gbk"
    for layer, colour in (("社区边界", 1), ("标注", 7), ("道路中线", 3)):
        doc.layers.add(layer, color=colour)
    ring = list(good.geometry.iloc[0].exterior.coords)[:-1]
    (x0, y0), msp = ring[0], doc.modelspace()
    msp.add_polyline2d(ring, close=True, dxfattribs={"layer": "社区边界"})
    msp.add_text(NAME, height=20, dxfattribs={"layer": "标注", "insert": (x0, y0)})
    msp.add_line((x0 - 50, y0), (x0 + 50, y0), dxfattribs={"layer": "道路中线"})
    path = folder / "申报边界.dxf"
    doc.saveas(path)
    assert doc.header["$DWGCODEPAGE"] == "ANSI_936" and NAME.encode("gbk") in path.read_bytes()
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
    return Sample(str(path), upload=_zip_folder(folder / "boundary_tab.zip", path.parent))


def _gcj02_geojson(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    frame = good.to_crs(4326)[["name", "type", "geometry"]]
    frame["geometry"] = geometry_to_gcj02(frame.geometry)
    path = folder / "amap.geojson"
    path.write_text(frame.to_json(), encoding="utf-8")  # RFC 7946: says WGS 84
    return Sample(str(path), ("--crs", "GCJ02"), form={"crs": "GCJ02"})


def _gcj02_web_mercator(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    # AMap's own projection: GCJ-02 lon/lat in Web Mercator, the file saying EPSG:3857
    frame = good.to_crs(4326)[["name", "type", "geometry"]]
    frame["geometry"] = geometry_to_gcj02(frame.geometry)
    path = folder / "amap_mercator.gpkg"
    frame.to_crs(3857).to_file(path)
    return Sample(str(path), ("--crs", "GCJ02"), form={"crs": "GCJ02"})


def _shapefile_gbk(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    (folder / "shp").mkdir()
    path = folder / "shp" / "申报边界.shp"
    frame = good.rename(columns={"name": "名称", "type": "类型"})[["名称", "类型", "geometry"]]
    pyogrio.write_dataframe(frame, path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)  # as Chinese desktop GIS often leaves it
    return Sample(str(_zip_folder(folder / "申报边界.zip", path.parent)))


def _shapefile_utf8_cut_names(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    # as QGIS writes one: UTF-8 with a .cpg, 社区名称/社区类型 cut to 10 bytes inside a character
    (folder / "shp").mkdir()
    path = folder / "shp" / "qgis.shp"
    frame = good.rename(columns={"name": "社区名称", "type": "社区类型"})
    with pytest.warns(RuntimeWarning, match="laundered"):
        pyogrio.write_dataframe(frame[["社区名称", "社区类型", "geometry"]], path,
                                encoding="UTF-8")
    return Sample(str(_zip_folder(folder / "qgis.zip", path.parent)))


def _xian80_shapefile(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    (folder / "shp").mkdir()
    path = folder / "shp" / "xian80.shp"
    frame = good[["name", "type", "geometry"]].to_crs(2385)  # Xi'an 1980 GK CM 120° E
    pyogrio.write_dataframe(frame, path, encoding="UTF-8")
    return Sample(str(_zip_folder(folder / "xian80.zip", path.parent)),
                  old_datum=True)


def _flatgeobuf_bureau_columns(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    frame = good.rename(columns={"name": "XMMC", "type": "SQLX"})[["XMMC", "SQLX", "geometry"]]
    path = folder / "boundary.fgb"
    pyogrio.write_dataframe(frame, path, driver="FlatGeobuf")
    return Sample(str(path))


def _zipped(make, member: str):
    """The sample ``make`` gives, its file zipped alone as ``member`` beside a readme."""
    def zipped(folder: Path, good: gpd.GeoDataFrame) -> Sample:
        sample = make(folder, good)
        source = sample.upload or Path(sample.cli_source)
        members = {member: source, "说明.txt": "边界数据说明".encode()}
        path = _zip(folder / f"{Path(member).stem}_zipped.zip", members)
        return Sample(str(path), sample.cli_options, form=sample.form)
    return zipped


def _gpkg_chinese_columns(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    path = folder / "申报边界.gpkg"
    good.rename(columns={"name": "名称", "type": "类型"})[["名称", "类型", "geometry"]].to_file(
        path, layer="申报边界")
    return Sample(str(path))


def _kml(folder: Path, good: gpd.GeoDataFrame) -> Sample:
    with zipfile.ZipFile(_kmz(folder, good).cli_source) as kmz:
        path = folder / "申报边界.kml"
        path.write_bytes(kmz.read("doc.kml"))
    return Sample(str(path))


MAKERS = {"shapefile_chinese_columns": _shapefile_gbk,
          "shapefile_utf8_cut_names": _shapefile_utf8_cut_names, "csv_gbk_wkt": _csv_gbk,
          "csv_utf8_bom": _csv_utf8_bom, "kmz_google_earth": _kmz,
          "dxf_cad_layer_gbk": _dxf_gbk, "filegdb_zip": _filegdb_zip, "mapinfo_tab": _tab,
          "geojson_gcj02": _gcj02_geojson, "gpkg_gcj02_web_mercator": _gcj02_web_mercator,
          "shapefile_xian80": _xian80_shapefile,
          "flatgeobuf_bureau_columns": _flatgeobuf_bureau_columns,
          "gpkg_zipped": _zipped(_gpkg_chinese_columns, "申报边界.gpkg"),
          "geojson_gcj02_zipped": _zipped(_gcj02_geojson, "amap.geojson"),
          "csv_gbk_zipped": _zipped(_csv_gbk, "数据/申报边界.csv"),
          "flatgeobuf_zipped": _zipped(_flatgeobuf_bureau_columns, "boundary.fgb"),
          "kml_zipped": _zipped(_kml, "申报边界.kml")}


@pytest.fixture(scope="module")
def rules_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rules") / "bureau.toml"
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Sample]:
    good = gpd.read_file(GOOD, layer="proposal")
    folder = tmp_path_factory.mktemp("corpus")
    made = {}
    for key, make in MAKERS.items():
        (folder / key).mkdir()
        made[key] = make(folder / key, good)
    return made


def _validate(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(app, ["validate", *args, "--context", str(CONTEXT),
                                      "--format", "json", "--lang", "en"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _crs_findings(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == "CRS"]


def _old_datum_said(findings: list[dict]) -> bool:
    return any("without local parameters" in f["message"] for f in findings)


@pytest.fixture(scope="module")
def original() -> tuple[int, dict]:
    return _validate(str(GOOD))


@pytest.fixture(scope="module")
def gis(service) -> dict[str, str]:
    return {**bearer(service, "gis")["gis"], "Accept-Language": "en"}


def _upload(service, gis, path: Path, form: dict[str, str], url: str = "/proposals"):
    sent = {"file": (path.name, path.read_bytes(), "application/octet-stream")}
    return service.post(url, headers=gis, data=form, files=sent)


def test_the_original_passes(original):
    assert original[0] == 0 and original[1]["ok"] is True and not _crs_findings(original[1])


@pytest.mark.parametrize("key", list(MAKERS))
def test_a_bureau_file_gives_the_demo_verdict_and_area_on_the_cli(
        corpus, original, rules_file, key):
    sample = corpus[key]
    code, report = _validate(sample.cli_source, *sample.cli_options, "--rules", str(rules_file))
    assert code == original[0]
    assert report["ok"] is True and report["proposal"] == NAME
    assert abs(report["metrics"]["area_m2"] - original[1]["metrics"]["area_m2"]) < 1.0
    assert report["work_crs"] == "EPSG:4549"
    crs = _crs_findings(report)  # no GCJ-02 hint: the AMap file is read with --crs GCJ02
    assert len(crs) == sample.old_datum and _old_datum_said(crs) == sample.old_datum, crs
    if sample.old_datum:  # used as given, and said so
        assert report["crs"] == "EPSG:2385" and "Xian 1980" in crs[0]["message"]


@pytest.mark.parametrize("key", list(MAKERS))
def test_a_bureau_file_gives_the_demo_verdict_and_area_through_an_upload(
        service, gis, corpus, original, key):
    sample = corpus[key]
    response = _upload(service, gis, sample.upload or Path(sample.cli_source), sample.form)
    assert response.status_code == 201, response.text
    assert response.json()["properties"]["name"] == NAME
    pid = response.json()["id"]
    report = service.post(f"/proposals/{pid}/versions/1/validation", headers=gis)
    assert report.status_code == 201, report.text
    assert report.json()["ok"] is True
    assert abs(report.json()["metrics"]["area_m2"] - original[1]["metrics"]["area_m2"]) < 1.0
    crs = _crs_findings(report.json())
    assert len(crs) == sample.old_datum and _old_datum_said(crs) == sample.old_datum, crs


def test_a_filegdb_folder_reads_as_its_zip_does(corpus, original, rules_file):
    folder = Path(corpus["filegdb_zip"].cli_source).parent / "work" / "边界.gdb"
    for source in (str(folder), f"{folder}:申报范围"):
        code, report = _validate(source, "--rules", str(rules_file))
        assert code == 0 and report["proposal"] == NAME
        assert abs(report["metrics"]["area_m2"] - original[1]["metrics"]["area_m2"]) < 1.0


def test_the_editor_reads_every_bureau_file_as_an_upload_does(service, gis, corpus):
    for key, sample in corpus.items():
        response = _upload(service, gis, sample.upload or Path(sample.cli_source), sample.form,
                           url="/towns/1/sketch/upload")
        assert response.status_code == 200, (key, response.text)
        said = response.json()["properties"]
        assert said["name"] == NAME and TYPE_ALIASES[said["type"]] == "industrial", key


def test_gcj02_coordinates_read_as_wgs84_get_a_measured_hint(service, gis, corpus):
    code, report = _validate(corpus["geojson_gcj02"].cli_source)
    assert code == 1  # about 500 m off: B3 and B5 fail
    (hint,) = _crs_findings(report)
    assert "--crs GCJ02" in hint["message"]
    assert hint["measure"]["edge_share_gcj02"] - hint["measure"]["edge_share"] >= 0.3
    response = _upload(service, gis, Path(corpus["geojson_gcj02"].cli_source), {})
    assert response.status_code == 201, response.text
    served = service.post(f"/proposals/{response.json()['id']}/versions/1/validation",
                          headers=gis).json()
    assert served["ok"] is False
    assert [f["measure"] for f in _crs_findings(served)] == [hint["measure"]]


def test_gcj02_on_a_file_in_metres_is_exit_2_or_422_never_a_crash(service, gis, tmp_path):
    path = tmp_path / "projected.geojson"
    gpd.read_file(GOOD,
                  layer="proposal").to_file(path)  # EPSG:4549 metres: no GCJ-02 longitude/latitude
    result = CliRunner().invoke(app, ["validate", str(path), "--context", str(CONTEXT),
                                      "--crs", "GCJ02"])
    assert result.exit_code == 2 and "GCJ-02" in result.output and "Traceback" not in result.output
    response = _upload(service, gis, path, {"crs": "GCJ02"})
    assert response.status_code == 422 and "GCJ-02" in response.json()["detail"], response.text


def test_a_file_without_name_or_type_columns_names_the_columns_it_has(service, gis, tmp_path):
    frame = gpd.read_file(GOOD, layer="proposal").rename(columns={"name": "BZ", "type": "DM"})
    path = tmp_path / "odd.gpkg"
    frame[["BZ", "DM", "geometry"]].to_file(path)
    result = CliRunner().invoke(app, ["validate", str(path), "--context", str(CONTEXT),
                                      "--lang", "en"])
    assert result.exit_code == 2
    assert "BZ, DM" in result.output and "名称" in result.output and "--name" in result.output
    refused = _upload(service, gis, path, {})
    assert refused.status_code == 422 and refused.json()["code"] == "unusable"
    detail = refused.json()["detail"]
    assert "BZ, DM" in detail and "XMMC" in detail and "the form field name" in detail
    assert "--name" not in detail
    named = _upload(service, gis, path, {"name": NAME, "type": TYPE})
    assert named.status_code == 201, named.text


def test_a_layer_of_several_features_is_picked_by_the_feature_field(service, gis, tmp_path):
    good = gpd.read_file(GOOD, layer="proposal")[["name", "type", "geometry"]]
    other = good.assign(name="澥川商务楼宇社区", type="楼宇社区",
                        geometry=good.geometry.translate(50_000))
    path = tmp_path / "two.geojson"
    gpd.GeoDataFrame(pd.concat([other, good]), crs=good.crs).to_file(path)
    refused = _upload(service, gis, path, {})
    assert refused.status_code == 422, refused.text
    assert NAME in refused.json()["detail"] and "the form field feature" in refused.json()["detail"]
    picked = _upload(service, gis, path, {"feature": NAME})
    assert picked.status_code == 201 and picked.json()["properties"]["name"] == NAME


def test_a_format_gdal_reads_but_sijie_does_not_accept_is_refused_by_name(
        service, gis, tmp_path):
    path = tmp_path / "boundary.gml"
    pyogrio.write_dataframe(gpd.read_file(GOOD, layer="proposal"), path, driver="GML")
    result = CliRunner().invoke(app, ["validate", str(path), "--context", str(CONTEXT),
                                      "--lang", "en"])
    assert result.exit_code == 2 and "“GML”" in result.output and "FileGDB" in result.output
    zipped = _zip(tmp_path / "boundary.zip", {"boundary.gml": path})
    response = _upload(service, gis, zipped, {})
    assert response.status_code == 422 and "boundary.gml (GML)" in response.json()["detail"]


def test_a_kmz_upload_with_an_external_entity_is_refused(service, gis):
    kml = (b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&x;</name></Placemark>'
           b"</kml>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("doc.kml", kml)
    response = service.post("/proposals", headers=gis,
                            files={"file": ("x.kmz", buffer.getvalue(), "application/zip")})
    assert response.status_code == 400, response.text


def test_a_zip_of_two_datasets_is_refused_naming_them_unless_one_is_named(
        service, gis, corpus, tmp_path):
    gpkg = Path(corpus["gpkg_zipped"].cli_source).parent / "申报边界.gpkg"
    fgb = Path(corpus["flatgeobuf_zipped"].cli_source).parent / "boundary.fgb"
    path = _zip(tmp_path / "two.zip", {"申报边界.gpkg": gpkg, "boundary.fgb": fgb})
    result = CliRunner().invoke(app, ["validate", str(path), "--context", str(CONTEXT),
                                      "--lang", "en"])
    assert result.exit_code == 2 and "2 datasets: 申报边界, boundary" in result.output
    refused = _upload(service, gis, path, {})
    assert refused.status_code == 422 and "申报边界, boundary" in refused.json()["detail"]
    code, report = _validate(f"{path}:申报边界")
    assert code == 0 and report["proposal"] == NAME
    picked = _upload(service, gis, path, {"layer": "申报边界"})
    assert picked.status_code == 201 and picked.json()["properties"]["name"] == NAME


def test_a_zip_inside_a_zip_is_not_opened(service, gis, corpus, tmp_path):
    inner = Path(corpus["gpkg_zipped"].cli_source)
    path = _zip(tmp_path / "outer.zip", {"inner.zip": inner})
    result = CliRunner().invoke(app, ["validate", str(path), "--context", str(CONTEXT),
                                      "--lang", "en"])
    assert result.exit_code == 2 and "inner.zip (zip)" in result.output
    refused = _upload(service, gis, path, {})
    assert refused.status_code == 422 and "inner.zip (zip)" in refused.json()["detail"]
