"""Live validation in the staff workspace: the edit → findings round trip on the demo town.

A service with the demo town runs on loopback (uvicorn); Debian's Chromium opens the editor
on the off-road-edge proposal of the demo town and makes ``--edits`` edits, each moving one
vertex a few metres and firing the editor's edit event, timing in the page from the edit until
the findings panel shows that edit's findings (the editor's debounce and the service fitting
the edit to the town's edges included). The baseline, measured in the same run on the same
boundaries, is the spatial core alone: ``geo.conform`` and ``geo.validate`` called in-process
(no debounce, no HTTP, no JSON, no drawing). Answers are checked equal (the
rules and severities found); exits 1 on a different answer or a p95 of 300 ms or more.

    .venv/bin/python benchmarks/live_validation.py [--edits 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.conform import conform  # noqa: E402
from geo.proposal import proposal_from_frame  # noqa: E402
from geo.rules import load_rules  # noqa: E402
from geo.validate import validate  # noqa: E402
from tests.maps.browser import chromium  # noqa: E402
from tests.web.workspace import open_editor, sign_in  # noqa: E402

DEMO = ROOT / "boundary_data" / "demo"
TARGET_MS = 300.0
# in the page: move vertex i by (dx, dy) degrees, fire the edit, wait for its findings
EDIT = """async ([i, dx, dy]) => {
  const w = window.sijieWorkspace, layer = w.state.boundary;
  const ring = layer.getLatLngs()[0];
  const p = ring[i % ring.length];
  ring[i % ring.length] = L.latLng(p.lat + dy, p.lng + dx);
  const before = w.state.validations, started = performance.now();
  layer.setLatLngs([ring]);
  layer.fire('pm:edit');
  while (w.state.validations === before || w.state.dirty) {
    await new Promise(r => setTimeout(r, 2));
  }
  const report = w.state.report;
  return {ms: performance.now() - started, geometry: w.boundary(), fitted: w.state.fitted,
          found: report.features.map(f => [f.properties.rule, f.properties.severity]).sort()};
}"""


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def _stored_context(path: Path):
    """The town's context as the service builds it from its database (context layers stored
    in lon/lat), so that the baseline judges against exactly what the service does."""
    from sqlalchemy.orm import sessionmaker

    from api.db.engine import make_engine
    from api.services.towns import ContextCache

    return ContextCache(sessionmaker(make_engine(f"gpkg:///{path}")), load_rules(None)).get(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40)
    args = parser.parse_args()
    from tests.web.server import running_service

    frame = gpd.read_file(DEMO / "proposals" / "flaw_b3_offroad_edge.gpkg").to_crs(4326)
    results = []
    with tempfile.TemporaryDirectory() as tmp, running_service(Path(tmp)) as base, \
            chromium() as browser:
        ctx = _stored_context(Path(tmp) / "sijie.gpkg")
        watched = sign_in(browser, base)
        open_editor(watched, base)
        page = watched.page
        page.fill("#name", str(frame["name"].iloc[0]))
        page.evaluate("g => window.sijieWorkspace.map.fire('pm:create', "
                      "{layer: L.geoJSON(g).getLayers()[0]})",
                      shapely.geometry.mapping(frame.geometry.iloc[0]))
        page.wait_for_function("window.sijieWorkspace.state.validations > 0 && "
                               "!window.sijieWorkspace.state.dirty")
        for i in range(args.edits):
            step = 3e-5 * (1 if i % 2 else -1)  # about 3 m, back and forth
            results.append(page.evaluate(EDIT, [i * 7, step, step / 2]))
    browser_ms = [r["ms"] for r in results]
    core_ms, wrong = [], 0
    for r in results:
        drawn = frame.copy()
        drawn.geometry = [shapely.geometry.shape(r["geometry"])]
        drawn = drawn.set_crs(4490, allow_override=True)  # lon/lat as the service reads it
        started = time.perf_counter()
        proposal = proposal_from_frame(drawn)
        conform(proposal.to_crs(ctx.crs), ctx)  # the shown boundary is fitted already
        report = validate(proposal, ctx)
        core_ms.append((time.perf_counter() - started) * 1000)
        expected = sorted([f.rule, f.severity] for f in report.findings)
        if expected != r["found"]:
            wrong += 1
            print("different:", expected, r["found"])
    p95, core_p95 = _p95(browser_ms), _p95(core_ms)
    print(f"edits: {len(results)}")
    print(f"edit → findings in the browser: p50 {statistics.median(browser_ms):.0f} ms, "
          f"p95 {p95:.0f} ms (target < {TARGET_MS:.0f} ms, debounce included)")
    print(f"fitted edits: {sum(bool(r['fitted']) for r in results)}")
    print("baseline geo.conform + geo.validate in-process: "
          f"p50 {statistics.median(core_ms):.0f} ms, p95 {core_p95:.0f} ms")
    print(f"ratio p95 browser / core: {p95 / core_p95:.2f}")
    print(f"answers different from the core: {wrong}")
    if wrong:
        return 1
    return 0 if p95 < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
