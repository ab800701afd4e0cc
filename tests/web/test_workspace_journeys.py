"""The staff workspace in Chromium (network off localhost blocked): draw a boundary with
snapping → findings → move the off-road edge onto the road → it passes (the drawn edges fitted
to the village edges, so B5 finds no sliver) → save → submit; the same by composing from
road-bounded blocks until every rule passes; a file read into the editor and its suggested
boundary accepted in one click; a stale save shows the conflict and loses nothing typed.
Assertions read the map's data and the panel's text."""

from __future__ import annotations

import re

import numpy as np
import shapely

from tests.web.workspace import (
    DEMO,
    demo_shape,
    errors_by_rule,
    fit,
    open_editor,
    screen_points,
    sign_in,
    validations,
    wait_for_validation_after,
)

SAVED = re.compile(r".*/workspace/proposals/\d+$")


def _save_and_submit(page, *, has_errors: bool) -> None:
    """Save the new proposal, then submit the application with its reason (confirming the
    errors validation still finds, when it finds some)."""
    page.click("#save")
    page.wait_for_url(SAVED)
    page.wait_for_function("window.sijieWorkspace && window.sijieWorkspace.state.version === 1")
    page.wait_for_selector("#actions button[data-action=application]")
    page.fill("#step-reason", "申请设立")
    page.click("#actions button[data-action=application]")
    if has_errors:
        page.wait_for_selector("#confirm-box:not([hidden])")
        assert page.evaluate("document.querySelector('#state').dataset.state") == "draft"
        page.check("#confirm-errors")
        page.click("#actions button[data-action=application]")
    page.wait_for_function("document.querySelector('#state').dataset.state === 'applied'")


def test_draw_with_snapping_fix_the_offroad_edge_save_and_submit(service, browser):
    watched = sign_in(browser, service)
    page = watched.page
    open_editor(watched, service)
    name, good = demo_shape("good_industrial")
    ring = np.asarray(good.simplify(2e-5).exterior.coords)[:-1]
    # one corner pulled 400 m into the blocks: its two edges follow no road
    corner = int(np.argmax(ring[:, 1]))
    centre = np.asarray(good.centroid.coords[0])
    pulled = ring.copy()
    pulled[corner] = ring[corner] + (centre - ring[corner]) * 0.35
    page.fill("#name", name)
    fit(page, good)
    page.click("#mode-draw")
    points = screen_points(page, pulled)
    before = validations(page)
    for x, y in [*points, points[0]]:
        page.mouse.click(x, y)
    report = wait_for_validation_after(page, before)
    assert "B3" in errors_by_rule(report)
    assert page.locator("#findings li[data-rule=B3][data-severity=error]").count() >= 1
    assert page.evaluate("window.sijieWorkspace.findings.getLayers().length") >= 1
    drawn = shapely.geometry.shape(page.evaluate("window.sijieWorkspace.boundary()"))
    assert drawn.distance(shapely.Point(pulled[corner])) < 3e-5  # the pulled corner is kept
    assert "B5" not in errors_by_rule(report)

    # move the off-road corner back onto the road junction it belongs to
    page.click("#mode-edit")
    (x0, y0), (x1, y1) = screen_points(page, np.array([pulled[corner], ring[corner]]))
    before = validations(page)
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x0 + (x1 - x0) * step / 10, y0 + (y1 - y0) * step / 10)
    page.mouse.up()
    report = wait_for_validation_after(page, before)
    assert "B3" not in errors_by_rule(report)
    assert report["report"]["metrics"]["edge_share"] >= 0.9
    assert page.locator("#findings li[data-rule=B3][data-severity=error]").count() == 0
    # the clicked edges cut the villages' bends: fitted onto their edges, and the panel says so
    fitted = page.evaluate("window.sijieWorkspace.state.fitted")
    assert fitted and fitted["joined_m2"] + fitted["returned_m2"] > 0
    assert "已贴合" in page.locator("#fit-note").inner_text()
    assert shapely.geometry.shape(page.evaluate("window.sijieWorkspace.boundary()")).equals_exact(
        shapely.geometry.shape(fitted["geometry"]), 1e-9)  # what was validated is what is saved
    assert report["report"]["ok"] is True and errors_by_rule(report) == set()
    assert page.locator("#summary.ok").count() == 1
    assert page.locator("#findings li[data-severity=error]").count() == 0
    moved = shapely.geometry.shape(page.evaluate("window.sijieWorkspace.boundary()"))
    assert moved.distance(shapely.Point(ring[corner])) < 1e-4  # about 10 m
    overlap = shapely.intersection(moved, good).area / shapely.union(moved, good).area
    assert overlap > 0.995
    _save_and_submit(page, has_errors=False)
    assert watched.errors == [] and watched.external == []


def test_compose_from_blocks_until_every_rule_passes_save_and_submit(service, browser):
    watched = sign_in(browser, service)
    page = watched.page
    open_editor(watched, service)
    name, good = demo_shape("good_industrial")
    page.fill("#name", name)
    page.click("#mode-blocks")
    page.wait_for_function("window.sijieWorkspace.state.blocks !== null")
    blocks = page.evaluate("window.sijieWorkspace.state.blocks.toGeoJSON().features")
    shapes = [shapely.geometry.shape(f["geometry"]) for f in blocks]
    inside = [i for i, s in enumerate(shapes) if good.contains(s.representative_point())]
    # a block well away from the community: a second, detached part (B2)
    far = max(range(len(shapes)), key=lambda i: shapes[i].distance(good))
    fit(page, shapely.union_all([good, shapes[far]]))
    before = validations(page)
    for i in [*inside, far]:
        x, y = screen_points(page, np.array([shapes[i].representative_point().coords[0]]))[0]
        page.mouse.click(x, y)
    report = wait_for_validation_after(page, before)
    assert "B2" in errors_by_rule(report)
    assert page.locator("#findings li[data-rule=B2]").count() >= 1
    before = validations(page)
    x, y = screen_points(page, np.array([shapes[far].representative_point().coords[0]]))[0]
    page.mouse.click(x, y)
    report = wait_for_validation_after(page, before)
    messages = [f["properties"]["message"] for f in report["features"]]
    assert report["report"]["ok"] is True and errors_by_rule(report) == set(), messages
    assert page.locator("#summary.ok").count() == 1
    composed = shapely.geometry.shape(page.evaluate("window.sijieWorkspace.boundary()"))
    overlap = shapely.intersection(composed, good).area / shapely.union(composed, good).area
    assert overlap > 0.999
    _save_and_submit(page, has_errors=False)
    assert watched.errors == [] and watched.external == []


def test_a_stale_save_says_someone_saved_first_and_keeps_what_was_typed(service, browser):
    first = sign_in(browser, service)
    second = sign_in(browser, service, "admin")
    name, good = demo_shape("flaw_b6_cut_parcel")
    open_editor(first, service)
    first.page.fill("#name", name)
    page = first.page
    page.evaluate("""g => { const w = window.sijieWorkspace;
                         w.map.fire('pm:create', {layer: L.geoJSON(g).getLayers()[0]}); }""",
                  shapely.geometry.mapping(good))
    page.click("#save")
    page.wait_for_url(SAVED)
    url = page.url
    second.page.goto(url)
    for editor in (first, second):
        editor.page.wait_for_function("window.sijieWorkspace && "
                                      "window.sijieWorkspace.state.version === 1")
    second.page.fill("#reason", "their change")
    second.page.click("#save")
    second.page.wait_for_function("window.sijieWorkspace.state.version === 2")
    page.fill("#name", name + "（修改）")
    page.fill("#reason", "my careful reasons")
    mine = page.evaluate("window.sijieWorkspace.boundary()")
    page.click("#save")
    page.wait_for_selector("#conflict:not([hidden])")
    text = page.locator("#conflict-text").inner_text()
    assert "他人已先保存" in text and "v2" in text
    assert page.input_value("#name") == name + "（修改）"
    assert page.input_value("#reason") == "my careful reasons"
    assert page.evaluate("window.sijieWorkspace.boundary()") == mine
    assert page.evaluate("window.sijieWorkspace.state.version") == 1
    page.click("#show-theirs")
    assert page.evaluate("window.sijieWorkspace.state.theirs.feature.properties.version") == 2
    page.click("#save-anyway")
    page.wait_for_function("window.sijieWorkspace.state.version === 3")
    assert page.locator("#conflict").is_hidden()
    # the one error the browser logs is the refused save itself (412), which is the protocol
    assert first.errors == ["Failed to load resource: the server responded with a status of "
                            "412 (Precondition Failed)"]
    assert second.errors == [] and first.external == [] and second.external == []


def test_upload_a_file_then_accept_the_suggested_boundary_in_one_click(service, browser):
    watched = sign_in(browser, service)
    page = watched.page
    open_editor(watched, service)
    page.click("#upload-box summary")
    page.set_input_files("#upload-file", str(DEMO / "proposals" / "flaw_b3_offroad_edge.gpkg"))
    page.fill("#upload-name", "澥川试验工业社区")
    before = validations(page)
    page.click("#upload-form button[type=submit]")
    report = wait_for_validation_after(page, before)
    assert page.input_value("#name") == "澥川试验工业社区"
    assert "B3" in errors_by_rule(report)
    page.click("#suggest")
    page.wait_for_selector("#suggestion:not([hidden])")
    summary = page.locator("#suggestion-summary").inner_text()
    assert "B2 ✓ B3 ✓ B6 ✓" in summary and "与原边界重合" in summary
    suggested = page.evaluate("window.sijieWorkspace.state.suggestion")
    before = validations(page)
    page.click("#accept-suggestion")
    report = wait_for_validation_after(page, before)
    assert errors_by_rule(report) & {"B2", "B3", "B6"} == set()
    assert shapely.geometry.shape(page.evaluate("window.sijieWorkspace.boundary()")).equals_exact(
        shapely.geometry.shape(suggested["suggested"]), 1e-9)
    assert page.locator("#suggestion").is_hidden()
    assert watched.errors == [] and watched.external == []
