"""The Dask distributed cluster that long jobs and district audits run on.

With no scheduler address in the settings the service starts a LocalCluster of its own (in
this process by default, or in worker processes); with one it connects to that scheduler, whose
workers must have sijie installed. A town's prepared context is scattered to the workers once
per context object and reused by every task that needs it.
"""

from __future__ import annotations

import logging
import math
import threading
import weakref
from collections.abc import Sequence
from typing import Any

import dask
import numpy as np
import numpy.typing as npt
import shapely
from distributed import Client, Future, LocalCluster

from geo.audit import Audit, audit, merge
from geo.context import Context
from geo.proposal import Proposal

__all__ = ["SLICE_SIZE", "Cluster", "slice_count", "submit_audit"]

log = logging.getLogger(__name__)

# communities per slice of an audit: a slice's vectorised checks take ~0.1 ms a community, so
# a task's fixed cost (scheduling, sending the slice, a few ms) stays a few per cent of it
SLICE_SIZE = 1000

_QUIET = {"distributed.admin.system-monitor.interval": "1h",
          "distributed.admin.system-monitor.disk": False,
          "distributed.admin.system-monitor.host-cpu": False,
          "distributed.admin.system-monitor.gil.enabled": False}


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
        self._scattered: weakref.WeakKeyDictionary[Context, Future] = (
            weakref.WeakKeyDictionary())

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
                        self._client = Client(self._local, set_as_default=False)
                log.info("dask cluster: %s", self._client)
            return self._client

    def workers(self) -> int:
        """How many workers the cluster has now (at least 1)."""
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    def scattered(self, ctx: Context) -> Future:
        """``ctx`` on every worker, sent once per context object (what it has prepared, such as
        spatial indexes and feature zones, goes with it)."""
        client = self.client
        with self._lock:
            future = self._scattered.get(ctx)
            if future is None:
                future = client.scatter(ctx, broadcast=True, hash=False)
                self._scattered[ctx] = future
            return future

    def close(self) -> None:
        """Disconnect, and stop the local cluster if this started one."""
        with self._lock:
            if self._client is not None:
                self._client.close()
            if self._local is not None:
                self._local.close()
            self._client = self._local = None
            self._scattered = weakref.WeakKeyDictionary()


class _Slice:
    """Consecutive communities of a layer on their way to a worker, pickled with their
    geometries as one WKB array (one vectorised encode and decode, not one per community)."""

    def __init__(self, communities: Sequence[Proposal]) -> None:
        self.communities = list(communities)

    def __reduce__(self) -> tuple[Any, ...]:
        shapes = shapely.to_wkb(np.array([c.geometry for c in self.communities], dtype=object))
        rest = [(c.name, c.type, c.crs, c.custodial, c.raw_type, c.centre_name)
                for c in self.communities]
        return _unpack, (rest, shapes)


def _unpack(rest: list[tuple[Any, ...]], shapes: npt.NDArray[np.object_]) -> _Slice:
    return _Slice([Proposal(name=name, type=kind, geometry=shape, crs=crs, custodial=custodial,
                            raw_type=raw_type, centre_name=centre)
                   for (name, kind, crs, custodial, raw_type, centre), shape
                   in zip(rest, shapely.from_wkb(shapes), strict=True)])


def _audit_slice(communities: _Slice, ctx: Context, codes: Sequence[str]) -> Audit:
    """One slice of the layer judged on a worker; overlaps are found when the slices merge."""
    return audit(communities.communities, ctx, codes=codes, overlaps=False)


def slice_count(communities: int, workers: int) -> int:
    """How many slices an audit of ``communities`` is cut into on ``workers`` workers: about
    :data:`SLICE_SIZE` communities each (a task's own cost, a few milliseconds, is then small
    beside its work), a multiple of the workers so that each gets its share, and at least one
    per worker."""
    wanted = max(1, math.ceil(communities / SLICE_SIZE))
    return max(1, min(communities, workers * math.ceil(wanted / workers)))


def submit_audit(cluster: Cluster, communities: Sequence[Proposal], ctx: Context,
                 codes: Sequence[str] | None = None, *, slices: int | None = None) -> Future:
    """The audit of ``communities`` against ``ctx`` as a Dask future: the layer cut into
    ``slices`` consecutive slices (default: :func:`slice_count`) judged on the workers against
    the context scattered once, then merged (overlaps found over the whole layer)."""
    client = cluster.client
    codes = list(codes) if codes is not None else [""] * len(communities)
    count = max(1, min(slices or slice_count(len(communities), cluster.workers()),
                       len(communities)))
    size = math.ceil(len(communities) / count) if communities else 1
    where = cluster.scattered(ctx)
    parts: list[Any] = [
        client.submit(_audit_slice, _Slice(communities[a:a + size]), where, codes[a:a + size],
                      pure=False)
        for a in range(0, max(len(communities), 1), size)]
    return client.submit(merge, parts, pure=False)
