"""How fast and how well sijie ranks facility sites, against brute force over the same candidates.

Set-up. A synthetic 10 km² community (a 3.2 km square) laid out as a road grid every 200 m,
with 20,000, 80,000 and 200,000 parcels (the same blocks cut finer: enterprises, public plots,
about 3 % vacant plots, and in about 4 % of the blocks one large vacant plot, cut to size).
sijie's ``find_sites`` is timed on a fresh context each round (nothing kept: its spatial
indexes, zones, plot checks and road network built and timed too, as brute force builds
everything), and, for the record, on its prepared town searched again for the same community
(what an earlier search kept: indexes, the checks of the community's whole plots, its road
network). The baseline, written here,
is brute force over the same candidates: every vacant plot, cut the same way when too large
(``geo.facility.candidates``' cuts), measured against every land-use polygon and the merged
road zones with no index, and the network distance from every qualifying site computed
(``RoadNetwork.distance_from``), so that its best site is the best of the candidate set.

Checked: sijie's best site is at most as far from the employees as the brute force's (a
farther one is a wrong answer), and no two of sijie's ranked sites share land. Targets: ≥ 10×
faster than brute force at 20,000 parcels, and sijie's time growing at most as n^1.1 from
20,000 to 200,000 parcels, both on a fresh context. Times are CPU seconds
(``benchmarks/common.py``). Exit 1 on a wrong answer or a missed target.

    .venv/bin/python -m benchmarks.facility
"""

from __future__ import annotations

import sys
import time

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, box

from benchmarks.common import Bench, growth, median_seconds
from geo.context import build_context
from geo.facility import find_sites
from geo.facility.candidates import _corner, _cut
from geo.network import road_network
from geo.proposal import proposal_from_frame
from geo.rules import Rules

CRS = "EPSG:4549"
X0, Y0 = 600_000.0, 3_300_000.0
SIDE = 3_200.0  # 10.24 km²
BLOCK = 200.0
ROAD_W = 12.0
RULES = Rules()
ROUNDS = 3


def synthetic_town(seed: int = 7, parcels_wanted: int = 20_000):
    """Context layers and the community of the synthetic town."""
    rng = np.random.default_rng(seed)
    lines = [LineString([(X0 + x, Y0), (X0 + x, Y0 + SIDE)]) for x in np.arange(0, SIDE + 1, BLOCK)]
    lines += [LineString([(X0, Y0 + y), (X0 + SIDE, Y0 + y)])
              for y in np.arange(0, SIDE + 1, BLOCK)]
    roads = gpd.GeoDataFrame({"name": [f"路{i}" for i in range(len(lines))],
                              "class": "branch", "width_m": ROAD_W}, geometry=lines, crs=CRS)
    per_block = parcels_wanted // int((SIDE / BLOCK) ** 2)  # 78 plots per block
    cols = int(np.ceil(np.sqrt(per_block)))
    rows_ = int(np.ceil(per_block / cols))
    plots, kinds, employees = [], [], []
    inner = BLOCK - ROAD_W
    for bx in np.arange(0, SIDE, BLOCK):
        for by in np.arange(0, SIDE, BLOCK):
            x0, y0 = X0 + bx + ROAD_W / 2, Y0 + by + ROAD_W / 2
            big_vacant = rng.random() < 0.04  # a block with one large vacant plot in a corner
            w, h = inner / cols, inner / rows_
            for i in range(cols):
                for j in range(rows_):
                    if len(plots) >= parcels_wanted:
                        break
                    if big_vacant and i <= cols // 2 and j <= rows_ // 2:
                        continue
                    plots.append(box(x0 + i * w, y0 + j * h, x0 + (i + 1) * w, y0 + (j + 1) * h))
                    draw = rng.random()
                    kind = "vacant" if draw < 0.03 else ("public" if draw < 0.08 else "enterprise")
                    kinds.append(kind)
                    employees.append(int(rng.integers(5, 80)) if kind == "enterprise" else 0)
            if big_vacant:
                plots.append(box(x0, y0, x0 + (cols // 2 + 1) * w, y0 + (rows_ // 2 + 1) * h))
                kinds.append("vacant")
                employees.append(0)
    parcels = gpd.GeoDataFrame({"kind": kinds, "name": [f"地块{i}" for i in range(len(plots))],
                                "employees": employees}, geometry=plots, crs=CRS)
    classes = parcels["kind"].map({"vacant": "vacant", "public": "public",
                                   "enterprise": "industrial"})
    landuse = gpd.GeoDataFrame({"class": classes}, geometry=parcels.geometry.values, crs=CRS)
    town = box(X0 - 500, Y0 - 500, X0 + SIDE + 500, Y0 + SIDE + 500)
    halves = [box(X0 - 500, Y0 - 500, X0 + SIDE / 2, Y0 + SIDE + 500),
              box(X0 + SIDE / 2, Y0 - 500, X0 + SIDE + 500, Y0 + SIDE + 500)]
    layers = {
        "jurisdiction": gpd.GeoDataFrame({"name": ["合成镇"], "code": ["1"]}, geometry=[town],
                                         crs=CRS),
        "neighbours": gpd.GeoDataFrame({"name": ["西村", "东村"], "code": ["1", "2"],
                                        "kind": ["village", "village"]}, geometry=halves, crs=CRS),
        "roads": roads, "parcels": parcels, "landuse": landuse,
    }
    community = gpd.GeoDataFrame({"name": ["合成工业社区"], "type": ["工业社区"]},
                                 geometry=[box(X0, Y0, X0 + SIDE, Y0 + SIDE)], crs=CRS)
    return layers, proposal_from_frame(community)


def brute_force(layers, geom) -> tuple[float, float]:
    """The best qualifying site, the obvious way: (its area, its employee distance)."""
    rules = RULES.facility
    parcels, landuse, roads = layers["parcels"], layers["landuse"], layers["roads"]
    reach = shapely.union_all(roads.geometry.buffer(roads["width_m"] / 2 + 5.0).values)
    floor = programme_floor_m2_rules()
    staffed = parcels[parcels["kind"] == "enterprise"]
    xy = shapely.get_coordinates(staffed.geometry.representative_point().values)
    weights = staffed["employees"].to_numpy(float)
    network = road_network(roads.geometry.values)
    best = (np.inf, 0.0)
    target = (rules.land_min_m2 + rules.land_max_m2) / 2
    sites = []
    for plot in parcels[parcels["kind"] == "vacant"].geometry:  # every plot, no index
        site = plot.intersection(geom)
        if site.area <= rules.land_max_m2:
            sites.append(site)
        else:  # the same cuts as sijie: strips off either end, blocks in each corner
            sites += [_cut(site, target, end) for end in (0, 1)]
            sites += [_corner(site, target, (i, j)) for i in (0, 1) for j in (0, 1)]
    for site in sites:
        if not rules.land_min_m2 <= site.area <= rules.land_max_m2:
            continue
        shares = landuse.geometry.intersection(site).area  # every polygon, no index
        if shares[landuse["class"].isin(rules.available_landuse)].sum() / site.area < 0.95:
            continue
        if 2 * shapely.maximum_inscribed_circle(site, 0.5).length < rules.min_width_m:
            continue
        if site.boundary.intersection(reach).length < rules.frontage_min_m:
            continue
        if floor > rules.plot_ratio_max * site.area:
            continue
        origin = shapely.get_coordinates(site.representative_point())[0]
        distance = float((network.distance_from(xy, tuple(origin)) * weights).sum() / weights.sum())
        if distance < best[0]:
            best = (distance, site.area)
    return best[1], best[0]


def programme_floor_m2_rules() -> float:
    rules = RULES.facility
    return max(sum(rules.programme_m2.values()), rules.centre_floor_min_m2)


SIZES = (20_000, 80_000, 200_000)
RATIO_AT_20K = 10.0
GROWTH_MAX = 1.1


def main() -> int:
    bench = Bench("facility", __doc__.split("\n\n")[1])
    times = []
    for n in SIZES:
        layers, proposal = synthetic_town(parcels_wanted=n)
        ctx = build_context(layers, RULES, source="synthetic")
        geom = proposal.to_crs(ctx.crs)
        results = []

        def cold(ctx=ctx, proposal=proposal, results=results) -> None:
            # a fresh context each round: nothing built yet, indexes and zones are timed too
            results.append(find_sites(proposal, ctx.with_rules(ctx.rules)))

        ours = median_seconds(cold, ROUNDS)
        again = median_seconds(lambda ctx=ctx, proposal=proposal: find_sites(proposal, ctx),
                               ROUNDS)
        times.append(ours)
        start = time.process_time()
        area, distance = brute_force(layers, geom)
        theirs = time.process_time() - start
        best = results[-1].best
        sites = results[-1].sites.geometry.to_numpy()
        print(f"{n:,} parcels ({(layers['parcels']['kind'] == 'vacant').sum():,} vacant):")
        bench.answer(f"{n:,} parcels: best site", best is not None
                     and best["distance_m"] <= distance + 0.01,
                     f"sijie {best['distance_m'] if best is not None else None} m, "
                     f"brute force {distance:.1f} m")
        shared = max((shapely.intersection(sites[i], sites[j]).area for i in range(len(sites))
                      for j in range(i + 1, len(sites))), default=0.0)
        bench.answer(f"{n:,} parcels: distinct sites", shared < 1.0,
                     f"two ranked sites share {shared:,.0f} m²")
        bench.figure(f"{n:,} parcels: best site, sijie / brute force",
                     f"{best['distance_m']:,.1f} m / {distance:,.1f} m ({area:,.0f} m²)")
        target = n == SIZES[0]
        bench.figure(f"{n:,} parcels: brute force / sijie on a fresh context",
                     f"{theirs:.2f} s / {ours:.3f} s = {theirs / ours:.1f}× faster",
                     f"≥ {RATIO_AT_20K:.0f}×" if target else "",
                     theirs / ours >= RATIO_AT_20K if target else None)
        bench.figure(f"{n:,} parcels: brute force / sijie searching the same community again",
                     f"{theirs:.2f} s / {again:.3f} s = {theirs / again:.1f}× faster")
    k = growth(SIZES, times)
    bench.figure(f"sijie growth {SIZES[0]:,} → {SIZES[-1]:,} parcels", f"n^{k:.2f}",
                 f"≤ n^{GROWTH_MAX}", k <= GROWTH_MAX)
    return bench.finish()


if __name__ == "__main__":
    sys.exit(main())
