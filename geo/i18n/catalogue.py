"""Regenerate the message catalogue: ``python -m geo.i18n.catalogue update`` (or ``make messages``).

``update`` extracts the message ids used in geo/, maps/ and api/ (the mapping of ``babel.cfg``)
into ``geo/locale/sijie.pot``, merges them into each language's ``sijie.po`` (a new id gets an
empty translation to fill in, an id no longer used is dropped) and compiles every ``sijie.mo``.
``check`` says what ``update`` would change and exits 1 if anything. Babel is needed only
here (the ``test`` extra); the product reads the ``.mo`` files with the standard library.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, cast

from geo.i18n import DOMAIN, LOCALES

__all__ = ["LOCALE_DIR", "ROOT", "compiled", "po_path", "pot_path", "read", "template",
           "update"]

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "geo" / "locale"
_STAMP = datetime(2026, 1, 1, tzinfo=UTC)  # fixed, so that regenerating is idempotent
_HEADER = """\
# The messages of sijie: message ids and their {language} texts.
# Regenerate with `python -m geo.i18n.catalogue update` (make messages); edit only msgstr.
#"""


def pot_path() -> Path:
    """``geo/locale/sijie.pot``, the template of message ids."""
    return LOCALE_DIR / f"{DOMAIN}.pot"


def po_path(locale: str) -> Path:
    """The translations of ``locale`` (``zh_CN``, ``en``)."""
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def _new(locale: str | None) -> Any:
    from babel.messages.catalog import Catalog

    return Catalog(locale=locale, domain=DOMAIN, project="sijie", version="1",
                   creation_date=_STAMP, revision_date=_STAMP, fuzzy=False, charset="utf-8")


def _text(catalog: Any) -> bytes:
    """The catalogue as a .po/.pot file, the same whichever Babel version writes it."""
    from babel.messages.pofile import write_po

    catalog.project, catalog.version = "sijie", "1"
    catalog.header_comment = _HEADER.format(
        language="template" if catalog.locale is None else catalog.locale.english_name)
    buffer = BytesIO()
    # no locations: moving a call between modules does not change the catalogue
    write_po(buffer, catalog, sort_output=True, no_location=True, width=100)
    lines = buffer.getvalue().split(b"\n")
    return b"\n".join(line for line in lines if not line.startswith(b'"Generated-By:'))


def template() -> Any:
    """The catalogue template: every message id used in the code, with the files using it."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open(encoding="utf-8") as fp:
        method_map, options_map = cast(Any, parse_mapping_cfg)(fp)  # untyped in Babel
    catalog = _new(None)
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map):
        if message in catalog:
            catalog[message].locations.append((filename, None))
        else:
            catalog.add(message, locations=[(filename, None)])
    for message in catalog:
        message.locations = sorted(set(message.locations))
    return catalog


def read(locale: str) -> Any:
    """The translations of ``locale`` as a Babel catalogue."""
    from babel.messages.pofile import read_po

    with po_path(locale).open("rb") as fp:
        return read_po(fp, locale=locale, domain=DOMAIN)


def merged(locale: str, pot: Any) -> Any:
    """The translations of ``locale`` brought up to the template ``pot``."""
    catalog = read(locale) if po_path(locale).exists() else _new(locale)
    catalog.update(pot, no_fuzzy_matching=True, update_creation_date=False)
    catalog.obsolete.clear()
    catalog.revision_date = _STAMP
    catalog.fuzzy = False
    return catalog


def compiled(catalog: Any) -> bytes:
    """The ``.mo`` bytes of a catalogue."""
    from babel.messages.mofile import write_mo

    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def update(*, write: bool = True) -> list[Path]:
    """Regenerate the template, the translations and the compiled files; the paths that
    changed (or would change, with ``write=False``)."""
    pot = template()
    outputs = {pot_path(): _text(pot)}
    for locale in LOCALES.values():
        catalog = merged(locale, pot)
        outputs[po_path(locale)] = _text(catalog)
        outputs[po_path(locale).with_suffix(".mo")] = compiled(catalog)
    changed = [path for path, data in outputs.items()
               if not path.exists() or path.read_bytes() != data]
    if write:
        for path in changed:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(outputs[path])
    return changed


def main(argv: list[str]) -> int:
    """``update`` writes the catalogue; ``check`` exits 1 if it is out of date."""
    command = argv[0] if argv else "update"
    if command not in ("update", "check"):
        sys.stderr.write("usage: python -m geo.i18n.catalogue [update|check]\n")
        return 2
    changed = update(write=command == "update")
    for path in changed:
        sys.stdout.write(f"{'updated' if command == 'update' else 'out of date'}: "
                         f"{path.relative_to(ROOT)}\n")
    return 1 if changed and command == "check" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
