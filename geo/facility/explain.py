"""Why a site qualifies or fails, and what the whole search found, in the reader's language."""

from __future__ import annotations

from typing import Any

from geo.i18n import N_, t

__all__ = ["explain", "headline"]

# each check a near miss can fail (the names in its ``failed`` column) and what it says
_FAILS = {"area": N_("site_fails_area"), "available": N_("site_fails_available"),
          "width": N_("site_fails_width"), "frontage": N_("site_fails_frontage"),
          "programme": N_("site_fails_programme")}
_HEADLINES = {"qualified": N_("sites_qualified"), "near": N_("sites_near"),
              "none": N_("sites_none")}


def explain(row: Any, rules: Any, lang: str = "zh") -> str:
    """One sentence on a ranked site (why it passed) or a near miss (each check it fails)."""
    values = {"area_m2": row.area_m2, "min": rules.land_min_m2, "max": rules.land_max_m2,
              "available": row.available_share, "width": row.inscribed_width_m,
              "min_width": rules.min_width_m, "frontage": row.frontage_m,
              "min_frontage": rules.frontage_min_m, "floor": row.floor_needed_m2,
              "floor_allowed": row.floor_allowed_m2, "plaza": rules.plaza_min_m2,
              "open": row.open_land_m2, "distance": row.distance_m,
              "road": row.frontage_road or t("site_road_any", lang)}
    failed = [f for f in str(row.failed).split(",") if f]
    if not failed:
        return t("site_passes", lang, **values)
    return t("list_sep", lang).join(t(_FAILS[f], lang, **values) for f in failed)


def headline(result: Any, rules: Any, lang: str = "zh") -> str:
    """One line on the whole search: how many sites qualify, or why none does."""
    kind = "qualified" if result.qualified else ("near" if result.largest_available_m2 > 0
                                                 else "none")
    return t(_HEADLINES[kind], lang, count=len(result.sites), min=rules.land_min_m2,
             max=rules.land_max_m2, largest=result.largest_available_m2)
