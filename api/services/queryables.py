"""What a caller may filter, sort and select by in each collection (OGC API Features Part 3
queryables), each property mapped to the SQL expression that reads it on both stores.

Proposals have fixed columns. The other collections keep their attributes as JSON; their
queryables are the attributes the caller sees there (the public ones only, for the public),
with the JSON type their values have, read from the collection's first rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, case, func, select
from sqlalchemy.orm import Session

from api.cql2 import Queryable
from api.db.models import ContextFeature, Proposal, ProposalVersion
from api.serialize import PUBLIC_GRID_FIELDS, PUBLIC_MICROGRID_FIELDS
from api.services.features import TEMPORAL, Collection, query

__all__ = ["GEOMETRY", "json_schema", "queryables"]

GEOMETRY = "geometry"
_SAMPLE_ROWS = 200
_SCHEMA_TYPES = {
    "string": {"type": "string"},
    "number": {"type": "number"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "date-time": {"type": "string", "format": "date-time"},
    "geometry": {"format": "geometry-any"},
}


def _proposal_state() -> Any:
    return (select(Proposal.state).where(Proposal.id == ProposalVersion.proposal_id)
            .scalar_subquery())


def _proposal_columns(staff: bool) -> list[Queryable]:
    v = ProposalVersion
    fields = [
        Queryable("proposal_id", "integer", v.proposal_id),
        Queryable("name", "string", v.name),
        Queryable("type", "string", v.type),
        Queryable("state", "string", _proposal_state()),
        Queryable("version", "integer", v.version),
        Queryable("area_m2", "number", v.area_m2),
    ]
    if staff:
        fields += [Queryable("reason", "string", v.reason), Queryable("etag", "string", v.etag),
                   Queryable("input_crs", "string", v.input_crs)]
    return fields


def _kind(values: list[Any]) -> str | None:
    """The JSON Schema type all non-null ``values`` share (ints among floats: number)."""
    kinds = set()
    for value in values:
        if value is None:
            continue
        if isinstance(value, bool):
            kinds.add("boolean")
        elif isinstance(value, int):
            kinds.add("integer")
        elif isinstance(value, float):
            kinds.add("number")
        elif isinstance(value, str):
            kinds.add("string")
        else:
            return None  # lists and objects are not queryable
    if kinds <= {"integer", "number"} and kinds:
        return "integer" if kinds == {"integer"} else "number"
    if len(kinds) == 1:
        return kinds.pop()
    return "string" if kinds else None


def _json_column(session: Session, model: Any, key: str, kind: str) -> Any:
    """The SQL expression reading attribute ``key`` as ``kind`` from the JSON column."""
    element = model.properties[key]
    if kind == "string":
        return element.as_string()
    if kind == "boolean":
        return element.as_boolean()
    number = element.as_float()
    if session.get_bind().dialect.name == "postgresql":
        # a value of another JSON type would make the cast fail: it compares as missing
        return case((func.json_typeof(element) == "number", number), else_=None).cast(Float)
    return number


def _sampled(session: Session, c: Collection, staff: bool, allowed: tuple[str, ...] | None
             ) -> list[Queryable]:
    model = c.model
    rows = session.scalars(
        query(session, c, staff).with_only_columns(model.properties).order_by(model.id)
        .limit(_SAMPLE_ROWS)).all()
    seen: dict[str, list[Any]] = {}
    for props in rows:
        for key, value in (props or {}).items():
            seen.setdefault(str(key), []).append(value)
    names = list(allowed) if allowed is not None else list(seen)
    out = []
    for name in names:
        kind = _kind(seen.get(name, [])) or ("string" if allowed is not None else None)
        if kind is not None and name != GEOMETRY:
            out.append(Queryable(name, kind, _json_column(session, model, name, kind)))
    return out


def queryables(session: Session, c: Collection, staff: bool) -> dict[str, Queryable]:
    """The collection's queryables for this caller, by name (the geometry included)."""
    model = c.model
    if model is ProposalVersion:
        fields = _proposal_columns(staff)
    elif staff or model is ContextFeature:
        fields = _sampled(session, c, staff, None)
    else:
        public = PUBLIC_GRID_FIELDS if c.id == "grids" else PUBLIC_MICROGRID_FIELDS
        fields = _sampled(session, c, staff, public)
    if model is ContextFeature and c.id in TEMPORAL:
        fields += [Queryable("valid_from", "date-time", ContextFeature.valid_from),
                   Queryable("valid_to", "date-time", ContextFeature.valid_to)]
    fields.append(Queryable(GEOMETRY, "geometry", model.geom,
                            (model.minx, model.miny, model.maxx, model.maxy)))
    return {q.name: q for q in fields}


def json_schema(c: Collection, fields: dict[str, Queryable], url: str) -> dict[str, Any]:
    """The queryables as the JSON Schema OGC API Features Part 3 asks for."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": c.title,
        "properties": {
            name: {"title": name, **_SCHEMA_TYPES[q.kind]} for name, q in fields.items()
        },
        "additionalProperties": False,
    }
