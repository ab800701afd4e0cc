"""The query parameters of the OGC API Features resources: each resource takes only the ones
it serves (others are refused with 400 naming them), ``f`` picks JSON (``f=html`` is answered
by :mod:`api.web.negotiation`), and ``properties`` and ``sortby`` are read here."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Query, Request
from fastapi.dependencies.models import Dependant

from api.problems import Problem

__all__ = ["ITEM_PARAMETERS", "ogc_parameters", "parse_names", "parse_sortby"]

_NAME = re.compile(r"^[^\s,]{1,100}$")
# the items' parameters, which the other resources take and ignore: clients such as GDAL's
# OAPIF driver (QGIS, ogr2ogr) send the parameters a user gives with the service's address
# to every request, the landing page and the collections included
ITEM_PARAMETERS = frozenset({"bbox", "bbox-crs", "crs", "datetime", "filter", "filter-crs",
                             "filter-lang", "limit", "offset", "properties", "sortby"})


def ogc_parameters(
    request: Request,
    f: Annotated[str | None, Query(
        pattern="^(json|geojson)$",
        description="json (the default) or html (a page, also chosen by Accept: text/html)",
    )] = None,
) -> None:
    """Refuse (400) every query parameter the resource does not serve, naming them (the
    items' parameters are taken, and ignored, by the resources that are not items)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    served = _query_names(dependant)
    if not str(getattr(route, "path", "")).startswith("/collections/{collection_id}/items"):
        served |= ITEM_PARAMETERS
    unknown = [k for k in dict.fromkeys(request.query_params.keys()) if k not in served]
    if unknown:
        raise Problem(400, "parameter_unknown", names=", ".join(unknown)[:300],
                      allowed=", ".join(sorted(served)))


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters a route and its dependencies declare."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def parse_names(value: str, parameter: str) -> list[str]:
    """A comma-separated list of property names (``properties``); 400 if one is malformed."""
    names = [n.strip() for n in value.split(",")]
    for name in names:
        if not _NAME.match(name):
            raise Problem(400, "parameter_invalid", parameter=parameter, got=value[:200])
    return list(dict.fromkeys(names))


def parse_sortby(value: str) -> list[tuple[str, bool]]:
    """``sortby=+name,-area_m2`` as (name, ascending) pairs (no sign: ascending)."""
    keys = []
    for part in parse_names(value, "sortby"):
        ascending = not part.startswith("-")
        name = part[1:] if part[:1] in "+-" else part
        if not name:
            raise Problem(400, "parameter_invalid", parameter="sortby", got=value[:200])
        keys.append((name, ascending))
    return keys
