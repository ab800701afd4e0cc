"""Labels the command line and the service show people, in Chinese (default) and English.

Identifiers stay English; what a planning-bureau user reads is looked up here by key.
"""

from __future__ import annotations

from geo.i18n import Lang, lang_from_header

__all__ = ["Lang", "label", "landuse_label", "lang_from_header"]


_LABELS: dict[str, dict[Lang, str]] = {
    "layer": {Lang.zh: "图层", Lang.en: "layer"},
    "geometry": {Lang.zh: "几何类型", Lang.en: "geometry"},
    "features": {Lang.zh: "要素数", Lang.en: "features"},
    "crs": {Lang.zh: "坐标系", Lang.en: "CRS"},
    "bounds": {Lang.zh: "范围", Lang.en: "bounds"},
    "encoding": {Lang.zh: "编码", Lang.en: "encoding"},
    "key": {Lang.zh: "规则项", Lang.en: "key"},
    "value": {Lang.zh: "取值", Lang.en: "value"},
    "clause": {Lang.zh: "依据条款", Lang.en: "clause"},
    "meaning": {Lang.zh: "含义", Lang.en: "meaning"},
    "rules_title": {Lang.zh: "生效规则（{version}）", Lang.en: "Effective rules ({version})"},
    "info_title": {Lang.zh: "{path} 的图层", Lang.en: "Layers of {path}"},
    "none": {Lang.zh: "无", Lang.en: "none"},
    "demo_written": {Lang.zh: "示范镇已写入 {out}：", Lang.en: "Demo town written to {out}:"},
    "error": {Lang.zh: "错误", Lang.en: "error"},
    "warning": {Lang.zh: "警告", Lang.en: "warning"},
    "info": {Lang.zh: "提示", Lang.en: "note"},
    "verdict_ok": {Lang.zh: "通过（无错误）", Lang.en: "passes (no errors)"},
    "verdict_errors": {Lang.zh: "未通过（有错误）", Lang.en: "fails (has errors)"},
    "metrics": {Lang.zh: "指标", Lang.en: "Metrics"},
    "findings": {Lang.zh: "检查发现", Lang.en: "Findings"},
    "neighbours": {Lang.zh: "周边村（社区）边界调整", Lang.en: "Neighbours' adjustment"},
    "rule": {Lang.zh: "规则", Lang.en: "rule"},
    "severity": {Lang.zh: "等级", Lang.en: "severity"},
    "message": {Lang.zh: "说明", Lang.en: "message"},
    "name": {Lang.zh: "名称", Lang.en: "name"},
    "area_given": {Lang.zh: "划出面积（㎡）", Lang.en: "area given (m²)"},
    "area_left": {Lang.zh: "剩余面积（㎡）", Lang.en: "area left (m²)"},
    "area_after": {Lang.zh: "调整后面积（㎡）", Lang.en: "area after (m²)"},
    "valid": {Lang.zh: "几何有效", Lang.en: "valid"},
    "contiguous": {Lang.zh: "连片", Lang.en: "contiguous"},
    "yes": {Lang.zh: "是", Lang.en: "yes"},
    "no": {Lang.zh: "否", Lang.en: "no"},
    "metric_area_m2": {Lang.zh: "面积（㎡）", Lang.en: "area (m²)"},
    "metric_perimeter_m": {Lang.zh: "周长（m）", Lang.en: "perimeter (m)"},
    "metric_edge_share": {Lang.zh: "边界沿路沿河比例", Lang.en: "edge share on roads/rivers"},
    "metric_polsby_popper": {Lang.zh: "紧凑度（Polsby–Popper）", Lang.en: "Polsby–Popper"},
    "metric_hull_ratio": {Lang.zh: "凸包占比", Lang.en: "convex-hull ratio"},
    "metric_industrial_share": {Lang.zh: "产业用地占比", Lang.en: "industrial land share"},
    "metric_employees": {Lang.zh: "就业人口", Lang.en: "employees"},
    "metric_enterprises": {Lang.zh: "企业数", Lang.en: "enterprises"},
    "adjust_written": {Lang.zh: "调整结果已写入 {path}：社区 {area:,.1f} ㎡，周边划出合计 {given:,.1f} ㎡（差 {diff:.3f} ㎡）",
                       Lang.en: "Adjustment written to {path}: community {area:,.1f} m², given up by the neighbours {given:,.1f} m² (difference {diff:.3f} m²)"},
    "grids_title": {Lang.zh: "{name}：{count} 个网格，{micro} 个微网格",
                    Lang.en: "{name}: {count} grids, {micro} micro-grids"},
    "grid_code": {Lang.zh: "网格编码", Lang.en: "grid code"},
    "grid_area": {Lang.zh: "面积（km²）", Lang.en: "area (km²)"},
    "compactness": {Lang.zh: "紧凑度", Lang.en: "PP"},
    "capacity_use": {Lang.zh: "容量占用", Lang.en: "capacity used"},
    "grids_written": {Lang.zh: "网格已写入 {path}（图层 grids、microgrids）",
                      Lang.en: "Grids written to {path} (layers grids, microgrids)"},
    "report_written": {Lang.zh: "报告已写入 {path}", Lang.en: "Report written to {path}"},
    "rank": {Lang.zh: "排名", Lang.en: "rank"},
    "site_area": {Lang.zh: "用地面积（㎡）", Lang.en: "area (m²)"},
    "frontage": {Lang.zh: "临路（m）", Lang.en: "frontage (m)"},
    "road": {Lang.zh: "道路", Lang.en: "road"},
    "landuse": {Lang.zh: "用地", Lang.en: "land use"},
    **{f"lu_{key}": {Lang.zh: zh, Lang.en: key.replace("_", " ")} for key, zh in (
        ("vacant", "闲置地"), ("to_consolidate", "待整理地"), ("public", "公共用地"),
        ("industrial", "工业用地"), ("office", "商务办公用地"), ("commercial", "商业用地"),
        ("residential", "居住用地"), ("green", "绿地"), ("farmland_protected", "永久基本农田"),
        ("ecological_redline", "生态保护红线"), ("road", "道路"), ("water", "水域"),
        ("enterprise", "企业用地"), ("park", "园区"))},
    "distance": {Lang.zh: "职工加权距离（m）", Lang.en: "employee distance (m)"},
    "reason": {Lang.zh: "理由", Lang.en: "why"},
    "fails": {Lang.zh: "不符合之处", Lang.en: "fails"},
    "sites_written": {Lang.zh: "候选用地已写入 {path}（图层 sites）",
                      Lang.en: "Candidate sites written to {path} (layer sites)"},
    "profile_title": {Lang.zh: "{name}：社区概况（{year} 年）", Lang.en: "{name}: community profile ({year})"},
    "table_written": {Lang.zh: "信息表已写入 {path}", Lang.en: "Information table written to {path}"},
    "format_must_be": {Lang.zh: "--format 应为 {allowed} 之一，实为 “{got}”",
                       Lang.en: "--format must be one of {allowed}, got '{got}'"},
    "xlsx_needs_output": {Lang.zh: "--format xlsx 需要 -o 指定 .xlsx 文件",
                          Lang.en: "--format xlsx needs -o with an .xlsx path"},
    "package_written": {Lang.zh: "申报材料已写入 {path}：", Lang.en: "Application package written to {path}:"},
}


def label(key: str, lang: Lang = Lang.zh, **values: object) -> str:
    """The label ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    return _LABELS[key][lang].format(**values)


def landuse_label(name: str, lang: Lang = Lang.zh) -> str:
    """A land-use class (or parcel kind) as the reader calls it; unknown classes as given."""
    entry = _LABELS.get(f"lu_{name}")
    return entry[lang] if entry else name

