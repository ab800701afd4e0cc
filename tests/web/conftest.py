"""Fixtures of the browser tests: one service on a free localhost port for the module, and
Debian's Chromium driven by Playwright."""

from __future__ import annotations

import pytest

from tests.maps.browser import chromium
from tests.web.server import running_service


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with running_service(tmp_path_factory.mktemp("web")) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b
