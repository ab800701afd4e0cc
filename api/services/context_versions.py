"""A town's context versions: every change of the context (a re-upload, whole or one layer, or
a registration) is a new version; the features it replaces are kept, marked with the version
and the time they stopped being current, so any version and any date can be read back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import geopandas as gpd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.db.models import ContextFeature, ContextVersion, Town, utcnow
from api.services.towns import current_version, insert_layers
from geo.context import LAYER_COLUMNS

__all__ = ["current_feature_ids", "new_version", "replace_context", "retire", "version_json",
           "versions_of"]


def versions_of(session: Session, town_id: int) -> list[ContextVersion]:
    """The town's context versions, oldest first."""
    return list(session.scalars(select(ContextVersion).where(ContextVersion.town_id == town_id)
                                .order_by(ContextVersion.version)).all())


def version_json(version: ContextVersion) -> dict[str, Any]:
    """A context version as the API shows it."""
    return {"version": version.version, "reason": version.reason, "layer": version.layer,
            "proposal_id": version.proposal_id, "source": version.source,
            "created_at": version.created_at.isoformat().replace("+00:00", "Z")}


def new_version(session: Session, town_id: int, *, reason: str, source: str,
                at: datetime, layer: str | None = None, proposal_id: int | None = None,
                by: int | None = None) -> ContextVersion:
    """Add the town's next context version (flushed; a concurrent one with the same number
    fails on the unique constraint, so two changes never share a version)."""
    row = ContextVersion(town_id=town_id, version=current_version(session, town_id) + 1,
                         reason=reason, layer=layer, proposal_id=proposal_id, source=source,
                         created_by=by, created_at=at)
    session.add(row)
    session.flush()
    return row


def current_feature_ids(session: Session, town_id: int, layer: str) -> list[int]:
    """The ids of a layer's current features, in the order the town's Context holds them."""
    return list(session.scalars(
        select(ContextFeature.id)
        .where(ContextFeature.town_id == town_id, ContextFeature.layer == layer,
               ContextFeature.version_to.is_(None))
        .order_by(ContextFeature.version_from, ContextFeature.fid)).all())


def retire(session: Session, town_id: int, *, version: int, at: datetime,
           layers: Sequence[str] | None = None, ids: Sequence[int] | None = None) -> None:
    """End the current features of ``layers`` (or those with ``ids``) at ``version`` and ``at``."""
    query = update(ContextFeature).where(ContextFeature.town_id == town_id,
                                         ContextFeature.version_to.is_(None))
    if layers is not None:
        query = query.where(ContextFeature.layer.in_(list(layers)))
    if ids is not None:
        query = query.where(ContextFeature.id.in_(list(ids)))
    session.execute(query.values(version_to=version, valid_to=at)
                    .execution_options(synchronize_session=False))


def replace_context(session: Session, town: Town, layers: Mapping[str, gpd.GeoDataFrame | None],
                    *, layer: str | None, source: str, by: int | None) -> ContextVersion:
    """Make the checked ``layers`` the town's context as a new version: all of them, or only
    ``layer`` (the rest of the context stays as it is). Not committed: the caller commits."""
    at = utcnow()
    reason = "upload" if layer is None else "layer"
    row = new_version(session, town.id, reason=reason, source=source, at=at, layer=layer,
                      by=by)
    replaced = list(LAYER_COLUMNS) if layer is None else [layer]
    retire(session, town.id, version=row.version, at=at, layers=replaced)
    insert_layers(session, town.id, {name: layers.get(name) for name in replaced},
                  version=row.version, valid_from=at)
    return row
