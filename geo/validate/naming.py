"""B9 name: 工业社区 "XX工业社区", 楼宇社区 "XX楼宇社区"; the centre "XX工业社区(党群)服务中心".

Clause: 001 § 二(一)3(1) (命名规范). The name must end in the suffix of the declared type; a
type that is neither is an error too. Where the proposal names its party-and-mass service
centre (``centre_name``), that name must be the community's name followed by the centre
suffix, "(党群)服务中心" (full-width brackets written alike). Checked even when the boundary
fails B1.
"""

from __future__ import annotations

from collections.abc import Sequence

from geo.context import Context
from geo.proposal import Proposal
from geo.rules.model import rule_clause
from geo.validate.report import ERROR, Finding, RuleResult

__all__ = ["check", "names_fit"]

RULE = "B9"
CLAUSE = rule_clause(RULE)


def _suffixes(ctx: Context) -> dict[str, str]:
    return {"industrial": ctx.rules.naming.industrial_suffix,
            "building": ctx.rules.naming.building_suffix}


def _fits(name: str, suffix: str) -> bool:
    """Whether ``name`` (stripped) is something followed by ``suffix``."""
    return name.endswith(suffix) and len(name) > len(suffix)


def check(proposal: Proposal, ctx: Context) -> RuleResult:
    """An error when the type is unknown or the name lacks the type's suffix."""
    suffixes = _suffixes(ctx)
    if proposal.type not in suffixes:
        return RuleResult(findings=(Finding(rule=RULE, severity=ERROR, clause=CLAUSE,
                                            key="b9_unknown_type",
                                            params={"type": proposal.raw_type}),))
    suffix = suffixes[proposal.type]
    name = proposal.name.strip()
    findings = []
    if not _fits(name, suffix):
        findings.append(Finding(rule=RULE, severity=ERROR, clause=CLAUSE, key="b9_bad_name",
                                params={"name": name, "suffix": suffix}))
    centre = proposal.centre_name
    expected = name + ctx.rules.naming.centre_suffix
    if centre is not None and _halfwidth(centre) != _halfwidth(expected):
        findings.append(Finding(rule=RULE, severity=ERROR, clause=CLAUSE,
                                key="b9_bad_centre_name",
                                params={"centre": centre, "expected": expected}))
    return RuleResult(findings=tuple(findings))


def names_fit(proposals: Sequence[Proposal], ctx: Context) -> list[bool]:
    """For each proposal, whether :func:`check` finds nothing without looking further: a
    known type, the name with its suffix, no centre name to compare (a district's layer
    checked at once)."""
    suffixes = _suffixes(ctx)
    return [p.centre_name is None and p.type in suffixes and _fits(p.name.strip(), suffixes[p.type])
            for p in proposals]


def _halfwidth(text: str) -> str:
    """``text`` with full-width brackets as ASCII ones (（党群） and (党群) are one name)."""
    return text.strip().translate(_FULL_WIDTH_BRACKETS)


_FULL_WIDTH_BRACKETS = {0xFF08: "(", 0xFF09: ")"}
