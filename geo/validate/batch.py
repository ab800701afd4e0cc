"""Rules B3–B8 and B10 for many valid communities at once, as counts of findings.

Each function takes the communities' geometries (valid polygons in the context's CRS) and
returns, per community, the number of findings the rule's ``check`` gives it alone and whether
any is an error. The heavy work is one spatial-index query of a context layer for all the
communities and one vectorised shapely call over all the pairs found; where a community's case
is not plainly clean (a B5 neighbour that might keep a sliver, say) the rule's own code decides
it, so that the counts are the rule's: its array forms (:func:`geo.carve.slivers_each`,
:func:`geo.measure.thin_parts_each`) for all such cases at once, then its per-case code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from geo.carve import Carved, edge_bands_each, slivers_each
from geo.context import Context
from geo.employment import VERIFIED
from geo.measure import (
    NOT_LAND,
    STAFFED,
    area_shares,
    clipped_areas,
    hull_ratio_each,
    polsby_popper_each,
)
from geo.proposal import Proposal
from geo.revision import REGISTERED_KIND
from geo.validate import character
from geo.validate.edges import feature_zones
from geo.validate.report import ERROR, RuleResult
from geo.validate.seamless import neighbour_findings

__all__ = ["Counts", "Meeting", "Staffing", "character_and_residents", "count", "edges",
           "holdings", "meeting", "regularity", "scale", "seamless"]

Objects = npt.NDArray[np.object_]
# per community: the number of findings and whether any of them is an error
Counts = tuple[npt.NDArray[np.int_], npt.NDArray[np.bool_]]


def _empty(n: int) -> tuple[npt.NDArray[np.int_], npt.NDArray[np.bool_]]:
    return np.zeros(n, dtype=int), np.zeros(n, dtype=bool)


def count(result: RuleResult) -> tuple[int, bool]:
    """The number of a rule result's findings and whether any is an error."""
    return len(result.findings), any(f.severity == ERROR for f in result.findings)


def _pairs(ctx: Context, layer: str, shapes: Objects) -> tuple[npt.NDArray[np.intp],
                                                                   npt.NDArray[np.intp]]:
    """(shape, feature) pairs meeting, sorted by shape then feature (as ``ctx.query`` sorts)."""
    tree = ctx.tree(layer)
    if tree is None:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    shape, feature = tree.query(shapes, predicate="intersects")
    order = np.lexsort((feature, shape))
    return shape[order], feature[order]


def _zones(ctx: Context) -> tuple[Objects, shapely.STRtree]:
    """The pieces whose union is B3's followed zone and their index (built once per context):
    each road's zone, each river's and ridge's buffer, a buffer of each town-border segment."""
    def build() -> tuple[Objects, shapely.STRtree]:
        pieces = feature_zones(ctx)
        for line in shapely.get_parts(shapely.line_merge(ctx.town_border)):
            coords = shapely.get_coordinates(line)
            segments = np.asarray(
                shapely.linestrings(np.stack([coords[:-1], coords[1:]], axis=1)), dtype=object)
            pieces.extend(shapely.buffer(segments, ctx.rules.boundary.border_tolerance_m))
        zones = np.array(pieces, dtype=object)
        return zones, shapely.STRtree(zones)

    zones, tree = ctx.cached("batch:zones", build)
    shapely.prepare(zones)  # not kept when a context is pickled
    return zones, tree


def edges(geoms: Objects, ctx: Context) -> Counts:
    """B3: each boundary minus the zones it meets (one zone per round, for all at once)."""
    zones, tree = _zones(ctx)
    n = len(geoms)
    counts, errors = _empty(n)
    boundaries = shapely.boundary(geoms)
    # a boundary every segment of which lies within one zone follows features all round
    coords, owner = shapely.get_coordinates(boundaries, return_index=True)
    same = owner[1:] == owner[:-1]
    segments: Objects = np.asarray(
        shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1)), dtype=object)
    owner = owner[:-1][same]
    followed = np.zeros(len(segments), dtype=np.bool_)
    # the index's candidates, then each zone (prepared) tested on the segments it may cover:
    # cheaper than the index testing covered_by with each segment prepared in turn
    segment, zone = tree.query(segments)
    followed[segment[shapely.covers(zones[zone], segments[segment])]] = True
    open_ = np.flatnonzero(np.bincount(owner[~followed], minlength=n) > 0)
    counts[open_], errors[open_] = _loose_edges(boundaries[open_], zones, tree, ctx)
    return counts, errors


def _loose_edges(boundaries: Objects, zones: Objects, tree: shapely.STRtree, ctx: Context
                 ) -> Counts:
    """B3 for boundaries some stretch of which may follow no feature."""
    rules = ctx.rules.boundary
    community, zone = tree.query(boundaries, predicate="intersects")
    loose = boundaries.copy()
    if community.size:
        order = np.argsort(community, kind="stable")
        community, zone = community[order], zone[order]
        starts = np.flatnonzero(np.r_[True, community[1:] != community[:-1]])
        sizes = np.diff(np.r_[starts, community.size])
        rank = np.arange(community.size) - np.repeat(starts, sizes)
        for r in range(int(rank.max()) + 1):
            pick = rank == r
            loose[community[pick]] = shapely.difference(loose[community[pick]], zones[zone[pick]])
    length = shapely.length(boundaries)
    share = np.where(length > 0, 1.0 - shapely.length(loose) / np.where(length > 0, length, 1.0),
                     0.0)
    failed = share < rules.edge_share_min
    parts, owner = shapely.get_parts(shapely.line_merge(loose), return_index=True)
    long = shapely.length(parts) >= rules.uncovered_stretch_min_m
    stretches = np.bincount(owner[long], minlength=len(boundaries))
    return failed.astype(int) + stretches, failed


def regularity(geoms: Objects, ctx: Context) -> Counts:
    """B4: one warning where a shape is below either threshold."""
    limits = ctx.rules.boundary
    irregular = ((polsby_popper_each(geoms) < limits.polsby_popper_min)
                 | (hull_ratio_each(geoms) < limits.hull_ratio_min))
    return irregular.astype(int), np.zeros(len(geoms), dtype=bool)


# a mitred corner this sharp or sharper is cut off by the buffer's mitre limit (5: 23.07°);
# corners from 30° up come back whole
_MITRE_SAFE_ANGLE = np.radians(30.0)
# turns sharper than this are sharp corners already (keeps the tangents finite)
_MOST_TURN = np.pi - _MITRE_SAFE_ANGLE


# how far apart two vertices may be and still be one (m)
_SAME_VERTEX_M = 1e-6


def _convex_and_open(shapes: Objects, half: float) -> npt.NDArray[np.bool_]:
    """Which shapes their opening (erode by ``half``, dilate back, mitre joins) gives back
    whole: convex polygons whose every edge survives the erosion and whose corners are all at
    least 30°. Their eroded form is the intersection of their edges' inward half-planes, so
    with no edge lost, dilating it back rebuilds every corner.

    No erosion is made: shrinking a convex polygon, each edge shortens by ``half`` times the
    tangent of half the turn at each of its ends, so the first edge to vanish is the one
    whose length over those two tangents is least (the first event of its straight
    skeleton)."""
    simple = ((shapely.get_type_id(shapes) == 3) & (shapely.get_num_interior_rings(shapes) == 0))
    candidates = np.flatnonzero(simple)
    whole = np.zeros(len(simple), dtype=bool)
    if not len(candidates):
        return whole
    coords, ring = shapely.get_coordinates(shapely.get_exterior_ring(shapes[candidates]),
                                           return_index=True)
    same = ring[1:] == ring[:-1]
    edge, owner = (coords[1:] - coords[:-1])[same], ring[:-1][same]
    following = np.arange(1, len(edge) + 1)
    last = np.r_[owner[1:] != owner[:-1], True]
    first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    following[last] = first
    previous = np.empty_like(following)
    previous[following] = np.arange(len(edge))
    nxt = edge[following]
    cross = edge[:, 0] * nxt[:, 1] - edge[:, 1] * nxt[:, 0]
    # the turn at each edge's end; convex: every turn the same way (or straight on)
    turn = np.abs(np.arctan2(cross, (edge * nxt).sum(axis=1)))
    m = len(candidates)
    convex = ((np.bincount(owner[cross > 0], minlength=m) == 0)
              | (np.bincount(owner[cross < 0], minlength=m) == 0))
    sharp = np.bincount(owner[np.pi - turn < _MITRE_SAFE_ANGLE], minlength=m) > 0
    shortening = half * (np.tan(np.minimum(turn, _MOST_TURN) / 2)
                         + np.tan(np.minimum(turn[previous], _MOST_TURN) / 2))
    lost = np.bincount(owner[np.hypot(edge[:, 0], edge[:, 1]) <= shortening * (1 + 1e-9)],
                       minlength=m) > 0
    whole[candidates[convex & ~sharp & ~lost]] = True
    return whole


def _opened_rest_area(shapes: Objects, width: float) -> npt.NDArray[np.float64]:
    """The area of what :func:`geo.measure.thin_parts` looks at: each shape minus its opening
    (0 for the shapes :func:`_convex_and_open` finds whole)."""
    return _opened_rest_and_whole(shapes, width)[0]


def _opened_rest_and_whole(shapes: Objects, width: float
                           ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """:func:`_opened_rest_area`, and which shapes :func:`_convex_and_open` found whole."""
    half = width / 2
    rest = np.zeros(len(shapes))
    whole = _convex_and_open(shapes, half)
    other = np.flatnonzero(~whole)
    eroded = shapely.buffer(shapes[other], -half, quad_segs=16, join_style="mitre")
    opened = shapely.buffer(eroded, half, quad_segs=16, join_style="mitre")
    # an opening that gives back every vertex of its shape (to a micrometre, rings in the same
    # order) leaves nothing of it: no overlay needed
    back = shapely.equals_exact(shapely.normalize(opened), shapely.normalize(shapes[other]),
                                tolerance=_SAME_VERTEX_M)
    changed = other[~back]
    rest[changed] = shapely.area(shapely.difference(shapes[changed], opened[~back]))
    return rest, whole


def _pieces(shapes: Objects) -> tuple[npt.NDArray[np.int_], npt.NDArray[np.float64]]:
    """Per shape: its parts of at least 1 m², and the area of the largest."""
    parts, owner = shapely.get_parts(shapes, return_index=True)
    area = shapely.area(parts)
    big = area >= 1.0
    count = np.bincount(owner[big], minlength=len(shapes))
    largest = np.zeros(len(shapes))
    np.maximum.at(largest, owner[big], area[big])
    return count, largest


def seamless(geoms: Objects, communities: Sequence[Proposal], ctx: Context) -> Counts:
    """B5: every carve of every community at once; a neighbour that might keep a sliver, a
    second piece, a small remnant or an invalid shape is judged by the rule's own code."""
    rules = ctx.rules.boundary
    snap = rules.snap_tolerance_m
    n = len(geoms)
    counts, errors = _empty(n)
    neighbours = ctx.require("neighbours")
    shape, index = _pairs(ctx, "neighbours", geoms)
    # a neighbour whose bounding box shares no more than 0.01 m² with the community's gives
    # it no more land (most pairs are neighbours touching along an edge): no overlay needed
    box, outer = shapely.bounds(geoms), _neighbour_bounds(ctx)
    width = (np.minimum(box[shape, 2], outer[index, 2])
             - np.maximum(box[shape, 0], outer[index, 0]))
    height = (np.minimum(box[shape, 3], outer[index, 3])
              - np.maximum(box[shape, 1], outer[index, 1]))
    wide = np.clip(width, 0, None) * np.clip(height, 0, None) > 0.01
    shape, index = shape[wide], index[wide]
    shapes = neighbours.geometry.to_numpy()
    shapely.prepare(shapes)
    before = shapes[index]
    # a community lying within one neighbour takes itself from it: no overlay needed (each
    # neighbour, prepared, tests the communities it may cover)
    within = shapely.covers(before, geoms[shape])
    taken = geoms[shape]
    crossing = np.flatnonzero(~within)
    taken[crossing] = shapely.intersection(before[crossing], taken[crossing])
    keep = within | (shapely.area(taken) > 0.01)
    shape, index, before, taken, within = (shape[keep], index[keep], before[keep], taken[keep],
                                           within[keep])
    thin_taken = np.empty(len(shape))
    # a community's own thin parts are measured once, however many neighbours it lies in
    whole = np.unique(shape[within])
    own, convex = np.zeros(n), np.zeros(n, dtype=bool)
    own[whole], convex[whole] = _opened_rest_and_whole(geoms[whole], snap)
    thin_taken[within] = own[shape[within]]
    thin_taken[~within] = _opened_rest_area(taken[~within], snap)
    # a convex community with nothing thin, two snap tolerances inside a valid neighbour
    # with nothing thin of its own, leaves it as it was with a hole: its remainder's opening is
    # the neighbour's opening less the hole, so nothing thin appears, no part is cut off and the
    # largest part loses at most the community's area
    plain = _neighbours_plain(ctx, snap)
    hole = (within & convex[shape] & plain.valid[index]
            & (shapely.distance(geoms[shape], plain.edges[index]) >= 2 * snap))
    clean = np.zeros(len(shape), dtype=bool)
    h = np.flatnonzero(hole)
    kept = plain.largest[index[h]] - shapely.area(geoms[shape[h]])
    clean[h] = ((thin_taken[h] < snap * snap) & (plain.rest[index[h]] < snap * snap)
                & (kept >= max(rules.remnant_min_area_m2, 1.0)))
    # every other carve: the remainder measured
    left = np.empty(len(shape), dtype=object)
    rest = np.flatnonzero(~hole)
    left[rest] = shapely.difference(before[rest], geoms[shape[rest]])
    pieces, largest = _pieces(left[rest])
    already = np.maximum(plain.parts[index[rest]], 1)
    # what is thin in each remainder (not yet measured: a carve that leaves a hole)
    thin_left = np.full(len(shape), np.inf)
    thin_left[rest] = _opened_rest_area(left[rest], snap)
    clean[rest] = ((thin_taken[rest] < snap * snap) & (thin_left[rest] < snap * snap)
                   & ~shapely.is_empty(left[rest]) & (shapely.area(left[rest]) >= 1.0)
                   & shapely.is_valid(left[rest]) & (pieces >= 1) & (pieces <= already)
                   & (largest >= rules.remnant_min_area_m2))
    holed = np.flatnonzero(hole & ~clean)
    left[holed] = shapely.difference(before[holed], geoms[shape[holed]])
    names, codes = neighbours["name"].to_numpy(), neighbours["code"].to_numpy()
    # a registered community is judged by the rule's own code (taken from, or the community)
    clean &= neighbours["kind"].to_numpy()[index] != REGISTERED_KIND
    unclear = np.flatnonzero(~clean)
    # with less than snap² thin in all of it, no sliver lies along the edge
    strips = _strips(geoms, shape[unclear], _thick(taken[unclear], thin_taken[unclear], snap),
                     _thick(left[unclear], thin_left[unclear], snap), snap)
    for k, (i, j) in enumerate(zip(shape[unclear].tolist(), index[unclear].tolist(),
                                   strict=True)):
        carved = Carved(j, str(names[j]), "" if codes[j] is None else str(codes[j]),
                        before[unclear[k]], taken[unclear[k]], left[unclear[k]])
        found = neighbour_findings(carved, geoms[i], ctx, communities[i].name,
                                   strips=(strips[0][k], strips[1][k]))
        counts[i] += len(found)
        errors[i] |= any(f.severity == ERROR for f in found)
    town = ctx.cached("batch:town", lambda: _prepared(ctx.town))
    outside = np.flatnonzero(~shapely.covers(town, geoms))
    spill = shapely.area(shapely.difference(geoms[outside], town)) >= 1.0
    counts[outside[spill]] += 1
    errors[outside[spill]] = True
    return counts, errors


def _thick(pieces: Objects, thin: npt.NDArray[np.float64], snap: float) -> Objects:
    """``pieces``, None where what is thin in one (``thin``, m²) is under snap²."""
    kept = pieces.copy()
    kept[thin < snap * snap] = None
    return kept


def _strips(geoms: Objects, shape: npt.NDArray[np.intp], taken: Objects, left: Objects,
            snap: float) -> tuple[list[list[BaseGeometry]], list[list[BaseGeometry]]]:
    """Per carve, the :func:`geo.carve.slivers` of what the community ``geoms[shape]`` takes
    and of what it leaves (none where that is None), all found at once."""
    found: tuple[list[list[BaseGeometry]], list[list[BaseGeometry]]] = (
        [[] for _ in range(len(shape))], [[] for _ in range(len(shape))])
    looked = np.flatnonzero(~(shapely.is_missing(taken) & shapely.is_missing(left)))
    windows, bands = edge_bands_each(geoms[shape[looked]], snap)
    for parts, pieces in zip(found, (taken[looked], left[looked]), strict=True):
        some = np.flatnonzero(~shapely.is_missing(pieces))
        strips, owner = slivers_each(pieces[some], snap, windows[some], bands[some])
        for strip, k in zip(strips, looked[some[owner]].tolist(), strict=True):
            parts[k].append(strip)
    return found


def _neighbour_bounds(ctx: Context) -> npt.NDArray[np.float64]:
    """The bounding box of every neighbour (made once per context)."""
    return ctx.cached("batch:neighbour_bounds",
                      lambda: shapely.bounds(ctx.require("neighbours").geometry.to_numpy()))


@dataclass(frozen=True)
class _Plain:
    """Per neighbour: its edge, whether it is valid, its thin parts' area, its parts of at
    least 1 m² and the area of the largest."""

    edges: Objects
    valid: npt.NDArray[np.bool_]
    rest: npt.NDArray[np.float64]
    parts: npt.NDArray[np.int_]
    largest: npt.NDArray[np.float64]


def _neighbours_plain(ctx: Context, snap: float) -> _Plain:
    """:class:`_Plain` of every neighbour (made once per context)."""
    def build() -> _Plain:
        shapes = ctx.require("neighbours").geometry.to_numpy()
        parts, largest = _pieces(shapes)
        return _Plain(edges=np.asarray(shapely.boundary(shapes), dtype=object),
                      valid=shapely.is_valid(shapes), rest=_opened_rest_area(shapes, snap),
                      parts=parts, largest=largest)

    return ctx.cached("batch:neighbours_plain", build)


def _prepared(geom: shapely.Geometry) -> shapely.Geometry:
    shapely.prepare(geom)
    return geom


@dataclass(frozen=True)
class Meeting:
    """A context layer's features meeting the communities, found once for all the rules that
    look at them: (community, feature) pairs sorted by community then feature (as
    ``ctx.query`` sorts one community's), and the share of each feature's area inside its
    community (:func:`geo.measure.area_shares`)."""

    shape: npt.NDArray[np.intp]
    index: npt.NDArray[np.intp]
    share: npt.NDArray[np.float64]


def meeting(geoms: Objects, ctx: Context, layer: str) -> Meeting | None:
    """:class:`Meeting` of ``layer`` and the communities; ``None`` without the layer."""
    if ctx.layer(layer) is None:
        return None
    shape, index = _pairs(ctx, layer, geoms)
    return Meeting(shape, index, area_shares(ctx.shapes(layer)[index], geoms[shape]))


def holdings(geoms: Objects, ctx: Context, parcels: Meeting | None,
             buildings: Meeting | None) -> Counts:
    """B6: the enterprise plots and buildings each boundary cuts; a missing layer is a note.

    The rule looks at the holdings meeting the boundary; those meeting the community but not
    its boundary lie inside it, share 1, and are not cut, so the holdings meeting the
    community (``parcels``, ``buildings``: :func:`meeting`) give the same findings."""
    least = ctx.rules.boundary.cut_share_min
    n = len(geoms)
    counts, errors = _empty(n)
    for layer, met in (("parcels", parcels), ("buildings", buildings)):
        if met is None:
            counts += 1
            continue
        cut = (met.share > least) & (met.share < 1 - least)
        if layer == "parcels":
            cut &= np.isin(ctx.column(layer, "kind")[met.index], STAFFED)
        found = np.bincount(met.shape[cut], minlength=n)
        counts += found
        errors |= found > 0
    return counts, errors


def character_and_residents(geoms: Objects, communities: Sequence[Proposal], ctx: Context,
                            buildings: Meeting | None) -> tuple[Counts, Counts]:
    """B7 (the share of the type's land) and B10 (residential land and homes), from one query
    of the land-use layer and the buildings meeting the communities (:func:`meeting`)."""
    n = len(geoms)
    b7, b10 = _empty(n), _empty(n)
    landuse = ctx.layer("landuse")
    homes = np.zeros(n, dtype=bool)
    if landuse is not None:
        limit = ctx.rules.boundary.industrial_share_min
        shape, index = _pairs(ctx, "landuse", geoms)
        areas = clipped_areas(ctx.shapes("landuse")[index], geoms[shape])
        classes = ctx.column("landuse", "class")[index]
        homes[shape[(classes == "residential") & (areas >= 1.0)]] = True
        # land_share for all at once: the type's land over the land (roads and water out)
        land = np.bincount(shape, weights=np.where(np.isin(classes, NOT_LAND), 0.0, areas),
                           minlength=n)
        wanted = {kind: np.bincount(shape, weights=np.where(np.isin(classes, wants), areas, 0.0),
                                    minlength=n)
                  for kind, wants in character.WANTED.items()}
        building = np.array([c.type == "building" for c in communities], dtype=bool)
        mine = np.where(building, wanted["building"], wanted["industrial"])
        share = np.where(land > 0, mine / np.where(land > 0, land, 1.0), 0.0)
        b7[0][:] = share < limit
    elif buildings is not None:
        for i, community in enumerate(communities):
            b7[0][i], b7[1][i] = count(character.check(community, ctx))
    else:
        b7[0][:] = 1
    if buildings is not None:
        # only homes count: a point on each residential building, and only its pairs tested
        frame = ctx.require("buildings")
        residential = ctx.column("buildings", "use") == "residential"
        points = ctx.cached("batch:home_points", lambda: _points_on(frame, residential))
        home = residential[buildings.index]
        shape, index = buildings.shape[home], buildings.index[home]
        homes[shape[shapely.within(points[index], geoms[shape])]] = True
    if landuse is None and buildings is None:
        b10[0][:] = 1
    else:
        b10[0][:] = homes
    return b7, b10


def _points_on(frame: gpd.GeoDataFrame, which: npt.NDArray[np.bool_]) -> Objects:
    """A point on the surface of each of ``frame``'s features ``which`` picks, None for the
    others."""
    points: Objects = np.full(len(frame), None, dtype=object)
    points[which] = shapely.point_on_surface(frame.geometry.to_numpy()[which])
    return points


@dataclass(frozen=True)
class Staffing:
    """Per community: employees, of them those from verified figures (``None`` without
    imported figures) and enterprises, all ``None`` without a parcels layer."""

    employees: list[int | None]
    verified: list[int | None]
    enterprises: list[int | None]


# a sum this close to half an employee is added up again as the rule adds it, so that it is
# rounded the same way
_NEAR_HALF = 1e-6


def _rounded_sums(shape: npt.NDArray[np.intp], values: npt.NDArray[np.float64],
                  which: npt.NDArray[np.bool_], n: int) -> npt.NDArray[np.int_]:
    """Per community, the sum of its pairs' ``values`` that ``which`` picks, rounded as
    :func:`geo.measure.employees_inside` rounds its NumPy sum (a sum in another order differs
    by rounding errors only, which change the whole number only next to a half)."""
    total = np.bincount(shape[which], weights=values[which], minlength=n)
    rounded = np.round(total).astype(int)
    near = np.flatnonzero(np.abs(total - np.floor(total) - 0.5) < _NEAR_HALF)
    if near.size:
        bounds = np.searchsorted(shape, np.arange(n + 1))
        for i in near.tolist():
            part = slice(bounds[i], bounds[i + 1])
            rounded[i] = round(float(values[part][which[part]].sum()))
    return rounded


def scale(geoms: Objects, ctx: Context, parcels: Meeting | None) -> tuple[Counts, Staffing]:
    """B8, and each community's staffing counted as :func:`geo.measure.employees_inside` and
    :func:`geo.measure.verified_inside` count it, from the parcels meeting the communities
    (:func:`meeting`)."""
    n = len(geoms)
    counts, errors = _empty(n)
    if parcels is None:
        counts += 1
        return (counts, errors), Staffing([None] * n, [None] * n, [None] * n)
    rules = ctx.rules.scale
    shape, index, share = parcels.shape, parcels.index, parcels.share
    kinds = ctx.column("parcels", "kind")[index]
    staffed = np.isin(kinds, STAFFED)
    firms = np.bincount(shape[(kinds == "enterprise") & (share >= 0.5)], minlength=n)
    weighted = np.nan_to_num(ctx.column("parcels", "employees")[index].astype(np.float64)) * share
    employees = _rounded_sums(shape, weighted, staffed, n)
    over = employees > rules.employees_max
    far = (np.abs(employees - rules.employees_target)
           > rules.target_tolerance * rules.employees_target)
    counts[over | far], errors[over] = 1, True
    from_figures: list[int | None] = [None] * n
    if ctx.has_verified:
        verified = ctx.column("parcels", VERIFIED).astype(bool)[index] & staffed
        from_figures = _rounded_sums(shape, weighted, verified, n).tolist()
    return (counts, errors), Staffing(employees.tolist(), from_figures, firms.tolist())
