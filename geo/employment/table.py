"""The 人力社保局's employment table: which column is which, and its rows as sijie reads them.

The table comes as cells (see :func:`geo.io.employment.read_table`); its header row is the
first of the top rows that names a code column and an employee column, in Chinese or English
(``统一社会信用代码`` / ``uscc``, ``单位名称`` / ``name``, ``核定就业人数`` or ``参保人数`` /
``employees``, ``统计期`` / ``period``) or as the rules' ``[employment.columns]`` name them.
Rows above it (a title) and repeats of it (a header merged over two rows) are not data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from geo.errors import InputError

__all__ = ["FIELDS", "HEADERS", "TableRow", "table_rows"]

FIELDS = ("uscc", "name", "employees", "period")
REQUIRED = ("uscc", "employees")
#: the headers each field is known by (compared without spaces, case or a unit in brackets)
HEADERS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "uscc", "creditcode",
             "unifiedsocialcreditcode"),
    "name": ("单位名称", "企业名称", "名称", "name", "company", "enterprise"),
    "employees": ("核定就业人数", "参保人数", "就业人数", "employees", "insured",
                  "verifiedemployees"),
    "period": ("统计期", "统计期间", "所属期", "period"),
}
_HEADER_ROWS = 10  # a header lower than this is not looked for
_UNIT = re.compile(r"[\uff08(][^\uff09)]*[\uff09)]$")  # a unit in brackets, e.g. (人)


@dataclass(frozen=True)
class TableRow:
    """One data row: its number as the spreadsheet shows it and its values as read."""

    row: int
    uscc: str
    name: str | None
    employees: object
    period: str | None


def _norm(text: object) -> str:
    flat = re.sub(r"[\s_\-]", "", str(text or "")).lower()
    return _UNIT.sub("", flat)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code or period Excel stored as a number
    text = str(value).strip()
    return text or None


def _header(cells: Sequence[object], columns: Mapping[str, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    names = [_norm(c) for c in cells]
    for field in FIELDS:
        wanted = ({_norm(columns[field])} if field in columns
                  else {_norm(h) for h in HEADERS[field]})
        for i, name in enumerate(names):
            if name and name in wanted:
                found[field] = i
                break
    return found


def table_rows(cells: Sequence[Sequence[object]], *, columns: Mapping[str, str] | None = None,
               source: str = "") -> list[TableRow]:
    """The data rows of a table given as rows of cells (row 1 first).

    Parameters
    ----------
    cells
        Every row of the table, as read; merged cells hold their value in every cell.
    columns
        sijie's field name → the header the table uses for it, for headers sijie does not know.
    source
        The file, named in error messages.

    Raises
    ------
    InputError
        No row among the first ten names the code and employee columns.
    """
    columns = dict(columns or {})
    best: dict[str, int] = {}
    for index, row in enumerate(cells[:_HEADER_ROWS]):
        found = _header(row, columns)
        if all(f in found for f in REQUIRED):
            best, start = found, index
            break
        if len(found) > len(best):
            best = found
    else:
        missing = [columns.get(f, HEADERS[f][0]) for f in REQUIRED if f not in best]
        raise InputError(message_key="employment_columns_missing",
                         params={"columns": ", ".join(missing)}, path=source)
    header = [_norm(c) for c in cells[start]]
    rows = []
    for index in range(start + 1, len(cells)):
        row = list(cells[index])
        if not any(_text(c) for c in row):
            continue
        if [_norm(c) for c in row] == header:
            continue  # the header again, as a header cell merged over two rows reads

        def value(field: str, row: list[object] = row) -> object:
            at = best.get(field)
            return row[at] if at is not None and at < len(row) else None

        name, period = _text(value("name")), _text(value("period"))
        rows.append(TableRow(row=index + 1, uscc=(_text(value("uscc")) or "").upper(),
                             name=name, employees=value("employees"), period=period))
    return rows
