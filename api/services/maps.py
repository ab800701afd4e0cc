"""Web maps of a stored version, drawn by the maps package with the service's basemap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.analyses import Analysis
from api.db.models import ProposalVersion
from api.registry import draw_map
from api.services.proposals import geo_proposal
from api.services.towns import ContextCache
from api.settings import Settings
from geo.i18n import Lang
from geo.proposal import Proposal
from maps.assets import page_html
from maps.build import MapKind

__all__ = ["map_page"]

ResultOf = Callable[[Analysis[Any]], Any]


def map_page(
    settings: Settings,
    contexts: ContextCache,
    kind: MapKind | str,
    version: ProposalVersion,
    town_id: int,
    lang: Lang,
    *,
    result_of: ResultOf | None = None,
) -> str:
    """A standalone HTML page (scripts inlined) of ``kind`` for a version.

    ``result_of`` gives the result of each analysis the map shows (e.g. read back from the
    newest stored run); without it they are run here and not stored.
    """
    token = settings.tianditu_token.get_secret_value() if settings.tianditu_token else None
    proposal, ctx = geo_proposal(version), contexts.get(town_id)

    def run_here(entry: Analysis[Any], proposal: Proposal = proposal) -> Any:
        return entry.run(proposal, ctx, {})

    page = draw_map(MapKind.parse(kind), proposal, ctx,
                    {"lang": lang.value, "basemap": settings.basemap, "tianditu_token": token},
                    result_of or run_here)
    return page_html(page)
