"""``sijie map`` writes a standalone page of the asked kind; bad input exits 2 with one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.maps.conftest import DEMO
from tests.maps.pages import control, layers

SIJIE = Path(sys.executable).with_name("sijie")
GOOD = str(DEMO / "proposals" / "good_industrial.gpkg")
CONTEXT = str(DEMO / "context.gpkg")


def sijie_map(*args: str) -> subprocess.CompletedProcess[str]:
    assert SIJIE.exists(), f"console script missing at {SIJIE}: install the project first"
    env = {k: v for k, v in os.environ.items()
           if k not in ("SIJIE_TIANDITU_TOKEN", "LC_ALL", "LANG")} | {"LANG": "C.UTF-8"}
    return subprocess.run([str(SIJIE), "map", *args], capture_output=True, text=True,
                          timeout=300, env=env)


def test_public_flag_writes_the_briefing_map(tmp_path):
    out = tmp_path / "public.html"
    result = sijie_map(GOOD, "--context", CONTEXT, "-o", str(out), "--public")
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert list(layers(page))[-3:] == ["grids", "community", "centre"]
    assert str(out) in result.stderr and "public" in result.stderr


def test_kind_and_language_are_chosen_on_the_command_line(tmp_path):
    out = tmp_path / "grid.html"
    result = sijie_map(GOOD, "--context", CONTEXT, "-o", str(out), "--kind", "grid",
                       "--lang", "en", "--basemap", "osm")
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert layers(page)["grids"]["label"] == "grids"
    assert control(page, "title")["text"] == "Grids and micro-grids"
    assert "tile.openstreetmap.org" in page


@pytest.mark.parametrize(("args", "words"), [
    (["--basemap", "google"], ["basemap", "plain"]),
    (["--kind", "heatmap"], ["kind", "validation"]),
    (["--basemap", "tianditu-vec"], ["天地图", "密钥", "SIJIE_TIANDITU_TOKEN"]),
    (["--basemap", "tianditu-vec", "--lang", "en"], ["Tianditu", "token"]),
])
def test_bad_options_exit_2_with_one_line(tmp_path, args, words):
    out = tmp_path / "map.html"
    result = sijie_map(GOOD, "--context", CONTEXT, "-o", str(out), *args)
    assert result.returncode == 2, result.stderr
    message = result.stderr.strip()
    assert "Traceback" not in message and len(message.splitlines()) == 1, message
    for word in words:
        assert word in message
    assert not out.exists()


def test_a_missing_context_exits_2_naming_the_file(tmp_path):
    result = sijie_map(GOOD, "--context", str(tmp_path / "nowhere.gpkg"),
                       "-o", str(tmp_path / "map.html"))
    assert result.returncode == 2
    assert "nowhere.gpkg" in result.stderr and "Traceback" not in result.stderr
