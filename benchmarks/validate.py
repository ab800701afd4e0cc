"""How fast sijie validates, against the same checks written by hand (``benchmarks/pipelines.py``).

Set-up. The demo town (20 km²) and a town of 320 km² made of 4 × 4 demo towns
(``benchmarks/towns.py``), each with the 13 demo proposals. Baselines, with the same rules
and numbers (``geo.rules.Rules()``):

* competent pipeline: the town-wide work once (all road, river, ridge and border buffers merged
  into one prepared zone, the jurisdiction dissolved, every layer's spatial index), then per
  proposal only the features the index finds are overlaid;
* naive pipeline: the same checks redone from scratch per proposal (buffers dissolved,
  overlays with whole layers).

Measured, each with the rules flagged (error or warning) compared proposal by proposal — any
difference is a wrong answer:

1. ``sijie validate`` from the shell on the demo town, a cold process, against the competent
   pipeline run as a fresh process (imports and reading included), median of 5 each:
   target ≤ 1.3× its time. sijie keeps the prepared town of a context file in its cache
   (``SIJIE_CACHE_DIR``, here ``out/bench/cache_<town>``, emptied first): the first process on
   the file makes it (timed and printed), the processes measured load it;
2. the same on the 320 km² town against the naive pipeline as a fresh process, median of 3:
   target ≥ 5× faster; sijie's peak memory there under 400 MB. sijie reads a GeoPackage
   proposal and its prepared town without pandas, geopandas or GDAL (``geo.layers``,
   ``geo.io.gpkg_features``), and the benchmark checks that its process never imports them.
   Beside it, a fresh process that only imports what validating GeoDataFrames needs (numpy,
   shapely, pyproj, pandas, geopandas, pyogrio and the rules), median of 3: the naive
   pipeline's time over it is the most any command-line validation built on GeoDataFrames
   could reach;
3. in-process, warm (the context read and used once before, the competent pipeline prepared
   once): every proposal, median of 3 rounds each, on both towns; target on 320 km² ≥ 2×.

Exit 1 on a wrong answer or a missed target.

    .venv/bin/python benchmarks/validate.py
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import time
import warnings
from pathlib import Path

import geopandas as gpd

from benchmarks.common import BIN, OUT, Bench, median_seconds, run_measured
from benchmarks.pipelines import competent_validate, prepare, read_layers
from benchmarks.towns import DEMO, write_tiled_demo
from geo.io import read_context, read_layer
from geo.prepared.cache import CACHE_ENV
from geo.proposal import proposal_from_frame
from geo.rules import Rules
from geo.validate import ERROR, WARNING, validate

CLI_ROUNDS = 5
CLI_ROUNDS_BIG = 3
WARM_ROUNDS = 3
PEAK_MB = 400.0
# what any validation of GeoDataFrames from the shell imports before it reads a byte
FLOOR = [BIN / "python", "-c", "import geopandas, pyogrio, geo.rules"]
# libraries the command-line validation of a GeoPackage proposal does without
UNUSED = ("pandas", "geopandas", "pyogrio")


def _ordered(rules: set[str]) -> list[str]:
    return sorted(rules, key=lambda r: int(r[1:]))


def _cli_flags(report: Path) -> list[str]:
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    return _ordered({f["rule"] for f in findings if f["severity"] in (ERROR, WARNING)})


def _sijie_cli(context: Path, proposal: Path, report: Path) -> list[str | Path]:
    return [BIN / "sijie", "validate", proposal, "--context", context, "--format", "json",
            "-o", report]


def _pipeline(how: str, context: Path, proposal: Path) -> list[str | Path]:
    return [BIN / "python", "-m", "benchmarks.pipelines", how, context, proposal]


def _loaded_by_cli(town: str, context: Path, proposal: Path) -> list[str]:
    """Which of :data:`UNUSED` a ``sijie validate`` process (JSON report) imports, the town
    prepared and kept by :func:`cli_cold` before."""
    report = OUT / "validate_imports.json"
    argv = [str(a) for a in _sijie_cli(context, proposal, report)[1:]]
    script = ("import atexit, sys\n"
              f"atexit.register(lambda: print(*[m for m in {UNUSED!r} if m in sys.modules]))\n"
              f"sys.argv = ['sijie', *{argv!r}]\n"
              "from api.cli import app\n"
              "app()\n")
    run = run_measured([BIN / "python", "-c", script], {CACHE_ENV: str(OUT / f"cache_{town}")})
    return run.stdout.split()


def cli_cold(bench: Bench, town: str, context: Path, proposal: Path, how: str,
             rounds: int) -> tuple[float, float, float, float]:
    """(sijie s, baseline s, sijie peak MB, sijie's first run s) from the shell, rounds
    alternating. The first run finds the cache empty and keeps the prepared town; the rounds
    measured load it, as every later command on the same file does."""
    report = OUT / f"validate_{town}.json"
    cache = {CACHE_ENV: str(OUT / f"cache_{town}")}
    shutil.rmtree(cache[CACHE_ENV], ignore_errors=True)
    first = run_measured(_sijie_cli(context, proposal, report), cache)
    ours, theirs, peaks = [], [], [first.peak_mb]
    for _ in range(rounds):
        run = run_measured(_sijie_cli(context, proposal, report), cache)
        ours.append(run.seconds)
        peaks.append(run.peak_mb)
        base = run_measured(_pipeline(how, context, proposal))
        theirs.append(base.seconds)
    flags, expected = _cli_flags(report), json.loads(base.stdout)
    bench.answer(f"{town}: {proposal.stem} from the shell", flags == expected,
                 f"sijie {flags}, {how} pipeline {expected}")
    return statistics.median(ours), statistics.median(theirs), max(peaks), first.seconds


def warm(bench: Bench, town: str, context: Path, proposals: dict[str, Path]
         ) -> tuple[float, float, float, float]:
    """(sijie s, competent s, sijie first use s, competent prepare s) over every proposal."""
    start = time.perf_counter()
    ctx = read_context(context, Rules())
    ours_frames = {name: proposal_from_frame(read_layer(path)) for name, path in proposals.items()}
    first = next(iter(ours_frames.values()))
    validate(first, ctx)
    sijie_first = time.perf_counter() - start
    start = time.perf_counter()
    prep = prepare(read_layers(str(context)))
    prepared = time.perf_counter() - start
    theirs_frames = {name: gpd.read_file(path, layer="proposal", engine="pyogrio")
                     for name, path in proposals.items()}
    ours = theirs = 0.0
    for name in proposals:
        prop, frame = ours_frames[name], theirs_frames[name]
        ours += median_seconds(lambda prop=prop: validate(prop, ctx), WARM_ROUNDS)
        theirs += median_seconds(lambda frame=frame: competent_validate(frame, prep), WARM_ROUNDS)
        report = validate(prop, ctx)
        flags = _ordered({f.rule for f in report.findings if f.severity in (ERROR, WARNING)})
        expected = _ordered(competent_validate(frame, prep))
        bench.answer(f"{town}: {name} in-process", flags == expected,
                     f"sijie {flags}, competent {expected}")
    return ours, theirs, sijie_first, prepared


def main() -> int:
    warnings.filterwarnings("ignore", message="`keep_geom_type=True` in overlay")
    bench = Bench("validate", __doc__.split("\n\n")[1])
    OUT.mkdir(parents=True, exist_ok=True)
    demo_context = DEMO / "context.gpkg"
    demo = {p.stem: p for p in sorted((DEMO / "proposals").glob("*.gpkg"))}
    big_context, big = write_tiled_demo(OUT / "town320")

    print("demo town (20 km²), from the shell, good_industrial:")
    ours, theirs, _, first = cli_cold(bench, "demo", demo_context, demo["good_industrial"],
                                      "competent", CLI_ROUNDS)
    bench.figure("sijie validate, demo, cold process / competent pipeline process",
                 f"{ours:.2f} s / {theirs:.2f} s = {ours / theirs:.2f}×", "≤ 1.3×",
                 ours / theirs <= 1.3)
    bench.figure("sijie validate, demo, first process on the file (prepares and keeps the town)",
                 f"{first:.2f} s = {first / theirs:.2f}× the competent pipeline")

    print("320 km² town, from the shell, good_industrial:")
    ours, theirs, peak, first = cli_cold(bench, "320km2", big_context, big["good_industrial"],
                                         "naive", CLI_ROUNDS_BIG)
    bench.figure("sijie validate, 320 km², naive pipeline process / sijie process",
                 f"{theirs:.2f} s / {ours:.2f} s = {theirs / ours:.1f}× faster", "≥ 5×",
                 theirs / ours >= 5)
    floor = statistics.median(run_measured(FLOOR).seconds for _ in range(CLI_ROUNDS_BIG))
    bench.figure("a process that only imports the GeoDataFrame stack and the rules",
                 f"{floor:.2f} s: the naive pipeline process / it = {theirs / floor:.1f}×; "
                 f"sijie's process / it = {ours / floor:.2f}×")
    loaded = _loaded_by_cli("320km2", big_context, big["good_industrial"])
    bench.answer("320km2: sijie validate imports none of " + ", ".join(UNUSED), not loaded,
                 f"it imported {', '.join(loaded)}")
    bench.figure("sijie validate, 320 km², first process on the file (prepares and keeps the "
                 "town)", f"{first:.2f} s = {theirs / first:.1f}× faster than the naive pipeline")
    bench.figure("sijie validate, 320 km², peak memory", f"{peak:.0f} MB", f"< {PEAK_MB:.0f} MB",
                 peak < PEAK_MB)

    for town, context, proposals, target in (("demo", demo_context, demo, None),
                                              ("320km2", big_context, big, 2.0)):
        print(f"{town}, in-process, {len(proposals)} proposals:")
        ours, theirs, first, prepared = warm(bench, town, context, proposals)
        bench.figure(f"{town}: sijie read + first validation / competent read + prepare",
                     f"{first:.2f} s / {prepared:.2f} s")
        bench.figure(f"{town}: warm, {len(proposals)} proposals, competent / sijie",
                     f"{theirs * 1000:.0f} ms / {ours * 1000:.0f} ms = {theirs / ours:.1f}× faster",
                     "" if target is None else f"≥ {target:.0f}×",
                     None if target is None else theirs / ours >= target)
    return bench.finish()


if __name__ == "__main__":
    sys.exit(main())
