"""Audits on a Dask cluster of two worker processes give the in-process audit's answer.

The layer is cut into slices judged on the workers against a context installed there once;
the slices' judgements are assembled into one audit whose overlaps are found over the whole
layer (the planted overlaps straddle the slices' edges too). The context stays on every
worker, so both judge slices and neither waits for a copy of it.
"""

from __future__ import annotations

import gc

import pytest
import shapely
from distributed import get_task_stream

from api.cluster import SLICE_SIZE, Cluster, slice_count, submit_audit
from boundary_data.district import build_district
from geo.audit import audit, communities_from_frame
from geo.context import build_context
from geo.rules import Rules

TIMEOUT_S = 180


@pytest.fixture(scope="module")
def cluster():
    started = Cluster(workers=2, processes=True)
    yield started
    started.close()


@pytest.fixture(scope="module")
def district():
    built = build_district(12)
    communities, codes = communities_from_frame(built.communities)
    return built, communities, codes, build_context(built.layers, Rules(), source="district")


def test_two_worker_processes_audit_as_one_process_does(cluster, district):
    built, communities, codes, ctx = district
    assert cluster.workers() == 2
    want = audit(communities, ctx, codes=codes)
    for slices in (None, 5):
        got = submit_audit(cluster, communities, ctx, codes, slices=slices).result(TIMEOUT_S)
        assert got.to_dict() == want.to_dict()
        assert shapely.equals_exact(got.geometries, want.geometries, tolerance=0).all()
    assert {(o.a, o.b) for o in want.overlaps} == set(built.overlapping)


def test_a_layer_in_another_crs_is_judged_and_returned_in_the_work_crs(cluster, district):
    built, _, codes, ctx = district
    communities, _ = communities_from_frame(built.communities.to_crs("EPSG:4326"))
    want = audit(communities, ctx, codes=codes)
    got = submit_audit(cluster, communities, ctx, codes).result(TIMEOUT_S)
    assert got.to_dict() == want.to_dict()
    assert got.crs == ctx.crs
    assert shapely.equals_exact(got.geometries, want.geometries, tolerance=0).all()


def test_both_workers_judge_slices_with_the_context_they_keep(cluster, district):
    _, communities, codes, ctx = district
    first = cluster.shared(ctx)
    assert cluster.shared(ctx) is first
    client = cluster.client
    client.amm.run_once()  # Dask's memory manager drops spare copies of data; not this one
    assert set(client.run(lambda dask_worker: first.name in dask_worker.plugins).values()) \
        == {True}
    with get_task_stream(client) as tasks:
        submit_audit(cluster, communities, ctx, codes, slices=2).result(TIMEOUT_S)
    stream = tasks.data
    assert len({task["worker"] for task in stream}) == 2
    # each task computed at once: nothing was copied to its worker first
    assert {step["action"] for task in stream for step in task["startstops"]} == {"compute"}


def test_a_context_no_longer_used_leaves_the_workers(cluster, district):
    ctx = district[3]
    other = ctx.with_rules(ctx.rules)
    gone = cluster.shared(other).name
    del other
    gc.collect()
    cluster.shared(ctx)
    held = cluster.client.run(lambda dask_worker: sorted(dask_worker.plugins))
    assert all(gone not in names for names in held.values())


def test_an_audit_outlives_the_callers_reference_to_its_context(district):
    # the service's default cluster: worker threads of this process, which share the context
    built, communities, codes, _ = district
    want = audit(communities, build_context(built.layers, Rules(), source="district"),
                 codes=codes).to_dict()
    threads = Cluster(workers=2)
    try:
        pending = submit_audit(threads, communities,
                               build_context(built.layers, Rules(), source="district"), codes)
        gc.collect()  # the context built for the audit has no other holder now
        assert pending.result(TIMEOUT_S).to_dict() == want
    finally:
        threads.close()


def test_an_audit_is_cut_into_equal_shares_of_the_workers_within_the_slice_size():
    assert slice_count(3025, 1) == 1 and slice_count(3025, 2) == 2  # one a worker
    assert slice_count(9000, 1) == 3  # more where one would pass SLICE_SIZE
    assert slice_count(100_000, 8) == 32  # 4 slices a worker, each within SLICE_SIZE
    assert 100_000 / slice_count(100_000, 8) <= SLICE_SIZE
    assert slice_count(10, 2) == 2 and slice_count(3, 4) == 3 and slice_count(1, 4) == 1
    assert slice_count(0, 2) == 1
