"""The rule contract: one table of rule modules, each with ``check(proposal, ctx) -> RuleResult``.

A tiny town of two 600 m × 400 m villages with two roads; only the required layers unless a
test adds one.
"""

from __future__ import annotations

import inspect
import typing

import geopandas as gpd
import pytest
from shapely.geometry import LineString, box

import geo.proposal as proposal_module
import geo.validate
from geo.context import Context, build_context
from geo.proposal import Proposal, proposal_from_frame
from geo.rules import Rules
from geo.rules.model import RULE_CLAUSES
from geo.validate import CHECKS, ERROR, INFO, Finding, RuleResult, edges, validate

CRS = "EPSG:4549"
X0, Y0 = 655_000.0, 3_315_000.0
SQUARE = box(X0 + 100, Y0 + 50, X0 + 420, Y0 + 370)


def town(**layers: gpd.GeoDataFrame) -> Context:
    neighbours = gpd.GeoDataFrame(
        {"name": ["甲村", "乙村"], "code": ["1", "2"], "kind": ["village", "village"]},
        geometry=[box(X0, Y0, X0 + 600, Y0 + 400), box(X0 + 600, Y0, X0 + 1200, Y0 + 400)],
        crs=CRS)
    roads = gpd.GeoDataFrame(
        {"name": ["经一路", "纬一路"], "class": ["branch", "branch"], "width_m": [10.0, 10.0]},
        geometry=[LineString([(X0 + 100, Y0), (X0 + 100, Y0 + 400)]),
                  LineString([(X0, Y0 + 50), (X0 + 1200, Y0 + 50)])], crs=CRS)
    return build_context({"neighbours": neighbours, "roads": roads, **layers}, Rules())


def proposal(geom=SQUARE, *, name: str = "澥川新材料工业社区") -> Proposal:
    frame = gpd.GeoDataFrame({"name": [name], "type": ["工业社区"]}, geometry=[geom], crs=CRS)
    return proposal_from_frame(frame)


def test_the_table_maps_b1_to_b10_in_order_and_b3_to_edges():
    assert list(CHECKS) == [f"B{n}" for n in range(1, 11)]
    assert CHECKS["B3"] is edges


@pytest.mark.parametrize("rule_id", list(CHECKS))
def test_every_rule_module_has_the_contract_signature(rule_id):
    check = CHECKS[rule_id].check
    assert list(inspect.signature(check).parameters) == ["proposal", "ctx"]
    hints = typing.get_type_hints(check)
    assert hints == {"proposal": Proposal, "ctx": Context, "return": RuleResult}


@pytest.mark.parametrize("rule_id", list(CHECKS))
def test_every_rule_returns_a_rule_result_citing_its_clause_from_the_rules(rule_id):
    result = CHECKS[rule_id].check(proposal(), town())
    assert isinstance(result, RuleResult)
    assert all(isinstance(f, Finding) for f in result.findings)
    assert {f.rule for f in result.findings} <= {rule_id}
    assert {f.clause for f in result.findings} <= {RULE_CLAUSES[rule_id]}


@pytest.mark.parametrize(("rule_id", "layers"), [
    ("B6", ["parcels", "buildings"]), ("B7", ["landuse"]), ("B8", ["parcels"]),
    ("B10", ["landuse"])])
def test_a_rule_whose_layer_is_absent_says_it_was_skipped(rule_id, layers):
    result = CHECKS[rule_id].check(proposal(), town())
    assert [(f.severity, f.key, f.params["layer"]) for f in result.findings] == \
        [(INFO, "skipped_layer", layer) for layer in layers]


def test_only_b5_reports_the_neighbours_changes():
    ctx = town()
    for rule_id, rule in CHECKS.items():
        neighbours = rule.check(proposal(), ctx).neighbours
        if rule_id == "B5":
            assert neighbours is not None
            assert [n.name for n in neighbours] == ["甲村"]
            assert neighbours[0].area_given_m2 == pytest.approx(320 * 320)
        else:
            assert neighbours is None


class _Stub:
    """A rule module stand-in that records being run and returns a fixed result."""

    def __init__(self, result: RuleResult, ran: list[str], name: str) -> None:
        self.result, self.ran, self.name = result, ran, name

    def check(self, proposal: Proposal, ctx: Context) -> RuleResult:
        self.ran.append(self.name)
        return self.result


def _finding(rule_id: str) -> Finding:
    return Finding(rule=rule_id, severity=ERROR, clause="c", key="b1_empty")


def test_validate_runs_the_table_in_order_and_merges_results(monkeypatch):
    ran: list[str] = []
    table = {"B1": _Stub(RuleResult(metrics={"area_m2": 1.0}), ran, "B1"),
             "B2": _Stub(RuleResult(findings=(_finding("B2"),), metrics={"extra": 2}), ran, "B2"),
             "B9": _Stub(RuleResult(findings=(_finding("B9"),)), ran, "B9")}
    monkeypatch.setattr(geo.validate, "CHECKS", table)
    report = validate(proposal(), town())
    assert ran == ["B1", "B2", "B9"]
    assert [f.rule for f in report.findings] == ["B2", "B9"]
    assert report.metrics["area_m2"] == 1.0 and report.metrics["extra"] == 2


def test_a_failed_b1_stops_every_rule_but_the_name(monkeypatch):
    ran: list[str] = []
    table = {"B1": _Stub(RuleResult(findings=(_finding("B1"),)), ran, "B1"),
             "B2": _Stub(RuleResult(), ran, "B2"),
             "B9": _Stub(RuleResult(), ran, "B9")}
    monkeypatch.setattr(geo.validate, "CHECKS", table)
    report = validate(proposal(), town())
    assert ran == ["B1", "B9"]
    assert [f.rule for f in report.findings] == ["B1"]
    assert report.metrics["area_m2"] is None


def test_the_proposal_is_reprojected_once_per_crs(monkeypatch):
    in_degrees = gpd.GeoSeries([SQUARE], crs=CRS).to_crs(4326).iloc[0]
    frame = gpd.GeoDataFrame({"name": ["澥川新材料工业社区"], "type": ["工业社区"]},
                             geometry=[in_degrees], crs=4326)
    prop = proposal_from_frame(frame)
    ctx = town()
    calls: list[object] = []
    original = proposal_module.reproject

    def counting(geom, source, target):
        calls.append(target)
        return original(geom, source, target)

    monkeypatch.setattr(proposal_module, "reproject", counting)
    validate(prop, ctx)
    validate(prop, ctx)
    assert len(calls) == 1
    assert prop.to_crs(ctx.crs) is prop.to_crs(ctx.crs)
