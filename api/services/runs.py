"""Analyses of a proposal version (the kinds of :mod:`api.registry`) stored as runs; a run
asked for asynchronously is a job run by a background thread."""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.analyses import Options, Target
from api.db.models import Proposal, ProposalVersion, Run, utcnow
from api.geometry import plain
from api.registry import analysis
from api.services.proposals import geo_proposal
from api.services.towns import ContextCache
from geo.context import Context
from geo.errors import SijieError

__all__ = ["Order", "Runner", "latest_run", "recent_runs"]

log = logging.getLogger(__name__)


def recent_runs(session: Session, *, status: str | None, limit: int) -> list[Run]:
    """Runs newest first, optionally only those in ``status``."""
    query = select(Run).order_by(Run.created_at.desc(), Run.id)
    if status is not None:
        query = query.where(Run.status == status)
    return list(session.scalars(query.limit(limit)).all())


def latest_run(session: Session, version_id: int, kind: str) -> Run | None:
    """The newest successful run of ``kind`` on a version."""
    return session.scalar(
        select(Run)
        .where(Run.version_id == version_id, Run.kind == kind, Run.status == "successful")
        .order_by(Run.created_at.desc(), Run.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Order:
    """An analysis asked for: its ``kind`` on a ``version``, by whom, with which options."""

    version: ProposalVersion
    kind: str
    user_id: int
    options: Options = field(default_factory=dict)


class Runner:
    """Runs analyses now (in the request) or later (a background thread, as a job)."""

    def __init__(self, sessions: sessionmaker, contexts: ContextCache, *, threads: int) -> None:
        self._sessions = sessions
        self._contexts = contexts
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sijie-job")
        self._pending: set[Future] = set()
        self._lock = threading.Lock()

    def drain(self) -> None:
        """Wait until every job submitted so far has finished (for tests and shutdown)."""
        with self._lock:
            pending = list(self._pending)
        wait(pending)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)

    @staticmethod
    def _new_run(session: Session, order: Order) -> Run:
        # a job's options wait in its result until it runs
        run = Run(
            id=uuid.uuid4().hex,
            proposal_id=order.version.proposal_id,
            version_id=order.version.id,
            kind=order.kind,
            status="accepted",
            progress=0,
            created_by=order.user_id,
            created_at=utcnow(),
            result={"options": order.options},
        )
        session.add(run)
        session.commit()
        return run

    def _context(self, session: Session, version: ProposalVersion) -> Context:
        proposal = session.get(Proposal, version.proposal_id)
        assert proposal is not None, f"version {version.id} without its proposal"
        return self._contexts.get(proposal.town_id)

    def _execute(self, run_id: str) -> None:
        with self._sessions() as session:
            run = session.get(Run, run_id)
            version = session.get(ProposalVersion, run.version_id)
            run.status, run.progress = "running", 10
            session.commit()
            try:
                ctx = self._context(session, version)
                summary = self._analyse(session, run, version, ctx, run.result["options"])[1]
            except SijieError as exc:
                session.rollback()
                run = session.get(Run, run_id)
                run.status, run.error = "failed", {
                    "detail": str(exc), "detail_zh": exc.message("zh"),
                    "detail_en": exc.message("en"), "code": "input_error"}
            except Exception:  # a job must end in a state a client can read
                log.exception("job %s failed", run_id)
                session.rollback()
                run = session.get(Run, run_id)
                run.status, run.error = "failed", {"detail": "internal error", "code": "internal"}
            else:
                run.status, run.progress, run.result = "successful", 100, summary
            run.finished_at = utcnow()
            session.commit()

    @staticmethod
    def _analyse(session: Session, run: Run, version: ProposalVersion, ctx: Context,
                 options: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Run the analysis of ``run`` and store what it found: its result and JSON summary."""
        entry = analysis(run.kind)
        result = entry.run(geo_proposal(version), ctx, options)
        return result, plain(entry.store(Target(session, run, version), result))

    def _run_now(self, session: Session, order: Order) -> tuple[Run, Any]:
        run = self._new_run(session, order)
        try:
            ctx = self._context(session, order.version)
            session.commit()  # the analysis runs holding no transaction (nor a writer lock)
            result, summary = self._analyse(session, run, order.version, ctx, order.options)
        except Exception:
            session.rollback()
            run.status, run.finished_at = "failed", utcnow()
            session.commit()
            raise
        run.status, run.progress, run.result, run.finished_at = "successful", 100, summary, utcnow()
        session.commit()
        return run, result

    def result(self, session: Session, version: ProposalVersion, kind: str, user_id: int) -> Any:
        """The geo result of ``kind`` on a version: read back from its newest stored run, or
        (when there is none, or it kept too little) run and stored once now."""
        run = latest_run(session, version.id, kind)
        if run is not None:
            restored = analysis(kind).restore(session, run, self._context(session, version))
            if restored is not None:
                return restored
        return self._run_now(session, Order(version, kind, user_id))[1]

    def start(self, session: Session, order: Order, *, job: bool) -> Run:
        """Run and store an analysis: in the request (its typed errors reach the client), or
        with ``job`` queued for a background thread (the caller polls ``/jobs/{id}``)."""
        if not job:
            return self._run_now(session, order)[0]
        run = self._new_run(session, order)
        future = self._pool.submit(self._execute, run.id)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return run

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)
