"""Named choices (base map, map kind) parsed from what a user typed, refused with the list."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Self

__all__ = ["Choice"]


class Choice(StrEnum):
    """A set of named choices; a subclass names the error it raises and the option it is for::

        class Basemap(Choice, error=BasemapError, option="basemap"): ...
    """

    _error: ClassVar[type[Exception]]
    _option: ClassVar[str]

    def __init_subclass__(cls, *, error: type[Exception], option: str) -> None:
        super().__init_subclass__()
        cls._error = error
        cls._option = option

    @classmethod
    def parse(cls, value: Self | str) -> Self:
        """The member named ``value``; the subclass's error naming its option and every choice
        otherwise."""
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(str(c.value) for c in cls)
            raise cls._error(f"{cls._option} must be one of {names}, got {value!r}") from None
