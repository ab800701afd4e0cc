"""Named choices (base map, map kind) parsed from what a user typed, refused with the list."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

__all__ = ["parse_choice"]

E = TypeVar("E", bound=Enum)


def parse_choice(choices: type[E], value: E | str, error: type[Exception], option: str) -> E:
    """The member of ``choices`` named ``value``; ``error`` naming ``option`` and every choice
    otherwise."""
    try:
        return choices(value)
    except ValueError:
        names = ", ".join(str(c.value) for c in choices)
        raise error(f"{option} must be one of {names}, got {value!r}") from None
