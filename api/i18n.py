"""Labels the command line and the service show people, in Chinese (default) and English.

Identifiers stay English; what a planning-bureau user reads is looked up here by key.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["Lang", "label", "lang_from_header"]


class Lang(str, Enum):
    zh = "zh"
    en = "en"


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
}


def label(key: str, lang: Lang = Lang.zh, **values: object) -> str:
    """The label ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    return _LABELS[key][lang].format(**values)


def lang_from_header(accept_language: str | None) -> Lang:
    """The language an HTTP ``Accept-Language`` header asks for: English only if it comes first."""
    if not accept_language:
        return Lang.zh
    first = accept_language.split(",")[0].strip().lower()
    return Lang.en if first.startswith("en") else Lang.zh
