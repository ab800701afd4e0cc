"""Boundary validation, "四界清晰" (001 § 二(一)3): rules B1–B10, one module per rule.

``validate(proposal, context)`` returns a :class:`Report`; nothing here reads files.
"""

from __future__ import annotations

import logging

from geo.context import Context
from geo.proposal import Proposal
from geo.validate.character import check_character
from geo.validate.contiguity import check_contiguity
from geo.validate.edges import check_edges
from geo.validate.naming import check_naming
from geo.validate.regularity import check_regularity
from geo.validate.report import ERROR, INFO, WARNING, Finding, NeighbourChange, Report
from geo.validate.residents import check_residents
from geo.validate.scale import check_scale
from geo.validate.holdings import check_holdings
from geo.validate.seamless import check_seamless
from geo.validate.validity import check_validity

__all__ = ["validate", "Report", "Finding", "NeighbourChange", "ERROR", "WARNING", "INFO"]

log = logging.getLogger(__name__)


def validate(proposal: Proposal, ctx: Context) -> Report:
    """Check ``proposal`` against rules B1–B10 in the context's metric CRS.

    B1 comes first: an invalid, empty or non-polygon boundary is reported where it fails and
    the checks that need a valid polygon are not run. B9 (the name) is always checked.
    """
    geom = proposal.to_crs(ctx.crs)
    report = Report(proposal=proposal.name, input_crs=proposal.crs, work_crs=ctx.crs,
                    rules_version=ctx.rules.rules_version,
                    metrics={"area_m2": None, "perimeter_m": None, "edge_share": None,
                             "polsby_popper": None, "employees": None})
    invalid = check_validity(geom)
    if invalid:
        report.findings = invalid + check_naming(proposal, ctx.rules)
        return report
    report.metrics.update(area_m2=geom.area, perimeter_m=geom.length)
    findings = check_contiguity(geom, proposal)
    edge_findings, edge_metrics = check_edges(geom, ctx)
    shape_findings, shape_metrics = check_regularity(geom, ctx.rules)
    seam_findings, report.neighbours = check_seamless(geom, ctx, name=proposal.name)
    character_findings, character_metrics = check_character(geom, ctx, proposal.type)
    scale_findings, scale_metrics = check_scale(geom, ctx)
    findings += (edge_findings + shape_findings + seam_findings + check_holdings(geom, ctx)
                 + character_findings + scale_findings + check_naming(proposal, ctx.rules)
                 + check_residents(geom, ctx))
    for metrics in (edge_metrics, shape_metrics, character_metrics, scale_metrics):
        report.metrics.update(metrics)
    report.findings = findings
    log.info("validated %s: %d findings", proposal.name, len(findings))
    return report
