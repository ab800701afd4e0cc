"""What the maps say to people, in Chinese (default) and English, looked up by key."""

from __future__ import annotations

__all__ = ["t", "LANGS", "check_lang", "number", "area", "percent", "measure_text"]

LANGS = ("zh", "en")

_LABELS: dict[str, tuple[str, str]] = {
    # layers
    "layer_proposal": ("申报边界", "proposed boundary"),
    "layer_community": ("社区边界", "community boundary"),
    "layer_neighbours": ("周边村（社区）", "neighbouring villages/communities"),
    "layer_roads": ("道路", "roads"),
    "layer_water": ("河流水系", "rivers and water"),
    "layer_terrain": ("山脊山脚", "ridges and mountain feet"),
    "layer_findings": ("检查发现", "findings"),
    "layer_before": ("调整前边界", "boundaries before"),
    "layer_after": ("调整后边界", "boundaries after"),
    "layer_given": ("划出部分", "land given up"),
    "layer_grids": ("网格", "grids"),
    "layer_microgrids": ("微网格（放大显示）", "micro-grids (zoom in)"),
    "layer_sites": ("候选设施用地", "candidate facility sites"),
    "layer_centre": ("党群服务中心选址", "service-centre site"),
    # map titles
    "title_validation": ("边界校核图", "Boundary check"),
    "title_adjustment": ("周边村（社区）边界调整图", "Neighbours' boundary adjustment"),
    "title_grid": ("网格划分图", "Grids and micro-grids"),
    "title_facility": ("设施用地选址图", "Facility land"),
    "title_public": ("网格与服务中心", "Grids and service centre"),
    "legend": ("图例", "Legend"),
    "legend_context": ("背景", "Context"),
    "legend_finding": ("检查发现：{severity}", "findings: {severity}"),
    "legend_result": ("结果", "Result"),
    "fullscreen": ("全屏显示", "Full screen"),
    "fullscreen_exit": ("退出全屏", "Exit full screen"),
    # severities and verdicts
    "error": ("错误", "error"),
    "warning": ("警告", "warning"),
    "info": ("提示", "note"),
    "verdict_ok": ("通过（无错误）", "passes (no errors)"),
    "verdict_errors": ("未通过：{errors} 项错误，{warnings} 项警告",
                       "fails: {errors} errors, {warnings} warnings"),
    "findings_count": ("共 {count} 项检查发现（点击查看位置）", "{count} findings (click to locate)"),
    "no_location": ("（无位置）", "(no location)"),
    # popup rows
    "rule": ("规则", "rule"),
    "severity": ("等级", "severity"),
    "clause": ("依据条款", "clause"),
    "message": ("说明", "message"),
    "measure": ("测量值", "measured"),
    "name": ("名称", "name"),
    "code": ("编码", "code"),
    "kind": ("类型", "kind"),
    "area_before": ("调整前面积（㎡）", "area before (m²)"),
    "area_after": ("调整后面积（㎡）", "area after (m²)"),
    "area_given": ("划出面积（㎡）", "area given (m²)"),
    "valid": ("几何有效", "valid"),
    "contiguous": ("连片", "contiguous"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "employees": ("就业人口", "employees"),
    "enterprises": ("企业数", "enterprises"),
    "area_km2": ("面积（km²）", "area (km²)"),
    "area_m2": ("面积（㎡）", "area (m²)"),
    "compactness": ("紧凑度", "Polsby–Popper"),
    "capacity_use": ("容量占用", "capacity used"),
    "oversize": ("超出容量（可继续细分）", "over capacity (may be subdivided)"),
    "grid": ("所属网格", "grid"),
    "rank": ("排名", "rank"),
    "frontage": ("临路长度（m）", "road frontage (m)"),
    "frontage_road": ("临路道路", "fronting road"),
    "floor_fit": ("建筑面积：需要 / 可建（㎡）", "floor area: needed / allowed (m²)"),
    "distance": ("职工平均距离（m）", "mean employee distance (m)"),
    "failed": ("不符合", "fails"),
    "site_rank": ("第 {rank} 名", "No. {rank}"),
    "near_miss": ("最接近的备选 {rank}", "near miss {rank}"),
    "given_by": ("{name} 划出", "given by {name}"),
    # legends
    "legend_employees": ("网格就业人口", "employees per grid"),
    "legend_capacity": ("网格容量占用（个）", "grid capacity used (count)"),
    "capacity_low": ("60% 以下", "under 60%"),
    "capacity_mid": ("60%–90%", "60%–90%"),
    "capacity_high": ("90%–100%", "90%–100%"),
    "capacity_over": ("超过 100%（红色虚线）", "over 100% (red dashes)"),
    "count_suffix": ("{label}：{count}", "{label}: {count}"),
    "legend_rank1": ("推荐选址（第 1 名）", "recommended site (No. 1)"),
    "legend_ranked": ("其他合格用地", "other qualifying sites"),
    "legend_miss": ("不合格的最接近备选", "near misses (do not qualify)"),
    "legend_centre": ("党群服务中心（选址）", "service centre (site)"),
    "centre_label": ("党群服务中心", "Service centre"),
    "grid_count": ("{count} 个网格", "{count} grids"),
    # measures in findings (their keys in geo.validate)
    "mk_length_m": ("长度（m）", "length (m)"),
    "mk_loose_m": ("未沿路长度（m）", "length following nothing (m)"),
    "mk_area_m2": ("面积（㎡）", "area (m²)"),
    "mk_width_m": ("宽度（m）", "width (m)"),
    "mk_share": ("占比", "share"),
    "mk_edge_share": ("沿路沿河比例", "edge share"),
    "mk_share_inside": ("界内占比", "share inside"),
    "mk_share_outside": ("界外占比", "share outside"),
    "mk_limit": ("限值", "limit"),
    "mk_target": ("宜为", "target"),
    "mk_employees": ("就业人口", "employees"),
    "mk_buildings": ("建筑数", "buildings"),
    "mk_part": ("块号", "part"),
    "mk_polsby_popper": ("紧凑度", "Polsby–Popper"),
    "mk_polsby_popper_min": ("紧凑度下限", "Polsby–Popper min"),
    "mk_hull_ratio": ("凸包占比", "convex-hull ratio"),
    "mk_hull_ratio_min": ("凸包占比下限", "convex-hull ratio min"),
    "mk_snap_tolerance_m": ("容差（m）", "tolerance (m)"),
}


def check_lang(lang: str) -> str:
    """``lang`` if sijie speaks it; a ValueError naming the choices otherwise."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def t(key: str, lang: str = "zh", **values: object) -> str:
    """The label ``key`` in ``lang`` with its ``{placeholders}`` filled."""
    text = _LABELS[key][LANGS.index(lang)]
    return text.format(**values) if values else text


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
        name = t(f"mk_{key}", lang) if f"mk_{key}" in _LABELS else key
        digits = 1 if abs(value) >= 10 else 3  # metres to 0.1 m; shares and ratios to 0.001
        shown = (f"{value:,.{digits}f}".rstrip("0").rstrip(".") if isinstance(value, float)
                 else str(value))
        parts.append(f"{name} {shown}")
    return ("；" if lang == "zh" else "; ").join(parts)
