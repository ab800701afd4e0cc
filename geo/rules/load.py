"""Load a rule set from a TOML file that overrides any subset of the defaults."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from geo.errors import RulesError
from geo.i18n import N_, Text, t
from geo.rules.model import BUREAU, Rules

__all__ = ["BUREAU_SETTING", "RuleEntry", "iter_rules", "load_rules"]


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def load_rules(path: str | Path | None = None) -> Rules:
    """Read the rules file at ``path`` over the defaults; ``None`` gives the defaults.

    Tables of numbers (such as the facility programme) are merged key by key, so a file may
    change one room without restating the others.

    Raises
    ------
    RulesError
        The file is missing or not TOML, or a key is unknown or has a value of the wrong type;
        the message names the file and the dotted key.
    """
    if path is None:
        return Rules()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RulesError(message_key="rules_not_found", path=path) from exc
    except UnicodeDecodeError as exc:
        raise RulesError(message_key="rules_not_utf8", path=path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(message_key="rules_not_toml", params={"detail": str(exc)},
                         path=path) from exc
    merged = _deep_merge(Rules().model_dump(mode="json"), data)
    try:
        # JSON mode: TOML arrays fill tuple fields and integers fill float fields, while a
        # quoted "0.9" is still refused as a number.
        return Rules.model_validate_json(json.dumps(merged, ensure_ascii=False))
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        if first["type"] == "extra_forbidden":
            raise RulesError(message_key="rules_unknown_key", path=path, key=key) from exc
        params = {"problem": _problem(first), "got": _describe(first.get("input"))}
        raise RulesError(message_key="rules_bad_value", params=params, path=path,
                         key=key) from exc


# pydantic's error types whose words the catalogue has in both languages
_PYDANTIC_SAID = {
    "bool_parsing": N_("pyd_bool_parsing"), "bool_type": N_("pyd_bool_type"),
    "dict_type": N_("pyd_dict_type"), "float_parsing": N_("pyd_float_parsing"),
    "float_type": N_("pyd_float_type"), "greater_than": N_("pyd_greater_than"),
    "greater_than_equal": N_("pyd_greater_than_equal"), "int_from_float": N_("pyd_int_from_float"),
    "int_parsing": N_("pyd_int_parsing"), "int_type": N_("pyd_int_type"),
    "less_than": N_("pyd_less_than"), "less_than_equal": N_("pyd_less_than_equal"),
    "list_type": N_("pyd_list_type"), "string_type": N_("pyd_string_type"),
    "tuple_type": N_("pyd_tuple_type"),
}


def _problem(error: Mapping[str, Any]) -> Text | str:
    """What pydantic found wrong with a value: a catalogue text when the catalogue words it
    exactly as pydantic does, else pydantic's English words."""
    said = str(error["msg"]).lower()
    key = _PYDANTIC_SAID.get(str(error["type"]))
    if key is None:
        return said
    text = Text(key, dict(error.get("ctx") or {}))
    try:
        return text if text.message("en") == said else said
    except (KeyError, IndexError, ValueError):  # a placeholder pydantic did not fill
        return said


@dataclass(frozen=True)
class RuleEntry:
    """One effective rule as `sijie rules show` lists it: its seed ``clause``, or none when
    the default is a bureau setting (本局设定, ``bureau_setting``)."""

    key: str
    value: Any
    clause: str
    description: str
    bureau_setting: bool = False

    def source(self, lang: str = "zh") -> str:
        """The clause, or "本局设定" / "bureau setting" in the reader's language."""
        return t(BUREAU_SETTING, lang) if self.bureau_setting else self.clause


BUREAU_SETTING = N_("bureau_setting")


def iter_rules(section: BaseModel, prefix: str = "") -> Iterator[RuleEntry]:
    """Every leaf value of a rule set with its dotted key, source and description."""
    for name, field in type(section).model_fields.items():
        value = getattr(section, name)
        key = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from iter_rules(value, prefix=f"{key}.")
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        yield RuleEntry(key, value, str(extra.get("clause", "")), field.description or "",
                        bureau_setting=extra.get("source") == BUREAU)
