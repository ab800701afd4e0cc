"""The typed errors of sijie's spatial core.

Every error carries a user-safe message that names where the problem is (file, layer, row,
field or rules key) and what is wrong. The command line turns them into exit code 2 with the
message on stderr; the API turns them into RFC 9457 problem+json.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "SijieError",
    "InputError",
    "CRSError",
    "MissingCRSError",
    "ProjectionError",
    "RulesError",
]


class SijieError(Exception):
    """Base of every error sijie raises on purpose; ``str(err)`` is safe to show a user."""


class InputError(SijieError, ValueError):
    """An input file, layer, row or field could not be used.

    Parameters
    ----------
    reason
        What is wrong, in plain words.
    path, layer, row, field
        Where it is wrong; each is named in the message when given. ``row`` counts from 1
        as a GIS user sees it in an attribute table.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str | Path | None = None,
        layer: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = reason
        self.path = str(path) if path is not None else None
        self.layer = layer
        self.row = row
        self.field = field
        super().__init__(self._format())

    @property
    def location(self) -> str:
        """Where the problem is, e.g. ``context.gpkg, layer 'roads', row 12, field 'width_m'``."""
        parts = []
        if self.path is not None:
            parts.append(self.path)
        if self.layer is not None:
            parts.append(f"layer '{self.layer}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def _format(self) -> str:
        where = self.location
        return f"{where}: {self.reason}" if where else self.reason


class CRSError(InputError):
    """The coordinate reference system of an input is wrong, unknown or implausible."""


class MissingCRSError(CRSError):
    """An input has no CRS and the user did not name one."""


class ProjectionError(SijieError, ValueError):
    """A function that measures in metres was given geographic coordinates."""


class RulesError(SijieError, ValueError):
    """A rules file is unreadable, has an unknown key or a value of the wrong type."""

    def __init__(self, reason: str, *, path: str | Path | None = None, key: str | None = None):
        self.reason = reason
        self.path = str(path) if path is not None else None
        self.key = key
        where = ", ".join(
            p for p in (self.path, f"key '{key}'" if key is not None else None) if p
        )
        super().__init__(f"{where}: {reason}" if where else reason)
