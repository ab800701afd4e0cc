"""How fast sijie ranks facility sites in a large community, against a brute-force search.

A synthetic 10 km² community (a 3.2 km square) is laid out as a road grid every 200 m with
20,000 parcels (enterprises, public plots, and about 3 % vacant plots of every size, some of
them large enough to be cut). sijie's ``find_sites`` uses the context's spatial indexes, the
cheap checks before the costly ones and one shortest-path tree per shortlisted site. The
baseline, written here, does the same work the obvious way: every vacant plot measured against
every land-use polygon and every road with no index (cut the same way when too large), and the
network distance from every qualifying site computed. Both should find a best site at the same
distance; the script prints both, the times and the ratio.

    .venv/bin/python benchmarks/facility.py
"""

from __future__ import annotations

import statistics
import time

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, box

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


def main() -> None:
    layers, proposal = synthetic_town()
    print(f"synthetic community: {SIDE * SIDE / 1e6:.2f} km², {len(layers['parcels']):,} parcels "
          f"({(layers['parcels']['kind'] == 'vacant').sum()} vacant), {len(layers['roads'])} roads")
    ctx = build_context(layers, RULES, source="synthetic")
    geom = proposal.to_crs(ctx.crs)
    ours, theirs = [], []
    for _ in range(ROUNDS):
        cold = ctx.with_rules(ctx.rules)  # nothing built yet: indexes and zones are timed too
        start = time.perf_counter()
        result = find_sites(proposal, cold)
        ours.append(time.perf_counter() - start)
    start = time.perf_counter()
    area, distance = brute_force(layers, geom)
    theirs.append(time.perf_counter() - start)
    best = result.best
    print(f"sijie find_sites:  {statistics.median(ours):7.3f} s  (median of {ROUNDS}; "
          f"{len(result.sites)} sites, best {best['area_m2']:,.0f} m² "
          f"at {best['distance_m']:,.0f} m)")
    print(f"brute force:       {theirs[0]:7.3f} s  (best {area:,.0f} m² at {distance:,.0f} m)")
    ratio = theirs[0] / statistics.median(ours)
    print(f"ratio brute/sijie: {ratio:7.1f}×   target: sijie under 1 s")


if __name__ == "__main__":
    main()
