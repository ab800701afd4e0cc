"""JSON from untrusted clients and files, checked before and while it becomes Python objects.

The nesting depth is measured on the bytes (strings blanked out first) before the parser
sees them, so a body nested 10⁵ deep never reaches a recursive parser; numbers must be
finite (``NaN``, ``Infinity`` and ``1e400`` are refused) and integers short; every string
(and key) must be free of NUL and of lone UTF-16 surrogates, which no store can hold.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from geo.i18n import N_

__all__ = ["JSONRefused", "check_text", "json_depth", "load_json"]

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_OPEN = np.frombuffer(b"[{", np.uint8)
_CLOSE = np.frombuffer(b"]}", np.uint8)
_MAX_INT_DIGITS = 30


class JSONRefused(ValueError):
    """JSON that is not accepted: ``key`` is the catalogue message saying why, ``values``
    fill it."""

    def __init__(self, key: str, **values: Any) -> None:
        self.key = key
        self.values: dict[str, Any] = values
        super().__init__(f"{key} {values}")


def json_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in the JSON text ``data``."""
    blanked = np.frombuffer(_STRING.sub(b'""', data), np.uint8)
    step = np.isin(blanked, _OPEN).astype(np.int32) - np.isin(blanked, _CLOSE).astype(np.int32)
    return int(np.cumsum(step).max(initial=0))


def _refuse_constant(name: str) -> Any:
    raise JSONRefused(N_("json_number_refused"), number=name)


def _finite(text: str) -> float:
    value = float(text)
    if not np.isfinite(value):
        raise JSONRefused(N_("json_number_refused"), number=text[:40])
    return value


def _short_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise JSONRefused(N_("json_number_refused"), number=text[:40] + "…")
    return int(text)


def check_text(value: str, where: str = "") -> None:
    """Refuse a string holding NUL or a lone surrogate (``\\ud800``)."""
    if "\x00" in value:
        raise JSONRefused(N_("text_nul"), where=where)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JSONRefused(N_("text_surrogate"), where=where) from exc


def _check_strings(doc: Any) -> None:
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            check_text(value, where)
        elif isinstance(value, dict):
            for key, item in value.items():
                check_text(key, where)
                stack.append((item, f"{where}.{key}" if where else key))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(value))


def load_json(data: bytes, *, max_depth: int) -> Any:
    """The JSON document ``data`` (UTF-8, a byte-order mark allowed) as Python objects.

    Raises
    ------
    JSONRefused
        Nested deeper than ``max_depth``, a number that is not finite or too long, a string
        with NUL or a lone surrogate.
    ValueError
        Not JSON (``json.JSONDecodeError``) or not UTF-8 (``UnicodeDecodeError``).
    """
    depth = json_depth(data)
    if depth > max_depth:
        raise JSONRefused(N_("json_too_deep"), depth=depth, limit=max_depth)
    doc = json.loads(data.decode("utf-8-sig"), parse_constant=_refuse_constant,
                     parse_float=_finite, parse_int=_short_int)
    _check_strings(doc)
    return doc
