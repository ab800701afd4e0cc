"""Driving the field reviewer page in Chromium as a phone (390 × 844, touch, geolocation
emulated): a proposal brought to its joint site survey through the API, a reviewer signed
in, what the page shows read through ``window.sijieField``."""

from __future__ import annotations

import json
import random
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.api.conftest import demo_feature
from tests.api.walk import ROSTER_USERS, walk_to
from tests.web.server import Watched, block_outside, watched_page
from tests.web.workspace import PASSWORD, demo_shape

PHONE = {"width": 390, "height": 844}
REVIEWER = "ziranziyuan"  # 区自然资源规划分局, on the joint review's roster


def tiny_png(rgb: tuple[int, int, int] = (200, 30, 30), size: int = 8, *,
             noise: bool = False) -> bytes:
    """A well-formed PNG of one colour (a photo the service accepts), or of random pixels
    (``noise``: it hardly compresses, like a camera's photo)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    pixels = random.Random(size).randbytes if noise else (lambda n: bytes(rgb) * (n // 3))
    rows = b"".join(b"\x00" + pixels(3 * size) for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


class Api:
    """The service's JSON API as the demo users (for setting up and checking)."""

    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=120)
        self.auth: dict[str, dict[str, str]] = {}

    def headers(self, user: str) -> dict[str, str]:
        if user not in self.auth:
            token = self.client.post("/token", data={"username": user, "password": PASSWORD}
                                     ).json()["access_token"]
            self.auth[user] = {"Authorization": f"Bearer {token}"}
        return self.auth[user]

    def get(self, path: str, user: str = "gis") -> Any:
        response = self.client.get(path, headers=self.headers(user))
        assert response.status_code == 200, response.text
        return response

    def proposal_in_survey(self, name: str = "good_industrial") -> int:
        """A demo proposal created and walked to its joint site survey; its id."""
        created = self.client.post("/proposals", json=demo_feature(name, 4326),
                                   headers=self.headers("gis"))
        assert created.status_code == 201, created.text
        pid = int(created.json()["id"])
        self.walk(pid, "initially_reviewed")
        return pid


    def walk(self, pid: int, state: str) -> None:
        """Take the proposal's workflow steps up to ``state`` as the demo users."""
        users = ("gis", "bangongshi", "admin", *ROSTER_USERS)
        walk_to(self.client, {u: self.headers(u) for u in users}, pid, state)


def position_in(name: str) -> dict[str, float]:
    """A place inside a demo proposal, as the emulated geolocation gives it."""
    _, shape = demo_shape(name)
    point = shape.representative_point()
    return {"latitude": point.y, "longitude": point.x, "accuracy": 12}


@contextmanager
def phone(browser, base: str, position: dict[str, float], *,
          locale: str = "zh-CN") -> Iterator[tuple[Any, Watched]]:
    """A phone-sized context with geolocation granted at ``position``, a reviewer signed in
    on the field page; the context and its watched page."""
    context = browser.new_context(viewport=PHONE, locale=locale, is_mobile=True, has_touch=True,
                                  geolocation=position, permissions=["geolocation"])
    watched = watched_page(context)
    block_outside(context, watched)
    page = watched.page
    page.goto(f"{base}/login")  # a reviewer's home is the field page
    page.fill("#username", REVIEWER)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: urlsplit(url).path == "/field")
    page.evaluate("window.sijieField.ready")
    try:
        yield context, watched
    finally:
        context.close()


def open_proposal(page, base: str, pid: int) -> None:
    page.goto(f"{base}/field/proposals/{pid}")
    page.evaluate("window.sijieField.ready")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def map_points(page, fractions: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Page coordinates of places on the map given as fractions of its width and height."""
    box = page.evaluate("(() => { const r = document.getElementById('map')"
                        ".getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()")
    return [(round(box[0] + box[2] * fx), round(box[1] + box[3] * fy)) for fx, fy in fractions]


def lonlat_at(page, x: float, y: float) -> tuple[float, float]:
    """The lon/lat of the map at page coordinates ``x``, ``y``."""
    lat, lng = page.evaluate(
        """([x, y]) => { const m = window.sijieField.map;
                         const r = m.getContainer().getBoundingClientRect();
                         const at = m.containerPointToLatLng([x - r.left, y - r.top]);
                         return [at.lat, at.lng]; }""", [x, y])
    return lng, lat


def queue_count(page) -> int:
    return int(page.text_content("#queue-count") or "-1")


def main() -> None:
    """``python -m tests.web.field`` rewrites the README's picture of the field page,
    docs/field.png: the off-road-edge demo proposal in its site survey on a phone, its
    validation findings and two departments' survey findings on the map, my position."""
    import tempfile
    from pathlib import Path

    from tests.maps.browser import chromium
    from tests.web.server import running_service

    out = Path(__file__).resolve().parents[2] / "docs" / "field.png"
    name = "flaw_b3_offroad_edge"
    with tempfile.TemporaryDirectory() as tmp, running_service(Path(tmp)) as base, \
            chromium() as browser:
        api = Api(base)
        pid = api.proposal_in_survey(name)
        _, shape = demo_shape(name)
        west, south, east, north = shape.bounds
        for user, note, (fx, fy) in (("fagai", "厂区北侧道路尚未贯通", (0.55, 0.8)),
                                     ("jiedao", "此处围墙与规划边界不一致", (0.3, 0.35))):
            point = {"type": "Point", "coordinates": [west + (east - west) * fx,
                                                       south + (north - south) * fy]}
            files = {"photo": ("site.png", tiny_png((90, 120, 60), 64), "image/png")}
            posted = api.client.post(f"/proposals/{pid}/versions/1/findings",
                                     data={"geometry": json.dumps(point), "note": note},
                                     files=files, headers=api.headers(user))
            assert posted.status_code == 201, posted.text
        with phone(browser, base, position_in(name)) as (_, watched):
            page = watched.page
            open_proposal(page, base, pid)
            page.click(".sijie-tool-locate")
            page.wait_for_function("window.sijie.located !== undefined")
            page.wait_for_timeout(800)  # the zoom to my position ends
            page.evaluate("window.sijieField.map.fitBounds(window.sijieField.state.layers"
                          ".boundary.getBounds(), {animate: false})")
            page.wait_for_timeout(500)
            page.screenshot(path=str(out))
            assert watched.errors == [] and watched.external == []


if __name__ == "__main__":
    main()
