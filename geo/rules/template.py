"""A commented TOML template of every setting of a rule set (`sijie rules init`).

Each value is written as the rule set holds it, under a comment saying what it means and where
it comes from (the seed clause, or 本局设定 / bureau setting), so the file loads back to the
same rules and a bureau edits only what it wants to change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from geo.i18n import t
from geo.rules.load import BUREAU_SETTING
from geo.rules.model import BUREAU, Rules

__all__ = ["rules_template"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def _value(value: Any) -> str:
    """``value`` as a TOML value (inline tables and arrays for mappings and sequences)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, dict):
        items = ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items())
        return "{" + (f" {items} " if items else "") + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _comment(text: str) -> Iterator[str]:
    for line in text.splitlines() or [""]:
        yield f"# {line}".rstrip()


def _section(section: BaseModel, path: str, lang: str) -> Iterator[str]:
    fields = type(section).model_fields
    nested: list[tuple[str, BaseModel]] = []
    lines: list[str] = []
    for name, field in fields.items():
        value = getattr(section, name)
        if isinstance(value, BaseModel):
            nested.append((name, value))
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        source = (t(BUREAU_SETTING, lang) if extra.get("source") == BUREAU
                  else str(extra.get("clause", "")))
        lines.append("")
        lines.extend(_comment(f"{field.description or name} [{source}]"))
        if value is None:  # TOML has no null: the key stays unset, shown as an example
            lines.append(f'# {name} = "EPSG:4549"')
        else:
            lines.append(f"{name} = {_value(value)}")
    if path and lines:
        yield ""
        yield f"[{path}]"
        doc = (type(section).__doc__ or "").strip().split("\n\n")[0]
        if doc:
            yield from _comment(" ".join(line.strip() for line in doc.splitlines()))
    yield from lines
    for name, value in nested:
        yield from _section(value, f"{path}.{name}" if path else name, lang)


def rules_template(rules: Rules | None = None, lang: str = "zh") -> str:
    """Every setting of ``rules`` (default: the defaults) as a commented TOML document."""
    rules = rules or Rules()
    header = [f"# {t('rules_template_title', lang)}",
              f"# {t('rules_template_hint', lang)}"]
    return "\n".join([*header, *_section(rules, "", lang)]) + "\n"
