"""Audits on a Dask cluster of two worker processes give the in-process audit's answer.

The layer is cut into slices judged on the workers against a context scattered once; the
slices merge into one audit whose overlaps are found over the whole layer (the planted
overlaps straddle the slices' edges too).
"""

from __future__ import annotations

import time

import pytest

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
        assert len(got.geometries) == len(communities)
    assert {(o.a, o.b) for o in want.overlaps} == set(built.overlapping)


def test_the_prepared_context_is_scattered_once(cluster, district):
    ctx = district[3]
    first = cluster.scattered(ctx)
    assert cluster.scattered(ctx) is first
    # sent to every worker (the scheduler learns of each copy as it lands)
    holders = 0
    for _ in range(60):
        holders = len(cluster.client.who_has([first])[first.key])
        if holders == 2:
            break
        time.sleep(0.5)
    assert holders == 2


def test_an_audit_is_cut_into_slices_of_about_a_thousand_shared_evenly_by_the_workers():
    assert slice_count(3025, 1) == 4 and slice_count(3025, 2) == 4
    assert slice_count(100_000, 8) == 104  # 13 slices a worker, each under SLICE_SIZE
    assert 100_000 / slice_count(100_000, 8) <= SLICE_SIZE
    assert slice_count(10, 2) == 2 and slice_count(1, 4) == 1 and slice_count(0, 2) == 1
