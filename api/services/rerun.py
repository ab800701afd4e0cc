"""A run repeated on the town's current context version, and what changed between the two."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.db.models import ProposalVersion, Run
from api.services.jobs import finished_job
from api.services.runs import Order, Runner

__all__ = ["difference", "repeat"]

# summary members that are documents of their own, compared by their findings instead
_DOCUMENTS = {"report", "options"}


def repeat(session: Session, runner: Runner, job_id: str, user_id: int) -> tuple[Run, Run]:
    """The finished run ``job_id`` and the same analysis of the same proposal version run now,
    on the current version of its town's context.

    Raises
    ------
    Problem
        404 when there is no such run, 409 while it has not finished successfully.
    """
    before, _ = finished_job(session, job_id)
    version = session.get(ProposalVersion, before.version_id)
    assert version is not None, f"job {job_id} without its version"
    options = dict((before.result or {}).get("options") or {})
    after = runner.start(session, Order(version, before.kind, user_id, options), job=False)
    return before, after


def _findings(summary: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    """A report's findings by what identifies them: rule, key, severity and the names they
    give (their measures may move a little between contexts without being a new finding)."""
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for f in (summary.get("report") or {}).get("findings", []):
        names = tuple(f"{k}={v}" for k, v in sorted(f.get("params", {}).items())
                      if isinstance(v, str))
        found[(f["rule"], f["key"], f["severity"], *names)] = {
            "rule": f["rule"], "key": f["key"], "severity": f["severity"],
            "params": f.get("params", {})}
    return found


def difference(before: Run, after: Run) -> dict[str, Any]:
    """What differs between two runs of one analysis: each summary value that changed, and
    the findings one has and the other has not."""
    old, new = before.result or {}, after.result or {}
    summary = {key: {"before": old.get(key), "after": new.get(key)}
               for key in sorted(set(old) | set(new) - _DOCUMENTS)
               if key not in _DOCUMENTS and old.get(key) != new.get(key)}
    was, now = _findings(old), _findings(new)
    added = [now[k] for k in now if k not in was]
    removed = [was[k] for k in was if k not in now]
    return {"changed": bool(summary or added or removed), "summary": summary,
            "findings_added": added, "findings_removed": removed}
