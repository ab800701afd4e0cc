"""What a shell call loads: ``sijie --help`` starts without the spatial stack, and ``sijie
validate`` without the service's libraries, rich, or the readers and writers it does not use
(the imports are most of a short command's wall time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# the spatial stack a command on maps needs, and help never does
SPATIAL = ("geopandas", "shapely", "pandas", "scipy")
# the service, its database, its maps and its cluster: never a shell validation's
SERVICE = ("sqlalchemy", "geoalchemy2", "fastapi", "uvicorn", "alembic", "folium", "dask",
           "distributed", "maps", "api.analyses")
# what validating with a kept prepared town has no use for: the console tables (it writes
# JSON), typer's help renderer, the context's readers with their employment figures, and the
# GeoPackage writer
UNUSED_BY_VALIDATE = ("rich", "typer.rich_utils", "geo.io.context", "geo.io.employment",
                      "geo.employment.outcome", "geo.io.gpkg")


def _modules_after(args: list[str], modules: tuple[str, ...], cache: Path | None = None
                   ) -> dict[str, bool]:
    """Which of ``modules`` a fresh interpreter has imported after running ``sijie args``
    (with ``SIJIE_CACHE_DIR=cache`` when given)."""
    code = (
        "import json, sys\n"
        "from api.cli import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps({{m: m in sys.modules for m in {list(modules)!r}}}))\n"
    )
    env = None if cache is None else {**os.environ, "SIJIE_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[2], env=env)
    loaded: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_help_imports_no_geopandas_nor_the_service() -> None:
    loaded = _modules_after(["--help"], SPATIAL + SERVICE)
    assert not any(loaded.values()), loaded


def test_validate_imports_neither_the_service_nor_what_it_does_not_use(
        demo_dir: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    args = ["validate", str(demo_dir / "proposals" / "good_industrial.gpkg"), "--context",
            str(demo_dir / "context.gpkg"), "--format", "json", "-o", str(report)]
    cache = tmp_path / "towns"
    first = _modules_after(args, ("geo.io.context",), cache)  # prepares and keeps the town
    assert first["geo.io.context"]
    loaded = _modules_after(args, (*SERVICE, *UNUSED_BY_VALIDATE), cache)
    assert json.loads(report.read_text(encoding="utf-8"))["ok"] is True  # it did validate
    assert not any(loaded.values()), {m for m, v in loaded.items() if v}


def test_validate_on_a_kept_town_loads_neither_pandas_nor_gdal(demo_dir: Path,
                                                               tmp_path: Path) -> None:
    """The prepared town is unpickled without pandas and a GeoPackage proposal is read with
    SQLite alone: a shell validation never loads pandas, geopandas or GDAL's bindings."""
    report = tmp_path / "report.json"
    args = ["validate", str(demo_dir / "proposals" / "good_industrial.gpkg"), "--context",
            str(demo_dir / "context.gpkg"), "--format", "json", "-o", str(report)]
    cache = tmp_path / "towns"
    _modules_after(args, (), cache)  # prepares and keeps the town
    loaded = _modules_after(args, ("pandas", "geopandas", "pyogrio"), cache)
    assert json.loads(report.read_text(encoding="utf-8"))["ok"] is True
    assert not any(loaded.values()), {m for m, v in loaded.items() if v}


def test_help_still_says_its_panel_titles_in_the_chosen_language() -> None:
    sijie = str(Path(sys.executable).parent / "sijie")
    shown = subprocess.run([sijie, "--help"], capture_output=True, text=True)
    assert "选项" in shown.stdout  # 'Options', in the default language
    error = subprocess.run([sijie, "validate"], capture_output=True, text=True)
    assert "错误" in error.stderr  # the usage error's panel, too
