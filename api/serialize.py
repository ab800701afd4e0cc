"""What the service sends: JSON and GeoJSON responses, and stored rows as GeoJSON features
(full for staff, without internal attributes for the public).

Every JSON document leaves through :class:`JSONDocument` (``application/json``) or
:class:`GeoJSONResponse` (``application/geo+json``): UTF-8 with Chinese names written as
they are, never ``\\u`` escapes. Features and collections are built here and nowhere else, so
``numberReturned``, ``numberMatched`` and ``links`` follow OGC API Features the same way in
every route.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry
from starlette.responses import JSONResponse, Response

from api.crs import from_storage, is_geographic
from api.db.models import Proposal, ProposalVersion
from api.geometry import frame_records, shape_of
from api.problems import PROBLEM_JSON
from geo.io.geojson import geojson_geometry

__all__ = [
    "GEOJSON",
    "JSON",
    "PROBLEM_JSON",
    "PUBLIC_GRID_FIELDS",
    "PUBLIC_MICROGRID_FIELDS",
    "GeoJSONResponse",
    "GeoJSONText",
    "JSONDocument",
    "StoredRow",
    "dumps",
    "feature",
    "feature_collection",
    "frame_collection",
    "geometry_json",
    "iso",
    "now_iso",
    "row_feature",
    "rows_collection",
    "shape_json",
    "stored_feature",
    "version_feature",
]

JSON = "application/json"
GEOJSON = "application/geo+json"

# what the public may see of grids and micro-grids: where they are and their codes, never
# employees, enterprises' names or registration and tax figures
PUBLIC_GRID_FIELDS = ("code", "area_m2")
PUBLIC_MICROGRID_FIELDS = ("code", "kind", "grid")


def dumps(body: Any) -> str:
    """``body`` as JSON text with non-ASCII characters kept as they are."""
    return json.dumps(body, ensure_ascii=False)


class JSONDocument(JSONResponse):
    """A JSON document (``application/json``, UTF-8, Chinese unescaped)."""

    media_type = JSON

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")


class GeoJSONResponse(JSONDocument):
    """A GeoJSON Feature or FeatureCollection (``application/geo+json``)."""

    media_type = GEOJSON


class GeoJSONText(Response):
    """A GeoJSON document already written as text (``application/geo+json``)."""

    media_type = GEOJSON


class StoredRow(Protocol):
    """A stored feature row: its key, its JSON properties and its storage geometry."""

    @property
    def id(self) -> int: ...

    @property
    def properties(self) -> dict[str, Any]: ...

    @property
    def geom(self) -> Any: ...


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC (SQLite hands back naive UTC times)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def now_iso() -> str:
    """The current time as ISO 8601 in UTC (an OGC ``timeStamp``)."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def shape_json(geom: BaseGeometry, crs_uri: str) -> dict[str, Any]:
    """A geometry in the storage CRS as a GeoJSON geometry in ``crs_uri`` (RFC 7946 ring
    orientation; 7 decimals for degrees, 3 for metres)."""
    oriented = shapely.orient_polygons(geom)  # counter-clockwise in lon/lat, before any swap
    return geojson_geometry(from_storage(oriented, crs_uri), degrees=is_geographic(crs_uri),
                            orient=False)


def geometry_json(stored: Any, crs_uri: str) -> dict[str, Any]:
    """A stored geometry as a GeoJSON geometry in ``crs_uri``."""
    return shape_json(shape_of(stored), crs_uri)


def feature(
    geometry: Mapping[str, Any] | None,
    properties: Mapping[str, Any],
    *,
    fid: int | str | None = None,
) -> dict[str, Any]:
    """A GeoJSON Feature; ``id`` only when ``fid`` is given."""
    out: dict[str, Any] = {"type": "Feature"}
    if fid is not None:
        out["id"] = fid
    out["geometry"] = None if geometry is None else dict(geometry)
    out["properties"] = dict(properties)
    return out


def stored_feature(
    fid: int | str, stored: Any, properties: Mapping[str, Any], crs_uri: str
) -> dict[str, Any]:
    """A Feature of a stored geometry, drawn in ``crs_uri``."""
    return feature(geometry_json(stored, crs_uri), properties, fid=fid)


def row_feature(row: StoredRow, crs_uri: str) -> dict[str, Any]:
    """A stored row (``id``, ``properties``, ``geom``) as a Feature in ``crs_uri``."""
    return stored_feature(row.id, row.geom, row.properties, crs_uri)


def feature_collection(
    features: Sequence[Mapping[str, Any]],
    *,
    returned: bool = True,
    matched: int | None = None,
    links: Sequence[Mapping[str, Any]] | None = None,
    stamped: bool = False,
) -> dict[str, Any]:
    """A FeatureCollection with the OGC members asked for.

    Parameters
    ----------
    features
        The features, in order.
    returned
        Add ``numberReturned`` (the number of ``features``).
    matched
        ``numberMatched``: how many features the query matched over all pages.
    links
        Paging links (``self``, ``next``, ``prev``).
    stamped
        Add ``timeStamp``, when the response was made.
    """
    out: dict[str, Any] = {"type": "FeatureCollection", "features": list(features)}
    if matched is not None:
        out["numberMatched"] = matched
    if returned:
        out["numberReturned"] = len(features)
    if links is not None:
        out["links"] = [dict(link) for link in links]
    if stamped:
        out["timeStamp"] = now_iso()
    return out


def rows_collection(rows: Iterable[StoredRow], crs_uri: str) -> dict[str, Any]:
    """Stored rows as a FeatureCollection in ``crs_uri`` with ``numberReturned``."""
    return feature_collection([row_feature(row, crs_uri) for row in rows])


def frame_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """A GeoDataFrame as a FeatureCollection in CRS84 (features without ``id``), at full
    precision: a stored result must measure as the run did (rounding lon/lat to 7 decimals
    moves a town-sized boundary's area by square metres)."""
    frame = frame.to_crs("OGC:CRS84")
    return feature_collection(
        [
            feature(None if geom is None else dict(geom.__geo_interface__), props)
            for props, geom in frame_records(frame)
        ],
        returned=False,
    )


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
    return stored_feature(proposal.id, version.geom, props, crs_uri)
