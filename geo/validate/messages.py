"""What each finding says, in Chinese (the default) and English.

A finding carries a message key and its values; the text is made only when a report is shown,
in the language the user asked for.
"""

from __future__ import annotations

__all__ = ["MESSAGES", "render", "LANGS"]

LANGS = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "b1_empty": {"zh": "边界几何为空", "en": "the boundary geometry is empty"},
    "b1_not_polygon": {"zh": "边界应为面（Polygon/MultiPolygon），实为 {geom_type}",
                       "en": "the boundary must be a polygon, got a {geom_type}"},
    "b1_invalid": {"zh": "边界几何无效：{reason}（未自动修复，请在原图中修正）",
                   "en": "the boundary geometry is invalid: {reason} (not repaired; fix it in the source)"},
    "b2_disjoint_part": {"zh": "第 {part} 块（{area_m2:,.0f} 平方米）与主体不接壤，且未申报为托管",
                         "en": "part {part} ({area_m2:,.0f} m²) does not touch the main part and is not declared custodial"},
    "b2_custodial_part": {"zh": "第 {part} 块（{area_m2:,.0f} 平方米）申报为托管：{reason}",
                          "en": "part {part} ({area_m2:,.0f} m²) is declared custodial (托管): {reason}"},
    "b2_custodial_unknown": {"zh": "申报托管的第 {part} 块不存在（共 {parts} 块）",
                             "en": "custodial part {part} is declared but the boundary has {parts} part(s)"},
    "b3_edge_share": {"zh": "仅 {share:.1%} 的边界沿道路、河流、山脊或镇界（要求不低于 {limit:.0%}）",
                      "en": "only {share:.1%} of the boundary follows a road, river, ridge or the town border (at least {limit:.0%} required)"},
    "b3_loose_stretch": {"zh": "有 {length_m:,.0f} 米边界未沿任何道路、河流或山脊",
                         "en": "{length_m:,.0f} m of boundary follows no road, river or ridge"},
    "b4_irregular": {"zh": "形状不够规整：紧凑度 {polsby_popper:.2f}（下限 {pp_min:.2f}），凸包占比 {hull_ratio:.2f}（下限 {hull_min:.2f}）",
                     "en": "the shape is irregular: Polsby–Popper {polsby_popper:.2f} (min {pp_min:.2f}), convex-hull ratio {hull_ratio:.2f} (min {hull_min:.2f})"},
    "b5_gap_sliver": {"zh": "与「{neighbour}」之间留有缝隙：约 {width_m:.1f} 米宽、{length_m:,.0f} 米长（{area_m2:,.0f} 平方米）",
                      "en": "a gap sliver is left to {neighbour}: about {width_m:.1f} m wide and {length_m:,.0f} m long ({area_m2:,.0f} m²)"},
    "b5_overlap_sliver": {"zh": "越界占用「{neighbour}」狭长地块：约 {width_m:.1f} 米宽、{length_m:,.0f} 米长（{area_m2:,.0f} 平方米）",
                          "en": "an overlap sliver is taken from {neighbour}: about {width_m:.1f} m wide and {length_m:,.0f} m long ({area_m2:,.0f} m²)"},
    "b5_neighbour_disjoint": {"zh": "「{neighbour}」调整后被分割为 {parts} 块，此块 {area_m2:,.0f} 平方米",
                              "en": "{neighbour} is left in {parts} pieces; this piece is {area_m2:,.0f} m²"},
    "b5_remnant_small": {"zh": "「{neighbour}」剩余 {area_m2:,.0f} 平方米，小于 {limit:,.0f} 平方米，宜并入「{join}」",
                         "en": "{neighbour} keeps only {area_m2:,.0f} m² (under {limit:,.0f} m²); it should join {join}"},
    "b5_neighbour_invalid": {"zh": "「{neighbour}」调整后几何无效：{reason}",
                             "en": "{neighbour} becomes invalid: {reason}"},
    "b5_neighbour_absorbed": {"zh": "「{neighbour}」整体（{area_m2:,.0f} 平方米）划入本社区",
                              "en": "all of {neighbour} ({area_m2:,.0f} m²) goes into the community"},
    "b5_outside_town": {"zh": "有 {area_m2:,.0f} 平方米位于镇（街道）辖区之外",
                        "en": "{area_m2:,.0f} m² lies outside the town's jurisdiction"},
    "b6_cut_parcel": {"zh": "边界切割企业地块「{name}」：界内 {share_in:.0%}，界外 {share_out:.0%}",
                      "en": "the boundary cuts the plot of {name}: {share_in:.0%} inside, {share_out:.0%} outside"},
    "b6_cut_building": {"zh": "边界切割建筑「{name}」：界内 {share_in:.0%}，界外 {share_out:.0%}",
                        "en": "the boundary cuts the building {name}: {share_in:.0%} inside, {share_out:.0%} outside"},
    "b7_low_share": {"zh": "{kind}用地占比 {share:.0%}，低于 {limit:.0%}，产业特色不明显",
                     "en": "{kind} land is {share:.0%} of the land, under {limit:.0%}: the industrial character is weak"},
    "b8_over_max": {"zh": "就业人口 {employees:,} 人，超过上限 {limit:,} 人",
                    "en": "{employees:,} employees, more than the maximum of {limit:,}"},
    "b8_far_from_target": {"zh": "就业人口 {employees:,} 人，与适宜规模 {target:,} 人相差较大",
                           "en": "{employees:,} employees, far from the usual {target:,}"},
    "b9_bad_name": {"zh": "名称「{name}」应以「{suffix}」结尾", "en": "the name '{name}' must end in '{suffix}'"},
    "b9_unknown_type": {"zh": "社区类型「{type}」未知，应为 工业社区 或 楼宇社区",
                        "en": "the community type '{type}' is unknown: use 工业社区 (industrial) or 楼宇社区 (building)"},
    "b10_residents": {"zh": "界内有居住用地 {area_m2:,.0f} 平方米、住宅 {buildings} 栋，须参照城市社区管理",
                      "en": "{area_m2:,.0f} m² of residential land and {buildings} homes lie inside; they fall under urban-community rules"},
    "skipped_layer": {"zh": "未检查：背景数据缺少「{layer}」图层",
                      "en": "not checked: the context has no '{layer}' layer"},
}

KIND_WORDS = {"industrial": {"zh": "工业", "en": "industrial"},
              "building": {"zh": "商务办公", "en": "office and commercial"}}


def render(key: str, params: dict, lang: str = "zh") -> str:
    """The message ``key`` in ``lang`` with its values filled in."""
    values = dict(params)
    if "kind" in values and values["kind"] in KIND_WORDS:
        values["kind"] = KIND_WORDS[values["kind"]][lang]
    return MESSAGES[key][lang].format(**values)
