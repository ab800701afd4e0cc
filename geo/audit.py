"""A district audit: every community of a layer re-validated at once, and their overlaps.

Each community is judged by rules B1–B10 exactly as :func:`geo.validate.validate` judges it
alone, against one context prepared once. What the rules compute the same way for every
community is computed for all of them together (:mod:`geo.validate.batch`: one spatial-index
query per context layer, one vectorised call over the pairs found): B1's validity, B3's edges,
B4's shape, B5's carve, B6's cut holdings, B7's land, B8's employees and B10's homes (the
parcels and buildings meeting the communities are found once for B6, B8 and B10); B2 and B9
run per community, and only for the communities they may find something in. Overlaps between
communities come from one STRtree query over all of them. Gaps between a community and its
neighbours are B5 findings.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import shapely

from geo.context import Context, exclusive
from geo.crs.reprojection import reproject_all
from geo.errors import InputError
from geo.i18n import OneOf, Text, t
from geo.profile.info_table import class_label
from geo.profile.money import class_indexes, classify_each
from geo.proposal import TYPE_ALIASES, Proposal, column_for, custodial_parts
from geo.rules.model import ProposalColumns
from geo.validate import CHECKS, UNCONDITIONAL, batch, naming, validity

__all__ = ["RULES", "Audit", "CommunityAudit", "Judgement", "Overlap", "assemble", "audit",
           "audit_part", "communities_from_frame", "judge", "overlap_candidates",
           "overlaps_between", "with_overlaps", "work_geometries"]

RULES = tuple(CHECKS)
# the rules computed for all communities at once (geo.validate.batch); B2 and B9 are cheap
# and run per community
_BATCHED = frozenset({"B1", "B3", "B4", "B5", "B6", "B7", "B8", "B10"})
_POLYGONS = ("Polygon", "MultiPolygon")
# an intersection smaller than this (m²) is two communities touching, not overlapping
_OVERLAP_MIN_M2 = 0.01


@dataclass(frozen=True)
class Overlap:
    """Land claimed by two communities: their names, its area (m²) and where it is."""

    a: str
    b: str
    area_m2: float
    geometry: shapely.Geometry


@dataclass(frozen=True)
class CommunityAudit:
    """One community's outcome: findings by rule (all severities), errors, what it overlaps."""

    name: str
    type: str
    code: str
    ok: bool
    findings: dict[str, int]
    errors: int
    overlaps: tuple[str, ...] = ()
    employees: int | None = None
    employees_verified: int = 0
    enterprises: int | None = None
    # the profile's class (一般/较大/特大, 001 § 二(一)5) from the employees counted here,
    # verified where imported; None for a community B1 rejects
    community_class: str | None = None
    class_index: float | None = None


@dataclass
class Audit:
    """Every community's outcome in layer order, and the overlaps between communities."""

    communities: list[CommunityAudit]
    overlaps: list[Overlap]
    geometries: npt.NDArray[np.object_]
    crs: pyproj.CRS

    @property
    def ok(self) -> bool:
        """True when no community has an error and no two communities overlap."""
        return all(c.ok for c in self.communities) and not self.overlaps

    def to_dict(self) -> dict[str, Any]:
        """The audit document of DESIGN.md."""
        return {
            "communities": [
                {"name": c.name, "type": c.type, "code": c.code, "ok": c.ok,
                 "findings": {r: n for r, n in c.findings.items() if n},
                 "errors": c.errors, "overlaps": list(c.overlaps), "employees": c.employees,
                 "employees_verified": c.employees_verified, "enterprises": c.enterprises,
                 "class": c.community_class, "class_index": c.class_index}
                for c in self.communities
            ],
            "overlaps": [{"a": o.a, "b": o.b, "area_m2": round(o.area_m2, 1)}
                         for o in self.overlaps],
        }

    def to_record(self) -> dict[str, Any]:
        """The audit as JSON-ready values to keep and read back with :meth:`from_record`: the
        document of :meth:`to_dict`, the CRS and every geometry as hexadecimal WKB."""
        return {"document": self.to_dict(), "crs": self.crs.to_wkt(),
                "geometries": _hex(self.geometries),
                "overlap_geometries": _hex(np.array([o.geometry for o in self.overlaps],
                                                    dtype=object))}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Audit:
        """The audit :meth:`to_record` kept (overlap areas as the document rounds them)."""
        document = record["document"]
        communities = [
            CommunityAudit(
                name=c["name"], type=c["type"], code=c["code"], ok=c["ok"],
                findings={r: int(c["findings"].get(r, 0)) for r in RULES}, errors=c["errors"],
                overlaps=tuple(c["overlaps"]), employees=c["employees"],
                employees_verified=c["employees_verified"], enterprises=c.get("enterprises"),
                community_class=c.get("class"), class_index=c.get("class_index"))
            for c in document["communities"]]
        shapes = _unhex(record["overlap_geometries"])
        overlaps = [Overlap(a=o["a"], b=o["b"], area_m2=o["area_m2"], geometry=g)
                    for o, g in zip(document["overlaps"], shapes, strict=True)]
        return cls(communities=communities, overlaps=overlaps,
                   geometries=_unhex(record["geometries"]),
                   crs=pyproj.CRS.from_user_input(record["crs"]))

    def communities_frame(self, lang: str = "zh") -> gpd.GeoDataFrame:
        """One row per community: its columns, a column per rule, in the work CRS (the names
        it overlaps joined as ``lang`` lists names)."""
        sep = t("names_sep", lang)
        rows = [{"name": c.name, "type": c.type, "code": c.code, "ok": c.ok, "errors": c.errors,
                 **{r: c.findings.get(r, 0) for r in RULES},
                 "overlaps": sep.join(c.overlaps), "employees": c.employees,
                 "employees_verified": c.employees_verified, "enterprises": c.enterprises,
                 "class": c.community_class, "class_index": c.class_index,
                 "class_label": (None if c.community_class is None
                                 else class_label(c.community_class, lang))}
                for c in self.communities]
        return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=list(self.geometries), crs=self.crs)

    def overlaps_frame(self) -> gpd.GeoDataFrame:
        """One row per overlap (a, b, area_m2) with the land both claim, in the work CRS."""
        return gpd.GeoDataFrame(
            {"a": [o.a for o in self.overlaps], "b": [o.b for o in self.overlaps],
             "area_m2": [o.area_m2 for o in self.overlaps]},
            geometry=[o.geometry for o in self.overlaps], crs=self.crs)


def communities_from_frame(frame: gpd.GeoDataFrame, *, source: str = "",
                           columns: ProposalColumns | None = None
                           ) -> tuple[list[Proposal], list[str]]:
    """The communities of a layer (a name and a type column, optionally ``code``) and their
    codes ("" where there is none).

    ``columns`` says where the name and type are, as for one proposal (the rules file's
    ``[proposal]``; by default ``name``, ``名称``, ``社区名称`` … and ``type``, ``类型`` …).

    Raises
    ------
    InputError
        The layer is empty, has no name column (the message names the columns looked for and
        those it has), or a feature is not a polygon.
    """
    columns = columns or ProposalColumns()
    layer = frame.attrs.get("layer")
    if len(frame) == 0:
        raise InputError(message_key="audit_layer_empty", path=source, layer=layer)
    name_column = column_for(frame, columns.name)
    if name_column is None:
        found = [str(c) for c in frame.columns if c != frame.geometry.name]
        raise InputError(message_key="audit_no_name",
                         params={"looked": ", ".join(columns.name),
                                 "found": ", ".join(found) or Text("none")},
                         path=source, layer=layer)
    type_column = column_for(frame, columns.type)
    types = frame.geom_type.to_numpy()
    wrong = ~np.isin(types, _POLYGONS)
    if wrong.any():
        row = int(np.flatnonzero(wrong)[0]) + 1
        raise InputError(message_key="wrong_geometry_type",
                         params={"found": str(types[row - 1]), "expected": OneOf(list(_POLYGONS))},
                         path=source, layer=layer, row=row)
    crs = pyproj.CRS.from_user_input(frame.crs)
    empty = pd.Series([None] * len(frame), index=frame.index)
    raw_types = frame[type_column] if type_column is not None else empty
    declared = frame["custodial_parts"] if "custodial_parts" in frame.columns else empty
    communities = []
    for row, (name, raw, parts, geom) in enumerate(
            zip(frame[name_column], raw_types, declared, frame.geometry, strict=True), start=1):
        raw_type = "" if _missing(raw) else str(raw)
        communities.append(Proposal(
            name="" if _missing(name) else str(name),
            type=TYPE_ALIASES.get(raw_type.strip(), raw_type.strip()), geometry=geom, crs=crs,
            custodial=custodial_parts(parts, source=source, layer=layer, row=row),
            raw_type=raw_type))
    codes = ([] if "code" not in frame.columns else
             ["" if _missing(c) else str(c) for c in frame["code"]])
    return communities, codes or [""] * len(communities)


def _hex(geoms: npt.NDArray[np.object_]) -> list[str | None]:
    return [None if w is None else str(w) for w in shapely.to_wkb(geoms, hex=True)]


def _unhex(values: Sequence[str | None]) -> npt.NDArray[np.object_]:
    shapes: npt.NDArray[np.object_] = np.asarray(
        shapely.from_wkb(np.array(values, dtype=object)), dtype=object)
    return shapes


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def overlap_candidates(geoms: npt.NDArray[np.object_]
                       ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The pairs of communities (positions in ``geoms``, the first before the second, in that
    order) whose bounding boxes share more than the area of an overlap: one STRtree query over
    all of them; no two others can share land."""
    left, right = shapely.STRtree(geoms).query(geoms)
    keep = left < right
    left, right = left[keep], right[keep]
    box = shapely.bounds(geoms)
    width = np.minimum(box[left, 2], box[right, 2]) - np.maximum(box[left, 0], box[right, 0])
    height = np.minimum(box[left, 3], box[right, 3]) - np.maximum(box[left, 1], box[right, 1])
    wide = np.clip(width, 0, None) * np.clip(height, 0, None) > _OVERLAP_MIN_M2
    order = np.lexsort((right[wide], left[wide]))
    return left[wide][order], right[wide][order]


def _overlaps(geoms: npt.NDArray[np.object_], valid: npt.NDArray[np.bool_],
              names: Sequence[str],
              pairs: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]) -> list[Overlap]:
    """Every pair of valid communities among the candidate ``pairs`` sharing land."""
    left, right = pairs
    both = valid[left] & valid[right]
    left, right = left[both], right[both]
    # only the pairs whose interiors meet share land; neighbours touching along a road do not
    inner = shapely.relate_pattern(geoms[left], geoms[right], "T********")
    left, right = left[inner], right[inner]
    shared = shapely.intersection(geoms[left], geoms[right])
    area = shapely.area(shared)
    big = area > _OVERLAP_MIN_M2
    return [Overlap(a=names[i], b=names[j], area_m2=float(s), geometry=g)
            for i, j, s, g in zip(left[big], right[big], area[big], shared[big], strict=True)]


def _judged_alone(rule: str, communities: Sequence[Proposal], geoms: npt.NDArray[np.object_],
                  valid: npt.NDArray[np.bool_], ctx: Context) -> npt.NDArray[np.intp]:
    """The communities whose ``rule`` (one not in :data:`_BATCHED`) is checked one by one: not
    those it finds nothing in without looking (B2: one part, no custodial parts declared;
    B9: a name :func:`geo.validate.naming.names_fit` passes), nor the invalid ones for a
    rule B1 stops."""
    judged = valid if rule not in UNCONDITIONAL else np.ones(len(communities), dtype=bool)
    if rule == "B2":
        single = shapely.get_num_geometries(geoms) == 1
        custodial = np.array([bool(c.custodial) for c in communities], dtype=bool)
        judged = judged & (~single | custodial)
    elif rule == "B9":
        judged = judged & ~np.array(naming.names_fit(communities, ctx), dtype=bool)
    return np.flatnonzero(judged)


def _community_classes(employees: Sequence[int | None], enterprises: Sequence[int | None],
                       areas_m2: npt.NDArray[np.float64], ctx: Context
                       ) -> list[tuple[str, float]]:
    """The class and index :func:`geo.profile.community_profile` gives each community whose
    live-work share (a town's own figure, not in a layer) is not given."""
    rules = ctx.rules.classification
    index = class_indexes({"employees": np.array([e or 0 for e in employees], dtype=np.int64),
                           "area": areas_m2 / 1e6,
                           "entities": np.array([e or 0 for e in enterprises], dtype=np.int64),
                           "live_work_share": np.zeros(len(areas_m2))}, rules)
    return list(zip(classify_each(index, rules), [round(i, 4) for i in index.tolist()],
                    strict=True))


@dataclass
class Judgement:
    """What the rules found in each community of a layer, as columns in layer order (what
    :func:`judge` gives and :func:`assemble` makes the audit of; plain arrays and lists, cheap
    to send back from a Dask worker)."""

    counts: npt.NDArray[np.int32]  # findings, a row per community, a column per rule (RULES)
    failing: npt.NDArray[np.bool_]  # whether the rule found an error, shaped as ``counts``
    valid: npt.NDArray[np.bool_]  # whether the community is a valid polygon (B1 passes)
    employees: list[int | None]
    verified: list[int]
    enterprises: list[int | None]
    classes: list[str | None]
    class_indexes: list[float | None]


def work_geometries(communities: Sequence[Proposal], crs: pyproj.CRS) -> npt.NDArray[np.object_]:
    """The communities' geometries in ``crs`` (a layer's communities share one CRS, the first's),
    themselves when they are in it already."""
    source = [c.geometry for c in communities]
    given = communities[0].crs if communities else crs
    if given == crs:
        return np.asarray(source, dtype=object)
    return reproject_all(np.asarray(source, dtype=object), given, crs)


@exclusive
def judge(communities: Sequence[Proposal], ctx: Context
          ) -> tuple[Judgement, npt.NDArray[np.object_]]:
    """Every community judged by rules B1–B10 against ``ctx`` as
    ``geo.validate.validate(community, ctx)`` judges it alone, and the communities' geometries
    in the work CRS."""
    n = len(communities)
    geoms = work_geometries(communities, ctx.crs)
    types = shapely.get_type_id(geoms)
    valid = (~shapely.is_empty(geoms) & np.isin(types, (3, 6)) & shapely.is_valid(geoms))
    counts = {rule: np.zeros(n, dtype=np.int32) for rule in RULES}
    errors = {rule: np.zeros(n, dtype=bool) for rule in RULES}
    index = np.flatnonzero(valid)
    shapes = geoms[index]
    judged = [communities[int(i)] for i in index]
    # the parcels and buildings meeting each community, found once for B6, B8 and B10
    parcels = batch.meeting(shapes, ctx, "parcels")
    buildings = batch.meeting(shapes, ctx, "buildings")
    by_rule = {"B3": batch.edges(shapes, ctx), "B4": batch.regularity(shapes, ctx),
               "B5": batch.seamless(shapes, judged, ctx),
               "B6": batch.holdings(shapes, ctx, parcels, buildings)}
    by_rule["B7"], by_rule["B10"] = batch.character_and_residents(shapes, judged, ctx,
                                                                  buildings)
    by_rule["B8"], staffing = batch.scale(shapes, ctx, parcels)
    for rule, (found, failed) in by_rule.items():
        counts[rule][index], errors[rule][index] = found, failed
    employees: list[int | None] = [None] * n
    verified = [0] * n
    enterprises: list[int | None] = [None] * n
    classes: list[str | None] = [None] * n
    class_indexes: list[float | None] = [None] * n
    judged_classes = _community_classes(staffing.employees, staffing.enterprises,
                                        shapely.area(shapes), ctx)
    for k, at in enumerate(index.tolist()):
        employees[at], verified[at] = staffing.employees[k], staffing.verified[k] or 0
        enterprises[at] = staffing.enterprises[k]
        classes[at], class_indexes[at] = judged_classes[k]
    for i in np.flatnonzero(~valid).tolist():
        counts["B1"][i] = len(validity.check_validity(geoms[i]))
        errors["B1"][i] = True
    for rule in RULES:
        if rule in _BATCHED:
            continue
        for i in _judged_alone(rule, communities, geoms, valid, ctx).tolist():
            community = communities[i]
            if rule != "B9":  # in the work CRS, so that the rule does not reproject it again
                community = dataclasses.replace(community, geometry=geoms[i], crs=ctx.crs)
            counts[rule][i], errors[rule][i] = batch.count(CHECKS[rule].check(community, ctx))
    judgement = Judgement(
        counts=np.stack([counts[r] for r in RULES], axis=1),
        failing=np.stack([errors[r] for r in RULES], axis=1),
        valid=valid, employees=employees, verified=verified, enterprises=enterprises,
        classes=classes, class_indexes=class_indexes)
    return judgement, geoms


def assemble(communities: Sequence[Proposal], judgement: Judgement,
             geometries: npt.NDArray[np.object_], crs: pyproj.CRS,
             codes: Sequence[str] | None = None) -> Audit:
    """The audit of ``communities`` the rules judged so (``geometries`` in the work CRS
    ``crs``, ``codes`` in layer order), before overlaps are looked for: see
    :func:`with_overlaps`."""
    codes = list(codes) if codes is not None else [""] * len(communities)
    failing = judgement.failing
    wrongs: list[bool] = np.any(failing, axis=1).tolist()
    results = [
        CommunityAudit(
            name=c.name, type=c.raw_type or c.type, code=code, ok=not wrong,
            findings=dict(zip(RULES, found, strict=True)), errors=failed, employees=staff,
            employees_verified=checked, enterprises=firms, community_class=kind,
            class_index=index_)
        for c, code, wrong, found, failed, staff, checked, firms, kind, index_ in zip(
            communities, codes, wrongs, judgement.counts.tolist(),
            failing.sum(axis=1).tolist(), judgement.employees, judgement.verified,
            judgement.enterprises, judgement.classes, judgement.class_indexes, strict=True)
    ]
    return Audit(communities=results, overlaps=[], geometries=geometries, crs=crs)


def audit_part(communities: Sequence[Proposal], ctx: Context,
               codes: Sequence[str] | None = None) -> tuple[Audit, npt.NDArray[np.bool_]]:
    """The audit of ``communities`` before overlaps are looked for (:func:`judge`, then
    :func:`assemble`), and which of them are valid polygons: the part of a layer's audit that
    one Dask worker makes of its slice."""
    judgement, geoms = judge(communities, ctx)
    return assemble(communities, judgement, geoms, ctx.crs, codes), judgement.valid


def audit(communities: Sequence[Proposal], ctx: Context, *,
          codes: Sequence[str] | None = None) -> Audit:
    """Re-validate every community against ``ctx`` and find the overlaps between them.

    Each community's findings by rule and ``ok`` are those of
    ``geo.validate.validate(community, ctx)``; ``errors`` counts the rules with an error.
    ``codes`` are the communities' codes, in the same order.
    """
    part, valid = audit_part(communities, ctx, codes)
    return with_overlaps(part, overlaps_between(part.geometries, [c.name for c in communities],
                                                valid))


def overlaps_between(geoms: npt.NDArray[np.object_], names: Sequence[str],
                     valid: npt.NDArray[np.bool_] | None = None,
                     candidates: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]] | None = None
                     ) -> list[Overlap]:
    """Every pair of communities (their geometries in one metric CRS and their names, in
    layer order) sharing land (``valid``: which geometries are valid polygons, when the caller
    knows, the others left out; ``candidates``: :func:`overlap_candidates`, when the caller
    has looked for them already)."""
    if valid is None:
        valid = (~shapely.is_empty(geoms) & np.isin(shapely.get_type_id(geoms), (3, 6))
                 & shapely.is_valid(geoms))
    return _overlaps(geoms, valid, names, candidates or overlap_candidates(geoms))


def with_overlaps(result: Audit, overlaps: list[Overlap]) -> Audit:
    """``result`` with the ``overlaps`` between its communities (see :func:`overlaps_between`)
    and each community's list of those it overlaps."""
    overlapping: dict[str, list[str]] = {}
    for o in overlaps:
        overlapping.setdefault(o.a, []).append(o.b)
        overlapping.setdefault(o.b, []).append(o.a)
    communities = [dataclasses.replace(c, overlaps=tuple(overlapping.get(c.name, ())))
                   if c.name in overlapping or c.overlaps else c for c in result.communities]
    return Audit(communities=communities, overlaps=overlaps, geometries=result.geometries,
                 crs=result.crs)
