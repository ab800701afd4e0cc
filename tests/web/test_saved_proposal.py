"""A saved proposal in the staff workspace (Chromium, network off localhost blocked): its
version history with the diff on the map, grids and facility run and their maps shown, the
workflow steps of the signed-in role only, the application package downloaded, and its row and
state colour on the town dashboard."""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import httpx
import pytest

from tests.api.conftest import demo_feature
from tests.web.workspace import PASSWORD, demo_shape, open_editor, sign_in


@pytest.fixture(scope="module")
def proposal(service) -> int:
    """good_industrial saved as v1, then its off-road-edge variant as v2."""
    token = httpx.post(f"{service}/token", data={"username": "gis", "password": PASSWORD}
                       ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    created = httpx.post(f"{service}/proposals", json=demo_feature("good_industrial", 4326),
                         headers=auth, timeout=120)
    pid = created.json()["id"]
    changed = demo_feature("flaw_b3_offroad_edge", 4326)
    changed["properties"]["reason"] = "北侧边界调整"
    saved = httpx.put(f"{service}/proposals/{pid}", json=changed, timeout=120,
                      headers={**auth, "If-Match": created.headers["ETag"]})
    assert saved.status_code == 200, saved.text
    return int(pid)


def test_history_lists_each_version_and_shows_the_diff_on_the_map(service, browser, proposal):
    watched = sign_in(browser, service)
    page = watched.page
    open_editor(watched, service, proposal)
    page.wait_for_function("document.querySelectorAll('#versions li').length === 2")
    assert page.locator("#versions li").first.inner_text().startswith("v1")
    page.click("#versions li button")  # compare with v1
    page.wait_for_function("window.sijieWorkspace.history.getLayers().length > 0")
    changes = page.evaluate("""() => window.sijieWorkspace.history.toGeoJSON().features
                                 .map(f => [f.properties.change, f.properties.area_m2])""")
    # v2 takes in 42 ha north of v1's edge and gives nothing up
    v1, v2 = (demo_shape(name)[1] for name in ("good_industrial", "flaw_b3_offroad_edge"))
    metric = gpd.GeoSeries([v2.difference(v1), v1.difference(v2)], crs=4326).to_crs(4549)
    assert dict(changes) == pytest.approx({"added": metric.area[0], "removed": metric.area[1]},
                                          rel=1e-3, abs=1.0)
    assert "v1" in page.locator("#status").inner_text()
    assert watched.errors == [] and watched.external == []


@pytest.mark.parametrize(("button", "layer"), [("#run-grids", "grids"),
                                               ("#run-facility", "sites")])
def test_grids_and_facility_run_and_their_map_opens(service, browser, proposal, button, layer):
    watched = sign_in(browser, service)
    page = watched.page
    open_editor(watched, service, proposal)
    page.click(button)
    page.wait_for_selector("#run-dialog[open]", timeout=120_000)
    frame = page.frame_locator("#run-frame")
    frame.locator(".leaflet-container").wait_for()
    inner = next(f for f in page.frames if f != page.main_frame)
    inner.wait_for_function("window.sijie && Object.keys(sijie.layers).length > 0")
    counts = inner.evaluate("""() => Object.fromEntries(Object.entries(sijie.layers)
        .map(([id, l]) => [id, l.getLayers ? l.getLayers().length : 0]))""")
    assert counts.get(layer, 0) > 0, counts
    page.click("#run-dialog form button")
    assert watched.errors == [] and watched.external == []


def test_the_application_package_downloads_as_a_zip(service, browser, proposal):
    watched = sign_in(browser, service)
    page = watched.page
    open_editor(watched, service, proposal)
    with page.expect_download(timeout=180_000) as download:
        page.click("#download-package")
    data = download.value.path().read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        manifest = json.loads(package.read(next(n for n in names
                                                if n.endswith("manifest.json"))))
    assert any(n.endswith(".docx") for n in names) and any(n.endswith(".gpkg") for n in names)
    assert manifest
    assert download.value.suggested_filename == f"proposal{proposal}_v2_package.zip"
    assert watched.errors == [] and watched.external == []


def _actions(page) -> list[str]:
    return page.evaluate("[...document.querySelectorAll('#actions button')]"
                         ".map(b => b.dataset.action)")


def _allowed(page, proposal: int, role: str) -> list[str]:
    """The next steps the service allows ``role`` on ``proposal``."""
    doc = page.evaluate(f"window.sijieApi.request('GET', '/proposals/{proposal}/events')")
    return [a["action"] for a in doc["next_actions"] if role in a["roles"]]


def test_each_role_sees_only_its_own_workflow_steps(service, browser, proposal):
    gis = sign_in(browser, service)
    open_editor(gis, service, proposal)
    page = gis.page
    page.wait_for_selector("#actions button")
    assert "application" in _actions(page)
    assert _actions(page) == _allowed(page, proposal, "gis")
    page.fill("#step-reason", "申请设立")
    page.click("#actions button[data-action=application]")
    page.wait_for_selector("#confirm-box:not([hidden])")  # v2 has B3 errors: confirm them
    page.check("#confirm-errors")
    page.click("#actions button[data-action=application]")
    page.wait_for_function("document.querySelector('#state').dataset.state === 'applied'")
    # the initial review is not staff's step
    assert "initial_review" not in _actions(page) and "application" not in _actions(page)
    assert _actions(page) == _allowed(page, proposal, "gis")
    civil = sign_in(browser, service, "minzheng")
    open_editor(civil, service, proposal)
    civil.page.wait_for_selector("#actions button")
    assert "initial_review" in _actions(civil.page)
    assert _actions(civil.page) == _allowed(civil.page, proposal, "civil_affairs")
    # civil affairs does not edit boundaries: no drawing, saving or runs, nothing it may not ask
    for tool in ("#mode-draw", "#save", "#run-grids", "#upload-box", "#fit-edges"):
        assert civil.page.locator(tool).is_hidden(), tool
    assert civil.page.locator("#name").is_disabled()
    assert "只读" in civil.page.locator("#summary").inner_text()
    civil.page.wait_for_timeout(600)  # past the editor's debounce: no validation is asked for
    assert civil.page.evaluate("window.sijieWorkspace.state.validations") == 0
    assert gis.errors == civil.errors == [] and gis.external == civil.external == []


def test_the_dashboard_shows_each_community_by_state_on_the_map_and_in_the_table(
        service, browser, proposal):
    watched = sign_in(browser, service)
    page = watched.page
    page.wait_for_function("window.sijieDashboard && window.sijieDashboard.ready")
    row = page.locator(f"#proposals tbody tr:has(a[href='/workspace/proposals/{proposal}'])")
    cells = row.locator("td").all_inner_texts()
    name, _ = demo_shape("flaw_b3_offroad_edge")
    state = row.get_attribute("data-state")
    assert cells[0] == name and cells[4].endswith(" ha") and float(cells[4][:-3]) > 200
    drawn = page.evaluate("""id => { const d = window.sijieDashboard; let found = null;
        d.layer.eachLayer(l => { if (l.feature.id === id) {
            found = {colour: l.options.fillColor, state: l.feature.properties.state}; } });
        return found; }""", proposal)
    assert drawn["state"] == state
    # the community's colour on the map is its state's swatch in the legend
    legend = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '#legend .legend-item')].map(i => [i.textContent, i.firstChild.style.background]))""")
    label = cells[1]
    swatch = page.evaluate("c => { const s = document.createElement('span'); "
                           "s.style.background = c; return s.style.background; }", drawn["colour"])
    assert legend[label] == swatch
    assert watched.errors == [] and watched.external == []
