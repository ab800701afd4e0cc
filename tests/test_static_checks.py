"""``make test`` runs ruff, mypy and import-linter before the tests, and each one fails on a
violation under the project's own configuration (pyproject.toml).

Each checker is run on a tiny package written to a temporary folder: once clean (it must pass,
so a failure below is the violation and not a broken set-up) and once with one deliberate
violation (it must fail).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
BIN = Path(sys.executable).parent


def _run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd), "MYPY_CACHE_DIR": str(cwd / ".mypy_cache")}
    return subprocess.run([str(BIN / command[0]), *command[1:]], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _package(root: Path, files: dict[str, str]) -> Path:
    """Packages ``geo``, ``maps`` and ``api`` under ``root`` with the given module texts."""
    for package in ("geo", "maps", "api"):
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").write_text('"""A package."""\n')
    for name, text in files.items():
        (root / name).write_text(text)
    return root


_CLEAN_GEO = '''"""Areas."""

__all__ = ["area"]


def area(width: float, height: float) -> float:
    """The area of a rectangle."""
    return width * height
'''


def test_ruff_fails_on_an_unused_import(tmp_path: Path) -> None:
    clean = _package(tmp_path / "clean", {"geo/area.py": _CLEAN_GEO})
    assert _run("ruff", "check", "--config", str(PYPROJECT), ".", cwd=clean).returncode == 0
    broken = _package(tmp_path / "broken", {"geo/area.py": "import os\n" + _CLEAN_GEO})
    result = _run("ruff", "check", "--config", str(PYPROJECT), ".", cwd=broken)
    assert result.returncode != 0
    assert "F401" in result.stdout


@pytest.mark.parametrize(("module", "code"), [
    ('"""Areas."""\n\n\ndef area(width: float) -> int:\n    return str(width)\n',
     "return-value"),
    # strict in geo/: every function is annotated
    ('"""Areas."""\n\n\ndef area(width, height):\n    return width * height\n',
     "no-untyped-def"),
])
def test_mypy_fails_on_a_type_error_in_geo(tmp_path: Path, module: str, code: str) -> None:
    clean = _package(tmp_path / "clean", {"geo/area.py": _CLEAN_GEO})
    assert _run("mypy", "--config-file", str(PYPROJECT), "geo", cwd=clean).returncode == 0
    broken = _package(tmp_path / "broken", {"geo/area.py": module})
    result = _run("mypy", "--config-file", str(PYPROJECT), "geo", cwd=broken)
    assert result.returncode != 0
    assert f"[{code}]" in result.stdout


def test_import_linter_fails_when_geo_imports_api(tmp_path: Path) -> None:
    helper = '"""Helpers."""\n\nfrom geo.area import area\n\n__all__ = ["area"]\n'
    clean = _package(tmp_path / "clean", {"geo/area.py": _CLEAN_GEO, "api/helper.py": helper})
    assert _run("lint-imports", "--config", str(PYPROJECT), "--no-cache",
                cwd=clean).returncode == 0
    upward = '"""Areas."""\n\nimport api.helper\n\n__all__ = ["api"]\n'
    broken = _package(tmp_path / "broken", {"geo/area.py": _CLEAN_GEO, "api/helper.py": helper,
                                            "geo/up.py": upward})
    result = _run("lint-imports", "--config", str(PYPROJECT), "--no-cache", cwd=broken)
    assert result.returncode != 0
    assert "geo.up -> api.helper" in result.stdout


def test_make_test_runs_the_three_checkers_before_pytest() -> None:
    recipe = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True,
                            check=True, timeout=60).stdout.splitlines()
    wanted = ["ruff check .", "mypy", "lint-imports", "python -m pytest"]
    found = [next(i for i, line in enumerate(recipe) if line.startswith(f".venv/bin/{w}"))
             for w in wanted]
    assert found == sorted(found), recipe
    for i in found:
        # each is its own recipe line, so make stops at the first that fails (pytest's 5,
        # "no tests collected", included): nothing ignores or swallows its exit code
        assert not recipe[i].lstrip().startswith("-")
        assert "||" not in recipe[i] and ";" not in recipe[i]
