"""The facts of the application that are not measured: who applies, for which town, the
centre's name and floor area, the community's code, and the enterprises it will serve.

001 § 二(一)4(1) asks for them in the information table (附件1) and the 布局图 ("管辖企业",
"社区党群服务中心用房位置"). The town gives what only it knows (applicant, contact, date, party
members); the rest is read from the context: the town's name and code from ``jurisdiction``,
the enterprises from ``parcels``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.grids import provisional_community_code
from geo.grids.codes import nw_to_se_order
from geo.measure import shares_inside

__all__ = ["Application", "Enterprise", "application_facts", "centre_floor_area",
           "enterprises_inside", "town_name"]

# an enterprise belongs to the community where most of its plot lies (as geo.measure counts it)
_MAJORITY = 0.5


@dataclass(frozen=True)
class Enterprise:
    """One enterprise the community serves, numbered as the 布局图 shows it."""

    number: int
    name: str
    uscc: str
    employees: int
    industry: str
    x: float  # a point inside its plot, in the context's CRS
    y: float


@dataclass(frozen=True)
class Application:
    """The application's own facts (see the module docstring)."""

    town: str  # 所属镇（街道）
    applicant: str  # 申报单位
    community_code: str
    centre_name: str
    centre_floor_area_m2: float
    contact: str  # 联系人及电话
    date: dt.date
    enterprises: tuple[Enterprise, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready values (keys in English): the date as ISO text, each enterprise without
        its map position."""
        return {"town": self.town, "applicant": self.applicant,
                "community_code": self.community_code, "centre_name": self.centre_name,
                "centre_floor_area_m2": self.centre_floor_area_m2, "contact": self.contact,
                "date": self.date.isoformat(),
                "enterprises": [{"number": e.number, "name": e.name, "uscc": e.uscc,
                                 "employees": e.employees, "industry": e.industry}
                                for e in self.enterprises]}


def town_name(ctx: Context) -> str:
    """The town's (street's) name from the ``jurisdiction`` layer; empty without one."""
    jurisdiction = ctx.layer("jurisdiction")
    if jurisdiction is None or not jurisdiction["name"].notna().any():
        return ""
    return str(jurisdiction["name"].dropna().iloc[0])


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def enterprises_inside(geom: BaseGeometry, ctx: Context) -> tuple[Enterprise, ...]:
    """The enterprises whose plot lies mostly inside ``geom``, numbered in reading order
    (north-west to south-east, as the grids are coded)."""
    parcels = ctx.layer("parcels")
    if parcels is None:
        return ()
    index, share = shares_inside(geom, ctx, "parcels")
    if index.size == 0:
        return ()
    kinds = parcels["kind"].to_numpy()[index]
    chosen = index[(kinds == "enterprise") & (share >= _MAJORITY)]
    points = shapely.point_on_surface(parcels.geometry.to_numpy()[chosen])
    order = chosen[nw_to_se_order(points)]
    spots = dict(zip(chosen.tolist(), shapely.get_coordinates(points).tolist(), strict=True))
    employees = np.nan_to_num(parcels["employees"].to_numpy()[order].astype(float))
    columns = {c: parcels[c].to_numpy() if c in parcels else np.full(len(parcels), "")
               for c in ("name", "uscc", "industry")}
    return tuple(
        Enterprise(number=n + 1, name=_text(columns["name"][i]), uscc=_text(columns["uscc"][i]),
                   employees=round(float(e)), industry=_text(columns["industry"][i]),
                   x=float(spots[int(i)][0]), y=float(spots[int(i)][1]))
        for n, (i, e) in enumerate(zip(order, employees, strict=True)))


def centre_floor_area(ctx: Context) -> float:
    """The service centre's planned floor area: the rooms of the facility programme (004
    第三十二条), at least the centre's minimum (001 § 二(五)1)."""
    rules = ctx.rules.facility
    return max(float(sum(rules.programme_m2.values())), rules.centre_floor_min_m2)


def application_facts(name: str, geom: BaseGeometry, ctx: Context, *, date: dt.date,
                      community_code: str | None = None, applicant: str | None = None,
                      contact: str | None = None, centre_name: str | None = None,
                      centre_floor_area_m2: float | None = None) -> Application:
    """The application's facts for the community ``name`` covering ``geom`` (context CRS).

    Defaults: the town's provisional community code (its code and 900, as the grids use),
    the town as applicant, the centre named after the community as rule B9 has it
    ("XX工业社区(党群)服务中心", 001 § 二(一)3(1)), the facility programme's floor area, no
    contact.
    """
    town = town_name(ctx)
    return Application(
        town=town, applicant=applicant or town,
        community_code=community_code or provisional_community_code(ctx),
        centre_name=centre_name or name + ctx.rules.naming.centre_suffix,
        centre_floor_area_m2=(centre_floor_area(ctx) if centre_floor_area_m2 is None
                              else centre_floor_area_m2),
        contact=contact or "", date=date, enterprises=enterprises_inside(geom, ctx))
