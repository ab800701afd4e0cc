"""The community profile: the facts of 附件1 and the class, staff quota and funds they imply.

001 § 二(一)4(1) asks for the information table (新建产业型社区信息表) with the application;
§ 二(一)5 classes a community 一般 / 较大 / 特大 from a weighted index; § 二(四)2 sizes its staff;
§ 二(五)1 sets its funds. Every number comes from the rules file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import shapely

from geo.buildings import registry_rates
from geo.context import Context
from geo.errors import InputError
from geo.i18n import N_
from geo.measure import (
    employees_inside,
    land_share,
    land_shares,
    residents_inside,
    verified_inside,
)
from geo.profile.four_sides import SIDES, four_sides
from geo.profile.money import (
    CLASSES,
    Funding,
    PartyFunds,
    annual_funding,
    class_index,
    classify,
    party_funds,
    staff_quota,
)
from geo.proposal import Proposal
from geo.validate.validity import valid_geometry

__all__ = ["CLASSES", "SIDES", "Profile", "community_profile"]


@dataclass(frozen=True)
class Profile:
    """What a community is and what it is entitled to."""

    name: str
    type: str
    area_m2: float
    employees: int
    enterprises: int
    parks: int
    industrial_share: float  # industrial land in the land (roads and water left out)
    office_share: float  # office and commercial land
    large_buildings: int  # buildings of ≥ 1,000 m² floor area
    residential_area_m2: float
    residential_buildings: int
    live_work_share: float | None
    index: float
    community_class: str
    staff_quota: int
    funding: Funding
    party: PartyFunds
    party_members: int | None
    four_sides: dict[str, list[str]]
    neighbours: dict[str, float]  # land each village or community gives up (m²)
    notes: list[str] = field(default_factory=list)
    # of the employees, those counted from verified figures; None when none were imported
    employees_verified: int | None = None
    # the rules-file keys of the bureau settings (本局设定, no seed gives them) behind the
    # class, the staff quota and the funds; documents label these numbers so
    bureau_settings: tuple[str, ...] = ()
    # 002 § 二(七)2: the building registry's rates of the town or street the community lies in
    # (its buildings ≥ 1,000 m² together, a monthly series when the registry has months)
    building_rates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def verified_share(self) -> float | None:
        """The share of the employees counted from verified figures (None: none imported)."""
        if self.employees_verified is None:
            return None
        return self.employees_verified / self.employees if self.employees else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (keys in English, values as measured); the verified
        employees and their share only when verified figures were imported."""
        values = asdict(self)
        if self.employees_verified is None:
            del values["employees_verified"]
        else:
            values["employees_verified_share"] = round(self.verified_share or 0.0, 4)
        return values


def _large_buildings(geom: Any, ctx: Context, min_floor_m2: float) -> int:
    buildings = ctx.layer("buildings")
    if buildings is None:
        return 0
    floor = buildings["floor_area_m2"].to_numpy()[ctx.inside("buildings", geom)].astype(float)
    return int((np.nan_to_num(floor) >= min_floor_m2).sum())


def community_profile(proposal: Proposal, ctx: Context, *, year: int,
                      party_members: int | None = None, party_level: str | None = None,
                      live_work_share: float | None = None) -> Profile:
    """Measure the community inside ``proposal`` and derive its class, staff and funds.

    ``live_work_share`` (职住一体占比) and the party figures are the town's own numbers; when
    the share is not given it counts as 0 in the index and the profile says so.

    Raises
    ------
    InputError
        The proposal is not a valid polygon (rule B1), or a given share is outside 0–1.
    """
    geom = valid_geometry(proposal, ctx, refused="profile_invalid")
    if live_work_share is not None and not 0.0 <= live_work_share <= 1.0:
        raise InputError(message_key="live_work_share_range", params={"value": live_work_share},
                         field="live_work_share")
    notes: list[str] = []
    employees, enterprises = employees_inside(geom, ctx)
    parcels = ctx.layer("parcels")
    parks = 0
    if parcels is None:
        notes.append(N_("no_parcels"))
    else:
        parks = int((parcels["kind"].to_numpy()[ctx.inside("parcels", geom)] == "park").sum())
    shares = land_shares(geom, ctx)
    industrial = land_share(shares, ("industrial",))
    office = land_share(shares, ("office", "commercial"))
    homes_m2, homes, _ = residents_inside(geom, ctx)
    if live_work_share is None:
        notes.append(N_("live_work_share_missing"))
    area = float(geom.area)
    rules = ctx.rules
    index = class_index({"employees": employees, "area": area / 1e6, "entities": enterprises,
                         "live_work_share": live_work_share or 0.0}, rules.classification)
    community_class = classify(index, rules.classification)
    neighbours = ctx.require("neighbours")
    touched = ctx.query("neighbours", geom)
    given = shapely.area(shapely.intersection(neighbours.geometry.values[touched], geom))
    return Profile(
        name=proposal.name, type=proposal.type, area_m2=area, employees=employees,
        enterprises=enterprises, parks=parks, industrial_share=industrial, office_share=office,
        large_buildings=_large_buildings(geom, ctx, rules.microgrid.building_floor_area_min_m2),
        residential_area_m2=homes_m2, residential_buildings=homes,
        live_work_share=live_work_share, index=round(index, 4), community_class=community_class,
        staff_quota=staff_quota(index, community_class, rules.staffing),
        funding=annual_funding(employees, year, rules.funding),
        party=party_funds(party_members, party_level, rules.funding),
        party_members=party_members, four_sides=four_sides(geom, ctx),
        neighbours={str(neighbours["name"].values[i]): round(float(a), 1)
                    for i, a in sorted(zip(touched, given, strict=True), key=lambda t: -t[1])
                    if a >= 1.0},
        notes=notes, employees_verified=verified_inside(geom, ctx),
        bureau_settings=_settings_used(party_members, party_level),
        building_rates=_building_rates(ctx))


def _building_rates(ctx: Context) -> list[dict[str, Any]]:
    """The town's (or each street's) building registry rates, as plain values."""
    buildings = ctx.layer("buildings")
    if buildings is None:
        return []
    jurisdiction = ctx.layer("jurisdiction")
    town = str(jurisdiction["name"].iloc[0]) if jurisdiction is not None else ""
    return [asdict(r) for r in registry_rates(buildings, ctx.rules.microgrid, street=town)]


# what the class, the quota and the funds rest on that no seed gives (001 § 二(一)5 names the
# index's factors, § 二(四)2 the 4–13 bounds, § 二(五)1 the money; the rest is the bureau's)
_CLASS_SETTINGS = ("classification.weights", "classification.reference",
                   "classification.larger_from", "classification.extra_large_from",
                   "staffing.quota_by_index", "funding.base_year")


def _settings_used(party_members: int | None, party_level: str | None) -> tuple[str, ...]:
    if party_members is not None and party_level is None:  # the level comes from members
        return (*_CLASS_SETTINGS, "funding.party_level_from_members")
    return _CLASS_SETTINGS
