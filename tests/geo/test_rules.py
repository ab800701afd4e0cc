"""The rule set: DOMAIN.md's defaults with clauses, overridden by a bureau's TOML file."""

from __future__ import annotations

import re

import pytest

from geo.errors import RulesError
from geo.rules import Rules, iter_rules, load_rules


def write(tmp_path, text: str):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_the_numbers_of_the_policies():
    rules = Rules()
    assert rules.boundary.edge_share_min == 0.90
    assert rules.grid.employees_target == 1_000 and rules.grid.enterprises_target == 30
    assert (rules.facility.land_min_m2, rules.facility.land_max_m2) == (3_000, 5_000)
    assert rules.facility.centre_floor_min_m2 == 500
    assert sum(rules.facility.programme_m2.values()) == 200 + 100 + 50 + 30 + 30 + 200 + 400 + 100
    assert (rules.staffing.quota_min, rules.staffing.quota_max) == (4, 13)
    assert rules.funding.per_employee_yuan == 50 and rules.funding.minimum_yuan == 350_000
    assert rules.microgrid.occupancy_target == 0.85


def test_every_rule_names_its_source_clause_or_is_a_bureau_setting():
    entries = list(iter_rules(Rules()))
    assert len(entries) > 50
    assert all(e.description and bool(e.clause) != e.bureau_setting for e in entries)
    clauses = {e.key: e.clause for e in entries}
    assert clauses["facility.land_min_m2"] == "004 第三十条"
    assert clauses["naming.industrial_suffix"] == "001 § 二(一)3(1)"


def test_file_overrides_a_subset_and_keeps_the_rest(tmp_path):
    rules = load_rules(write(tmp_path, "[boundary]\nsnap_tolerance_m = 3\n"))
    assert rules.boundary.snap_tolerance_m == 3.0
    assert rules.boundary.edge_share_min == 0.90
    assert rules.scale == Rules().scale


def test_programme_rooms_merge_key_by_key(tmp_path):
    rules = load_rules(write(tmp_path, "[facility.programme_m2]\nlibrary = 150\n"))
    assert rules.facility.programme_m2["library"] == 150
    assert rules.facility.programme_m2["health_service_centre"] == 400


def test_bureau_layer_and_column_names_are_mapped(tmp_path):
    text = ('[context.layers]\nneighbours = "村社区边界"\n'
            '[context.columns.parcels]\nemployees = "从业人数"\n')
    rules = load_rules(write(tmp_path, text))
    assert rules.context.layers.neighbours == "村社区边界"
    assert rules.context.layers.roads == "roads"
    assert rules.context.columns["parcels"]["employees"] == "从业人数"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[boundary]\nedge_share_mn = 0.9\n", "boundary.edge_share_mn"),
        ("[bondary]\nedge_share_min = 0.9\n", "bondary"),
        ('[boundary]\nedge_share_min = "0.9"\n', "boundary.edge_share_min"),
        ("[scale]\nemployees_max = 6000.5\n", "scale.employees_max"),
        ("[context.layers]\nvillages = 'x'\n", "context.layers.villages"),
    ],
)
def test_unknown_keys_and_wrong_types_name_the_key(tmp_path, text, key):
    with pytest.raises(RulesError) as info:
        load_rules(write(tmp_path, text))
    assert info.value.key == key
    assert f"key '{key}'" in str(info.value) and "rules.toml" in str(info.value)


def test_broken_toml_names_the_file(tmp_path):
    with pytest.raises(RulesError, match=re.escape("rules.toml: not valid TOML")):
        load_rules(write(tmp_path, "[boundary\n"))


def test_missing_rules_file_is_an_error(tmp_path):
    with pytest.raises(RulesError, match="not found"):
        load_rules(tmp_path / "absent.toml")
