"""``python -m tests.web.screenshot`` rewrites the README's picture of the staff workspace,
docs/workspace.png: the editor on the demo proposal whose north edge leaves the roads, its
findings on the map and in the panel, the suggested boundary beside it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx

from tests.api.conftest import demo_feature
from tests.maps.browser import chromium
from tests.web.server import running_service
from tests.web.workspace import PASSWORD, open_editor, sign_in

OUT = Path(__file__).resolve().parents[2] / "docs" / "workspace.png"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, running_service(Path(tmp)) as base, \
            chromium() as browser:
        token = httpx.post(f"{base}/token", data={"username": "gis", "password": PASSWORD}
                           ).json()["access_token"]
        created = httpx.post(f"{base}/proposals", json=demo_feature("flaw_b3_offroad_edge", 4326),
                             headers={"Authorization": f"Bearer {token}"}, timeout=120).json()
        watched = sign_in(browser, base)
        open_editor(watched, base, created["id"])
        page = watched.page
        page.wait_for_function("window.sijieWorkspace.state.validations > 0 && "
                               "!window.sijieWorkspace.state.dirty")
        page.click("#suggest")
        page.wait_for_selector("#suggestion:not([hidden])")
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT))
        assert watched.errors == [] and watched.external == []


if __name__ == "__main__":
    main()
