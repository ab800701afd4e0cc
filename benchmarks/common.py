"""What every benchmark shares: timing, fresh processes measured for time and peak memory,
and the table of targets each one checks and hands to ``benchmarks/report.py``.

Times are CPU seconds (user + system) of the process or of the calls measured: the machine
the benchmarks run on is shared, and CPU time is what the work costs whatever else runs
beside it (every baseline and sijie are single-threaded here). Wall times are printed too.

A benchmark adds one :class:`Check` per figure it measures (with the target, when the issue
sets one) and any wrong answer it finds; :meth:`Bench.finish` prints them, writes
``benchmarks/results/<name>.json`` and returns the exit code: 1 on a wrong answer or a missed
target, 0 otherwise.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["BIN", "OUT", "ROOT", "Bench", "Check", "Measured", "growth", "median_seconds",
           "run_measured"]

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = ROOT / "out" / "bench"
RESULTS = Path(__file__).resolve().parent / "results"


def median_seconds(run: Callable[[], object], rounds: int) -> float:
    """The median CPU time of ``rounds`` calls of ``run`` in this process."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


@dataclass(frozen=True)
class Measured:
    """One fresh process: its CPU time (user + system), wall time, peak resident memory, exit
    code and output."""

    seconds: float
    wall: float
    peak_mb: float
    returncode: int
    stdout: str


def run_measured(command: Sequence[str | Path], env: Mapping[str, str] | None = None
                 ) -> Measured:
    """Run ``command`` as a fresh process (with ``env`` added to the environment); its own
    peak RSS comes from ``wait4``'s rusage."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen([str(c) for c in command], stdout=out,
                                 stderr=subprocess.DEVNULL, cwd=ROOT,
                                 env=None if env is None else {**os.environ, **env})
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    return Measured(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024,
                    child.returncode, text)


def growth(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """The exponent k of time ∝ size^k, fitted by least squares on the logarithms."""
    import numpy as np

    k, _ = np.polyfit(np.log(np.asarray(sizes, float)), np.log(np.asarray(seconds, float)), 1)
    return float(k)


@dataclass(frozen=True)
class Check:
    """One measured figure, and whether it meets its target (``None``: no target set)."""

    what: str
    value: str
    target: str = ""
    ok: bool | None = None


@dataclass
class Bench:
    """The figures and wrong answers of one benchmark script."""

    name: str
    setup: str
    checks: list[Check] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def figure(self, what: str, value: str, target: str = "", ok: bool | None = None) -> None:
        check = Check(what, value, target, ok)
        self.checks.append(check)
        mark = "" if ok is None else ("  ok" if ok else "  MISSED")
        print(f"  {what}: {value}" + (f"  (target {target})" if target else "") + mark,
              flush=True)

    def answer(self, what: str, right: bool, detail: str = "") -> None:
        """Record a comparison of answers; a wrong one fails the benchmark."""
        if not right:
            self.wrong.append(f"{what}: {detail}")
            print(f"  WRONG {what}: {detail}", flush=True)

    def finish(self) -> int:
        missed = [c for c in self.checks if c.ok is False]
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{self.name}.json").write_text(json.dumps(
            {"name": self.name, "setup": self.setup, "checks": [asdict(c) for c in self.checks],
             "wrong": self.wrong}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{self.name}: {len(self.wrong)} wrong answers, {len(missed)} missed targets")
        return 1 if self.wrong or missed else 0
