"""B2 contiguous: "原则上不得由不接壤的区域组成 … 如确有需要的，可暂为托管".

Clause: 001 § 二(一)3(2). A part that does not touch the main part is an error unless it is
declared custodial (托管) with a reason, when it is noted as info.
"""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry

from geo.proposal import Proposal, parts_by_area
from geo.validate.report import ERROR, FOUR_BOUNDARIES, INFO, WARNING, Finding

__all__ = ["check_contiguity"]


def check_contiguity(geom: BaseGeometry, proposal: Proposal) -> list[Finding]:
    """One finding per part beyond the main one (parts numbered by area, largest = 1)."""
    parts = parts_by_area(geom)
    declared = {c.part: c.reason for c in proposal.custodial}
    findings = []
    for number, part in enumerate(parts[1:], start=2):
        measure = {"area_m2": part.area, "part": number}
        if number in declared:
            findings.append(Finding("B2", INFO, FOUR_BOUNDARIES, "b2_custodial_part",
                                    {"part": number, "area_m2": part.area,
                                     "reason": declared[number]}, measure, part))
        else:
            findings.append(Finding("B2", ERROR, FOUR_BOUNDARIES, "b2_disjoint_part",
                                    {"part": number, "area_m2": part.area}, measure, part))
    for number in sorted(set(declared) - set(range(2, len(parts) + 1))):
        findings.append(Finding("B2", WARNING, FOUR_BOUNDARIES, "b2_custodial_unknown",
                                {"part": number, "parts": len(parts)}, {"part": number}, None))
    return findings
