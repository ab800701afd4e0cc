"""The building registry's rates by town or street (002 § 二(七)2).

The plan counts every single building of at least 1,000 m² floor area, monthly, with its
occupancy rate, registration rate and tax share, and sets city-wide targets (入驻率 85 %,
注册率 90 %, 税收占比 10 %). They are rates of a whole area, so they are checked on the
buildings of a town or street together — never building by building: occupancy and
registration as floor-area-weighted means over the registered buildings. (The tax share is
the city's, measured against the city's total tax; a street's part of it has no target.) A
registry holding several monthly snapshots (a ``month`` column) gives one row per street and
month, in order: the monthly series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.rules.model import MicrogridRules

__all__ = ["RATE_COLUMNS", "StreetRates", "registry_rates"]

RATE_COLUMNS = ("occupancy", "registration")


@dataclass(frozen=True)
class StreetRates:
    """The registry's rates of one street (or town) in one month (``None``: one snapshot)."""

    street: str
    month: str | None
    buildings: int
    floor_area_m2: float
    occupancy: float | None
    registration: float | None
    meets_occupancy: bool | None
    meets_registration: bool | None


def _weighted(values: pd.Series, weights: pd.Series) -> float | None:
    known = values.notna().to_numpy() & (weights.to_numpy() > 0)
    if not known.any():
        return None
    return float(np.average(values.to_numpy()[known], weights=weights.to_numpy()[known]))


def registry_rates(buildings: pd.DataFrame, rules: MicrogridRules, *,
                   street: str) -> list[StreetRates]:
    """The rates of the registered buildings (floor area ≥ the registry's minimum) of each
    street and month, against the plan's targets.

    ``buildings`` has ``floor_area_m2``, ``occupancy`` and ``registration``, and
    optionally ``street`` (else every building is in ``street``) and ``month`` (one snapshot
    when absent). A rate no building reports is ``None``, and so is whether it meets its target.
    """
    floor = pd.to_numeric(buildings["floor_area_m2"], errors="coerce")
    registered = buildings[(floor >= rules.building_floor_area_min_m2).to_numpy()].copy()
    registered["floor_area_m2"] = pd.to_numeric(registered["floor_area_m2"])
    if "street" not in registered or registered["street"].isna().all():
        registered["street"] = street
    registered["street"] = registered["street"].fillna(street).astype(str)
    has_months = "month" in registered and registered["month"].notna().any()
    registered["month"] = registered["month"].astype(str) if has_months else ""
    targets = {"occupancy": rules.occupancy_target, "registration": rules.registration_target}
    rows = []
    for (name, month), group in registered.groupby(["street", "month"], sort=True):
        rates = {c: _weighted(pd.to_numeric(group[c], errors="coerce"), group["floor_area_m2"])
                 for c in RATE_COLUMNS}
        rows.append(StreetRates(
            street=str(name), month=str(month) if has_months else None, buildings=len(group),
            floor_area_m2=float(group["floor_area_m2"].sum()),
            occupancy=rates["occupancy"], registration=rates["registration"],
            meets_occupancy=None if rates["occupancy"] is None
            else rates["occupancy"] >= targets["occupancy"],
            meets_registration=None if rates["registration"] is None
            else rates["registration"] >= targets["registration"]))
    return rows
