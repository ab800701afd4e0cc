"""The web pages' frame and the OGC API's HTML: ``f=html`` or a browser's ``Accept: text/html``
gets a page for the landing page, conformance, collections, a collection, items (map preview,
paging) and one item, JSON staying the default; Swagger UI and ReDoc from shipped files; every
page text a catalogue message in Chinese by default and in English when asked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from api.services.step_guards import FACTS
from api.services.workflow import STEPS
from api.web.messages import SCRIPT_MESSAGES, TEMPLATE_MESSAGES

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "api" / "web" / "templates"
SCRIPTS = ROOT / "maps" / "static" / "web"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
OGC_PAGES = ["/", "/conformance", "/collections", "/collections/roads",
             "/collections/roads/items", "/collections/neighbours/items/1"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _first_id(client, collection: str) -> int:
    return client.get(f"/collections/{collection}/items?limit=1").json()["features"][0]["id"]


def _path(client, path: str) -> str:
    if path.endswith("/items/1"):
        return path.replace("/1", f"/{_first_id(client, 'neighbours')}")
    return path


@pytest.mark.parametrize("path", OGC_PAGES)
def test_each_ogc_resource_has_an_html_page_by_f_and_by_accept(client, path):
    path = _path(client, path)
    by_f = client.get(path, params={"f": "html"})
    by_accept = client.get(path, headers={"Accept": BROWSER})
    for response in (by_f, by_accept):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/html")
        assert "<main" in response.text and 'lang="zh-CN"' in response.text
    assert _main(by_f.text) == _main(by_accept.text)


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


@pytest.mark.parametrize("path", OGC_PAGES)
def test_json_stays_the_default_for_api_clients(client, path):
    path = _path(client, path)
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "application/json"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        assert "json" in response.headers["content-type"]
        response.json()
    explicit = client.get(path, params={"f": "json"} if "items" in path or path == "/" else {},
                          headers={"Accept": BROWSER if "items" in path or path == "/" else "*/*"})
    assert "json" in explicit.headers["content-type"]


def test_the_landing_page_links_every_part_of_the_service(client):
    text = client.get("/", params={"f": "html"}).text
    for href in ('href="/workspace"', 'href="/public/map"', 'href="/api"', 'href="/api/redoc"',
                 'href="/collections?f=html"', 'href="/conformance?f=html"'):
        assert href in text


def test_items_page_maps_the_features_of_the_page_and_pages_through_them(client):
    first = client.get("/collections/roads/items", params={"f": "html", "limit": 5})
    data = re.search(r'<script type="application/json" id="features">(.*?)</script>',
                     first.text, re.S)
    assert data is not None
    shown = json.loads(data.group(1))["features"]
    expected = client.get("/collections/roads/items", params={"limit": 5}).json()["features"]
    assert [f["id"] for f in shown] == [f["id"] for f in expected]
    found = re.search(r'<a href="([^"]+)" rel="next">', first.text)
    next_href = found.group(1).replace("&amp;", "&")
    assert "f=html" in next_href and "offset=5" in next_href
    second = client.get(next_href)
    assert second.status_code == 200 and 'rel="prev"' in second.text
    page2 = client.get("/collections/roads/items", params={"limit": 5, "offset": 5}).json()
    for feature in page2["features"]:
        assert f'/collections/roads/items/{feature["id"]}?f=html' in second.text


def test_errors_keep_their_status_as_pages(client):
    missing = client.get("/collections/nope", params={"f": "html"})
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "nope" in missing.text
    staff_only = client.get("/collections/sites/items", headers={"Accept": BROWSER})
    assert staff_only.status_code == 401 and "text/html" in staff_only.headers["content-type"]


def test_pages_speak_english_when_asked_and_remember_it(client):
    try:
        zh = client.get("/collections", params={"f": "html"}).text
        en = client.get("/collections", params={"f": "html", "lang": "en"}).text
        assert "数据集" in zh and "Collections" in en and 'lang="en"' in en
        again = client.get("/conformance", params={"f": "html"}).text
        assert "Conformance classes" in again
        client.cookies.clear()
        by_header = client.get("/conformance", params={"f": "html"},
                               headers={"Accept-Language": "en-GB,en;q=0.9"}).text
        assert "Conformance classes" in by_header
    finally:
        client.cookies.clear()


@pytest.mark.parametrize("path", ["/api", "/api/redoc"])
def test_api_docs_load_only_shipped_files(client, path):
    page = client.get(path)
    assert page.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls and all(u.startswith("/static/") for u in urls), urls
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get("/api.json").json()["openapi"].startswith("3.")


def test_static_files_outside_the_folder_are_not_served(client):
    assert client.get("/static/leaflet/leaflet.js").status_code == 200
    assert client.get("/static/%2e%2e/__init__.py").status_code == 404
    assert client.get("/static/nope.js").status_code == 404


def test_every_vendored_library_ships_its_licence():
    static = Path(__file__).resolve().parents[2] / "maps" / "static"
    for folder in ("leaflet", "leaflet-geoman", "axe-core", "swagger-ui", "redoc"):
        assert (static / folder / "LICENSE").is_file(), folder


def test_template_messages_are_the_ones_the_templates_say():
    said = set()
    for template in TEMPLATES.rglob("*.html"):
        said |= set(re.findall(r"""_\(\s*["']([a-z0-9_]+)["']""", template.read_text()))
    assert said == set(TEMPLATE_MESSAGES)
    for template in TEMPLATES.rglob("*.html"):
        # no Chinese outside the catalogue
        assert not CJK.search(template.read_text()), template


def test_script_messages_are_the_ones_the_scripts_say():
    said: set[str] = set()
    for script in SCRIPTS.glob("*.js"):
        text = script.read_text()
        said |= set(re.findall(r'"(js_[a-z_]*[a-z])"', text))
        assert not CJK.search(text), script
    # messages named at run time: one per workflow action, one per kind of change
    said |= {f"js_action_{action}" for action in STEPS} | {"js_change_added", "js_change_removed"}
    said |= {f"js_fact_{name}" for facts in FACTS.values() for name in facts}
    assert said == set(SCRIPT_MESSAGES)


def test_workspace_pages_carry_their_messages_in_the_page_language(client):
    for path in ("/login", "/workspace", "/workspace/proposals/new"):
        zh = client.get(path)
        assert zh.status_code == 200 and 'id="messages"' in zh.text
        found = re.search(r'<script type="application/json" id="messages">(.*?)</script>',
                          zh.text, re.S)
        messages = json.loads(found.group(1))
        assert set(messages) == set(SCRIPT_MESSAGES)
        assert messages["js_passes"] == "通过全部规则"
    en = client.get("/login", headers={"Accept-Language": "en"}).text
    assert "Staff sign-in" in en
