"""How fast sijie validates a proposal against the same checks written the naive way.

sijie builds the context once (layers renamed, projected, indexed; the zone within tolerance
of roads, rivers, ridges and the town border is unioned on first use and kept) and then
validates each demo proposal with rules B1–B10. The baseline is a straightforward geopandas
pipeline written here for the same checks with the same default numbers, redone per proposal:
buffer the roads by width/2 + 5 m and dissolve, overlay the proposal with the neighbours,
take differences, open them to find slivers, overlay parcels, buildings and land use. Both
run in the same process on the same frames; the baseline's flagged rules are printed beside
sijie's so that the two are seen to do the same work. Prints the median of several rounds per
proposal and the ratio.

    .venv/bin/python benchmarks/validate.py
"""

from __future__ import annotations

import json
import math
import statistics
import time
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from boundary_data.demo_town import CONTEXT_LAYERS, PROPOSAL_LAYER
from geo.context import build_context
from geo.io import read_layer
from geo.proposal import proposal_from_frame
from geo.rules import Rules
from geo.validate import ERROR, WARNING, validate

DEMO = Path(__file__).resolve().parents[1] / "boundary_data" / "demo"
ROUNDS = 7
RULES = Rules()
STAFFED = ["enterprise", "park"]


def _slivers(frame: gpd.GeoDataFrame, width: float) -> gpd.GeoSeries:
    """Strips narrower than ``width`` in each geometry: what an opening by width/2 removes."""
    opened = frame.buffer(-width / 2, join_style="mitre").buffer(width / 2, join_style="mitre")
    rest = frame.geometry.difference(opened).explode(index_parts=False)
    rest = rest[rest.geom_type == "Polygon"]
    return rest[(rest.area >= width * width) & (2 * rest.area / rest.length < width)]


def _cut_shares(holdings: gpd.GeoDataFrame, proposal: gpd.GeoDataFrame) -> pd.Series:
    """Share of each holding meeting the proposal that lies inside it."""
    holdings = holdings.assign(whole_m2=holdings.area, hid=range(len(holdings)))
    near = gpd.sjoin(holdings, proposal[["geometry"]], predicate="intersects").drop(
        columns="index_right")
    inside = gpd.overlay(near, proposal[["geometry"]], how="intersection", keep_geom_type=True)
    return inside.area.groupby(inside["hid"]).sum() / inside.groupby("hid")["whole_m2"].first()


def naive_validate(frame: gpd.GeoDataFrame, layers: dict[str, gpd.GeoDataFrame]) -> set[str]:
    """The rules (B1–B10) a proposal breaks, error or warning, computed from scratch."""
    b = RULES.boundary
    proposal = frame.to_crs(layers["neighbours"].crs)
    row, geom = proposal.iloc[0], proposal.geometry.iloc[0]
    kind = "building" if row["type"] in ("building", "楼宇社区") else "industrial"
    suffix = RULES.naming.building_suffix if kind == "building" else RULES.naming.industrial_suffix
    flags = set() if str(row["name"]).endswith(suffix) else {"B9"}
    if geom is None or geom.is_empty or not geom.is_valid:
        return flags | {"B1"}
    custodial = row.get("custodial_parts")
    declared = len(json.loads(custodial)) if isinstance(custodial, str) and custodial else 0
    if len(proposal.explode(index_parts=False)) > 1 + declared:
        flags.add("B2")
    roads = layers["roads"]
    width = roads["width_m"].fillna(roads["class"].map(b.road_width_default_m))
    zones = pd.concat([roads.buffer(width / 2 + b.road_tolerance_margin_m),
                       layers["water"].buffer(b.water_tolerance_m),
                       layers["terrain"].buffer(b.terrain_tolerance_m),
                       layers["jurisdiction"].boundary.buffer(b.border_tolerance_m)])
    followed = gpd.GeoDataFrame(geometry=zones, crs=roads.crs).dissolve().geometry.iloc[0]
    loose = proposal.boundary.difference(followed).explode(index_parts=False)
    if loose.length.sum() / geom.length > 1 - b.edge_share_min or (
            shapely.line_merge(loose.union_all()).length >= b.uncovered_stretch_min_m):
        flags.add("B3")
    if (4 * math.pi * geom.area / geom.length**2 < b.polsby_popper_min
            or geom.area / geom.convex_hull.area < b.hull_ratio_min):
        flags.add("B4")
    neighbours = layers["neighbours"]
    taken = gpd.overlay(neighbours, proposal[["geometry"]], how="intersection")
    touched = neighbours[neighbours["name"].isin(taken.loc[taken.area > 0.01, "name"])]
    left = gpd.overlay(touched, proposal[["geometry"]], how="difference")
    outside = proposal.difference(layers["jurisdiction"].dissolve().geometry.iloc[0]).area.sum()
    if (len(_slivers(taken, b.snap_tolerance_m)) or len(_slivers(left, b.snap_tolerance_m))
            or outside >= 1.0):
        flags.add("B5")
    parcels = layers["parcels"]
    staffed = parcels[parcels["kind"].isin(STAFFED)]
    for holdings in (staffed, layers["buildings"]):
        share = _cut_shares(holdings, proposal)
        if ((share > b.cut_share_min) & (share < 1 - b.cut_share_min)).any():
            flags.add("B6")
    land = gpd.overlay(layers["landuse"], proposal[["geometry"]], how="intersection")
    area = land.assign(m2=land.area).groupby("class")["m2"].sum()
    wanted = ["office", "commercial"] if kind == "building" else ["industrial"]
    total = area.drop(["road", "water"], errors="ignore").sum()
    if total == 0 or area.reindex(wanted).fillna(0).sum() / total < b.industrial_share_min:
        flags.add("B7")
    share = _cut_shares(staffed, proposal)
    employees = round(float((staffed["employees"].iloc[share.index] * share.values).sum()))
    s = RULES.scale
    if employees > s.employees_max or abs(employees - s.employees_target) > \
            s.target_tolerance * s.employees_target:
        flags.add("B8")
    homes = layers["buildings"][layers["buildings"]["use"] == "residential"]
    homes_inside = homes.representative_point().within(geom).any()
    if area.get("residential", 0.0) >= 1.0 or homes_inside:
        flags.add("B10")
    return flags


def _p50(run, rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    # a polygon overlay drops the lines and points where shapes only touch: that is wanted
    warnings.filterwarnings("ignore", message="`keep_geom_type=True` in overlay")
    layers = {name: read_layer(DEMO / "context.gpkg", layer=name) for name in CONTEXT_LAYERS}
    frames = {p.stem: read_layer(p, layer=PROPOSAL_LAYER)
              for p in sorted((DEMO / "proposals").glob("*.gpkg"))}
    build = _p50(lambda: build_context(layers, RULES))
    ctx = build_context(layers, RULES)
    start = time.perf_counter()
    validate(proposal_from_frame(next(iter(frames.values()))), ctx)  # builds indexes lazily
    warm_up = time.perf_counter() - start
    print(f"context: {len(CONTEXT_LAYERS)} layers, {sum(len(f) for f in layers.values())} "
          f"features; {len(frames)} proposals; median of {ROUNDS} rounds")
    print(f"sijie build_context           : {build * 1000:8.1f} ms (once)")
    print(f"sijie first validation (index): {warm_up * 1000:8.1f} ms (once)")
    print(f"{'proposal':<24}{'sijie ms':>10}{'geopandas ms':>14}{'ratio':>8}"
          "  flagged (sijie | geopandas)")
    totals = [0.0, 0.0]
    per_proposal = []
    for name, frame in frames.items():
        ours = _p50(lambda frame=frame: validate(proposal_from_frame(frame), ctx))
        theirs = _p50(lambda frame=frame: naive_validate(frame, layers))
        totals[0] += ours
        totals[1] += theirs
        per_proposal.append((ours, theirs))
        report = validate(proposal_from_frame(frame), ctx)
        flagged = sorted({f.rule for f in report.findings if f.severity in (ERROR, WARNING)},
                         key=lambda r: int(r[1:]))
        naive = sorted(naive_validate(frame, layers), key=lambda r: int(r[1:]))
        print(f"{name:<24}{ours * 1000:10.1f}{theirs * 1000:14.1f}{ours / theirs:8.2f}  "
              f"{','.join(flagged) or '-'} | {','.join(naive) or '-'}")
    print(f"{'all proposals':<24}{totals[0] * 1000:10.1f}{totals[1] * 1000:14.1f}"
          f"{totals[0] / totals[1]:8.2f}")
    print("ratio = sijie / geopandas (below 1: sijie is faster)")
    ours_p50, theirs_p50 = (statistics.median(col) for col in zip(*per_proposal, strict=True))
    print(f"p50 per proposal: sijie {ours_p50 * 1000:.1f} ms, "
          f"geopandas {theirs_p50 * 1000:.1f} ms; "
          f"sijie is {totals[1] / totals[0]:.1f}x faster overall")


if __name__ == "__main__":
    main()
