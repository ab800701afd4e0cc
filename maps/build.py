"""One entry point for the command line and the API: a map of a kind, from a proposal."""

from __future__ import annotations

from enum import Enum

import folium

from geo.context import Context
from geo.errors import SijieError
from geo.proposal import Proposal
from maps.basemaps import Basemap
from maps.choices import parse_choice

__all__ = ["MapKind", "MapKindError", "build_map"]


class MapKindError(SijieError, ValueError):
    """A map kind sijie does not draw."""


class MapKind(str, Enum):
    validation = "validation"
    adjustment = "adjustment"
    grid = "grid"
    facility = "facility"
    public = "public"

    @classmethod
    def parse(cls, value: MapKind | str) -> MapKind:
        """The kind named ``value``; a MapKindError naming the choices otherwise."""
        return parse_choice(cls, value, MapKindError, "kind")


def build_map(kind: MapKind | str, proposal: Proposal, ctx: Context, *, lang: str = "zh",
              basemap: Basemap | str = Basemap.plain, tianditu_token: str | None = None
              ) -> folium.Map:
    """Run what the map shows (validation, adjustment, grids, facility land) and draw it.

    The public map shows the boundary, its grids and the recommended service-centre site. Raises the geo errors of the steps it runs (e.g. InputError for an invalid
    boundary, except on the validation map, which shows why it is invalid).
    """
    kind = MapKind.parse(kind)
    options = {"lang": lang, "basemap": basemap, "tianditu_token": tianditu_token}
    if kind is MapKind.validation:
        from geo.validate import validate
        from maps.validation import validation_map

        return validation_map(validate(proposal, ctx), proposal, ctx, **options)
    if kind is MapKind.adjustment:
        from geo.adjust import adjust
        from maps.adjustment import adjustment_map

        return adjustment_map(adjust(proposal, ctx), ctx, name=proposal.name, **options)
    if kind is MapKind.grid:
        from geo.grids import make_grids
        from maps.grids import grid_map

        return grid_map(make_grids(proposal, ctx), ctx, name=proposal.name, **options)
    if kind is MapKind.facility:
        from geo.facility import find_sites
        from maps.facility import facility_map

        return facility_map(find_sites(proposal, ctx), proposal, ctx, **options)
    from geo.facility import find_sites
    from geo.grids import make_grids
    from maps.public import public_map

    return public_map(proposal, ctx, plan=make_grids(proposal, ctx),
                      sites=find_sites(proposal, ctx), **options)
