"""The command line keeps the prepared town of a context file (SIJIE_CACHE_DIR): the second
command on the same file loads it instead of reading and preparing the town again, and says
so with --verbose; its answers are those of a command without the cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SIJIE = Path(sys.executable).with_name("sijie")
FLAWED = "flaw_b5_gap"


def _validate(demo_dir: Path, context: Path, report: Path, cache: str
              ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SIJIE), "-v", "validate", str(demo_dir / "proposals" / f"{FLAWED}.gpkg"),
         "--context", str(context), "--format", "json", "-o", str(report)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "SIJIE_CACHE_DIR": cache})


def test_a_second_validate_loads_the_kept_town_with_the_same_answer(demo_dir, tmp_path):
    context = tmp_path / "context.gpkg"
    shutil.copyfile(demo_dir / "context.gpkg", context)
    cache = tmp_path / "cache"
    first = _validate(demo_dir, context, tmp_path / "first.json", str(cache))
    (kept,) = cache.glob("*.town")
    stamp = kept.stat().st_mtime_ns
    second = _validate(demo_dir, context, tmp_path / "second.json", str(cache))
    plain = _validate(demo_dir, context, tmp_path / "plain.json", "off")
    assert first.returncode == second.returncode == plain.returncode == 1  # the gap is an error
    assert "prepared town kept in" in first.stderr
    assert "prepared town read from" in second.stderr and "prepared the town" not in second.stderr
    assert "prepared town" not in plain.stderr.replace("prepared the town", "")
    assert kept.stat().st_mtime_ns == stamp and list(cache.glob("*.town")) == [kept]
    answers = {(tmp_path / f"{n}.json").read_text(encoding="utf-8")
               for n in ("first", "second", "plain")}
    assert len(answers) == 1 and '"B5"' in answers.pop()
