"""Analyses of a proposal version (the kinds of :mod:`api.registry`) stored as runs; a run
asked for asynchronously is a job computed on the Dask cluster (:mod:`api.cluster`) and stored
by this service when it finishes."""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from distributed import Future
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.analyses import Options, Target
from api.cluster import Cluster, WorkerContext
from api.db.models import AuditJob, Proposal, ProposalVersion, Run, utcnow
from api.geometry import plain
from api.registry import analysis
from api.services.proposals import geo_proposal
from api.services.towns import ContextCache, current_version
from geo.context import Context
from geo.errors import SijieError
from geo.proposal import Proposal as GeoProposal

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


def _compute(kind: str, proposal: GeoProposal, town: WorkerContext, options: Options) -> Any:
    """What a job computes, on a Dask worker: the analysis of ``kind`` against the town's
    context installed on the worker (stored by the service when it returns)."""
    return analysis(kind).run(proposal, town.get(), options)


# what stores a finished job's result in the run, in the service
Store = Callable[[Session, Any, Any], dict[str, Any]]
# a job's result to come: a task on the cluster, or an audit assembled from its slices' tasks
Pending = Future | concurrent.futures.Future[Any]


class Runner:
    """Runs analyses now (in the request) or later (on the Dask cluster, as a job)."""

    def __init__(self, sessions: sessionmaker, contexts: ContextCache, cluster: Cluster) -> None:
        self._sessions = sessions
        self._contexts = contexts
        self._cluster = cluster
        self._pending: set[str] = set()
        self._settled = threading.Condition()

    @property
    def cluster(self) -> Cluster:
        return self._cluster

    def drain(self, timeout: float | None = None) -> None:
        """Wait until every job submitted so far has been stored (for tests and shutdown)."""
        with self._settled:
            self._settled.wait_for(lambda: not self._pending, timeout=timeout)

    def shutdown(self) -> None:
        self.drain()
        self._cluster.close()

    def submit(self, session: Session, run: Run | AuditJob, future: Pending, store: Store
               ) -> None:
        """Mark the run as running (in the caller's ``session``) and store what ``future``
        gives when it finishes: ``store(session, run, result)`` makes the run's JSON result;
        a typed error fails the run with its message in both languages, anything else as an
        internal error."""
        run.status, run.progress = "running", 10
        session.commit()
        run_id, model = run.id, type(run)
        with self._settled:
            self._pending.add(run_id)
        future.add_done_callback(lambda done: self._finish(model, run_id, done, store))

    def _finish(self, model: type[Run | AuditJob], run_id: str, future: Pending, store: Store
                ) -> None:
        try:
            with self._sessions() as session:
                run = session.get(model, run_id)
                try:
                    summary = store(session, run, future.result())
                except SijieError as exc:
                    session.rollback()
                    run = session.get(model, run_id)
                    run.status, run.error = "failed", {
                        "detail": str(exc), "detail_zh": exc.message("zh"),
                        "detail_en": exc.message("en"), "code": "input_error"}
                except Exception:  # a job must end in a state a client can read
                    log.exception("job %s failed", run_id)
                    session.rollback()
                    run = session.get(model, run_id)
                    run.status, run.error = "failed", {"detail": "internal error",
                                                       "code": "internal"}
                else:
                    run.status, run.progress, run.result = "successful", 100, summary
                run.finished_at = utcnow()
                session.commit()
        finally:
            with self._settled:
                self._pending.discard(run_id)
                self._settled.notify_all()

    @staticmethod
    def _new_run(session: Session, order: Order) -> Run:
        # a job's options wait in its result until it runs; the run names the town's context
        # version it is judged against
        proposal = session.get(Proposal, order.version.proposal_id)
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
            context_version=(None if proposal is None
                             else current_version(session, proposal.town_id)),
        )
        session.add(run)
        session.commit()
        return run

    def _context(self, session: Session, version: ProposalVersion) -> Context:
        proposal = session.get(Proposal, version.proposal_id)
        assert proposal is not None, f"version {version.id} without its proposal"
        return self._contexts.get(proposal.town_id)

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
        with ``job`` computed on the Dask cluster (the caller polls ``/jobs/{id}``)."""
        if not job:
            return self._run_now(session, order)[0]
        run = self._new_run(session, order)
        ctx = self._context(session, order.version)
        future = self._cluster.client.submit(
            _compute, order.kind, geo_proposal(order.version), self._cluster.shared(ctx),
            order.options, pure=False)
        version_id = order.version.id

        def store(session: Session, run: Run, result: Any) -> dict[str, Any]:
            version = session.get(ProposalVersion, version_id)
            assert version is not None, f"run {run.id} without its version"
            return plain(analysis(run.kind).store(Target(session, run, version), result))

        # the job holds its context until it is stored: it stays installed on the workers (an
        # in-process worker finds it by a weak reference) even if the town's cache drops it
        future.add_done_callback(lambda _, held=ctx: held)
        self.submit(session, run, future, store)
        return run
