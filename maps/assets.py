"""The JavaScript and CSS the map pages load, shipped with sijie (no CDN, nothing fetched).

Folium names its resources (``leaflet``, ``jquery``, ``Control.Fullscreen.js`` …) with CDN
URLs. :func:`page_html` drops those links and puts sijie's own copies in their place: inlined
into one self-contained page (a file that works from a USB stick), or linked under a URL
prefix the API serves :func:`static_dir` at. Resources the maps do not use (jQuery, Bootstrap,
Font Awesome, awesome-markers) are left out; an unknown resource is refused, never linked.
"""

from __future__ import annotations

import base64
import contextlib
import html
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol, cast

import folium
from branca.element import Element, Figure

__all__ = ["ASSETS", "Asset", "UnknownAssetError", "page_html", "static_dir"]

_STATIC = Path(__file__).resolve().parent / "static"


class UnknownAssetError(ValueError):
    """A map element asks for a script or stylesheet sijie does not ship."""


@dataclass(frozen=True)
class Asset:
    """One shipped file, by its path under :func:`static_dir`."""

    path: str

    @property
    def is_css(self) -> bool:
        return self.path.endswith(".css")


# in load order: Leaflet first, then its plugins, then sijie's helpers
ASSETS: dict[str, Asset] = {
    "leaflet_css": Asset("leaflet/leaflet.css"),
    "Control.FullScreen.css": Asset("leaflet.fullscreen/Control.FullScreen.css"),
    "sijie_css": Asset("sijie/sijie.css"),
    "leaflet": Asset("leaflet/leaflet.js"),
    "Control.Fullscreen.js": Asset("leaflet.fullscreen/Control.FullScreen.js"),
    "sijie": Asset("sijie/sijie.js"),
    "sijie_controls": Asset("sijie/controls.js"),
}
# folium asks for these on every map; the pages use none of them
_DROPPED = frozenset({"jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
                      "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css"})
_CSS_URL = re.compile(r"url\((?!['\"]?(?:data:|#|https?:))['\"]?([^'\")]+)['\"]?\)")
_ABSOLUTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)  # scheme: or //host
_EXTERNAL = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//",
                       re.IGNORECASE)


def static_dir() -> Path:
    """The folder of shipped JS/CSS the API mounts at the prefix given to :func:`page_html`."""
    return _STATIC


class _Linked(Protocol):
    """A map element that links JavaScript and CSS files: ``(name, url)`` pairs."""

    default_js: list[tuple[str, str]] | None
    default_css: list[tuple[str, str]] | None


def _elements(root: Element) -> Iterator[Element]:
    yield root
    for child in list(root._children.values()):
        yield from _elements(child)


@contextlib.contextmanager
def _without_cdn_links(figure: Figure) -> Iterator[list[str]]:
    """Empty every element's CDN link lists while rendering; yield the asset names asked for."""
    saved: list[tuple[_Linked, list[tuple[str, str]] | None, list[tuple[str, str]] | None]] = []
    names: list[str] = []
    for element in _elements(figure):
        js, css = getattr(element, "default_js", None), getattr(element, "default_css", None)
        if js is None and css is None:
            continue
        for name, url in [*(js or []), *(css or [])]:
            if name in _DROPPED:
                continue
            if name not in ASSETS:
                raise UnknownAssetError(f"map element {type(element).__name__} needs {name} "
                                        f"({url}), which sijie does not ship")
            names.append(name)
        # an element with CDN links (folium's JSCSSMixin) has both lists
        linked = cast(_Linked, element)
        saved.append((linked, js, css))
        linked.default_js, linked.default_css = [], []
    try:
        yield names
    finally:
        for linked, js, css in saved:
            linked.default_js, linked.default_css = js, css


@cache
def _inline_text(name: str) -> str:
    asset = ASSETS[name]
    file = _STATIC / asset.path
    text = file.read_text(encoding="utf-8")
    text = re.sub(r"^[ \t]*//# sourceMappingURL=.*$", "", text, flags=re.MULTILINE)
    if asset.is_css:
        text = _CSS_URL.sub(lambda m: f"url({_data_uri(file.parent / m.group(1))})", text)
        return f"<style>/* {asset.path} */\n{text}</style>"
    if "</script" in text.lower():
        raise UnknownAssetError(f"{asset.path} cannot be inlined: it contains </script")
    return f"<script>/* {asset.path} */\n{text}</script>"


def _data_uri(file: Path) -> str:
    mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(file.read_bytes()).decode('ascii')}"


def _link(name: str, prefix: str) -> str:
    asset = ASSETS[name]
    url = html.escape(f"{prefix.rstrip('/')}/{asset.path}", quote=True)
    if asset.is_css:
        return f'<link rel="stylesheet" href="{url}"/>'
    return f'<script src="{url}"></script>'


def page_html(m: folium.Map, *, static_url: str | None = None) -> str:
    """The map as an HTML page that loads nothing from the internet but its base-map tiles.

    Parameters
    ----------
    m
        A map made by one of the ``maps`` builders.
    static_url
        ``None`` (default) inlines every script and stylesheet: one file, no server needed.
        A URL prefix (e.g. ``/static/maps``) links them under it instead; serve
        :func:`static_dir` there.
    """
    if static_url is not None and _ABSOLUTE.match(static_url):
        raise UnknownAssetError(f"static_url must be a path on this server, got {static_url!r}")
    figure = m.get_root()
    if not isinstance(figure, Figure):
        figure = Figure()
        m.add_to(figure)
    # rendering adds to the page's sections; restore them so a map renders the same twice
    sections = (figure.header, figure.html, figure.script)
    saved = [section._children.copy() for section in sections]
    try:
        with _without_cdn_links(figure) as names:
            header = figure.header._children
            header.clear()
            for name in (n for n in ASSETS if n in set(names)):
                tag = _inline_text(name) if static_url is None else _link(name, static_url)
                header[f"sijie_asset_{name}"] = Element(tag)
                header[f"sijie_asset_{name}"]._parent = figure.header
            header.update(saved[0])
            page = figure.render()
    finally:
        for section, children in zip(sections, saved, strict=True):
            section._children = children
    if _EXTERNAL.search(page):
        raise UnknownAssetError("the page would load a script or stylesheet from the internet")
    return page
