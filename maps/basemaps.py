"""Base maps: a plain background (default, offline), Tianditu, AMap and OpenStreetMap.

Every map page offers them all in its switcher (``sijie/controls.js``) and starts on the one
chosen; tiles are requested only once a base map with tiles is shown.

Tianditu (天地图) tiles are CGCS2000, which equals WGS 84 at map scale, so overlays are drawn
as they are. AMap (高德) tiles are in GCJ-02: every overlay is shifted to GCJ-02 when it is the
base map (:attr:`Basemap.shifts_to_gcj02`), or the boundaries would sit a few hundred metres off.
"""

from __future__ import annotations

import re
from typing import Any

from geo.errors import SijieError
from geo.i18n import N_, t
from maps.choices import Choice

__all__ = ["Basemap", "BasemapError", "basemap_choices", "check_token"]


class BasemapError(SijieError, ValueError):
    """A base map cannot be shown as asked (unknown name, Tianditu without a token)."""


class Basemap(Choice, error=BasemapError, option="basemap"):
    plain = "plain"
    osm = "osm"
    tianditu_vec = "tianditu-vec"
    tianditu_img = "tianditu-img"
    amap = "amap"

    @property
    def shifts_to_gcj02(self) -> bool:
        """Whether overlays must be shifted to GCJ-02 to line up with the tiles."""
        return self is Basemap.amap


_TIANDITU = ("https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
             "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
             "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={token}")
_TIANDITU_ATTR = "© 天地图 Tianditu (国家地理信息公共服务平台)"
_AMAP = ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
         "&x={x}&y={y}&z={z}")
_OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_TOKEN = re.compile(r"^[A-Za-z0-9]{8,64}$")
_NAMES = {Basemap.plain: N_("basemap_plain"), Basemap.tianditu_vec: N_("basemap_tianditu_vec"),
          Basemap.tianditu_img: N_("basemap_tianditu_img"), Basemap.amap: N_("basemap_amap"),
          Basemap.osm: N_("basemap_osm")}


def _tiles(url: str, subdomains: str, max_zoom: int) -> dict[str, Any]:
    return {"url": url, "subdomains": subdomains, "maxZoom": max_zoom}


def _tianditu(base: str, notes: str, token: str) -> list[dict[str, Any]]:
    return [_tiles(_TIANDITU.format(layer=layer, token=token), "01234567", 18)
            for layer in (base, notes)]


def check_token(basemap: Basemap, tianditu_token: str | None) -> None:
    """Refuse Tianditu as the first base map without a valid token (天地图密钥).

    Raises
    ------
    BasemapError
        Tianditu is asked for without a token, or with one that is not a Tianditu key.
    """
    if basemap in (Basemap.tianditu_vec, Basemap.tianditu_img) and (
            not tianditu_token or not _TOKEN.match(tianditu_token)):
        raise BasemapError(message_key="tianditu_token_missing")


def basemap_choices(lang: str = "zh", tianditu_token: str | None = None) -> list[dict[str, Any]]:
    """The base maps a page's switcher offers, plain first: each with its id, name, tile URL
    templates and whether overlays shift to GCJ-02 over it. Without a Tianditu token the
    Tianditu entries say so (``missing``) instead of loading tiles."""
    token = tianditu_token if tianditu_token and _TOKEN.match(tianditu_token) else None
    notes_vec, notes_img = ("cva", "cia") if lang == "zh" else ("eva", "eia")
    tiles: dict[Basemap, list[dict[str, Any]] | None] = {
        Basemap.plain: None,
        Basemap.tianditu_vec: _tianditu("vec", notes_vec, token) if token else None,
        Basemap.tianditu_img: _tianditu("img", notes_img, token) if token else None,
        Basemap.amap: [_tiles(_AMAP, "1234", 18)],
        Basemap.osm: [_tiles(_OSM, "abc", 19)],
    }
    attribution = {Basemap.tianditu_vec: _TIANDITU_ATTR, Basemap.tianditu_img: _TIANDITU_ATTR,
                   Basemap.amap: "© 高德地图 AutoNavi", Basemap.osm: "© OpenStreetMap contributors"}
    choices = []
    for basemap in (Basemap.plain, Basemap.tianditu_vec, Basemap.tianditu_img, Basemap.amap,
                    Basemap.osm):
        entry: dict[str, Any] = {"id": basemap.value, "name": t(_NAMES[basemap], lang),
                                 "gcj02": basemap.shifts_to_gcj02, "tiles": tiles[basemap]}
        if basemap in attribution:
            entry["attribution"] = attribution[basemap]
        if basemap in (Basemap.tianditu_vec, Basemap.tianditu_img) and token is None:
            entry["missing"] = t("basemap_token_missing", lang)
        choices.append(entry)
    return choices
