"""The public briefing page in Chromium with the internet blocked: before any approval it shows
the town and says no community is approved yet; once communities are approved through the
workflow it shows every one of them with grids and service centres over the villages, roads
and rivers; neither the page nor any request it makes carries an enterprise name, a credit
code, an employee figure or a finding; it fits a phone, passes axe-core and speaks English on
request."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from geo.io import read_context
from geo.rules import load_rules
from tests.api.conftest import bearer, create_proposal, demo_feature
from tests.api.walk import ROSTER_USERS, walk_to
from tests.maps.checks import PHONE, axe_violations, legend_problems, room_for_the_map
from tests.maps.conftest import DEMO
from tests.maps.pages import texts
from tests.web.server import watched_page
from tests.web.workspace import VIEWPORT

USERS = ("gis", "minzheng", "bangongshi", "admin", *ROSTER_USERS)
DRAFT_NAME = "尚未批准测试工业社区"


def _open(browser, url: str, viewport=VIEWPORT, locale: str = "zh-CN"):
    context = browser.new_context(viewport=viewport, locale=locale)
    watched = watched_page(context)
    responses = []
    watched.page.on("response", lambda response: responses.append(response))
    watched.page.goto(url, wait_until="networkidle")
    watched.page.wait_for_function("window.sijieBriefing && window.sijieBriefing.ready")
    return watched, responses


def _briefing(page) -> dict:
    return json.loads(page.evaluate("document.getElementById('briefing').textContent"))


def _labels(page, layer: str) -> list[str]:
    return page.evaluate("""id => { const out = [];
        if (!sijie.layers[id]) return out;
        sijie.layers[id].sijieFeatures.eachLayer(f => f.feature.properties.label &&
                                                out.push(f.feature.properties.label));
        return out; }""", layer)


def test_before_any_approval_the_page_shows_the_town_and_says_so(service, browser):
    watched, _ = _open(browser, f"{service}/public/map")
    page = watched.page
    assert page.inner_text("#briefing-status") == "本镇尚无已批准的产业社区"
    assert page.inner_text("h1").endswith("产业社区公示图")
    villages = read_context(DEMO / "context.gpkg", load_rules(None)).layer("neighbours")
    places = _labels(page, "places")
    assert set(villages["name"]) <= set(places)  # every village and community named
    assert {"甬江"} <= set(places) and any(p.endswith("路") or p.endswith("道") for p in places)
    assert page.evaluate("sijie.layers.roads.getLayers().length") > 100
    assert _labels(page, "communities") == [] and "grids" not in page.evaluate(
        "Object.keys(sijie.layers)")
    assert watched.errors == [] and watched.external == [] and watched.failed == []
    page.context.close()


@pytest.fixture(scope="module")
def approved(service):
    """Two communities approved through the workflow (one also registered) and a draft."""
    with httpx.Client(base_url=service, timeout=600) as client:
        auth = bearer(client, *USERS)
        industrial, _ = create_proposal(client, auth["gis"], "good_industrial")
        walk_to(client, auth, industrial, "registered")
        building, _ = create_proposal(client, auth["gis"], "good_building")
        walk_to(client, auth, building, "approved")
        draft = demo_feature("flaw_b3_offroad_edge")
        draft["properties"]["name"] = DRAFT_NAME
        assert client.post("/proposals", json=draft, headers=auth["gis"]).status_code == 201
        reports = [client.get(f"/proposals/{pid}/versions/1/validation",
                              headers=auth["gis"]).json() for pid in (industrial, building)]
        names = [client.get(f"/proposals/{pid}").json()["properties"]["name"]
                 for pid in (industrial, building)]
    return {"ids": (industrial, building), "names": names, "reports": reports}


def _secrets(approved) -> tuple[list[str], set[int]]:
    ctx = read_context(DEMO / "context.gpkg", load_rules(None))
    parcels, buildings = ctx.layer("parcels"), ctx.layer("buildings")
    words = [n for n in parcels["name"].dropna().unique() if n]
    words += [n for n in buildings["name"].dropna().unique() if n]
    words += [c for c in parcels["uscc"].dropna().unique() if c]
    for report in approved["reports"]:
        words += [f["properties"]["message"] for f in report.get("features", [])]
        words += [f["message"] for f in report.get("findings", [])]
    words.append(DRAFT_NAME)
    counts = {int(v) for v in parcels["employees"].dropna() if v >= 100}
    return words, counts


def test_every_approved_community_shows_with_grids_centres_and_nothing_internal(
        service, browser, approved):
    watched, responses = _open(browser, f"{service}/public/map")
    page = watched.page
    status = page.inner_text("#briefing-status")
    assert "已批准 2 个" in status and all(name in status for name in approved["names"])
    assert sorted(_labels(page, "communities")) == sorted(approved["names"])
    grids = _labels(page, "grids")
    assert grids and all(re.fullmatch(r"\d{15}", code) for code in grids)
    centres = _labels(page, "centres")
    assert any(c.startswith(approved["names"][0]) for c in centres)
    # the registered community is a feature of the town now: it is named once, as a community
    assert approved["names"][0] not in _labels(page, "places")
    assert legend_problems(page) == []
    words, counts = _secrets(approved)
    assert len(responses) >= 5  # the page, its styles and scripts: every one is looked at
    for response in responses:
        assert re.match(r"http://127\.0\.0\.1:\d+/", response.url), response.url
        body = response.body().decode("utf-8", "replace")
        for word in words:
            assert word not in body and json.dumps(word)[1:-1] not in body, (response.url, word)
    html = responses[0].body().decode("utf-8")
    assert responses[0].url.endswith("/public/map")
    for word in ("就业", "企业", "employees", "popup", "tooltip", "检查发现", "意见"):
        assert word not in html, word  # no internal field, even empty
    data = [t for t in texts(_briefing(page)) if not t.startswith("https://")]
    for count in counts:
        token = re.compile(rf"(?<![\w.]){count}(?![\w.])")
        assert not [t for t in data if token.search(t)], count
        found = token.search(html)  # as served: the drawn page has pixel paths of all numbers
        assert not found, html[found.start() - 200:found.end() + 50]
    assert watched.errors == [] and watched.external == [] and watched.failed == []
    page.context.close()


def test_the_page_fits_a_phone_and_has_no_serious_accessibility_violation(
        service, browser, approved):
    watched, _ = _open(browser, f"{service}/public/map", viewport=PHONE)
    page = watched.page
    room = room_for_the_map(page)
    assert room["scrollWidth"] <= room["width"] == 390
    assert room["covered"] < 0.35 and room["centreOnMap"], room
    assert room["mapHeight"] > 0.6 * PHONE["height"]
    assert axe_violations(page) == []
    assert watched.errors == [] and watched.external == []
    page.context.close()
    watched, _ = _open(browser, f"{service}/public/map")
    assert axe_violations(watched.page) == []
    watched.page.context.close()


def test_printing_gives_the_map_with_title_legend_and_north_arrow(service, browser, approved):
    watched, _ = _open(browser, f"{service}/public/map")
    page = watched.page
    page.emulate_media(media="print")
    hidden = page.evaluate("""() => ['.frame-header', '#print', '.leaflet-control-zoom',
        '.leaflet-control-layers', '.sijie-tools'].filter(
        s => getComputedStyle(document.querySelector(s)).display !== 'none')""")
    assert hidden == []
    for shown in ("h1", ".sijie-legend", ".sijie-north", ".leaflet-control-scale"):
        assert page.locator(shown).is_visible(), shown
    assert float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1'))"
                               ".fontSize)")) >= 28  # 22 pt
    pdf = page.pdf(format="A4", landscape=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    page.context.close()


def test_english_on_request_and_a_named_community_is_framed(service, browser, approved):
    watched, _ = _open(browser, f"{service}/public/map?lang=en&proposal={approved['ids'][1]}",
                       locale="en-GB")
    page = watched.page
    assert page.inner_text("h1").startswith("Industrial communities of")
    assert "2 approved" in page.inner_text("#briefing-status")
    assert "Base map" in page.inner_text(".leaflet-control-layers")
    framed = page.evaluate("""name => { const view = sijie.map.getBounds(); let one = null;
        sijie.layers.communities.sijieFeatures.eachLayer(f => {
            if (f.feature.properties.label === name) one = f.getBounds(); });
        return [view.contains(one), view.contains(sijie.layers.town.getBounds())]; }""",
                           approved["names"][1])
    assert framed == [True, False]  # on the named community, closer than the whole town
    assert watched.errors == [] and watched.external == []
    page.context.close()
    missing = httpx.get(f"{service}/public/map?proposal=999999")
    assert missing.status_code == 404
