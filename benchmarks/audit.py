"""How fast ``sijie audit`` re-validates a district against a loop of single validations.

A synthetic district is drawn here (:func:`boundary_data.district.build_district`: 55 × 55
road blocks, one community per block, about 3,000 communities with planted overlaps, bad names,
oversize and gaps; fixed seed). Three ways to judge every community, in the same process on the
same frames:

* ``audit``: :func:`geo.audit.audit` over the whole layer, the context built once;
* ``loop``: the competent baseline, what an expert scripts with the same library: the context
  built once and ``geo.validate.validate()`` called per community;
* ``naive``: the same loop rebuilding the context for every community (as separate CLI calls
  do), timed on a sample only and labelled as such.

Both are timed from the frames, building the context once, as a run does. Both full runs
must give every community the same ok, the same findings by rule and the same employees; the
script exits 1 on any difference, and also when the audit is under 20 times the loop's
communities per second or takes 60 s or more. The machine is shared, so both wall and CPU
seconds of this process are printed and the ratio is taken on CPU seconds (the audit and the
loop each run on one core; on an idle machine the two are the same). The audit, a fraction of a
second, is the median of 5 runs; the loop, several seconds, is run once.

    .venv/bin/python benchmarks/audit.py [--side 55] [--naive-sample 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter

from boundary_data.district import build_district
from geo.audit import RULES, audit, communities_from_frame
from geo.context import build_context
from geo.rules import Rules
from geo.validate import validate

TARGET_RATIO = 20.0
AUDIT_ROUNDS = 5
TARGET_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=55, help="blocks per side (55: 3,025)")
    parser.add_argument("--naive-sample", type=int, default=10)
    args = parser.parse_args()
    rules = Rules()
    district = build_district(args.side)
    communities, codes = communities_from_frame(district.communities)
    n = len(communities)
    print(f"synthetic district: {n} communities, {len(district.overlapping)} planted overlaps")

    # each timed from the frames: the context built (once), then every community judged; the
    # audit, a fifth of a second, is run AUDIT_ROUNDS times and its median taken, as a moment's
    # load on a shared machine weighs on it far more than on the loop's seconds
    runs = []
    for _ in range(AUDIT_ROUNDS):
        wall, start = time.perf_counter(), time.process_time()
        ctx = build_context(district.layers, rules, source="district")
        built = time.process_time()
        result = audit(communities, ctx, codes=codes)
        runs.append((time.process_time() - start, time.process_time() - built,
                     time.perf_counter() - wall))
    audit_s, audit_work, audit_wall = (statistics.median(r[k] for r in runs) for k in range(3))

    wall, start = time.perf_counter(), time.process_time()
    ctx = build_context(district.layers, rules, source="district")
    built = time.process_time()
    reports = [validate(c, ctx) for c in communities]
    loop_s, loop_work = time.process_time() - start, time.process_time() - built
    loop_wall = time.perf_counter() - wall

    sample = communities[:args.naive_sample]
    start = time.process_time()
    for community in sample:
        validate(community, build_context(district.layers, rules, source="district"))
    naive_s = time.process_time() - start

    wrong = []
    for outcome, report in zip(result.communities, reports, strict=True):
        want = dict(Counter(f.rule for f in report.findings))
        got = {r: outcome.findings[r] for r in RULES if outcome.findings[r]}
        if (got != want or outcome.ok != report.ok
                or outcome.employees != report.metrics["employees"]):
            wrong.append(f"  {outcome.name}: audit ok={outcome.ok} {got}, "
                         f"validate ok={report.ok} {want}")
    planted = set(district.overlapping)
    found = {(o.a, o.b) for o in result.overlaps}

    audit_cps, loop_cps = n / audit_s, n / loop_s
    ratio = audit_cps / loop_cps
    print(f"audit              {audit_s:8.2f} s CPU {audit_wall:8.2f} s wall "
          f"{audit_cps:9.1f} communities/s")
    print(f"loop of validate() {loop_s:8.2f} s CPU {loop_wall:8.2f} s wall "
          f"{loop_cps:9.1f} communities/s  (context once)")
    print(f"naive loop         {naive_s / len(sample) * n:8.2f} s CPU               "
          f"{len(sample) / naive_s:9.1f} communities/s  "
          f"(context rebuilt per community; extrapolated from {len(sample)})")
    print(f"audit / loop: {ratio:.2f}x with the context build, {loop_work / audit_work:.2f}x "
          f"without it (target >= {TARGET_RATIO:.0f}x with it, under {TARGET_SECONDS:.0f} s "
          f"for 3,000)")
    print(f"failing communities: {sum(not c.ok for c in result.communities)}, "
          f"overlaps found {len(found)} of {len(planted)} planted")
    failed = False
    if wrong:
        print(f"WRONG: {len(wrong)} communities differ from validate():", *wrong[:10], sep="\n")
        failed = True
    if found != planted:
        print(f"WRONG: overlaps found {sorted(found ^ planted)[:5]} differ from the planted")
        failed = True
    if ratio < TARGET_RATIO or audit_wall >= TARGET_SECONDS * n / 3000:
        print("MISSED: the audit is short of its target")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
