"""B1 valid: the boundary is a non-empty, OGC-valid polygon. Never repaired silently.

Clause: 001 § 二(一)3(2) (a boundary must exist before its four sides can be judged). When B1
fails, the rules that need a valid polygon are not run.
"""

from __future__ import annotations

import re

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.errors import InputError
from geo.proposal import Proposal
from geo.rules.model import rule_clause
from geo.validate.report import ERROR, Finding, RuleResult

__all__ = ["check", "check_validity", "valid_geometry"]

RULE = "B1"
CLAUSE = rule_clause(RULE)
_WHERE = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\]")


def check_validity(geom: BaseGeometry | None) -> list[Finding]:
    """Findings that stop the checks needing a valid polygon; empty when the boundary is fine."""
    if geom is None or geom.is_empty:
        return [Finding(rule=RULE, severity=ERROR, clause=CLAUSE, key="b1_empty")]
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return [Finding(rule=RULE, severity=ERROR, clause=CLAUSE, key="b1_not_polygon",
                        params={"geom_type": geom.geom_type}, geometry=geom)]
    if shapely.is_valid(geom):
        return []
    reason = shapely.is_valid_reason(geom)
    text = _WHERE.sub("", reason).strip()
    match = _WHERE.search(reason)
    if match is None:
        return [Finding(rule=RULE, severity=ERROR, clause=CLAUSE, key="b1_invalid",
                        params={"reason": text}, geometry=geom.boundary)]
    where = Point(float(match[1]), float(match[2]))
    return [Finding(rule=RULE, severity=ERROR, clause=CLAUSE, key="b1_invalid",
                    params={"reason": f"{text} @ {where.x:.3f}, {where.y:.3f}"}, geometry=where)]


def check(proposal: Proposal, ctx: Context) -> RuleResult:
    """B1: the boundary's problems, or (when it is a valid polygon) its area and perimeter."""
    geom = proposal.to_crs(ctx.crs)
    findings = check_validity(geom)
    if findings:
        return RuleResult(findings=tuple(findings))
    return RuleResult(metrics={"area_m2": geom.area, "perimeter_m": geom.length})


def valid_geometry(proposal: Proposal, ctx: Context, *, refused: str) -> BaseGeometry:
    """The proposal in the context's metric CRS, for a step that needs a valid polygon.

    Raises
    ------
    InputError
        Rule B1 fails; ``refused`` is the message key saying which step cannot run, and the
        B1 finding is its ``finding``. Nothing is repaired.
    """
    geom = proposal.to_crs(ctx.crs)
    invalid = check_validity(geom)
    if invalid:
        raise InputError(message_key=refused, params={"finding": invalid[0]}, layer=proposal.name)
    return geom
