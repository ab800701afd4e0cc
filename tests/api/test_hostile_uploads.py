"""A corpus of hostile files, made here, against both stores: each is answered with a 4xx
problem within 5 s, a parallel ``/health`` keeps answering throughout, nothing is stored and
no scratch file is left."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sqlite3
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import psutil
import pytest
import shapely
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import DEMO, ENGINES, assert_problem, bearer, fresh_database, make_settings

GOOD = DEMO / "proposals" / "good_industrial.gpkg"
CONTEXT = DEMO / "context.gpkg"
ENDLESS = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
           "SELECT x AS fid, NULL AS geom FROM c")


@pytest.fixture(scope="module", params=ENGINES)
def service(request, tmp_path_factory) -> Iterator[TestClient]:
    """A service of its own whose upload workers may take 3 s."""
    folder = tmp_path_factory.mktemp("hostile")
    with fresh_database(request.param, folder) as url:
        settings = make_settings(url, folder / "uploads")
        settings.uploads.worker_seconds = 3.0
        settings.uploads.worker_memory_mb = 512
        with TestClient(create_app(settings)) as client:
            yield client


@pytest.fixture(scope="module")
def headers(service) -> dict[str, str]:
    return bearer(service, "gis")["gis"]


def _copy(source: Path, folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copy(source, target)
    return target


def _sql(path: Path, *statements: str) -> bytes:
    with sqlite3.connect(path) as db:
        for statement in statements:
            db.execute(statement)
    db.close()
    return path.read_bytes()


def endless_view(folder: Path, source: Path = GOOD) -> bytes:
    """The file's feature layer replaced by a view over a query that never ends."""
    path = _copy(source, folder, "endless.gpkg")
    return _sql(
        path,
        f"CREATE VIEW endless AS {ENDLESS}",
        "DELETE FROM gpkg_geometry_columns",
        "DELETE FROM gpkg_contents",
        "INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('endless', "
        "'features', 4549)",
        "INSERT INTO gpkg_geometry_columns VALUES ('endless', 'geom', 'POLYGON', 4549, 0, 0)",
    )


def ogr_virtual_table(folder: Path) -> bytes:
    """A VirtualOGR table reading a server file, its SQL claiming to be an R-tree."""
    path = _copy(GOOD, folder, "vtab.gpkg")
    sql = "CREATE VIRTUAL TABLE peek USING VirtualOGR('/etc/passwd') /* using rtree */"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA writable_schema = ON")
        db.execute("INSERT INTO sqlite_master VALUES ('table', 'peek', 'peek', 0, ?)", (sql,))
    db.close()
    return path.read_bytes()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ring(vertices: int) -> shapely.Polygon:
    """A ring of ``vertices`` points around the demo proposal's centre (EPSG:4549)."""
    centre = gpd.read_file(GOOD, layer="proposal").geometry.iloc[0].centroid
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    return shapely.Polygon(np.c_[centre.x + 300 * np.cos(angles), centre.y + 300 * np.sin(angles)])


def ring_gpkg(folder: Path, vertices: int) -> bytes:
    frame = gpd.GeoDataFrame({"name": ["环"], "type": ["工业社区"]}, geometry=[ring(vertices)],
                             crs=4549)
    path = folder / "ring.gpkg"
    frame.to_file(path, layer="proposal")
    return path.read_bytes()


def _geojson(coords: str, crs: str = "") -> bytes:
    return ('{"type": "FeatureCollection", ' + crs + '"features": [{"type": "Feature", '
            '"properties": {"name": "x"}, "geometry": {"type": "Polygon", "coordinates": '
            f"[[{coords}]]}}}}]}}").encode()


_SQUARE = "[120.1, 30.1], [120.2, 30.1], [120.2, 30.2], [120.1, 30.1]"
_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "ha">'
           + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                     for i in range(8))
           + ']><kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&i;</name>'
           "</Document></kml>").encode()
_XXE = (b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&x;</name></Document></kml>')
_VRT = (b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
        b"</OGRVRTLayer></OGRVRTDataSource>")

# name -> (make(folder) -> (file name, bytes), expected status, expected code or None)
CORPUS: dict[str, tuple[Callable[[Path], tuple[str, bytes]], int, str | None]] = {
    "endless-view": (lambda f: ("p.gpkg", endless_view(f)), 400, "sqlite-view"),
    "virtualogr-as-rtree": (lambda f: ("p.gpkg", ogr_virtual_table(f)), 400, "virtual-table"),
    "zip-slip": (lambda f: ("p.zip", _zip({"../../evil.shp": b"x" * 100,
                                           "../../evil.dbf": b"x"})), 400, "zip-traversal"),
    "zip-bomb": (lambda f: ("p.zip", _zip({"a.shp": b"\0" * (40 * 1024**2)})), 400, "zip-bomb"),
    "zip-slip-gpkg": (lambda f: ("p.zip", _zip({"../../evil.gpkg": GOOD.read_bytes()})), 400,
                      "zip-traversal"),
    "zip-absolute-geojson": (lambda f: ("p.zip", _zip({"/tmp/evil.geojson": _geojson(_SQUARE)})),
                             400, "zip-traversal"),
    "zip-in-zip": (lambda f: ("p.zip", _zip({"inner.zip": _zip({"p.gpkg": GOOD.read_bytes()})})),
                   422, "unreadable"),
    "zipped-endless-view": (lambda f: ("p.zip", _zip({"p.gpkg": endless_view(f)})), 400,
                            "sqlite-view"),
    "zipped-xxe": (lambda f: ("p.zip", _zip({"doc.kml": _XXE})), 400, "xml-entity"),
    "xxe": (lambda f: ("p.kml", _XXE), 400, "xml-entity"),
    "billion-laughs": (lambda f: ("p.kml", _LAUGHS), 400, "xml-entity"),
    "vrt-as-gpkg": (lambda f: ("p.gpkg", _VRT), 400, "driver-not-allowed"),
    "vsicurl-name": (lambda f: ("/vsicurl/http://127.0.0.1:9/p.gpkg", GOOD.read_bytes()), 400,
                     "vsi-path"),
    "vsicurl-crs": (lambda f: ("p.geojson", _geojson(_SQUARE, '"crs": {"type": "name", '
                               '"properties": {"name": "/vsicurl/http://127.0.0.1:9/x"}}, ')),
                    400, "vsi-path"),
    "garbage-dxf": (lambda f: ("p.dxf", bytes(range(256)) * 64), 400, "driver-not-allowed"),
    "garbage-after-dxf-header": (lambda f: ("p.dxf", b"0\nSECTION\n2\nENTITIES\n"
                                            + b"\xff\xfe garbage \x00" * 500), 422, None),
    "100-mb": (lambda f: ("p.gpkg", b"\0" * (100 * 1024**2)), 413, "body_too_large"),
    "250k-vertex-ring": (lambda f: ("p.gpkg", ring_gpkg(f, 250_000)), 413, "too_many_vertices"),
    "1m-vertex-ring": (lambda f: ("p.gpkg", ring_gpkg(f, 1_000_000)), 413, None),
    "nan-coordinates": (lambda f: ("p.geojson", _geojson("[NaN, 30.1], " + _SQUARE)), 422,
                        "json-refused"),
    "1e400-coordinates": (lambda f: ("p.geojson", _geojson("[1e400, 30.1], " + _SQUARE)), 422,
                          "json-refused"),
    "crs-900-deep": (lambda f: ("p.geojson", _geojson(
        _SQUARE, '"crs": ' + "[" * 900 + "]" * 900 + ", ")), 422, "json-refused"),
    "lone-surrogate-name": (lambda f: ("p.geojson", _geojson(_SQUARE).replace(
        b'"name": "x"', b'"name": "\\ud800x"')), 422, "json-refused"),
}
# the editor's file reader opens files as uploads are opened
SKETCH_CORPUS = {name: CORPUS[name] for name in (
    "endless-view", "virtualogr-as-rtree", "vrt-as-gpkg", "zip-bomb", "250k-vertex-ring")}
TOWN_CORPUS = {
    "endless-view-context": (lambda f: ("town.gpkg", endless_view(f, CONTEXT)), 400,
                             "sqlite-view"),
    "virtualogr-context": (lambda f: ("town.gpkg", ogr_virtual_table(f)), 400, "virtual-table"),
}


def _rss_mb() -> float:
    """Resident memory of this process (the service's) and its children (upload workers)."""
    me = psutil.Process()
    total = 0
    for process in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total / 1024**2


class HealthWatch:
    """``/health`` asked every 50 ms from another thread, each answer's time kept, and the
    peak memory of the service with its upload workers."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.latencies: list[float] = []
        self.failures: list[int] = []
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            start = time.perf_counter()
            status = self.client.get("/health").status_code
            self.latencies.append(time.perf_counter() - start)
            if status != 200:
                self.failures.append(status)
            self.peak_mb = max(self.peak_mb, _rss_mb())
            self._stop.wait(0.05)

    def p95(self) -> float:
        return float(np.percentile(self.latencies, 95))

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _stored(client: TestClient, headers: dict[str, str]) -> tuple[int, int]:
    proposals = client.get("/collections/proposals/items", headers=headers).json()
    return proposals["numberMatched"], len(client.get("/towns").json()["towns"])


def _leftovers(client: TestClient) -> list[Path]:
    scratch = client.app.state.scratch_dir
    return list(scratch.iterdir()) if scratch.exists() else []


def _check_corpus(service, headers, tmp_path, corpus, path: str) -> None:
    before = _stored(service, headers)
    answers = {}
    with HealthWatch(service) as watch:
        for name, (make, status, code) in corpus.items():
            filename, data = make(tmp_path)
            start = time.perf_counter()
            response = service.post(path, headers=headers,
                                    files={"file": (filename, data, "application/octet-stream")})
            answers[name] = (response.status_code, time.perf_counter() - start)
            body = assert_problem(response, status)
            assert code is None or body["code"] == code, (name, body)
    slow = {name: round(took, 2) for name, (_, took) in answers.items() if took >= 5}
    assert not slow, f"answered after 5 s: {slow}"
    assert watch.failures == [] and watch.latencies
    assert max(watch.latencies) < 2, f"/health stalled {max(watch.latencies):.2f} s"
    assert _stored(service, headers) == before
    assert _leftovers(service) == []
    print(f"\n{path}: {len(answers)} hostile files, slowest answer "
          f"{max(t for _, t in answers.values()):.2f} s; /health ×{len(watch.latencies)}, "
          f"p95 {watch.p95() * 1e3:.0f} ms, slowest {max(watch.latencies) * 1e3:.0f} ms; "
          f"peak memory with upload workers {watch.peak_mb:.0f} MB")


def test_every_hostile_proposal_file_is_a_quick_4xx_with_the_service_responsive(
    service, headers, tmp_path
):
    _check_corpus(service, headers, tmp_path, CORPUS, "/proposals")


def test_every_hostile_town_context_is_a_quick_4xx_with_the_service_responsive(
    service, headers, tmp_path
):
    _check_corpus(service, headers, tmp_path, TOWN_CORPUS, "/towns")


def test_every_hostile_file_read_into_the_editor_is_a_quick_4xx_with_the_service_responsive(
    service, headers, tmp_path
):
    _check_corpus(service, headers, tmp_path, SKETCH_CORPUS, "/towns/1/sketch/upload")


def test_a_real_geopackage_still_becomes_a_proposal_through_the_worker(service, headers):
    response = service.post("/proposals", headers=headers,
                            files={"file": ("good.gpkg", GOOD.read_bytes(), "application/x")})
    assert response.status_code == 201, response.text
    assert _leftovers(service) == []


def xlsx_bomb(rows: int = 3_000_000) -> bytes:
    """A workbook whose one sheet holds millions of cells: a few hundred kB zipped."""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxml'
             'formats.org/spreadsheetml/2006/main"><sheetData>'
             + "<row><c><v>1</v></c></row>" * rows
             + "</sheetData></worksheet>")
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as small:
        members = {name: small.read(name) for name in small.namelist()}
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    return _zip(members)


def test_an_employment_workbook_bomb_is_a_quick_4xx_with_the_service_responsive(service,
                                                                               headers):
    data = xlsx_bomb()
    before = _stored(service, headers)
    with HealthWatch(service) as watch:
        start = time.perf_counter()
        response = service.post("/towns/1/employment", headers=headers,
                                files={"file": ("hr.xlsx", data, "application/octet-stream")})
        took = time.perf_counter() - start
    assert response.status_code in (413, 422), response.text
    assert_problem(response, response.status_code)
    assert took < 5 and watch.failures == [] and max(watch.latencies) < 2
    assert _stored(service, headers) == before
    print(f"\nemployment workbook bomb ({len(data) / 1024:.0f} kB zipped): "
          f"{response.status_code} in {took:.2f} s; /health slowest "
          f"{max(watch.latencies) * 1e3:.0f} ms; peak memory {watch.peak_mb:.0f} MB")


@pytest.mark.parametrize("path", ["/proposals", "/towns/1/sketch/validation",
                                  "/towns/1/sketch/suggestion"])
def test_a_geojson_body_with_too_many_vertices_is_413(service, headers, path):
    coords = shapely.get_coordinates(gpd.GeoSeries([ring(120_000)], crs=4549).to_crs(4490)[0])
    feature = {"type": "Feature", "properties": {"name": "环"},
               "geometry": {"type": "Polygon", "coordinates": [coords.tolist()]}}
    response = service.post(path, headers={**headers, "Content-Type": "application/json"},
                            content=json.dumps(feature))
    assert_problem(response, 413, "too_many_vertices")
