"""Why a site qualifies or fails, in Chinese (default) and English."""

from __future__ import annotations

from typing import Any

__all__ = ["explain", "headline"]

_FAIL = {
    "area": {"zh": "面积 {area_m2:,.0f} ㎡，不在 {min:,.0f}–{max:,.0f} ㎡ 之间",
             "en": "{area_m2:,.0f} m², outside {min:,.0f}–{max:,.0f} m²"},
    "available": {"zh": "仅 {available:.0%} 为可用地（闲置或待整理），或占用水域、道路、基本农田、生态红线",
                  "en": "only {available:.0%} is available land (vacant or to be consolidated), or it takes water, road, protected farmland or ecological red line"},
    "width": {"zh": "最窄处约 {width:.0f} 米，小于 {min_width:.0f} 米，难以建设",
              "en": "about {width:.0f} m wide at its narrowest, under {min_width:.0f} m: hard to build on"},
    "frontage": {"zh": "临路长度 {frontage:.0f} 米，不足 {min_frontage:.0f} 米",
                 "en": "{frontage:.0f} m of road frontage, under {min_frontage:.0f} m"},
    "programme": {"zh": "容纳不下服务设施：需建筑面积 {floor:,.0f} ㎡（允许 {floor_allowed:,.0f} ㎡）、户外广场 {plaza:,.0f} ㎡",
                  "en": "the programme does not fit: {floor:,.0f} m² of floor needed ({floor_allowed:,.0f} m² allowed) and a {plaza:,.0f} m² plaza"},
}
_PASS = {
    "zh": "面积 {area_m2:,.0f} ㎡，可用地，最窄处 {width:.0f} 米，临{road}约 {frontage:.0f} 米；需建筑面积 {floor:,.0f} ㎡（允许 {floor_allowed:,.0f} ㎡），余地 {open:,.0f} ㎡ 可作广场；职工加权平均距离 {distance:,.0f} 米",
    "en": "{area_m2:,.0f} m² of available land, {width:.0f} m at its narrowest, {frontage:.0f} m on {road}; {floor:,.0f} m² of floor needed ({floor_allowed:,.0f} m² allowed), {open:,.0f} m² left for the plaza; employee-weighted distance {distance:,.0f} m",
}


def explain(row: Any, rules: Any, lang: str = "zh") -> str:
    """One sentence on a ranked site (why it passed) or a near miss (each check it fails)."""
    values = {"area_m2": row.area_m2, "min": rules.land_min_m2, "max": rules.land_max_m2,
              "available": row.available_share, "width": row.inscribed_width_m,
              "min_width": rules.min_width_m, "frontage": row.frontage_m,
              "min_frontage": rules.frontage_min_m, "floor": row.floor_needed_m2,
              "floor_allowed": row.floor_allowed_m2, "plaza": rules.plaza_min_m2,
              "open": row.open_land_m2, "distance": row.distance_m,
              "road": row.frontage_road or ("道路" if lang == "zh" else "a road")}
    failed = [f for f in str(row.failed).split(",") if f]
    if not failed:
        return _PASS[lang].format(**values)
    return ("；" if lang == "zh" else "; ").join(_FAIL[f][lang].format(**values) for f in failed)


_HEADLINE = {
    "qualified": {"zh": "找到 {count} 处符合条件的设施用地（{min:,.0f}–{max:,.0f} ㎡），按职工距离排序",
                  "en": "{count} qualifying facility sites ({min:,.0f}–{max:,.0f} m²), nearest to the employees first"},
    "near": {"zh": "没有符合条件的设施用地：社区内最大的可用地块为 {largest:,.0f} ㎡；以下为最接近的 {count} 处及其不符合之处",
             "en": "no site qualifies: the largest available plot in the community is {largest:,.0f} m²; the {count} nearest misses and what each fails follow"},
    "none": {"zh": "没有符合条件的设施用地：社区内没有闲置或待整理用地；以下为最接近的 {count} 处及其不符合之处",
             "en": "no site qualifies: the community has no vacant land or land to be consolidated; the {count} nearest misses and what each fails follow"},
}


def headline(result: Any, rules: Any, lang: str = "zh") -> str:
    """One line on the whole search: how many sites qualify, or why none does."""
    kind = "qualified" if result.qualified else ("near" if result.largest_available_m2 > 0
                                                 else "none")
    return _HEADLINE[kind][lang].format(count=len(result.sites), min=rules.land_min_m2,
                                        max=rules.land_max_m2,
                                        largest=result.largest_available_m2)
