"""B9 name: 工业社区 "XX工业社区", 楼宇社区 "XX楼宇社区".

Clause: 001 § 二(一)3(1) (命名规范). The name must end in the suffix of the declared type; a
type that is neither is an error too. Checked even when the boundary fails B1.
"""

from __future__ import annotations

from geo.context import Context
from geo.proposal import Proposal
from geo.rules.model import rule_clause
from geo.validate.report import ERROR, Finding, RuleResult

__all__ = ["check"]

RULE = "B9"
CLAUSE = rule_clause(RULE)


def check(proposal: Proposal, ctx: Context) -> RuleResult:
    """An error when the type is unknown or the name lacks the type's suffix."""
    suffixes = {"industrial": ctx.rules.naming.industrial_suffix,
                "building": ctx.rules.naming.building_suffix}
    if proposal.type not in suffixes:
        return RuleResult(findings=(Finding(rule=RULE, severity=ERROR, clause=CLAUSE,
                                            key="b9_unknown_type",
                                            params={"type": proposal.raw_type}),))
    suffix = suffixes[proposal.type]
    name = proposal.name.strip()
    if name.endswith(suffix) and len(name) > len(suffix):
        return RuleResult()
    return RuleResult(findings=(Finding(rule=RULE, severity=ERROR, clause=CLAUSE,
                                        key="b9_bad_name",
                                        params={"name": name, "suffix": suffix}),))
