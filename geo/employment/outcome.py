"""What an import of verified employment figures would do, checked before anything is stored.

Errors refuse the table whole: a code that is not a GB 32100-2015 code, an employee figure
that is not a whole number of at least 0, a code listed twice. Warnings are stored only when
the user accepts them: a code no enterprise parcel has, a code on several parcels (the figure
is shared between them by area), a figure far from the previous import's. Parcels left without
a figure keep their estimate and are listed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geo.employment.apply import newest_figures
from geo.employment.table import TableRow, table_rows
from geo.employment.uscc import uscc_problem
from geo.i18n import N_, t
from geo.rules.model import EmploymentRules

__all__ = ["FIGURE_COLUMNS", "BadCode", "ImportOutcome", "check_import", "check_table",
           "next_import_id"]

#: the columns of the stored figures, one row per code per import
FIGURE_COLUMNS = ("import_id", "uscc", "name", "employees", "period", "source", "imported_at")


@dataclass(frozen=True)
class BadCode:
    """A row whose code or figure cannot be used, and why (a message id and its values)."""

    row: int
    code: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    column: str = "uscc"

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {"row": self.row, "code": self.code, "column": self.column,
                "reason": t(self.key, lang, **self.params)}


@dataclass(frozen=True)
class ImportOutcome:
    """The checked table: what would be stored, what is wrong (errors) and what is doubtful
    (warnings)."""

    rows: int
    figures: pd.DataFrame  # uscc, name, employees, period of the rows that can be stored
    matched: int
    verified_employees: int
    unmatched_codes: list[str]
    bad_codes: list[BadCode]
    bad_figures: list[BadCode]
    duplicate_in_file: list[str]
    duplicate_in_parcels: list[str]
    parcels_without_figure: list[dict[str, str | None]]
    large_changes: list[dict[str, Any]]

    @property
    def error_count(self) -> int:
        """Things that refuse the table whatever the user accepts."""
        return (len(self.bad_codes) + len(self.bad_figures) + len(self.duplicate_in_file)
                + (self.rows == 0))

    @property
    def warning_count(self) -> int:
        """Things the user must accept for the table to be stored."""
        return len(self.unmatched_codes) + len(self.duplicate_in_parcels) + len(self.large_changes)

    @property
    def errors(self) -> bool:
        """Whether the table must be refused whatever the user accepts."""
        return self.error_count > 0

    @property
    def warnings(self) -> bool:
        """Whether the table is stored only when the user accepts the listed warnings."""
        return self.warning_count > 0

    def importable(self, *, accept_warnings: bool) -> bool:
        """No errors, and no warnings or the warnings accepted."""
        return not self.errors and (accept_warnings or not self.warnings)

    @property
    def duplicate_codes(self) -> list[str]:
        return sorted({*self.duplicate_in_file, *self.duplicate_in_parcels})

    def stored(self, *, import_id: int, source: str, imported_at: str) -> pd.DataFrame:
        """The rows an import adds to the stored figures (:data:`FIGURE_COLUMNS`)."""
        return self.figures.assign(import_id=import_id, source=source,
                                   imported_at=imported_at)[list(FIGURE_COLUMNS)]

    def lines(self, lang: str) -> list[str]:
        """What is wrong (errors) and doubtful (warnings), one line each, in ``lang``."""
        said = [t("employment_bad_code", lang, row=b.row, code=b.code,
                  reason=t(b.key, lang, **b.params)) for b in self.bad_codes]
        said += [t("employment_bad_figure", lang, row=b.row, code=b.code,
                   reason=t(b.key, lang, **b.params)) for b in self.bad_figures]
        said += [t("employment_duplicate_in_file", lang, code=c) for c in self.duplicate_in_file]
        if self.rows == 0:
            said.append(t("employment_no_rows", lang))
        said += [t("employment_unmatched", lang, code=c) for c in self.unmatched_codes]
        said += [t("employment_duplicate_in_parcels", lang, code=c)
                 for c in self.duplicate_in_parcels]
        said += [t("employment_large_change", lang, code=c["uscc"], previous=c["previous"],
                   employees=c["employees"]) for c in self.large_changes]
        return said

    def to_dict(self, lang: str, *, imported: bool) -> dict[str, Any]:
        """The JSON document of ``sijie employment import`` and of the API."""
        return {
            "rows": self.rows, "matched": self.matched,
            "verified_employees": self.verified_employees,
            "unmatched_codes": self.unmatched_codes,
            "bad_codes": [b.to_dict(lang) for b in self.bad_codes],
            "bad_figures": [b.to_dict(lang) for b in self.bad_figures],
            "duplicate_codes": self.duplicate_codes,
            "duplicate_in_file": self.duplicate_in_file,
            "duplicate_in_parcels": self.duplicate_in_parcels,
            "parcels_without_figure": self.parcels_without_figure,
            "large_changes": self.large_changes,
            "errors": self.errors, "warnings": self.warnings, "imported": imported,
        }


def _employees(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).replace(",", "").strip())
        except ValueError:
            return None
    return int(number) if number.is_integer() and number >= 0 else None


def check_table(cells: Sequence[Sequence[object]], *, parcels: pd.DataFrame | None,
                previous: pd.DataFrame | None, rules: EmploymentRules,
                source: str = "") -> ImportOutcome:
    """Read the table's rows by its headers and check them (:func:`check_import`) as the
    rules' ``[employment]`` section says.

    Raises
    ------
    InputError
        The table names no code or no employee column.
    """
    rows = table_rows(cells, columns=rules.columns, source=source)
    return check_import(rows, parcels, previous, change_warn_share=rules.change_warn_share,
                        organisation_code=rules.organisation_code_check)


def next_import_id(previous: pd.DataFrame | None) -> int:
    """The number of the next import: one more than the last stored, 1 for the first."""
    return 1 if previous is None or previous.empty else int(previous["import_id"].max()) + 1


def check_import(rows: Sequence[TableRow], parcels: pd.DataFrame | None,
                 previous: pd.DataFrame | None, *, change_warn_share: float,
                 organisation_code: bool = False) -> ImportOutcome:
    """Check the table's rows against GB 32100-2015, the parcels and the previous figures.

    Parameters
    ----------
    rows
        The data rows (:func:`geo.employment.table.table_rows`).
    parcels
        The context's parcels (``kind``, ``name``, ``uscc``); ``None`` when it has none.
    previous
        The figures stored by earlier imports (:data:`FIGURE_COLUMNS`), or ``None``.
    change_warn_share
        A figure this share above or below the code's newest stored figure is a warning.
    organisation_code
        Whether characters 9–17 must carry their own GB 11714 check character.
    """
    bad_codes, bad_figures, good = [], [], []
    for row in rows:
        problem = (N_("uscc_empty"), {}) if not row.uscc else uscc_problem(
            row.uscc, organisation_code=organisation_code)
        if problem is not None:
            bad_codes.append(BadCode(row.row, row.uscc, problem[0], problem[1]))
            continue
        employees = _employees(row.employees)
        if employees is None:
            bad_figures.append(BadCode(row.row, row.uscc, N_("employees_not_count"),
                                       {"value": str(row.employees)}, column="employees"))
            continue
        good.append({"uscc": row.uscc, "name": row.name, "employees": employees,
                     "period": row.period})
    figures = pd.DataFrame(good, columns=["uscc", "name", "employees", "period"])
    counts = Counter(r.uscc for r in rows if r.uscc)
    in_file = sorted(c for c, n in counts.items() if n > 1)
    staffed = (pd.DataFrame(columns=["kind", "name", "uscc"]) if parcels is None
               else parcels[parcels["uscc"].notna() & (parcels["uscc"].astype(str) != "")])
    codes = staffed["uscc"].astype(str)
    on_parcels = Counter(codes)
    in_parcels = sorted(c for c in set(figures["uscc"]) if on_parcels.get(c, 0) > 1)
    known = figures["uscc"].isin(on_parcels)
    enterprises = parcels[parcels["kind"] == "enterprise"] if parcels is not None else staffed
    missing = enterprises[~enterprises["uscc"].astype(str).isin(set(figures["uscc"]))]
    return ImportOutcome(
        rows=len(rows), figures=figures, matched=int(known.sum()),
        verified_employees=int(figures.loc[known, "employees"].sum()),
        unmatched_codes=sorted(set(figures.loc[~known, "uscc"])),
        bad_codes=bad_codes, bad_figures=bad_figures, duplicate_in_file=in_file,
        duplicate_in_parcels=in_parcels,
        parcels_without_figure=[{"name": None if pd.isna(n) else str(n),
                                 "uscc": None if pd.isna(u) else str(u)}
                                for n, u in zip(missing["name"], missing["uscc"], strict=True)],
        large_changes=_large_changes(figures, previous, change_warn_share))


def _large_changes(figures: pd.DataFrame, previous: pd.DataFrame | None,
                   share: float) -> list[dict[str, Any]]:
    if previous is None or previous.empty:
        return []
    before = newest_figures(previous)
    changes = []
    for code, employees in zip(figures["uscc"], figures["employees"], strict=True):
        if code not in before.index:
            continue
        old = int(before.loc[code, "employees"])
        if abs(employees - old) > share * old:
            changes.append({"uscc": code, "previous": old, "employees": int(employees)})
    return changes
