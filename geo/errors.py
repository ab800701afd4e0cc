"""The typed errors of sijie's spatial core.

Every error carries a user-safe message that names where the problem is (file, layer, row,
field or rules key) and what is wrong. ``str(err)`` is the English text; ``err.message(lang)``
is the same message in the reader's language (Chinese by default), made from the message
key and values the error was raised with (see :mod:`geo.i18n`). The command line
turns them into exit code 2 with the message on stderr; the API turns them into RFC 9457
problem+json.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypedDict

from geo.i18n import Lang, t

__all__ = [
    "CRSError",
    "InputError",
    "InputErrorOptions",
    "MissingCRSError",
    "ProjectionError",
    "RulesError",
    "SijieError",
]

class SijieError(Exception):
    """Base of every error sijie raises on purpose; ``str(err)`` is safe to show a user.

    Parameters
    ----------
    reason
        What is wrong, in plain English words; made from the key's English text if omitted.
    message_key, params
        The message id of the reason in the catalogue (:func:`geo.i18n.t`) and the values of its
        placeholders; without a key, :meth:`message` falls back to ``reason``.
    """

    def __init__(
        self,
        reason: str | None = None,
        *,
        message_key: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        if reason is None and message_key is None:
            raise TypeError("an error needs a reason or a message key")
        self.message_key = message_key
        self.params: dict[str, object] = dict(params or {})
        self.reason = reason if reason is not None else self.reason_in("en")
        super().__init__(self._joined(self._where("en"), self.reason, "en"))

    def _where(self, lang: str) -> list[str]:
        """The parts of the location, in ``lang``; none for an error without one."""
        return []

    @staticmethod
    def _joined(parts: list[str], reason: str, lang: str) -> str:
        where = t("where_sep", lang).join(parts)
        return t("error_at", lang, where=where, reason=reason) if where else reason

    def reason_in(self, lang: str = "zh") -> str:
        """The reason alone in ``lang``; the English reason when the error has no key."""
        if self.message_key is None:
            return self.reason  # an error raised with English words only
        return t(self.message_key, lang, **self.params)

    def message(self, lang: str = "zh") -> str:
        """The whole message in ``lang`` (``"zh"`` or ``"en"``): location, then reason."""
        code = Lang.of(lang).value
        return self._joined(self._where(code), self.reason_in(code), code)


class InputError(SijieError, ValueError):
    """An input file, layer, row or field could not be used.

    Parameters
    ----------
    reason
        What is wrong, in plain English words (or made from ``message_key``).
    message_key, params
        The reason's key in the message catalogue and its values (see :class:`SijieError`).
    path, layer, row, field
        Where it is wrong; each is named in the message when given. ``row`` counts from 1
        as a GIS user sees it in an attribute table.
    """

    def __init__(
        self,
        reason: str | None = None,
        *,
        message_key: str | None = None,
        params: Mapping[str, object] | None = None,
        path: str | Path | None = None,
        layer: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.layer = layer
        self.row = row
        self.field = field
        super().__init__(reason, message_key=message_key, params=params)

    @property
    def location(self) -> str:
        """Where the problem is, e.g. ``context.gpkg, layer 'roads', row 12, field 'width_m'``."""
        return ", ".join(self._where("en"))

    def _where(self, lang: str) -> list[str]:
        parts = [] if self.path is None else [self.path]
        if self.layer is not None:
            parts.append(t("where_layer", lang, layer=self.layer))
        if self.row is not None:
            parts.append(t("where_row", lang, row=self.row))
        if self.field is not None:
            parts.append(t("where_field", lang, field=self.field))
        return parts


class InputErrorOptions(TypedDict, total=False):
    """The keyword options of :class:`InputError`, so that a subclass adding options of its own
    passes these on with ``**options: Unpack[InputErrorOptions]`` instead of repeating them."""

    message_key: str | None
    params: Mapping[str, object] | None
    path: str | Path | None
    layer: str | None
    row: int | None
    field: str | None


class CRSError(InputError):
    """The coordinate reference system of an input is wrong, unknown or implausible."""


class MissingCRSError(CRSError):
    """An input has no CRS and the user did not name one."""


class ProjectionError(SijieError, ValueError):
    """A function that measures in metres was given geographic coordinates."""


class RulesError(SijieError, ValueError):
    """A rules file is unreadable, has an unknown key or a value of the wrong type.

    ``key`` is the dotted rules key (``boundary.snap_tolerance_m``), not the message key.
    """

    def __init__(
        self,
        reason: str | None = None,
        *,
        path: str | Path | None = None,
        key: str | None = None,
        message_key: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.key = key
        super().__init__(reason, message_key=message_key, params=params)

    def _where(self, lang: str) -> list[str]:
        parts = [self.path] if self.path else []
        if self.key is not None:
            parts.append(t("where_rules_key", lang, key=self.key))
        return parts
