"""Find the message ids a Python module uses: the Babel extraction method of sijie.

A message id is used where it is

- the first argument of ``t``, ``N_``, ``Text`` or ``refuse`` (``t("crs_missing", lang)``);
- the second argument of ``Problem`` (``Problem(404, "town_not_found", id=3)``);
- the ``message_key=`` or ``refused=`` argument of a call (the key of a typed error);
- the ``key=`` argument, or the fourth positional argument, of ``Finding(...)``;

and a string there may be either branch of a conditional (``t("yes" if ok else "no")``).

Babel calls :func:`extract_sijie` through the ``babel.extractors`` entry point ``sijie``
(``babel.cfg``); the catalogue tests call :func:`message_ids` directly.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["LOOKUPS", "extract_sijie", "message_ids", "used_ids"]

#: calls with a message id as a positional argument, and its position
LOOKUPS = {"t": 0, "N_": 0, "Text": 0, "refuse": 0, "Problem": 1, "Finding": 3}
_KEY_ARGUMENTS = frozenset({"message_key", "refused"})


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _strings(node: ast.expr) -> Iterator[str]:
    """The string constant ``node``, or both branches of ``"a" if … else "b"``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)


def _ids_of_call(call: ast.Call) -> Iterator[str]:
    name = _name(call.func)
    position = LOOKUPS.get(name or "")
    if position is not None and len(call.args) > position:
        yield from _strings(call.args[position])
    for keyword in call.keywords:
        if keyword.arg in _KEY_ARGUMENTS or (name == "Finding" and keyword.arg == "key"):
            yield from _strings(keyword.value)


def message_ids(source: str) -> Iterator[tuple[int, str]]:
    """The message ids used in the Python ``source``, each with its line number."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            for key in _ids_of_call(node):
                yield node.lineno, key


def used_ids(*roots: Path) -> dict[str, set[str]]:
    """Every message id used in the ``.py`` files under ``roots``, with the files using it."""
    found: dict[str, set[str]] = {}
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            for _, key in message_ids(path.read_text(encoding="utf-8")):
                found.setdefault(key, set()).add(path.as_posix())
    return found


def extract_sijie(fileobj: IO[bytes], keywords: object, comment_tags: object,
                  options: object) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """The Babel extraction method: ``(lineno, funcname, message, comments)`` per id."""
    source = fileobj.read().decode("utf-8")
    for lineno, key in sorted(message_ids(source)):
        yield lineno, None, key, []
