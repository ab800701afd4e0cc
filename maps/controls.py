"""The controls every map page carries (``sijie.controls`` in ``maps/static/sijie/controls.js``):
base-map switcher, measure, locate, metric scale bar, north arrow; their words in the page's
language. Folium maps get them from :func:`maps.base.finish`; the service's Leaflet pages pass
the same spec to the same script."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geo.i18n import N_, t
from maps.basemaps import Basemap, basemap_choices

__all__ = ["CONTROL_MESSAGES", "controls_spec"]

# the words of the controls, by the key controls.js reads
CONTROL_MESSAGES: dict[str, str] = {
    "layers": N_("ctl_layers"),
    "basemap": N_("ctl_basemap"),
    "tiles_unreachable": N_("ctl_tiles_unreachable"),
    "measure_distance": N_("ctl_measure_distance"),
    "measure_area": N_("ctl_measure_area"),
    "measure_clear": N_("ctl_measure_clear"),
    "measure_hint": N_("ctl_measure_hint"),
    "length_label": N_("ctl_length"),
    "area_label": N_("ctl_area"),
    "metres": N_("ctl_metres"),
    "hectares": N_("ctl_hectares"),
    "locate": N_("ctl_locate"),
    "locating": N_("ctl_locating"),
    "located": N_("ctl_located"),
    "locate_failed": N_("ctl_locate_failed"),
    "north": N_("ctl_north"),
}


def controls_spec(lang: str = "zh", basemap: Basemap | str = Basemap.plain,
                  tianditu_token: str | None = None, *, overlays: Sequence[str] = (),
                  datum: str | None = None) -> dict[str, Any]:
    """The argument of ``sijie.controls(map, spec)``: the first base map, the datum the page's
    overlays are drawn in (GCJ-02 when they were shifted for AMap), the base maps offered,
    the overlays listed in the switcher (ids of ``sijie.layers``) and the controls' words."""
    first = Basemap.parse(basemap)
    return {"basemap": first.value,
            "datum": datum or ("gcj02" if first.shifts_to_gcj02 else "wgs84"),
            "basemaps": basemap_choices(lang, tianditu_token),
            "overlays": list(overlays),
            "texts": {key: t(message, lang) for key, message in CONTROL_MESSAGES.items()}}
