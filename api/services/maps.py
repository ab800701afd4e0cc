"""Web maps of a stored version, drawn by the maps package with the service's basemap."""

from __future__ import annotations

from api.db.models import ProposalVersion
from api.services.proposals import geo_proposal
from api.services.towns import ContextCache
from api.settings import Settings
from geo.i18n import Lang

__all__ = ["map_page"]


def map_page(
    settings: Settings,
    contexts: ContextCache,
    kind: str,
    version: ProposalVersion,
    town_id: int,
    lang: Lang,
) -> str:
    """A standalone HTML page (scripts inlined) of ``kind`` for a version."""
    from maps import build_map, page_html

    token = settings.tianditu_token.get_secret_value() if settings.tianditu_token else None
    page = build_map(
        kind,
        geo_proposal(version),
        contexts.get(town_id),
        lang=lang.value,
        basemap=settings.basemap,
        tianditu_token=token,
    )
    return page_html(page)
