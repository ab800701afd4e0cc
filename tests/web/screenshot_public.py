"""``python -m tests.web.screenshot_public`` rewrites the README's picture of the public
briefing page, docs/public_map.png: the demo town with its two good proposals approved through
the workflow (the industrial one also registered), in Chromium with the internet blocked."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx

from tests.api.conftest import bearer, create_proposal
from tests.api.walk import ROSTER_USERS, walk_to
from tests.maps.browser import chromium
from tests.web.server import running_service, watched_page

OUT = Path(__file__).resolve().parents[2] / "docs" / "public_map.png"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, running_service(Path(tmp)) as base, \
            chromium() as browser:
        with httpx.Client(base_url=base, timeout=600) as client:
            auth = bearer(client, "gis", "minzheng", "bangongshi", "admin", *ROSTER_USERS)
            for name, state in (("good_industrial", "registered"), ("good_building", "approved")):
                pid, _ = create_proposal(client, auth["gis"], name)
                walk_to(client, auth, pid, state)
        watched = watched_page(browser.new_context(viewport={"width": 1400, "height": 900},
                                                   locale="zh-CN"))
        page = watched.page
        page.goto(f"{base}/public/map", wait_until="networkidle")
        page.wait_for_function("window.sijieBriefing && window.sijieBriefing.ready")
        page.evaluate("sijie.map.setView(sijie.layers.communities.getBounds().getCenter(), 15, "
                      "{animate: false})")
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT))
        assert watched.errors == [] and watched.external == []


if __name__ == "__main__":
    main()
