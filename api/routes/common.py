"""Small helpers the routers share: allowed CRSs, Content-Crs, who counts as staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request

from api.auth import STAFF
from api.crs import parse_crs, supported_crs
from api.db.models import User

__all__ = [
    "MAX_ID",
    "Id",
    "allowed_crs",
    "content_crs",
    "is_staff",
    "output_crs",
    "public_base",
]

MAX_ID = 2_147_483_647  # the databases' integer keys; larger numbers name nothing
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def allowed_crs(request: Request) -> list[str]:
    return supported_crs(tuple(request.app.state.town_epsgs))


def output_crs(request: Request, value: str | None) -> str:
    """The ``crs`` a client asked for (CRS84 by default); 400 if unsupported."""
    return parse_crs(value, allowed_crs(request))


def content_crs(request: Request) -> str:
    """The CRS of a request body (``Content-Crs`` header, OGC API Features Part 4)."""
    return parse_crs(request.headers.get("content-crs"), allowed_crs(request))


def public_base(request: Request) -> str:
    """The service's public URL for links: the ``base_url`` setting, else the path prefix the
    service is mounted at (never the request's Host header, which the client chooses)."""
    base = request.app.state.settings.base_url or request.scope.get("root_path", "")
    return str(base).rstrip("/")


def crs_header(uri: str) -> dict[str, str]:
    return {"Content-Crs": f"<{uri}>"}


def is_staff(user: User | None) -> bool:
    return user is not None and user.role in STAFF
