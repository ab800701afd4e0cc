"""What a shell call loads: ``sijie --help`` starts without the spatial stack, and ``sijie
validate`` without the database and map libraries the service needs (the imports are most of
a short command's wall time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("geopandas", "shapely", "pandas", "sqlalchemy", "folium", "scipy", "fastapi",
         "typer.rich_utils")


def _modules_after(args: list[str]) -> dict[str, bool]:
    """Which of :data:`HEAVY` a fresh interpreter has imported after running ``sijie args``."""
    code = (
        "import json, sys\n"
        "from api.cli import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps({{m: m in sys.modules for m in {list(HEAVY)!r}}}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[2])
    loaded: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_help_imports_no_geopandas_nor_the_service() -> None:
    loaded = _modules_after(["--help"])
    assert not any(v for m, v in loaded.items() if m != "typer.rich_utils"), loaded


def test_validate_imports_neither_database_nor_map_libraries(demo_dir: Path,
                                                             tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    loaded = _modules_after(["validate", str(demo_dir / "proposals" / "good_industrial.gpkg"),
                             "--context", str(demo_dir / "context.gpkg"), "--format", "json",
                             "-o", str(report)])
    assert json.loads(report.read_text(encoding="utf-8"))["ok"] is True
    assert loaded["geopandas"]  # it did validate
    assert not (loaded["sqlalchemy"] or loaded["folium"] or loaded["fastapi"]), loaded
    assert not loaded["typer.rich_utils"]  # the help renderer is loaded for help and errors


def test_help_still_says_its_panel_titles_in_the_chosen_language() -> None:
    sijie = str(Path(sys.executable).parent / "sijie")
    shown = subprocess.run([sijie, "--help"], capture_output=True, text=True)
    assert "选项" in shown.stdout  # 'Options', in the default language
    error = subprocess.run([sijie, "validate"], capture_output=True, text=True)
    assert "错误" in error.stderr  # the usage error's panel, too
