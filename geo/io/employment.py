"""The 人力社保局's employment table as cells, and the verified figures kept in a context file.

A table is a CSV file (UTF-8, UTF-8 with a byte-order mark, or GBK as Excel saves it in
China) or an XLSX workbook (its first sheet; a merged cell's value stands in each of its
cells, so a merged header reads like a plain one). The figures are a table ``employment`` of
the context GeoPackage, one row per code per import; an import adds rows, never replaces any.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pyogrio

from geo.errors import InputError
from geo.io.layers import list_layers
from geo.io.qgis import add_field_aliases

__all__ = ["EMPLOYMENT_LAYER", "append_figures", "read_figures", "read_table",
           "read_table_file"]

EMPLOYMENT_LAYER = "employment"
_XLS = b"\xd0\xcf\x11\xe0"  # the old binary Excel format


def read_table_file(path: str | Path) -> list[list[object]]:
    """The cells of the table file ``path`` (see :func:`read_table`)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(message_key="file_unreadable", params={"reason": exc.strerror or exc},
                         path=path) from exc
    return read_table(data, source=str(path))


def read_table(data: bytes, *, source: str) -> list[list[object]]:
    """Every row of a CSV or XLSX table given as bytes, row 1 first.

    Raises
    ------
    InputError
        The bytes are an old ``.xls`` workbook, a broken workbook, or text in none of UTF-8
        and GBK; the message names ``source``.
    """
    if data.startswith(_XLS):
        raise InputError(message_key="employment_xls", path=source)
    if data.startswith(b"PK"):
        return _xlsx_cells(data, source)
    for codec in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    raise InputError(message_key="employment_encoding", path=source)


def _xlsx_cells(data: bytes, source: str) -> list[list[object]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(message_key="employment_workbook", params={"reason": str(exc)},
                         path=source) from exc
    sheet = book.worksheets[0]
    cells: list[list[object]] = [list(row) for row in sheet.iter_rows(min_row=1, values_only=True)]
    for merged in sheet.merged_cells.ranges:
        top = cells[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                cells[r - 1][c - 1] = top
    return cells


def read_figures(path: str | Path, *, present: set[str] | None = None) -> pd.DataFrame | None:
    """Every figure stored in the context file ``path``, in import order; ``None`` if none.

    ``present`` are the file's layer names when the caller has listed them already.
    """
    if present is None:
        present = {info.name for info in list_layers(path)}
    if EMPLOYMENT_LAYER not in present:
        return None
    frame = pyogrio.read_dataframe(path, layer=EMPLOYMENT_LAYER, fid_as_index=True)
    return pd.DataFrame(frame).sort_index().reset_index(drop=True)


def append_figures(path: str | Path, figures: pd.DataFrame) -> None:
    """Add ``figures`` to the context file's ``employment`` table (made on first use, with an
    alias for each of its fields)."""
    pyogrio.write_dataframe(figures, path, layer=EMPLOYMENT_LAYER, driver="GPKG", append=True)
    add_field_aliases(Path(path), EMPLOYMENT_LAYER, [str(c) for c in figures.columns])
