"""B2 contiguous: "原则上不得由不接壤的区域组成 … 如确有需要的，可暂为托管".

Clause: 001 § 二(一)3(2). A part that does not touch the main part is an error unless it is
declared custodial (托管) with a reason, when it is noted as info.
"""

from __future__ import annotations

from geo.context import Context
from geo.proposal import Proposal, parts_by_area
from geo.rules.model import rule_clause
from geo.validate.report import ERROR, INFO, WARNING, Finding, RuleResult

__all__ = ["check"]

RULE = "B2"
CLAUSE = rule_clause(RULE)


def check(proposal: Proposal, ctx: Context) -> RuleResult:
    """One finding per part beyond the main one (parts numbered by area, largest = 1)."""
    parts = parts_by_area(proposal.to_crs(ctx.crs))
    declared = {c.part: c.reason for c in proposal.custodial}
    findings = []
    for number, part in enumerate(parts[1:], start=2):
        measure = {"area_m2": part.area, "part": number}
        if number in declared:
            findings.append(Finding(rule=RULE, severity=INFO, clause=CLAUSE,
                                    key="b2_custodial_part",
                                    params={"part": number, "area_m2": part.area,
                                            "reason": declared[number]},
                                    measure=measure, geometry=part))
        else:
            findings.append(Finding(rule=RULE, severity=ERROR, clause=CLAUSE,
                                    key="b2_disjoint_part",
                                    params={"part": number, "area_m2": part.area},
                                    measure=measure, geometry=part))
    for number in sorted(set(declared) - set(range(2, len(parts) + 1))):
        findings.append(Finding(rule=RULE, severity=WARNING, clause=CLAUSE,
                                key="b2_custodial_unknown",
                                params={"part": number, "parts": len(parts)},
                                measure={"part": number}))
    return RuleResult(findings=tuple(findings))
