"""核定就业人数 (001 § 三(一)): the 区人力社保局's verified employment figures.

:func:`table_rows` reads the bureau's table by its headers, :func:`check_import` checks every
code (GB 32100-2015, :func:`uscc_problem`) and matches it to the enterprise parcels, and
:func:`apply_figures` puts the newest figures in place of the parcels' estimates. Nothing here
reads or writes files (see :mod:`geo.io.employment`). Each name is imported from its module
when first asked for: a context that only applies figures does not load the import's checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.lazy import lazy_names

if TYPE_CHECKING:
    from geo.employment.apply import apply_figures, newest_figures
    from geo.employment.outcome import (
        FIGURE_COLUMNS,
        BadCode,
        ImportOutcome,
        check_import,
        check_table,
        next_import_id,
    )
    from geo.employment.table import FIELDS, HEADERS, TableRow, table_rows
    from geo.employment.uscc import ALPHABET, check_character, uscc_problem

__all__ = ["ALPHABET", "FIELDS", "FIGURE_COLUMNS", "HEADERS", "VERIFIED", "BadCode",
           "ImportOutcome", "TableRow", "apply_figures", "check_character", "check_import",
           "check_table", "newest_figures", "next_import_id", "table_rows", "uscc_problem"]

#: the parcels' column saying whether ``employees`` is a verified figure (:func:`apply_figures`)
VERIFIED = "employees_verified"

_MODULES = {"apply_figures": "apply", "newest_figures": "apply",
            "FIGURE_COLUMNS": "outcome", "BadCode": "outcome", "ImportOutcome": "outcome",
            "check_import": "outcome", "check_table": "outcome", "next_import_id": "outcome",
            "FIELDS": "table", "HEADERS": "table", "TableRow": "table", "table_rows": "table",
            "ALPHABET": "uscc", "check_character": "uscc", "uscc_problem": "uscc"}


__getattr__ = lazy_names(__name__, _MODULES)
