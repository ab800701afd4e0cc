"""The field reviewer on a phone (Chromium at 390 × 844, touch, geolocation emulated, requests
off localhost blocked): sign in, open a proposal in its joint site survey, lose the signal,
record a finding with a photo at my position (the outbox counts 1), reload the page with no
signal (the service worker opens it, with its data), get the signal back → the finding is
stored exactly once with its photo, even when the answer to the first send is lost; then give
the department's opinion in the joint review with no signal (the outbox counts 1) → given once
when the signal returns. The page has no sideways scrolling, keeps the
map in view, logs no console error and has no serious accessibility violation."""

from __future__ import annotations

import pytest
import shapely

from tests.web.field import (
    PHONE,
    REVIEWER,
    Api,
    lonlat_at,
    map_points,
    open_proposal,
    phone,
    position_in,
    queue_count,
    tiny_png,
)
from tests.web.test_pages_in_browser import _axe

PROPOSAL = "good_industrial"


@pytest.fixture(scope="module")
def api(service):
    return Api(service)


def _findings(api: Api, pid: int) -> list[dict]:
    return api.get(f"/proposals/{pid}/versions/1/findings").json()["features"]


def test_a_finding_made_offline_is_stored_once_with_its_photo_and_the_opinion_is_posted(
        service, browser, api, tmp_path):
    pid = api.proposal_in_survey(PROPOSAL)
    where = position_in(PROPOSAL)
    photo = tmp_path / "site.png"
    photo.write_bytes(tiny_png())
    with phone(browser, service, where) as (context, watched):
        page = watched.page
        assert page.locator(f"#proposals a[href='/field/proposals/{pid}']").count() == 1
        open_proposal(page, service, pid)
        assert page.evaluate("window.sijieField.state.sheet.validation.features.length") >= 0
        assert page.evaluate("window.sijieField.state.layers.boundary.getLayers().length") == 1

        context.set_offline(True)
        page.click("#at-me")
        page.wait_for_selector("#finding-form:not([hidden])")
        page.fill("#note", "东侧围墙外为农田，边界应沿河")
        page.set_input_files("#photo", str(photo))
        page.click("#save-finding")
        page.wait_for_function("document.querySelector('#queue-count').textContent === '1'")
        assert page.text_content("#net") == "离线"

        page.reload()  # no signal: the service worker answers with the kept page and data
        page.evaluate("window.sijieField.ready")
        assert queue_count(page) == 1
        assert page.text_content("#title") == page.evaluate(
            "window.sijieField.state.sheet.proposal.properties.name")
        assert page.evaluate("window.sijieField.state.layers.queued.getLayers().length") == 1
        assert _findings(api, pid) == []

        # the signal returns, but the answer to the first send is lost on the way back
        lost: list[str] = []

        def lose_answer(route) -> None:
            if route.request.method == "POST" and not lost:
                route.fetch()  # the service stores it…
                lost.append(route.request.headers.get("idempotency-key", ""))
                route.abort()  # …and the phone never hears
            else:
                route.continue_()

        page.route("**/findings", lose_answer)
        seen = len(watched.errors)
        context.set_offline(False)
        page.wait_for_function("() => window.sijieField.outbox && document.querySelector("
                               "'#net').dataset.online === 'true'")
        page.wait_for_timeout(500)
        assert lost and lost[0], "the first send was not made"
        assert queue_count(page) == 1  # not confirmed: still waiting
        page.click("#send-now")  # sent again with the same key
        page.wait_for_function("document.querySelector('#queue-count').textContent === '0'")
        # the one error the browser logs is the answer this test threw away
        assert watched.errors[seen:] == ["Failed to load resource: net::ERR_FAILED"]
        del watched.errors[seen:]

        stored = _findings(api, pid)
        assert len(stored) == 1
        finding = stored[0]["properties"]
        assert finding["note"] == "东侧围墙外为农田，边界应沿河"
        assert finding["department"] == "区自然资源规划分局" and finding["author"] == REVIEWER
        at = shapely.geometry.shape(stored[0]["geometry"])
        assert at.distance(shapely.Point(where["longitude"], where["latitude"])) < 1e-6
        assert api.get(finding["photo"]).content == photo.read_bytes()
        page.wait_for_selector(f"#survey-list li[data-id='{stored[0]['id']}'] img")

        # the office closes the survey; the department gives its opinion with no signal: it
        # waits in the same outbox, counted, and is given once when the signal returns
        api.walk(pid, "surveyed")
        page.reload()
        page.evaluate("window.sijieField.ready")
        page.wait_for_selector("#opinion-form:not([hidden])")
        context.set_offline(True)
        page.check("input[name=verdict][value=agree_with_conditions]")
        page.fill("#opinion-text", "同意，边界沿河调整后无异议")
        page.fill("#conditions", "沿河退让20米")
        page.click("#submit-opinion")
        page.wait_for_function("document.querySelector('#queue-count').textContent === '1'")
        assert page.locator("#outbox-list li[data-kind=opinion]").count() == 1
        assert api.get(f"/proposals/{pid}/opinions").json()["opinions"] == []
        # a finding kept after it (made before the survey closed) is still sent before it
        page.evaluate("(f) => window.sijieOutbox.add(Object.assign("
                      "{user: window.sijieField.state.user.username}, f))",
                      {"proposal": pid, "version": 1, "name": "", "note": "晚到的发现",
                       "photo": None, "geometry": {"type": "Point", "coordinates": [
                           where["longitude"], where["latitude"]]}})
        page.wait_for_function("document.querySelector('#queue-count').textContent === '2'")
        posted: list[str] = []
        page.on("request", lambda r: posted.append(r.url.rsplit("/", 1)[-1])
                if r.method == "POST" else None)
        seen = len(watched.errors)
        context.set_offline(False)
        page.wait_for_selector("#opinion-list li")
        assert posted == ["findings", "opinions"]
        # the survey is closed: the finding is refused and kept with its reason, counted
        assert queue_count(page) == 1
        assert page.locator("#outbox-list li.refused").count() == 1
        assert all("409" in e for e in watched.errors[seen:]), watched.errors[seen:]
        del watched.errors[seen:]
        page.click("#outbox-list li.refused button")
        page.wait_for_function("document.querySelector('#queue-count').textContent === '0'")
        assert page.evaluate("window.sijieField.send().then(r => r.sent)") == 0  # none left
        opinions = api.get(f"/proposals/{pid}/opinions").json()["opinions"]
        assert [(o["department"], o["verdict"], o["author"], [c["text"] for c in o["conditions"]])
                for o in opinions] == [
            ("区自然资源规划分局", "agree_with_conditions", REVIEWER, ["沿河退让20米"])]

        # phone layout: nothing wider than the screen, the map in view and usable
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        box = page.evaluate("(() => { const r = document.getElementById('map')"
                            ".getBoundingClientRect(); return [r.top, r.bottom, r.width]; })()")
        assert box[1] - max(box[0], 0) >= 250 and box[2] >= 360, box
        assert _axe(page) == []
        assert watched.errors == [] and watched.external == [], (watched.errors,
                                                                 watched.external)


def test_findings_at_a_tapped_point_and_as_a_drawn_area_keep_their_shapes(
        service, browser, api, tmp_path):
    pid = api.proposal_in_survey(PROPOSAL)
    camera = tmp_path / "camera.png"  # larger than the service takes (0.5 MB in the tests)
    camera.write_bytes(tiny_png(size=600, noise=True))
    assert camera.stat().st_size > 1024**2
    with phone(browser, service, position_in(PROPOSAL)) as (_, watched):
        page = watched.page
        open_proposal(page, service, pid)

        page.click("#tap")
        [(x, y)] = map_points(page, [(0.5, 0.45)])
        tapped = lonlat_at(page, x, y)
        pixel = shapely.Point(tapped).distance(shapely.Point(lonlat_at(page, x + 1, y)))
        page.touchscreen.tap(x, y)
        page.wait_for_selector("#finding-form:not([hidden])")
        page.fill("#note", "厂门位置")
        page.set_input_files("#photo", str(camera))
        page.click("#save-finding")
        page.wait_for_function("document.querySelectorAll('#survey-list li[data-id]').length === 1")

        page.evaluate("window.scrollTo(0, 0)")
        page.click("#draw-area")
        corners = map_points(page, [(0.3, 0.3), (0.7, 0.3), (0.5, 0.7)])
        drawn = [lonlat_at(page, x, y) for x, y in corners]
        for x, y in [*corners, corners[0]]:
            page.mouse.click(x, y)
        page.wait_for_selector("#finding-form:not([hidden])")
        page.fill("#note", "待拆除的临时厂房")
        page.click("#save-finding")
        page.wait_for_function("document.querySelectorAll('#survey-list li[data-id]').length === 2")
        assert queue_count(page) == 0
        assert watched.errors == [] and watched.external == []

    point, area = sorted(_findings(api, pid), key=lambda f: f["id"])
    assert point["properties"]["note"] == "厂门位置" and point["geometry"]["type"] == "Point"
    # where the finger lands, to within the few pixels of a tap (the map's border included)
    assert shapely.geometry.shape(point["geometry"]).distance(shapely.Point(tapped)) < 4 * pixel
    photo = api.get(point["properties"]["photo"]).content
    assert photo[:3] == b"\xff\xd8\xff" and len(photo) <= 0.5 * 1024**2  # made a JPEG to fit
    assert area["properties"]["note"] == "待拆除的临时厂房"
    ring = shapely.geometry.shape(area["geometry"]).exterior.coords[:-1]
    assert len(ring) == 3
    assert all(min(shapely.Point(c).distance(shapely.Point(d)) for c in ring) < 4 * pixel
               for d in drawn)


def test_every_proposal_listed_with_a_connection_opens_later_with_none(service, browser, api):
    pid = api.proposal_in_survey("good_building")
    name = api.get(f"/proposals/{pid}").json()["properties"]["name"]
    with phone(browser, service, position_in("good_building")) as (context, watched):
        page = watched.page
        listed = page.locator("#proposals li").count()
        assert page.evaluate("window.sijieField.kept") == listed >= 1
        context.set_offline(True)
        page.goto(f"{service}/field/proposals/{pid}")  # never opened before
        page.evaluate("window.sijieField.ready")
        assert page.text_content("#title") == name
        assert page.text_content("#net") == "离线"
        assert page.evaluate("window.sijieField.state.layers.town.getLayers().length") == 3
        assert page.locator("#add-modes button").count() == 4
        assert watched.errors == [] and watched.external == []
