"""Every analysis kind sijie runs on a proposal, by name: the one list the command line, the
service's runs and jobs, the routes, the package and the maps go through.

A new kind is an :class:`~api.analyses.Analysis` subclass in a module of :mod:`api.analyses`
whose instance is added to :data:`ANALYSES`; its routes (``…/{kind}``), job process and label
follow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import folium

from api.analyses.adjustment import ADJUSTMENT
from api.analyses.base import Analysis
from api.analyses.facility import FACILITY
from api.analyses.grids import GRIDS
from api.analyses.profile import PROFILE
from api.analyses.suggestion import SUGGESTION
from api.analyses.validation import VALIDATION
from api.package import PACKAGE
from geo.context import Context
from geo.proposal import Proposal
from maps.build import MapKind, MapStyle
from maps.public import public_map

__all__ = ["ANALYSES", "KINDS", "analysis", "draw_map", "drawn_by"]

ANALYSES: dict[str, Analysis[Any]] = {
    entry.name: entry for entry in (VALIDATION, ADJUSTMENT, GRIDS, FACILITY, PROFILE, PACKAGE,
                                       SUGGESTION)
}
KINDS = tuple(ANALYSES)


def analysis(kind: str) -> Analysis[Any]:
    """The analysis named ``kind`` (one of :data:`KINDS`)."""
    return ANALYSES[kind]


def drawn_by(kind: MapKind) -> list[Analysis[Any]]:
    """The analyses whose results a map of ``kind`` shows (the public map: grids and sites)."""
    if kind is MapKind.public:
        return [GRIDS, FACILITY]
    return [entry for entry in ANALYSES.values() if entry.map_kind is kind]


def draw_map(kind: MapKind, proposal: Proposal, ctx: Context, style: MapStyle,
             result_of: Callable[[Analysis[Any]], Any]) -> folium.Map:
    """The map of ``kind``, drawn from the results ``result_of`` gives for the analyses it
    shows (run now, or read back from a stored run)."""
    if kind is MapKind.public:
        return public_map(proposal, ctx, plan=result_of(GRIDS), sites=result_of(FACILITY),
                          **style)
    (entry,) = drawn_by(kind)
    page = entry.draw(result_of(entry), proposal, ctx, style)
    assert page is not None, f"{entry.name} has a map kind but no drawing"
    return page
