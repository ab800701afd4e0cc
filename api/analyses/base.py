"""What an analysis kind is: how it runs, is stored, is read back, is shown and is drawn.

An :class:`Analysis` entry is the one place a kind is declared; the service's runs and jobs,
the routes, the command line, the package and the maps all go through it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

import folium
import geopandas as gpd
from rich.console import Console
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from api.db.models import Base, ProposalVersion, Run
from api.geometry import bbox_columns, db_geom, frame_from_rows, frame_records, shape_of
from geo.context import Context
from geo.i18n import Lang
from geo.proposal import Proposal
from maps.build import MapKind, MapStyle

__all__ = [
    "Analysis",
    "Options",
    "Reading",
    "Target",
    "frame_of_rows",
    "insert_frame",
    "no_options",
    "query_year",
    "run_rows",
]

R = TypeVar("R")
Options = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """Where a run keeps what it found: the session, the run and the version analysed."""

    session: Session
    run: Run
    version: ProposalVersion


@dataclass(frozen=True)
class Reading:
    """A stored run as a client reads it: geometries in ``crs`` (a CRS URI), text in ``lang``;
    ``version`` is the version number the client asked for."""

    session: Session
    run: Run
    crs: str
    lang: Lang
    version: int


def query_year(params: Mapping[str, str]) -> int:
    """The ``year`` an HTTP query asks for; this year when it names none."""
    return int(params.get("year") or date.today().year)


def no_options(params: Mapping[str, str], lang: Lang, upload_dir: Path) -> Options:
    """A kind that needs nothing beyond the version."""
    return {}


def _done(result: object) -> bool:
    return True


def _no_layers(result: object, proposal: Proposal) -> dict[str, gpd.GeoDataFrame]:
    return {}


def _show_nothing(result: object, proposal: Proposal, ctx: Context, console: Console,
                  lang: Lang) -> None:
    return None


def _cannot_restore(session: Session, run: Run, ctx: Context) -> None:
    return None


@dataclass(frozen=True, kw_only=True)
class Analysis(Generic[R]):
    """One analysis kind, declared once.

    Attributes
    ----------
    name
        The kind's name: the run's ``kind``, the route ``…/{name}`` and the job's process id.
    label_key
        Its name for people, a message id of :func:`geo.i18n.t`.
    run
        The spatial core: ``(proposal, context, options) -> result``.
    store
        Keeps a result of ``run``: writes its rows and returns the run's JSON summary.
    present
        A stored run as the API document clients read.
    restore
        The result back from a stored run (``None`` when the run kept too little).
    options
        The run's options from an HTTP query (``ValueError`` on a malformed one).
    map_kind, draw
        The map that shows a result, and how it is drawn from one.
    layers
        A result as GeoPackage layers (context CRS), by layer name.
    show
        Prints a result in a terminal (rich tables, in a language).
    ok
        Whether a result is free of errors (the command line's exit code 0 rather than 1).
    download
        The file a stored run is downloaded as (from the service's upload folder), when
        clients read a file rather than a document.
    needs_valid_boundary
        Left out of the package when the boundary fails rule B1.
    """

    name: str
    label_key: str
    run: Callable[[Proposal, Context, Options], R]
    store: Callable[[Target, R], dict[str, Any]]
    present: Callable[[Reading], dict[str, Any]]
    restore: Callable[[Session, Run, Context], R | None] = _cannot_restore
    options: Callable[[Mapping[str, str], Lang, Path], Options] = no_options
    map_kind: MapKind | None = None
    draw: Callable[[R, Proposal, Context, MapStyle], folium.Map] | None = None
    layers: Callable[[R, Proposal], dict[str, gpd.GeoDataFrame]] = _no_layers
    show: Callable[[R, Proposal, Context, Console, Lang], None] = _show_nothing
    ok: Callable[[R], bool] = _done
    download: Callable[[Run, Path], Path] | None = None
    needs_valid_boundary: bool = True


def insert_frame(target: Target, model: type[Base], frame: gpd.GeoDataFrame,
                 extra: Callable[[dict[str, Any]], dict[str, Any]]) -> int:
    """Store every row of ``frame`` as a ``model`` row of the run; how many were stored."""
    rows = [
        {
            "run_id": target.run.id,
            "version_id": target.version.id,
            "properties": props,
            "geom": db_geom(geom),
            **bbox_columns(geom),
            **extra(props),
        }
        for props, geom in frame_records(frame.to_crs("OGC:CRS84"))
    ]
    if rows:
        target.session.execute(insert(model), rows)
    return len(rows)


def run_rows(session: Session, run: Run, model: Any, *order: Any) -> Sequence[Any]:
    """The rows ``run`` stored in ``model``, in ``order``."""
    return session.scalars(select(model).where(model.run_id == run.id).order_by(*order)).all()


def frame_of_rows(rows: Sequence[Any], ctx: Context) -> gpd.GeoDataFrame:
    """Stored rows (``properties``, ``geom``) as a GeoDataFrame in the context's CRS."""
    return frame_from_rows([row.properties for row in rows],
                           [shape_of(row.geom) for row in rows]).to_crs(ctx.crs)
