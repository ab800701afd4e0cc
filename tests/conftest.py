"""Shared fixtures: the shipped demo town, read once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from boundary_data.demo_town import CONTEXT_LAYERS, PROPOSAL_LAYER
from geo.io import read_layer

DEMO = Path(__file__).resolve().parents[1] / "boundary_data" / "demo"

# The command line takes its language from LC_ALL/LANG: every test (and every `sijie` it starts)
# runs in the C locale, so the machine's locale cannot change what the tests see.
os.environ.pop("LC_ALL", None)
os.environ["LANG"] = "C.UTF-8"


@pytest.fixture(scope="session", autouse=True)
def _town_cache(tmp_path_factory: pytest.TempPathFactory):
    """Every command the tests run keeps its prepared towns in a folder of the session's own,
    never in the user's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIJIE_CACHE_DIR", str(tmp_path_factory.mktemp("town-cache")))
        yield


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    return DEMO


@pytest.fixture(scope="session")
def context():
    return {name: read_layer(DEMO / "context.gpkg", layer=name) for name in CONTEXT_LAYERS}


@pytest.fixture(scope="session")
def proposals():
    return {p.stem: read_layer(p, layer=PROPOSAL_LAYER)
            for p in sorted((DEMO / "proposals").glob("*.gpkg"))}
