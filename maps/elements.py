"""Folium elements of sijie's maps: GeoJSON layers with plain-text popups, and controls.

Names and notes never pass through an HTML template: each element writes its data as one
JSON argument of a ``sijie.*`` call (``tojson`` escapes ``<``, ``>``, ``&`` and ``'``), and
``maps/static/sijie/sijie.js`` puts every string on the page with ``textContent``. The few
strings that folium itself writes as HTML (layer names, the page title) are escaped here.
"""

from __future__ import annotations

import html
from typing import Any

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from jinja2 import Template

__all__ = ["Control", "TextLayer", "add_layer", "add_places", "plain"]

_SIJIE_JS = [("sijie", "sijie/sijie.js"), ("sijie_controls", "sijie/controls.js")]
_SIJIE_CSS = [("sijie_css", "sijie/sijie.css")]


def plain(text: str) -> str:
    """``text`` escaped for a place where folium or Leaflet writes HTML."""
    return html.escape(str(text), quote=True)


class TextLayer(JSCSSMixin, Layer):
    """A GeoJSON overlay registered as ``sijie.layers[layer_id]``.

    Each feature's properties may hold ``key`` (to find it), ``popup`` ({title, rows, note}),
    ``tooltip`` or ``label`` (text) and ``style`` (Leaflet path options overriding ``style``).
    With ``kind="places"`` the features are points named on the map (``sijie.places``).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = sijie.{{ this.kind }}(
            {{ this._parent.get_name() }}, {{ this.spec|tojson }});
        {% endmacro %}
    """)
    default_js = _SIJIE_JS
    default_css = _SIJIE_CSS

    def __init__(self, layer_id: str, label: str, data: dict[str, Any], *,
                 style: dict[str, Any] | None = None, show: bool = True, control: bool = True,
                 kind: str = "geojson", **options: Any) -> None:
        if kind not in ("geojson", "places"):
            raise ValueError(f"kind must be geojson or places, got {kind!r}")
        super().__init__(name=plain(label), overlay=True, control=control, show=show)
        self._name = "SijieLayer"
        self.kind = kind
        self.layer_id = layer_id
        self.spec = {"id": layer_id, "label": label, "data": data, "style": style or {},
                     **{k: v for k, v in options.items() if v is not None}}


class Control(JSCSSMixin, MacroElement):
    """A map control drawn by ``sijie.<kind>``: ``legend``, ``panel`` or ``title``; ``fit``
    frames the map; ``controls`` adds the base-map switcher, measure, locate, scale bar and
    north arrow (:func:`maps.controls.controls_spec`)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        sijie.{{ this.kind }}({{ this._parent.get_name() }}, {{ this.spec|tojson }});
        {% endmacro %}
    """)
    default_js = _SIJIE_JS
    default_css = _SIJIE_CSS

    def __init__(self, kind: str, spec: dict[str, Any]) -> None:
        if kind not in ("legend", "panel", "title", "fit", "controls"):
            raise ValueError(f"kind must be legend, panel, title, fit or controls, got {kind!r}")
        super().__init__()  # type: ignore[no-untyped-call]  # branca leaves it unannotated
        self._name = "SijieControl"
        self.kind = kind
        self.spec = spec


def add_layer(m: folium.Map, layer_id: str, label: str, data: dict[str, Any], **kwargs: Any
              ) -> TextLayer:
    """Add a :class:`TextLayer` to ``m`` and return it."""
    layer = TextLayer(layer_id, label, data, **kwargs)
    layer.add_to(m)
    return layer


def add_places(m: folium.Map, layer_id: str, label: str, data: dict[str, Any]) -> TextLayer:
    """Add the place names of ``data`` (points with ``label``, ``kind``, ``angle``,
    ``minZoom``) to ``m`` as a layer that can be switched off."""
    return add_layer(m, layer_id, label, data, kind="places")
