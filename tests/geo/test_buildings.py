"""002 § 二(七)2: the registry's occupancy and registration rates are checked on a street's
registered buildings (≥ 1,000 m²) together, per month when the registry has months; the
numbers are worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.buildings import registry_rates
from geo.rules import Rules

RULES = Rules().microgrid


def test_a_street_meets_the_targets_on_its_floor_weighted_rates_though_buildings_miss():
    registry = pd.DataFrame({
        "floor_area_m2": [1_000.0, 3_000.0, 999.0],
        "occupancy": [0.70, 0.90, 0.0],      # (0.70×1000 + 0.90×3000) / 4000 = 0.85
        "registration": [0.95, 0.89, 0.0],   # (0.95×1000 + 0.89×3000) / 4000 = 0.905
        "tax_share": [0.01, 0.02, 0.0],
    })
    [rates] = registry_rates(registry, RULES, street="澥川街道")
    assert (rates.street, rates.month, rates.buildings) == ("澥川街道", None, 2)
    assert rates.floor_area_m2 == 4_000.0
    assert rates.occupancy == pytest.approx(0.85) and rates.meets_occupancy is True
    assert rates.registration == pytest.approx(0.905) and rates.meets_registration is True


def test_each_street_and_month_is_a_row_of_the_monthly_series():
    registry = pd.DataFrame({
        "street": ["甲街道", "甲街道", "乙街道", "甲街道", "乙街道"],
        "month": ["2026-10", "2026-10", "2026-10", "2026-11", "2026-11"],
        "floor_area_m2": [2_000.0, 2_000.0, 1_500.0, 4_000.0, 1_500.0],
        "occupancy": [0.80, 0.84, 0.60, 0.86, None],
        "registration": [0.90, 0.92, 0.95, 0.88, None],
        "tax_share": [None] * 5,
    })
    rows = registry_rates(registry, RULES, street="unused")
    assert [(r.street, r.month) for r in rows] == [
        ("乙街道", "2026-10"), ("乙街道", "2026-11"), ("甲街道", "2026-10"), ("甲街道", "2026-11")]
    by = {(r.street, r.month): r for r in rows}
    assert by["甲街道", "2026-10"].occupancy == pytest.approx(0.82)  # equal floors: the mean
    assert by["甲街道", "2026-10"].meets_occupancy is False
    assert by["甲街道", "2026-11"].meets_occupancy is True
    assert by["甲街道", "2026-11"].meets_registration is False
    # a month no building reports has no rate, and no verdict
    assert by["乙街道", "2026-11"].occupancy is None
    assert by["乙街道", "2026-11"].meets_registration is None


def test_the_demo_town_is_judged_as_one_street(demo_dir):
    import geopandas as gpd

    buildings = gpd.read_file(demo_dir / "context.gpkg", layer="buildings")
    [rates] = registry_rates(buildings, RULES, street="澥川街道")
    large = buildings[buildings["floor_area_m2"] >= 1_000]
    assert rates.buildings == len(large)
    weights = large["floor_area_m2"]
    assert rates.occupancy == pytest.approx((large["occupancy"] * weights).sum() / weights.sum())
