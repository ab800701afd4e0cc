"""Numbers and measures as the maps show them to people (the words are in :mod:`geo.i18n`)."""

from __future__ import annotations

from geo.i18n import N_, t

__all__ = ["area", "measure_text", "number", "percent"]

# the measures of findings (their keys in geo.validate), each with its name
_MEASURES = {
    "length_m": N_("mk_length_m"), "loose_m": N_("mk_loose_m"), "area_m2": N_("mk_area_m2"),
    "width_m": N_("mk_width_m"), "share": N_("mk_share"), "edge_share": N_("mk_edge_share"),
    "share_inside": N_("mk_share_inside"), "share_outside": N_("mk_share_outside"),
    "limit": N_("mk_limit"), "target": N_("mk_target"), "employees": N_("mk_employees"),
    "buildings": N_("mk_buildings"), "part": N_("mk_part"),
    "polsby_popper": N_("mk_polsby_popper"), "polsby_popper_min": N_("mk_polsby_popper_min"),
    "hull_ratio": N_("mk_hull_ratio"), "hull_ratio_min": N_("mk_hull_ratio_min"),
    "snap_tolerance_m": N_("mk_snap_tolerance_m"),
}


def number(value: float, digits: int = 0) -> str:
    """A number as people read it: thousands separated, ``digits`` decimals."""
    return f"{value:,.{digits}f}"


def area(value_m2: float) -> str:
    return number(value_m2, 0)


def percent(value: float) -> str:
    return f"{value:.0%}"


def measure_text(measure: dict[str, float], lang: str = "zh") -> str:
    """A finding's measured values, each with its name: ``长度（m） 278.6；限值 20``."""
    parts = []
    for key, value in measure.items():
        name = t(_MEASURES[key], lang) if key in _MEASURES else key
        digits = 1 if abs(value) >= 10 else 3  # metres to 0.1 m; shares and ratios to 0.001
        shown = (f"{value:,.{digits}f}".rstrip("0").rstrip(".") if isinstance(value, float)
                 else str(value))
        parts.append(f"{name} {shown}")
    return t("list_sep", lang).join(parts)
