"""Base maps: a plain background (default, offline), Tianditu, AMap and OpenStreetMap.

Tianditu (天地图) tiles are CGCS2000, which equals WGS 84 at map scale, so overlays are drawn
as they are. AMap (高德) tiles are in GCJ-02: every overlay is shifted to GCJ-02 when it is the
base map (:attr:`Basemap.shifts_to_gcj02`), or the boundaries would sit a few hundred metres off.
"""

from __future__ import annotations

import re

import folium

from geo.errors import SijieError
from maps.choices import Choice

__all__ = ["Basemap", "BasemapError", "add_basemap"]


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
_TOKEN = re.compile(r"^[A-Za-z0-9]{8,64}$")


def _tianditu(m: folium.Map, base: str, notes: str, token: str, name: str) -> None:
    for layer, overlay in ((base, False), (notes, True)):
        folium.TileLayer(_TIANDITU.format(layer=layer, token=token), attr=_TIANDITU_ATTR,
                         name=name if not overlay else f"{name} 注记", subdomains="01234567",
                         max_zoom=18, overlay=overlay, control=False).add_to(m)


def add_basemap(m: folium.Map, basemap: Basemap | str, *, lang: str = "zh",
                tianditu_token: str | None = None) -> Basemap:
    """Add the tiles of ``basemap`` to ``m`` (none for ``plain``) and return it parsed.

    Raises
    ------
    BasemapError
        The name is unknown, or Tianditu is asked for without a valid token (天地图密钥).
    """
    basemap = Basemap.parse(basemap)
    if basemap is Basemap.plain:
        return basemap
    if basemap is Basemap.osm:
        folium.TileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                         attr="© OpenStreetMap contributors", name="OpenStreetMap",
                         max_zoom=19, control=False).add_to(m)
    elif basemap is Basemap.amap:
        folium.TileLayer(_AMAP, attr="© 高德地图 AutoNavi", name="高德地图", subdomains="1234",
                         max_zoom=18, control=False).add_to(m)
    else:
        if not tianditu_token or not _TOKEN.match(tianditu_token):
            raise BasemapError(message_key="tianditu_token_missing")
        if basemap is Basemap.tianditu_vec:
            _tianditu(m, "vec", "cva" if lang == "zh" else "eva", tianditu_token, "天地图矢量")
        else:
            _tianditu(m, "img", "cia" if lang == "zh" else "eia", tianditu_token, "天地图影像")
    return basemap
