"""Verified employment figures (核定就业人数, 001 § 三(一)) for a town: the same checks as
``sijie employment import``, stored in one transaction or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from api.db.models import EmploymentFigure
from api.problems import Problem
from api.services.towns import ContextCache, get_town, stored_figures
from geo.employment import check_table, next_import_id
from geo.i18n import Lang

__all__ = ["EmploymentUpload", "import_figures"]


@dataclass(frozen=True)
class EmploymentUpload:
    """What a client sent: the table's cells (read from its file by an upload worker, see
    :func:`api.upload_tasks.read_employment_table`), the file's name, and whether it accepts
    warnings."""

    cells: list[list[object]]
    filename: str
    accept_warnings: bool = False


def import_figures(session: Session, town_id: int, upload: EmploymentUpload, *,
                   contexts: ContextCache, by: int, lang: Lang) -> dict[str, Any]:
    """Check the table against the town's parcels and earlier figures and store its figures
    (committed); the town's context then uses them.

    Raises
    ------
    Problem
        404 the town does not exist; 422 ``employment_refused`` with the outcome document
        (bad codes with their rows, duplicates, unmatched codes …) when the table has errors
        or warnings not accepted: nothing is stored.
    InputError
        The table cannot be read or names no code or employee column (422).
    """
    get_town(session, town_id)
    previous = stored_figures(session, town_id)
    outcome = check_table(upload.cells,
                          parcels=contexts.get(town_id).layer("parcels"), previous=previous,
                          rules=contexts.rules.employment, source=upload.filename)
    if not outcome.importable(accept_warnings=upload.accept_warnings):
        raise Problem(422, "employment_refused", body=outcome.to_dict(lang.value, imported=False),
                      path=upload.filename, errors=outcome.error_count,
                      warnings=outcome.warning_count)
    import_id = next_import_id(previous)
    session.execute(insert(EmploymentFigure), [
        {"uscc": code, "name": name, "employees": int(employees), "period": period,
         "town_id": town_id, "import_id": import_id, "source": upload.filename,
         "imported_by": by}
        for code, name, employees, period in zip(
            *(outcome.figures[c].tolist() for c in ("uscc", "name", "employees", "period")),
            strict=True)])
    session.commit()
    contexts.forget(town_id)
    return {**outcome.to_dict(lang.value, imported=True), "import_id": import_id}
