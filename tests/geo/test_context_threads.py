"""A context is shared by the service's threads and an audit's Dask threads; the GEOS prepared
geometries it keeps are not thread-safe, so the checks work with it one thread at a time."""

from __future__ import annotations

import pickle
import threading
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import pandas as pd

from geo.audit import audit, communities_from_frame
from geo.context import build_context
from geo.proposal import proposal_from_frame
from geo.rules import Rules
from geo.validate import validate


def test_validation_waits_while_another_thread_holds_the_context(context, proposals):
    ctx = build_context(context, Rules(), source="context.gpkg")
    proposal = proposal_from_frame(proposals["good_industrial"])
    reports = []
    with ctx.lock:
        other = threading.Thread(target=lambda: reports.append(validate(proposal, ctx)))
        other.start()
        other.join(1.0)
        assert other.is_alive() and not reports  # it waits for the context
    other.join()
    assert reports[0].ok


def test_threads_auditing_and_validating_one_context_agree_with_one_thread(context, proposals):
    ctx = build_context(context, Rules(), source="context.gpkg")
    layer = gpd.GeoDataFrame(pd.concat(list(proposals.values()), ignore_index=True))
    communities, codes = communities_from_frame(layer, source="proposals.gpkg")
    alone = audit(communities, ctx, codes=codes).to_dict()
    each = [proposal_from_frame(frame) for frame in proposals.values()]
    expected = [validate(p, ctx).ok for p in each]
    with ThreadPoolExecutor(4) as pool:
        audits = [pool.submit(lambda: audit(communities, ctx, codes=codes).to_dict())
                  for _ in range(4)]
        checks = [pool.submit(lambda: [validate(p, ctx).ok for p in each]) for _ in range(4)]
        assert all(a.result() == alone for a in audits)
        assert all(c.result() == expected for c in checks)


def test_a_pickled_context_has_a_lock_of_its_own(context):
    ctx = build_context(context, Rules(), source="context.gpkg")
    copy = pickle.loads(pickle.dumps(ctx))
    assert copy.lock is not ctx.lock
    with copy.lock:
        assert ctx.lock.acquire(blocking=False)
        ctx.lock.release()
