"""What sijie says to people, in Chinese (the default) and English: one catalogue, one lookup.

Every text a planning-bureau user reads (errors, findings, labels, map legends, command-line
help, the service's answers) is a symbolic message id looked up with :func:`t` in the gettext
catalogue ``geo/locale/<locale>/LC_MESSAGES/sijie.mo``. A value may itself be localised
(anything with a ``message(lang)`` method, such as a :class:`Text` fragment, a finding or an
error) and is then said in the same language. ``python -m geo.i18n.catalogue update``
regenerates the template, the translations and their compiled files.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from importlib.resources import files
from typing import Protocol, runtime_checkable

__all__ = ["DOMAIN", "LANGS", "LOCALES", "N_", "Lang", "Localised", "OneOf", "Text", "known",
           "lang_from_env", "lang_from_header", "t"]

DOMAIN = "sijie"


class Lang(str, Enum):  # noqa: UP042 (str() and format() stay those of a str Enum)
    """A language sijie speaks: Chinese (the default) or English."""

    zh = "zh"
    en = "en"

    @classmethod
    def of(cls, value: object) -> Lang:
        """English for ``"en"``, ``"en-GB"``, ``Lang.en`` …; Chinese for anything else."""
        code = str(getattr(value, "value", value)).strip().lower()
        return cls.en if code.startswith("en") else cls.zh

    @classmethod
    def parse(cls, value: object) -> Lang:
        """The language named exactly ``value``; a ValueError naming the choices otherwise."""
        try:
            return cls(getattr(value, "value", value))
        except ValueError:
            names = ", ".join(lang.value for lang in cls)
            raise ValueError(f"lang must be one of {names}, got {value!r}") from None


LANGS: tuple[Lang, ...] = tuple(Lang)
#: the gettext locale of each language's catalogue
LOCALES: dict[Lang, str] = {Lang.zh: "zh_CN", Lang.en: "en"}


@runtime_checkable
class Localised(Protocol):
    """A text that can be said in the reader's language."""

    def message(self, lang: str = "zh") -> str: ...


class _Missing(gettext.NullTranslations):
    """The last fallback of a catalogue: an unknown message id is a programming error."""

    def gettext(self, message: str) -> str:
        raise KeyError(message)


@cache
def _catalogue(lang: Lang) -> gettext.NullTranslations:
    mo = files("geo") / "locale" / LOCALES[lang] / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with mo.open("rb") as fp:
        translations = gettext.GNUTranslations(fp)
    translations.add_fallback(_Missing())
    return translations


def t(key: str, lang: Lang | str = Lang.zh, /, **values: object) -> str:
    """The message ``key`` in ``lang`` with its ``{placeholders}`` filled from ``values``.

    A value with a ``message(lang)`` method is said in ``lang`` first. An unknown key raises
    KeyError.
    """
    code = Lang.of(lang)
    text = _catalogue(code).gettext(key)
    if not values:
        return text
    said = {name: value.message(code.value) if isinstance(value, Localised) else value
            for name, value in values.items()}
    return text.format_map(said)


def known(key: str) -> bool:
    """Whether the catalogue has the message ``key``."""
    try:
        _catalogue(Lang.zh).gettext(key)
    except KeyError:
        return False
    return True


def N_(key: str) -> str:
    """Mark ``key`` as a message id said elsewhere (a key chosen at run time); returns it."""
    return key


@dataclass(frozen=True)
class Text:
    """A localised fragment of a message: a message id and its values."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class OneOf:
    """Alternatives joined as the reader says them: ``a or b`` / ``a 或 b``."""

    items: Sequence[str]

    def message(self, lang: str = "zh") -> str:
        return t("or_join", lang).join(self.items)


def _from_locale(value: str) -> Lang:
    """The language of a POSIX locale name such as ``en_US.UTF-8``; ``C``, ``POSIX``, … are
    Chinese."""
    return Lang.en if value.strip().lower().startswith("en") else Lang.zh


def lang_from_env(environ: Mapping[str, str]) -> Lang:
    """The language the environment asks for: ``LC_ALL``, else ``LANG``; Chinese when neither
    is set (or for ``C``/``POSIX``)."""
    for name in ("LC_ALL", "LANG"):
        value = environ.get(name, "")
        if value:
            return _from_locale(value)
    return Lang.zh


def lang_from_header(accept_language: str | None) -> Lang:
    """The language an HTTP ``Accept-Language`` header asks for: English only if it comes
    first."""
    if not accept_language:
        return Lang.zh
    return Lang.of(accept_language.split(",")[0])
