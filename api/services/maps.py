"""Web maps of a stored version, drawn by the maps package with the service's basemap."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.db.models import ProposalVersion
from api.registry import draw_map
from api.services.proposals import geo_proposal
from api.services.runs import Runner
from api.services.towns import ContextCache
from api.settings import Settings
from geo.i18n import Lang
from maps.assets import page_html
from maps.build import MapKind

__all__ = ["map_page"]


def map_page(
    settings: Settings,
    contexts: ContextCache,
    kind: MapKind | str,
    version: ProposalVersion,
    town_id: int,
    lang: Lang,
    *,
    runner: Runner,
    session: Session,
    user_id: int,
) -> str:
    """A standalone HTML page (scripts inlined) of ``kind`` for a version.

    Each analysis the map shows is read back from its newest stored successful run on the
    version; one that has none is run and stored once, on behalf of ``user_id``.
    """
    token = settings.tianditu_token.get_secret_value() if settings.tianditu_token else None
    page = draw_map(MapKind.parse(kind), geo_proposal(version), contexts.get(town_id),
                    {"lang": lang.value, "basemap": settings.basemap, "tianditu_token": token},
                    lambda entry: runner.result(session, version, entry.name, user_id))
    return page_html(page)
