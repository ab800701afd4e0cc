"""Stored rows as GeoJSON features: full for staff, without internal attributes for the public."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api.crs import from_storage
from api.db.models import Proposal, ProposalVersion
from api.services.geometry import shape_of

__all__ = [
    "iso",
    "geometry_json",
    "version_feature",
    "PUBLIC_GRID_FIELDS",
    "PUBLIC_MICROGRID_FIELDS",
]

# what the public may see of grids and micro-grids: where they are and their codes, never
# employees, enterprises' names or registration and tax figures
PUBLIC_GRID_FIELDS = ("code", "area_m2")
PUBLIC_MICROGRID_FIELDS = ("code", "kind", "grid")


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC (SQLite hands back naive UTC times)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def geometry_json(stored: Any, crs_uri: str) -> dict[str, Any]:
    return from_storage(shape_of(stored), crs_uri).__geo_interface__


def version_feature(
    proposal: Proposal,
    version: ProposalVersion,
    crs_uri: str,
    *,
    staff: bool,
    author: str | None = None,
) -> dict[str, Any]:
    """A proposal version as a GeoJSON Feature (id = proposal id)."""
    props: dict[str, Any] = {
        "proposal_id": proposal.id,
        "town_id": proposal.town_id,
        "name": version.name,
        "type": version.type,
        "state": proposal.state,
        "version": version.version,
        "area_m2": round(version.area_m2, 1),
    }
    if staff:
        props.update(
            {
                "custodial_parts": version.custodial,
                "input_crs": version.input_crs,
                "reason": version.reason,
                "author": author,
                "created_at": iso(version.created_at),
                "etag": version.etag,
                "approved_version": proposal.approved_version,
            }
        )
    return {
        "type": "Feature",
        "id": proposal.id,
        "geometry": geometry_json(version.geom, crs_uri),
        "properties": props,
    }
