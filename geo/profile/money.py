"""Class, staff quota and funds of a community: pure arithmetic on the rules' numbers.

001 § 二(一)5 (classification), § 二(四)2 (staff quota), § 二(五)1 (funds).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from geo.rules.model import ClassificationRules, FundingRules, StaffingRules

__all__ = [
    "CLASSES",
    "Funding",
    "PartyFunds",
    "annual_funding",
    "class_index",
    "class_indexes",
    "classify",
    "classify_each",
    "party_funds",
    "party_level",
    "staff_quota",
]

CLASSES = ("general", "larger", "extra_large")  # 一般 / 较大 / 特大


def class_index(factors: dict[str, float], rules: ClassificationRules) -> float:
    """The weighted index: each factor divided by its reference value, times its weight."""
    return sum(rules.weights.get(name, 0.0) * factors.get(name, 0.0) / rules.reference[name]
               for name in rules.factors if rules.reference.get(name))


def class_indexes(factors: Mapping[str, npt.NDArray[np.float64]], rules: ClassificationRules
                  ) -> npt.NDArray[np.float64]:
    """:func:`class_index` of many communities at once: each factor an array, one value per
    community (the same sums, term by term, as one community's)."""
    size = len(next(iter(factors.values()))) if factors else 0
    total: npt.NDArray[np.float64] = np.zeros(size)
    for name in rules.factors:
        if rules.reference.get(name):
            value = factors.get(name)
            total = total + (rules.weights.get(name, 0.0) * (0.0 if value is None else value)
                             / rules.reference[name])
    return total


def classify(index: float, rules: ClassificationRules) -> str:
    """一般 / 较大 / 特大 (``general`` / ``larger`` / ``extra_large``) by the rules' cut-offs."""
    return classify_each(np.array([index]), rules)[0]


def classify_each(indexes: npt.NDArray[np.float64], rules: ClassificationRules) -> list[str]:
    """:func:`classify` of many communities' indexes at once."""
    classes: list[str] = np.where(
        indexes >= rules.extra_large_from, "extra_large",
        np.where(indexes >= rules.larger_from, "larger", "general")).tolist()
    return classes


def staff_quota(index: float, community_class: str, rules: StaffingRules) -> int:
    """Full-time community workers from the 编码综合指数 (001 § 二(四)2): the bureau's table's
    quota for ``index``, at least the minimum (4) and, unless the community is 特大, at most
    the usual maximum (13)."""
    quota = rules.quota_by_index[0][1]
    for start, value in rules.quota_by_index:
        if index >= start:
            quota = value
    quota = max(rules.quota_min, quota)
    return quota if community_class == "extra_large" else min(quota, rules.quota_max)


@dataclass(frozen=True)
class Funding:
    """The yearly community funds (事业保障经费) of one year, in yuan."""

    year: int
    per_employee_yuan: float
    computed_yuan: float  # employees × the year's standard
    total_yuan: float  # never below the minimum
    minimum_applied: bool
    district_yuan: float
    town_yuan: float


def annual_funding(employees: int, year: int, rules: FundingRules) -> Funding:
    """50 yuan per employee in the base year, rising 5 % a year, at least 350,000 yuan,
    shared 1:1 by district and town (all from ``rules``)."""
    years = max(0, year - rules.base_year)
    standard = rules.per_employee_yuan * (1 + rules.annual_growth) ** years
    computed = round(employees * standard, 2)
    total = max(computed, rules.minimum_yuan)
    district = round(total * rules.district_share, 2)
    return Funding(year, round(standard, 4), computed, total, computed < rules.minimum_yuan,
                   district, round(total - district, 2))


def party_level(members: int, rules: FundingRules) -> str | None:
    """The party organisation a community of ``members`` sets up, or None below a branch."""
    for level, start in sorted(rules.party_level_from_members.items(), key=lambda kv: -kv[1]):
        if members >= start:
            return level
    return None


@dataclass(frozen=True)
class PartyFunds:
    """Yearly party-organisation, member-activity and service funds, in yuan."""

    level: str | None
    organisation_yuan: float
    activity_yuan: float
    service_yuan: float


def party_funds(members: int | None, level: str | None, rules: FundingRules) -> PartyFunds:
    """Funds of 001 § 二(五)1 for the given organisation level (or the one ``members`` sets up)."""
    if level is None and members is not None:
        level = party_level(members, rules)
    organisation = rules.party_funds_yuan.get(level, 0.0) if level else 0.0
    activity = rules.per_party_member_yuan * (members or 0)
    return PartyFunds(level, organisation, activity, rules.service_fund_min_yuan)
