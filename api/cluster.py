"""The Dask distributed cluster that long jobs and district audits run on.

With no scheduler address in the settings the service starts a LocalCluster of its own (in
this process by default, or in worker processes); with one it connects to that scheduler, whose
workers must have sijie installed.

A town's prepared context is installed on every worker once per context object, as a worker
plugin: the scheduler keeps it for the workers that join or restart later, and Dask's active
memory manager, which drops the copies of scattered data that no task waits for, cannot take
it from a worker (the workers of an in-process cluster use the context itself, not a copy).
Tasks name the context (:class:`WorkerContext`) instead of carrying it or depending on it, so
the scheduler places them by the workers' load alone and no task waits for the context to be
copied to its worker.

An audit is cut into slices of consecutive communities, one a worker (more for a layer too
large for that), their geometries sent as WKB; each worker judges its slice and assembles its
part of the audit, sent back without geometries unless the layer had to be reprojected; this
process, which holds the layer, finds the pairs of communities that may overlap while the
workers judge, and at the end joins the parts and keeps the overlapping pairs that share land.
"""

from __future__ import annotations

import concurrent.futures
import logging
import math
import pickle
import threading
import uuid
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dask
import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from distributed import Client, Future, LocalCluster, WorkerPlugin, get_worker

from geo.audit import (
    Audit,
    CommunityAudit,
    audit_part,
    overlap_candidates,
    overlaps_between,
    with_overlaps,
)
from geo.context import Context
from geo.proposal import Proposal

__all__ = ["SLICE_SIZE", "Cluster", "WorkerContext", "slice_count", "submit_audit"]

log = logging.getLogger(__name__)

# most communities in a slice of an audit: a slice's checks take ~0.05 ms a community, so
# a task's own cost (scheduling, sending the slice and its part of the audit: a few ms of the
# client's, scheduler's and worker's CPU) stays near 1 %
SLICE_SIZE = 4000

_QUIET = {"distributed.admin.system-monitor.interval": "1h",
          "distributed.admin.system-monitor.disk": False,
          "distributed.admin.system-monitor.host-cpu": False,
          "distributed.admin.system-monitor.gil.enabled": False,
          # each scheduler, nanny and worker checks that its event loop is not blocked; every
          # 20 ms by default, which with a local cluster's servers all in this process costs
          # this process ~3 % of a core, idle or not
          "distributed.admin.tick.interval": "1s",
          # each worker samples its task's stack every 10 ms for the status page's profile,
          # taking the GIL from the task it samples
          "distributed.worker.profile.enabled": False}


# the contexts installed on the workers of in-process local clusters, by name: those workers
# share this process's memory, so they use the context itself rather than a copy
_HERE: weakref.WeakValueDictionary[str, Context] = weakref.WeakValueDictionary()


class _ContextPlugin(WorkerPlugin):
    """A prepared context on a worker: carried pickled and unpickled by the first task that
    asks for it (not in the worker's event loop, which must keep answering the scheduler), or
    (no ``payload``) the context of :data:`_HERE` this in-process worker shares."""

    idempotent = True

    def __init__(self, name: str, payload: bytes | None) -> None:
        self._name = name
        self._payload = payload
        self._ctx: Context | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"name": self._name, "payload": self._payload}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["name"], state["payload"])  # type: ignore[misc]

    def context(self) -> Context:
        """This worker's copy of the context, or the context itself for an in-process worker."""
        if self._payload is None:
            return _HERE[self._name]
        with self._lock:
            if self._ctx is None:
                self._ctx = pickle.loads(self._payload)
                self._payload = b""
            return self._ctx


@dataclass(frozen=True)
class WorkerContext:
    """A context installed on every worker of a cluster, by the name tasks find it by."""

    name: str

    def get(self) -> Context:
        """The context, in a task on a worker of the cluster (a worker process's own copy,
        made on first use and kept: its derived indexes and zones are built once per
        worker)."""
        plugin = get_worker().plugins.get(self.name)
        if not isinstance(plugin, _ContextPlugin):
            raise RuntimeError(f"no context {self.name} on this worker")
        return plugin.context()


class Cluster:
    """A Dask client started on first use: a scheduler at ``address``, or (empty) a
    LocalCluster of ``workers`` single-threaded workers, in this process or (``processes``)
    each in its own process."""

    def __init__(self, address: str = "", *, workers: int = 2, processes: bool = False) -> None:
        self._address = address
        self._workers = workers
        self._processes = processes
        self._client: Client | None = None
        self._local: LocalCluster | None = None
        self._lock = threading.Lock()
        self._installed: weakref.WeakKeyDictionary[Context, WorkerContext] = (
            weakref.WeakKeyDictionary())
        self._names: set[str] = set()

    @property
    def client(self) -> Client:
        """The Dask client, connecting (or starting the local cluster) on first use."""
        with self._lock:
            if self._client is None:
                if self._address:
                    self._client = Client(self._address, set_as_default=False)
                else:
                    # no polling of the machine's load, disks and network
                    # from inside the service; in-process workers share the service's memory,
                    # so they have no limit of their own to watch
                    with dask.config.set(_QUIET):
                        self._local = LocalCluster(
                            n_workers=self._workers, threads_per_worker=1,
                            processes=self._processes,
                            # the status pages stay on this machine, on a free port each
                            dashboard_address="127.0.0.1:0",
                            worker_dashboard_address="127.0.0.1:0",
                            **({"host": "127.0.0.1"} if self._processes else {"memory_limit": 0}))
                        # results come straight from the workers, not through the scheduler
                        self._client = Client(self._local, set_as_default=False,
                                              direct_to_workers=True)
                log.info("dask cluster: %s", self._client)
            return self._client

    def workers(self) -> int:
        """How many workers the cluster has now (at least 1): a local cluster's own count, or
        the scheduler's answer."""
        client = self.client
        if self._local is not None:
            return max(1, len(self._local.workers))
        return max(1, len(client.scheduler_info(n_workers=-1)["workers"]))

    def shared(self, ctx: Context) -> WorkerContext:
        """``ctx`` on every worker, present and future: sent once per context object to worker
        processes (what it has prepared, such as spatial indexes and feature zones, goes with
        it), shared as it is with the workers of an in-process cluster; the contexts of objects
        gone since are removed from the workers."""
        client = self.client
        with self._lock:
            installed = self._installed.get(ctx)
            if installed is None:
                installed = WorkerContext(f"sijie-context-{uuid.uuid4().hex}")
                payload = None
                if self._local is not None and not self._processes:
                    _HERE[installed.name] = ctx
                else:
                    payload = pickle.dumps(ctx, protocol=pickle.HIGHEST_PROTOCOL)
                client.register_plugin(_ContextPlugin(installed.name, payload),
                                       name=installed.name)
                self._installed[ctx] = installed
                self._names.add(installed.name)
            for name in self._names - {w.name for w in self._installed.values()}:
                client.unregister_worker_plugin(name)
                self._names.discard(name)
            return installed

    def close(self) -> None:
        """Disconnect, and stop the local cluster if this started one."""
        with self._lock:
            if self._client is not None:
                self._client.close()
            if self._local is not None:
                self._local.close()
            self._client = self._local = None
            self._installed = weakref.WeakKeyDictionary()
            self._names = set()


@dataclass(frozen=True)
class _Slice:
    """Consecutive communities of a layer on their way to a worker: their fields and codes, and
    their geometries as WKB (one vectorised encode and decode) in ``crs``, or in the context's
    CRS when ``crs`` is None. It travels pickled, as bytes: the scheduler, which unpickles and
    pickles again every task it is given, then only copies it."""

    fields: list[tuple[Any, ...]]
    codes: list[str]
    shapes: npt.NDArray[np.bytes_]
    crs: pyproj.CRS | None

    def communities(self, work_crs: pyproj.CRS) -> list[Proposal]:
        crs = work_crs if self.crs is None else self.crs
        return [Proposal(name=name, type=kind, geometry=shape, crs=crs, custodial=custodial,
                         raw_type=raw_type, centre_name=centre)
                for (name, kind, custodial, raw_type, centre), shape
                in zip(self.fields, shapely.from_wkb(self.shapes), strict=True)]


@dataclass(frozen=True)
class _Part:
    """A slice's part of the audit, as a worker sends it back: each community's outcome, which
    communities are valid polygons (the overlaps are looked for between those), and their
    geometries in the work CRS as WKB when the slice had to be reprojected (the client has them
    otherwise)."""

    communities: list[CommunityAudit]
    valid: npt.NDArray[np.bool_]
    moved: npt.NDArray[np.bytes_] | None


def _judge_slice(packed: bytes, town: WorkerContext) -> _Part:
    """One slice of a layer (a pickled :class:`_Slice`) judged and assembled on a worker."""
    piece: _Slice = pickle.loads(packed)
    ctx = town.get()
    part, valid = audit_part(piece.communities(ctx.crs), ctx, piece.codes)
    return _Part(part.communities, valid,
                 None if piece.crs is None else shapely.to_wkb(part.geometries))


def slice_count(communities: int, workers: int) -> int:
    """How many slices an audit of ``communities`` is cut into on ``workers`` workers: one a
    worker, or as few more as keep each within :data:`SLICE_SIZE` communities (a task's own
    cost, a few milliseconds, is then small beside its work), a multiple of the workers so that
    each gets an equal share, and never more than the communities."""
    wanted = max(workers, math.ceil(communities / SLICE_SIZE))
    return max(1, min(communities, workers * math.ceil(wanted / workers)))


def _assemble(client: Client, futures: list[Future], communities: Sequence[Proposal],
              ctx: Context, moved: bool, out: concurrent.futures.Future[Audit]) -> None:
    """Make ``out`` the audit of the whole layer from its slices' parts (``futures``, in layer
    order): while the workers judge, the pairs of communities that may overlap are found
    (unless the workers reproject the layer, ``moved``); then the parts are joined and the
    valid pairs whose interiors meet kept."""
    try:
        names = [c.name for c in communities]
        geoms = np.asarray([c.geometry for c in communities], dtype=object)
        candidates = None if moved else overlap_candidates(geoms)
        parts: list[_Part] = client.gather(futures)
        if moved:
            geoms = np.asarray(shapely.from_wkb(np.concatenate(
                [p.moved for p in parts if p.moved is not None])), dtype=object)
        whole = Audit(communities=[c for p in parts for c in p.communities], overlaps=[],
                      crs=ctx.crs, geometries=geoms)
        valid = np.concatenate([p.valid for p in parts])
        result = with_overlaps(whole, overlaps_between(geoms, names, valid, candidates))
    except BaseException as exc:  # the caller's future carries it
        out.set_exception(exc)
    else:
        out.set_result(result)


def _packed(communities: Sequence[Proposal], codes: Sequence[str], crs: pyproj.CRS | None
            ) -> bytes:
    """A slice of communities as its task carries it (see :class:`_Slice`)."""
    shapes = shapely.to_wkb(np.array([c.geometry for c in communities], dtype=object))
    fields = [(c.name, c.type, c.custodial, c.raw_type, c.centre_name) for c in communities]
    return pickle.dumps(_Slice(fields, list(codes), shapes, crs),
                        protocol=pickle.HIGHEST_PROTOCOL)


def submit_audit(cluster: Cluster, communities: Sequence[Proposal], ctx: Context,
                 codes: Sequence[str] | None = None, *, slices: int | None = None
                 ) -> concurrent.futures.Future[Audit]:
    """The audit of ``communities`` against ``ctx``, as a future: the layer cut into
    ``slices`` consecutive slices (default: :func:`slice_count`) judged on the workers against
    the context installed there once, assembled here with the overlaps between all of them."""
    client = cluster.client
    town = cluster.shared(ctx)
    count = max(1, min(slices or slice_count(len(communities), cluster.workers()),
                       len(communities)))
    size = math.ceil(len(communities) / count) if communities else 1
    given = communities[0].crs if communities else ctx.crs
    crs = None if given == ctx.crs else given
    codes = list(codes) if codes is not None else [""] * len(communities)
    starts = range(0, max(len(communities), 1), size)
    # one message to the scheduler for all the slices: the client sends a second message
    # within 10 ms of the first only when those 10 ms have passed
    futures = client.map(_judge_slice,
                         [_packed(communities[a:a + size], codes[a:a + size], crs)
                          for a in starts],
                         town=town, pure=False)
    out: concurrent.futures.Future[Audit] = concurrent.futures.Future()
    # the thread holds ``ctx`` until the audit is assembled: it stays installed on the
    # workers (an in-process worker finds it by a weak reference) even if the service's
    # cache drops it meanwhile
    threading.Thread(target=_assemble, name="sijie-audit", daemon=True,
                     args=(client, futures, communities, ctx, crs is not None, out)).start()
    return out
