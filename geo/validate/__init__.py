"""Boundary validation, "四界清晰" (001 § 二(一)3): rules B1–B10, one module per rule.

Every rule module exposes ``check(proposal, ctx) -> RuleResult``; :data:`CHECKS` maps each
rule id to its module and is what ``validate(proposal, context)`` runs, in rule order, to make
a :class:`Report`. Nothing here reads files.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol

from geo.context import Context, exclusive
from geo.proposal import Proposal
from geo.revision import revision_context
from geo.validate import (
    character,
    contiguity,
    edges,
    holdings,
    input_crs,
    naming,
    regularity,
    residents,
    scale,
    seamless,
    validity,
)
from geo.validate.report import (
    ERROR,
    INFO,
    WARNING,
    Finding,
    NeighbourChange,
    Report,
    RuleResult,
)

__all__ = [
    "CHECKS",
    "ERROR",
    "INFO",
    "UNCONDITIONAL",
    "WARNING",
    "Finding",
    "NeighbourChange",
    "Report",
    "Rule",
    "RuleResult",
    "validate",
]

log = logging.getLogger(__name__)


class Rule(Protocol):
    """What a rule module offers: one check of a proposal against a context."""

    def check(self, proposal: Proposal, ctx: Context) -> RuleResult: ...


# rule id → the module that checks it, in the order the report lists the findings
CHECKS: Mapping[str, Rule] = MappingProxyType({
    "B1": validity,
    "B2": contiguity,
    "B3": edges,
    "B4": regularity,
    "B5": seamless,
    "B6": holdings,
    "B7": character,
    "B8": scale,
    "B9": naming,
    "B10": residents,
})
# the rules checked even when B1 fails (they do not need a valid polygon)
UNCONDITIONAL = frozenset({"B1", "B9"})
_METRICS = ("area_m2", "perimeter_m", "edge_share", "polsby_popper", "employees")


@exclusive
def validate(proposal: Proposal, ctx: Context) -> Report:
    """Check ``proposal`` against rules B1–B10 in the context's metric CRS.

    The input's CRS is checked first (warnings of rule ``CRS``: an old datum, a boundary that
    fits the town only after undoing a GCJ-02 shift). B1 comes next: an invalid, empty or
    non-polygon boundary is reported where it fails and the checks that need a valid polygon
    are not run. B9 (the name) is always checked. A proposal revising a registered community
    is judged without its old boundary (:func:`geo.revision.revision_context`).
    """
    ctx = revision_context(proposal, ctx)
    report = Report(proposal=proposal.name, input_crs=proposal.crs, work_crs=ctx.crs,
                    rules_version=ctx.rules.rules_version,
                    metrics=dict.fromkeys(_METRICS))
    findings: list[Finding] = list(input_crs.check(proposal, ctx).findings)
    valid = True
    for rule_id, rule in CHECKS.items():
        if not valid and rule_id not in UNCONDITIONAL:
            continue
        result = rule.check(proposal, ctx)
        findings.extend(result.findings)
        if rule_id == "B1" and result.findings:
            valid = False
            continue
        report.metrics.update(result.metrics)
        if result.neighbours is not None:
            report.neighbours = list(result.neighbours)
    report.findings = findings
    log.info("validated %s: %d findings", proposal.name, len(findings))
    return report
