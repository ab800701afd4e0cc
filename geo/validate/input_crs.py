"""Input CRS checks, reported before rules B1–B10 as warnings of rule ``CRS``.

Two mistakes move a boundary by hundreds of metres without any error:

* old datums: Beijing 1954 and Xi'an 1980 coordinates differ from CGCS2000 by tens to
  hundreds of metres, and PROJ has no transformation between them without the local
  parameters (七参数) a surveying bureau holds, so sijie uses them as they are;
* GCJ-02 coordinates (AMap/Gaode) declared as WGS 84/CGCS2000 lie about 500 m off. For
  lon/lat input (or a projection of WGS 84, where ``--crs GCJ02`` applies) the fit is
  measured, not guessed: the share of the boundary that follows a road, river, ridge or the
  town border (B3's edge share) as given and after undoing the GCJ-02 shift; a gain of the
  rules' ``boundary.gcj02_hint_gain`` that brings the share to B3's minimum suggests
  ``--crs GCJ02``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.crs import gcj02_may_apply, geometry_from_gcj02
from geo.proposal import Proposal
from geo.validate.edges import loose_boundary
from geo.validate.report import WARNING, Finding, RuleResult

__all__ = ["CLAUSE", "RULE", "check", "gcj02_fit", "old_datum"]

RULE = "CRS"
CLAUSE = "CGCS2000"  # the national datum all planning data must be in
_OLD_DATUMS = ("Beijing 1954", "New Beijing", "Xian 1980")
_CGCS2000 = pyproj.CRS.from_epsg(4490)


def old_datum(crs: pyproj.CRS) -> str | None:
    """The name of ``crs``'s datum when it is Beijing 1954, New Beijing or Xi'an 1980."""
    geodetic = crs.geodetic_crs
    datum = geodetic.datum if geodetic is not None else None
    name = datum.name if datum is not None else ""
    return name if any(name.startswith(old) for old in _OLD_DATUMS) else None


def gcj02_fit(proposal: Proposal, ctx: Context) -> tuple[float, float] | None:
    """B3's edge share of the boundary as given and after undoing a GCJ-02 shift; ``None``
    for a boundary that cannot be measured (empty, invalid or no polygon)."""
    area: BaseGeometry = proposal.to_crs(ctx.crs)
    if (area is None or area.is_empty or area.geom_type not in ("Polygon", "MultiPolygon")
            or not area.is_valid):
        return None
    # lon/lat input is used as it is (WGS 84 and CGCS2000 agree within centimetres)
    lonlat = proposal.geometry if proposal.crs.is_geographic else proposal.to_crs(_CGCS2000)
    to_work = _to_work(ctx.crs)
    unshifted = shapely.transform(geometry_from_gcj02(lonlat),
                                  lambda xy: np.column_stack(to_work.transform(xy[:, 0], xy[:, 1])))
    return loose_boundary(area, ctx)[1], loose_boundary(unshifted, ctx)[1]


@lru_cache(maxsize=8)
def _to_work(crs: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(_CGCS2000, crs, always_xy=True)


def check(proposal: Proposal, ctx: Context) -> RuleResult:
    """Warnings for an old datum and for a boundary that fits the town only once shifted."""
    findings = []
    datum = old_datum(proposal.crs)
    if datum is not None:
        findings.append(Finding(rule=RULE, severity=WARNING, clause=CLAUSE, key="crs_old_datum",
                                params={"datum": datum, "crs": proposal.crs.name}))
    # only where --crs GCJ02 could be the answer: lon/lat or a WGS 84 projection
    fit = gcj02_fit(proposal, ctx) if gcj02_may_apply(proposal.crs) else None
    if fit is not None:
        before, after = fit
        gain_min = ctx.rules.boundary.gcj02_hint_gain
        if after - before >= gain_min and after >= ctx.rules.boundary.edge_share_min:
            findings.append(Finding(rule=RULE, severity=WARNING, clause=CLAUSE,
                                    key="crs_looks_gcj02",
                                    params={"before": before, "after": after},
                                    measure={"edge_share": before, "edge_share_gcj02": after,
                                             "limit": gain_min}))
    return RuleResult(findings=tuple(findings))
