"""The upload gate reads every accepted format and refuses hostile uploads with 4xx reasons.

Every hostile input is built here, in memory or under ``tmp_path``; nothing is downloaded.
Each test checks that nothing was written outside the work folder and, through a Python
audit hook and spies on pyogrio, that nothing outside it was opened.
"""

from __future__ import annotations

import io
import json
import sqlite3
import struct
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import ezdxf
import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point

import geo.io.gdal_env
from api.uploads import UploadLimits, UploadRejected, read_upload
from geo.errors import InputError

DEMO = Path(__file__).resolve().parents[2] / "boundary_data" / "demo" / "proposals"
GOOD = DEMO / "good_industrial.gpkg"
WORK_CRS = "EPSG:4549"
SYMLINK_ATTR = 0o120777 << 16

# Python-level file opens by the reading thread while a test reads an upload (other threads,
# such as a job cluster's monitors, are not the upload's); GDAL's own reads are C calls and
# are covered by the spies on pyogrio and by the refusals happening before GDAL runs.
_OPENED: list[str] = []
_WATCHING: list[int] = []
# sijie's own message catalogue, which a message read for the first time opens
LOCALE = Path(geo.io.gdal_env.__file__).resolve().parents[1] / "locale"


def _audit(event: str, args: tuple[object, ...]) -> None:
    watched = threading.get_ident() in _WATCHING and event in ("open", "sqlite3.connect")
    if watched and args and args[0] is not None:
        name = str(args[0])
        _OPENED.append(unquote(urlsplit(name).path) if name.startswith("file:") else name)


sys.addaudithook(_audit)


@pytest.fixture(scope="module")
def proposal() -> gpd.GeoDataFrame:
    return gpd.read_file(GOOD, layer="proposal")


@pytest.fixture(scope="module")
def demo_area(proposal: gpd.GeoDataFrame) -> float:
    return float(proposal.to_crs(WORK_CRS).area.sum())


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """Where a test writes the files it uploads."""
    folder = tmp_path / "src"
    folder.mkdir()
    return folder


@pytest.fixture
def gdal_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths handed to pyogrio while reading."""
    calls: list[str] = []
    for name in ("read_dataframe", "read_info", "list_layers"):
        real = getattr(pyogrio, name)

        def spy(path: object, *args: object, _real: Callable = real, **kw: object) -> object:
            calls.append(str(path))
            return _real(path, *args, **kw)

        monkeypatch.setattr(pyogrio, name, spy)
    return calls


@pytest.fixture
def upload(
    tmp_path: Path, src: Path, monkeypatch: pytest.MonkeyPatch, gdal_calls: list[str]
) -> Iterator[Callable[..., gpd.GeoDataFrame]]:
    """``read_upload`` with a fresh work folder; afterwards, prove nothing escaped it."""
    work = tmp_path / "work"
    work.mkdir()
    systmp = tmp_path / "systmp"
    systmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(systmp))

    def elsewhere() -> set[Path]:
        """Everything under ``tmp_path`` but the work folder and the test's own inputs."""
        return {p for p in tmp_path.rglob("*") if not {work, src} & {p, *p.parents}}

    before = elsewhere()

    def call(data: bytes, filename: str, **options: object) -> gpd.GeoDataFrame:
        _OPENED.clear()
        _WATCHING.append(threading.get_ident())
        try:
            return read_upload(data, filename, work, **options)  # type: ignore[arg-type]
        finally:
            _WATCHING.clear()

    yield call
    after = elsewhere()
    assert after == before, f"written outside the work folder: {sorted(after - before)}"
    assert not any(systmp.iterdir())
    assert all(Path(p).resolve().is_relative_to(work.resolve()) for p in gdal_calls), gdal_calls
    outside = [p for p in _OPENED if Path(p).is_absolute() and not _python_file(p, work)]
    assert not outside, f"opened outside the work folder: {outside}"


def _python_file(path: str, work: Path) -> bool:
    """The work folder, sijie's catalogue, or the Python installation importing its modules."""
    resolved = Path(path).resolve()
    roots = {work.resolve(), LOCALE, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    return any(resolved.is_relative_to(root) for root in roots)


def refused(call: Callable[[], object], status: int, code: str, *words: str) -> UploadRejected:
    """Run ``call``, insist on an :class:`UploadRejected` with this status, code and words."""
    with pytest.raises(UploadRejected) as info:
        call()
    err = info.value
    assert (err.status, err.code) == (status, code), str(err)
    assert isinstance(err, InputError)
    for word in words:
        assert word in str(err), str(err)
    assert "root:" not in str(err)  # never a line of /etc/passwd
    return err


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


def shapefile_zip(frame: gpd.GeoDataFrame, folder: Path, *, prj: bool = True) -> bytes:
    frame[["name", "type", "geometry"]].to_file(
        folder / "proposal.shp", driver="ESRI Shapefile", encoding="UTF-8"
    )
    parts = sorted(p for p in folder.glob("proposal.*") if prj or p.suffix != ".prj")
    return zipped({p.name: p.read_bytes() for p in parts})


def dxf_bytes(frame: gpd.GeoDataFrame) -> bytes:
    doc = ezdxf.new("R2010")
    for polygon in frame.geometry:
        doc.modelspace().add_lwpolyline(
            list(polygon.exterior.coords)[:-1], close=True, dxfattribs={"layer": "proposal"}
        )
    x, y = frame.geometry.iloc[0].centroid.coords[0]
    doc.modelspace().add_line((x, y), (x + 50, y), dxfattribs={"layer": "notes"})
    text = io.StringIO()
    doc.write(text)
    return text.getvalue().encode("utf-8")


def assert_same_area(frame: gpd.GeoDataFrame, expected: float) -> None:
    assert frame.crs is not None
    area = float(frame.to_crs(WORK_CRS).area.sum())
    assert area == pytest.approx(expected, rel=1e-3)


# --- accepted formats --------------------------------------------------------------------


def test_geopackage_is_read_with_its_crs_and_area(upload, demo_area, gdal_calls, tmp_path):
    frame = upload(GOOD.read_bytes(), "good_industrial.gpkg")
    saved = [Path(p) for p in _OPENED if p.endswith(".gpkg")]  # the audit hook sees reads
    assert saved and all(p.parent == tmp_path / "work" and p.name != GOOD.name for p in saved)
    assert gdal_calls and all(Path(p).parent == tmp_path / "work" for p in gdal_calls)
    assert frame.crs.to_epsg() == 4549 and frame.attrs["format"] == "gpkg"
    assert_same_area(frame, demo_area)


def test_zipped_shapefile_is_read_with_its_prj(upload, proposal, demo_area, src):
    frame = upload(shapefile_zip(proposal, src), "proposal.zip")
    assert frame.crs.to_epsg() == 4549 and frame.attrs["layer"] == "proposal"
    assert frame["name"].iloc[0] == proposal["name"].iloc[0]  # Chinese text survives
    assert_same_area(frame, demo_area)


def test_kml_is_read_in_wgs84(upload, proposal, demo_area, src):
    proposal.to_crs("EPSG:4326").to_file(src / "p.kml", driver="KML")
    frame = upload((src / "p.kml").read_bytes(), "p.kml")
    assert frame.crs.to_epsg() == 4326 and frame.attrs["format"] == "kml"
    assert_same_area(frame, demo_area)


@pytest.mark.parametrize("suffix", [".geojson", ".json"])
def test_geojson_is_read(upload, proposal, demo_area, src, suffix):
    proposal.to_crs("EPSG:4326").to_file(src / "p.geojson", driver="GeoJSON")
    frame = upload((src / "p.geojson").read_bytes(), f"p{suffix}")
    assert frame.attrs["format"] == "geojson"
    assert_same_area(frame, demo_area)


def test_dxf_outlines_become_polygons_in_the_named_crs(upload, proposal, demo_area):
    frame = upload(dxf_bytes(proposal), "plan.dxf", crs=WORK_CRS)
    assert frame.crs.to_epsg() == 4549 and frame.attrs["dropped_features"] == 1
    assert list(frame.geom_type) == ["Polygon"]
    assert_same_area(frame, demo_area)


def test_a_browser_fake_path_only_gives_the_extension(upload, demo_area):
    frame = upload(GOOD.read_bytes(), "C:\\fakepath\\good.gpkg")
    assert frame.attrs["source"] == "good.gpkg"
    assert_same_area(frame, demo_area)


def test_without_direct_gdal_access_the_driver_is_checked_by_pyogrio(
    upload, demo_area, gdal_calls, monkeypatch
):
    monkeypatch.setattr(geo.io.gdal_env, "_gdal", lambda: None)
    assert_same_area(upload(GOOD.read_bytes(), "good.gpkg"), demo_area)
    assert len(gdal_calls) == 3  # read_info for the driver, list_layers, read_dataframe


# --- names, sizes and types --------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["/vsicurl/http://example.com/p.gpkg", "/vsizip//etc/p.zip", "http://example.com/p.geojson",
     "p.kml?u=file:///etc/passwd"],
)
def test_virtual_paths_and_urls_as_names_are_refused(upload, gdal_calls, name):
    refused(lambda: upload(GOOD.read_bytes(), name), 400, "vsi-path", "virtual path or a URL")
    assert gdal_calls == []


def test_a_100_mb_body_is_too_large(upload, tmp_path):
    body = bytes(100 * 1024**2)
    refused(lambda: upload(body, "big.gpkg"), 413, "too-large", "104,857,600 bytes")
    assert not any((tmp_path / "work").iterdir())


@pytest.mark.parametrize("name", ["p.shp", "p.vrt", "p.tab", "p"])
def test_unsupported_types_are_refused(upload, name):
    refused(lambda: upload(b"data", name), 415, "unsupported-type", ".zip")


@pytest.mark.parametrize("name", ["p.gpkg", "p.kml", "p.zip"])
def test_empty_files_are_refused(upload, name):
    refused(lambda: upload(b"", name), 422, "empty")


# --- zip archives ------------------------------------------------------------------------


@pytest.mark.parametrize("member", ["../evil.shp", "/tmp/evil.shp", "a/../../evil.shp",
                                    "C:/evil.shp", "..\\evil.shp"])
def test_zip_members_escaping_the_folder_are_refused(upload, tmp_path, member):
    body = zipped({member: b"x", "ok.shx": b"x"})
    refused(lambda: upload(body, "p.zip"), 400, "zip-traversal", member)
    assert not (tmp_path / "evil.shp").exists() and not any((tmp_path / "work").iterdir())


def test_zip_symlink_members_are_refused(upload):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("proposal.prj")
        link.external_attr = SYMLINK_ATTR
        archive.writestr(link, "/etc/passwd")
        archive.writestr("proposal.shp", b"x")
    refused(lambda: upload(buffer.getvalue(), "p.zip"), 400, "zip-traversal", "symbolic link")


def test_a_zip_bomb_is_refused_before_unpacking(upload, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.shp", b"x")
        with archive.open("bomb.dbf", "w", force_zip64=True) as member:
            zeros = bytes(1024**2)
            for _ in range(199):  # just under the size limit: the ratio must catch it
                member.write(zeros)
    body = buffer.getvalue()
    assert len(body) < 400 * 1024
    refused(lambda: upload(body, "bomb.zip"), 400, "zip-bomb", "times its packed size")
    assert not any((tmp_path / "work").iterdir())


def test_a_zip_unpacking_past_the_total_limit_is_refused(upload):
    body = zipped({"p.shp": bytes(2 * 1024**2)})
    limits = UploadLimits(max_unzipped_bytes=1024**2, max_ratio=1e9)
    refused(lambda: upload(body, "p.zip", limits=limits), 400, "zip-bomb", "2,097,152 bytes")


def test_a_zip_with_too_many_members_is_refused(upload):
    body = zipped({f"part{i}.txt": b"x" for i in range(65)})
    refused(lambda: upload(body, "p.zip"), 400, "zip-bomb", "65 members")


def claim_size(body: bytearray, member: str, size: int) -> None:
    """Make both zip headers of ``member`` claim ``size`` uncompressed bytes."""
    start = 0
    while (start := body.find(b"PK\x01\x02", start)) != -1:
        name_len = struct.unpack_from("<H", body, start + 28)[0]
        if body[start + 46 : start + 46 + name_len] == member.encode():
            struct.pack_into("<I", body, start + 24, size)
            local = struct.unpack_from("<I", body, start + 42)[0]
            struct.pack_into("<I", body, local + 22, size)
            return
        start += 4
    raise AssertionError(f"{member} not in the archive")


def test_a_member_lying_about_its_size_is_never_unpacked_past_it(upload, proposal, src, tmp_path):
    body = bytearray(shapefile_zip(proposal, src))
    declared = 100  # the real .shp is larger
    assert (src / "proposal.shp").stat().st_size > declared
    claim_size(body, "proposal.shp", declared)
    refused(lambda: upload(bytes(body), "p.zip"), 422, "unreadable", "proposal.shp")
    assert all(p.stat().st_size <= declared for p in (tmp_path / "work").glob("*.shp"))


def test_a_shapefile_without_prj_needs_a_crs(upload, proposal, demo_area, src):
    body = shapefile_zip(proposal, src, prj=False)
    refused(lambda: upload(body, "proposal.zip"), 422, "missing-crs", "'proposal' has no .prj",
            "crs parameter")
    assert_same_area(upload(body, "proposal.zip", crs=WORK_CRS), demo_area)


def test_a_zip_without_shapefile_is_unreadable(upload):
    body = zipped({"readme.txt": b"hello"})
    refused(lambda: upload(body, "p.zip"), 422, "unreadable", "no dataset", "readme.txt")


def test_a_gpkg_disguised_as_zip_is_refused(upload):
    refused(lambda: upload(GOOD.read_bytes(), "p.zip"), 400, "driver-not-allowed", "zip header")


# --- GeoPackage --------------------------------------------------------------------------


def test_a_vrt_renamed_gpkg_never_reaches_gdal(upload, gdal_calls):
    vrt = (b'<OGRVRTDataSource><OGRVRTLayer name="p"><SrcDataSource>/etc/passwd'
           b"</SrcDataSource><SrcLayer>passwd</SrcLayer></OGRVRTLayer></OGRVRTDataSource>")
    refused(lambda: upload(vrt, "p.gpkg"), 400, "driver-not-allowed", "SQLite header", "VRT")
    assert gdal_calls == []
    assert "/etc/passwd" not in _OPENED


def test_a_plain_sqlite_database_is_not_a_geopackage(upload, src):
    with sqlite3.connect(src / "plain.db") as db:
        db.execute("CREATE TABLE t (a)")
    db.close()
    refused(lambda: upload((src / "plain.db").read_bytes(), "p.gpkg"), 400, "driver-not-allowed",
            "application_id")


def test_a_geopackage_with_a_foreign_virtual_table_is_refused(upload, src, gdal_calls):
    target = src / "v.gpkg"
    target.write_bytes(GOOD.read_bytes())
    with sqlite3.connect(target) as db:
        db.execute("CREATE VIRTUAL TABLE notes USING fts5(body)")
    db.close()
    refused(lambda: upload(target.read_bytes(), "v.gpkg"), 400, "virtual-table", "notes")
    assert gdal_calls == []


def test_a_truncated_geopackage_is_unreadable(upload):
    refused(lambda: upload(GOOD.read_bytes()[:5000], "p.gpkg"), 422, "unreadable")


# --- KML, GeoJSON and DXF ----------------------------------------------------------------


@pytest.mark.parametrize(
    "doctype", [b'<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>', b"<!DOCTYPE kml>"]
)
def test_kml_with_a_doctype_or_external_entity_is_refused(upload, gdal_calls, doctype):
    kml = (b'<?xml version="1.0"?>\n' + doctype + b'\n<kml xmlns="http://www.opengis.net/kml/2.2">'
           b"<Placemark><name>&x;</name></Placemark></kml>")
    refused(lambda: upload(kml, "p.kml"), 400, "xml-entity", "DOCTYPE")
    assert gdal_calls == [] and "/etc/passwd" not in _OPENED


def test_xml_that_is_not_kml_is_refused(upload):
    vrt = b"<OGRVRTDataSource><OGRVRTLayer name='p'/></OGRVRTDataSource>"
    refused(lambda: upload(vrt, "p.kml"), 400, "driver-not-allowed", "OGRVRTDataSource")


def test_geojson_that_gdal_would_run_as_a_pipeline_is_refused(upload, proposal):
    doc = json.loads(proposal.to_crs("EPSG:4326").to_json())
    doc = {"type": "FeatureCollection", "name": "gdal_streamed_alg", **doc}
    refused(lambda: upload(json.dumps(doc).encode(), "p.geojson"), 400, "driver-not-allowed",
            "GDALG", "GeoJSON")


def test_geojson_crs_linking_elsewhere_is_refused(upload, proposal):
    doc = json.loads(proposal.to_json())
    doc["crs"] = {"type": "link", "properties": {"href": "http://example.com/crs", "type": "proj4"}}
    refused(lambda: upload(json.dumps(doc).encode(), "p.geojson"), 400, "vsi-path", "crs")


def test_esri_json_is_not_geojson(upload):
    body = json.dumps({"geometryType": "esriGeometryPolygon", "features": []}).encode()
    refused(lambda: upload(body, "p.json"), 400, "driver-not-allowed", "None")


def test_broken_json_is_unreadable(upload):
    refused(lambda: upload(b'{"type": "FeatureCollection", ', "p.geojson"), 422, "unreadable")


def test_geojson_without_polygons_is_refused(upload):
    points = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(113.3, 23.1)], crs="EPSG:4326")
    refused(lambda: upload(points.to_json().encode(), "p.geojson"), 422, "no-polygons", "Point")


def test_dxf_without_crs_is_refused(upload, proposal):
    refused(lambda: upload(dxf_bytes(proposal), "plan.dxf"), 422, "missing-crs")


def test_an_image_renamed_dxf_is_refused(upload, gdal_calls):
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    refused(lambda: upload(png, "plan.dxf"), 400, "driver-not-allowed", "DXF")
    assert gdal_calls == []
