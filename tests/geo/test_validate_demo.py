"""Validation of the shipped demo town's proposals (rules B1–B10 of DOMAIN.md).

Each demo proposal was drawn with exactly one known flaw (or none); the validator must find
that flaw under the right rule and raise no error under any other. The report document must
have the shape of DESIGN.md, and the answer must not depend on the CRS the proposal came in.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from geo.context import build_context
from geo.crs import geometry_to_gcj02, resolve_crs
from geo.proposal import proposal_from_frame
from geo.rules import Rules
from geo.validate import ERROR, INFO, WARNING, validate

# the flaw each demo proposal was drawn with: (rule, severity) by DOMAIN.md
FLAWS = {
    "flaw_b2_disjoint": ("B2", ERROR),
    "flaw_b3_offroad_edge": ("B3", ERROR),
    "flaw_b4_irregular": ("B4", WARNING),
    "flaw_b5_gap": ("B5", ERROR),
    "flaw_b5_overlap": ("B5", ERROR),
    "flaw_b6_cut_parcel": ("B6", ERROR),
    "flaw_b7_not_industrial": ("B7", WARNING),
    "flaw_b8_oversize": ("B8", ERROR),
    "flaw_b9_bad_name": ("B9", ERROR),
    "flaw_b10_residents": ("B10", WARNING),
}
GOOD = ("good_industrial", "good_building", "good_custodial_enclave")
DESIGN_KEYS = {"proposal", "crs", "work_crs", "ok", "rules_version", "metrics", "findings",
               "neighbours"}
# DESIGN.md's keys, and where the limits come from (the clause, or 本局设定 beside it)
FINDING_KEYS = {"rule", "severity", "clause", "message", "measure", "geometry", "basis",
                "bureau_settings"}
COMPARED_METRICS = ("area_m2", "perimeter_m", "edge_share", "polsby_popper", "employees")
CJK = re.compile(r"[\u4e00-\u9fff]")
# the demo town lies by the Yong river in Zhenhai, Ningbo: about 121.6°E, 29.95°N
TOWN_LON, TOWN_LAT, NEAR_DEG = 121.6, 29.95, 0.1


@pytest.fixture(scope="module")
def ctx(context):
    return build_context(context, Rules(), source="context.gpkg")


@pytest.fixture(scope="module")
def reports(ctx, proposals):
    return {name: validate(proposal_from_frame(frame), ctx) for name, frame in proposals.items()}


def _pairs(report) -> set[tuple[str, str]]:
    return {(f.rule, f.severity) for f in report.findings}


def _without_values(message: str, params: dict) -> str:
    """The message with the finding's own text values (names, suffixes) cut out."""
    for value in params.values():
        if isinstance(value, str) and value:
            message = message.replace(value, "")
    return message


def test_every_demo_proposal_is_covered(proposals):
    assert set(proposals) == set(FLAWS) | set(GOOD)


@pytest.mark.parametrize("name", sorted(FLAWS))
def test_flawed_proposal_gets_its_flaw_and_no_other_error(name, reports):
    rule, severity = FLAWS[name]
    report = reports[name]
    assert (rule, severity) in _pairs(report)
    other_errors = {f.rule for f in report.findings if f.severity == ERROR} - {rule}
    assert other_errors == set()
    assert report.ok is (severity != ERROR)


@pytest.mark.parametrize(("name", "key"), [("flaw_b5_gap", "b5_gap_sliver"),
                                           ("flaw_b5_overlap", "b5_overlap_sliver")])
def test_b5_gap_and_overlap_are_told_apart(name, key, reports):
    keys = {f.key for f in reports[name].findings if f.rule == "B5" and f.severity == ERROR}
    assert keys == {key}


@pytest.mark.parametrize("name", GOOD)
def test_good_proposal_has_no_error(name, reports):
    report = reports[name]
    assert [f for f in report.findings if f.severity == ERROR] == []
    assert report.ok


def test_custodial_enclave_is_noted_as_b2_info(reports):
    b2 = [f for f in reports["good_custodial_enclave"].findings if f.rule == "B2"]
    assert [(f.severity, f.measure["part"]) for f in b2] == [(INFO, 2)]


def test_enclave_without_declaration_is_the_b2_error(reports):
    # flaw_b2_disjoint is the enclave drawn without its custodial declaration: same part
    declared = next(f for f in reports["good_custodial_enclave"].findings if f.rule == "B2")
    undeclared = next(f for f in reports["flaw_b2_disjoint"].findings if f.rule == "B2")
    assert undeclared.geometry.equals(declared.geometry)


@pytest.mark.parametrize("name", sorted(FLAWS) + list(GOOD))
def test_report_document_has_the_design_keys(name, reports):
    document = reports[name].to_dict()
    assert set(document) == DESIGN_KEYS
    assert document["crs"] == "EPSG:4549"  # the proposal's own CRS by default
    assert document["ok"] is reports[name].ok
    assert set(COMPARED_METRICS) <= set(document["metrics"])
    for finding in document["findings"]:
        assert set(finding) == FINDING_KEYS
    for neighbour in document["neighbours"]:
        assert {"name", "area_given_m2", "valid", "contiguous"} <= set(neighbour)


@pytest.mark.parametrize("name", sorted(FLAWS))
def test_messages_are_chinese_by_default_and_english_on_request(name, reports):
    report = reports[name]
    chinese = report.to_dict()["findings"]
    english = report.to_dict("en")["findings"]
    assert chinese and len(chinese) == len(english) == len(report.findings)
    for finding, zh, en in zip(report.findings, chinese, english, strict=True):
        assert CJK.search(_without_values(zh["message"], finding.params)), zh["message"]
        assert not CJK.search(_without_values(en["message"], finding.params)), en["message"]
        assert re.search(r"[a-z]{3,} [a-z]{2,}", en["message"]), en["message"]


@pytest.mark.parametrize("name", sorted(FLAWS))
def test_every_error_except_the_name_is_located(name, reports):
    report = reports[name]
    for finding, document in zip(report.findings, report.to_dict()["findings"], strict=True):
        if finding.severity == ERROR and finding.rule != "B9":
            assert finding.geometry is not None and not finding.geometry.is_empty, finding.key
            assert document["geometry"] is not None


@pytest.mark.parametrize("name", sorted(FLAWS))
def test_geojson_is_a_feature_collection_in_lon_lat(name, reports):
    collection = reports[name].to_geojson()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == len(reports[name].findings)
    located = [f for f in collection["features"] if f["geometry"] is not None]
    assert located or name == "flaw_b9_bad_name"
    for feature in located:
        assert feature["type"] == "Feature"
        xy = shapely.get_coordinates(shape(feature["geometry"]))
        assert np.all(np.abs(xy[:, 0] - TOWN_LON) < NEAR_DEG)
        assert np.all(np.abs(xy[:, 1] - TOWN_LAT) < NEAR_DEG)


def _in_every_crs(frame) -> dict:
    """The same proposal as a bureau may send it: CGCS2000 lon/lat, GK zone with and without
    the zone prefix, and AMap's GCJ-02 read back through the GCJ02 declaration."""
    lonlat = frame.to_crs("EPSG:4490")
    prefixed = frame.to_crs("EPSG:4528")
    assert prefixed.total_bounds[0] > 40_000_000  # zone 40 in front of the easting
    gcj = lonlat.copy()
    gcj["geometry"] = geometry_to_gcj02(lonlat.geometry)
    shift = shapely.distance(shapely.centroid(gcj.geometry.values),
                            shapely.centroid(lonlat.geometry.values))
    assert shift.min() > 0.001  # a few hundred metres: the test would catch a missed offset
    return {"EPSG:4549": frame, "EPSG:4490": lonlat, "EPSG:4528": prefixed,
            "GCJ02": resolve_crs(gcj, declared="GCJ02")}


@pytest.mark.parametrize("name", ["good_industrial", "flaw_b3_offroad_edge"])
def test_findings_and_metrics_do_not_depend_on_the_input_crs(name, proposals, reports, ctx):
    reference = reports[name]
    assert proposals[name].crs.to_epsg() == 4549
    for label, frame in _in_every_crs(proposals[name]).items():
        report = validate(proposal_from_frame(frame), ctx)
        assert _pairs(report) == _pairs(reference), label
        for metric in COMPARED_METRICS:
            assert report.metrics[metric] == pytest.approx(reference.metrics[metric], rel=1e-3), \
                (label, metric)
