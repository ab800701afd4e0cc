"""What an analysis kind is: how it runs, is stored, is read back, is shown and is drawn.

An :class:`Analysis` subclass is the one place a kind is declared (what it does that the
defaults do not); the service's runs and jobs, the routes, the command line, the package and
the maps all go through its instance.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

import folium
import geopandas as gpd
from rich.console import Console
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from api.db.models import Base, ProposalVersion, Run
from api.geometry import bbox_columns, db_geom, frame_from_rows, frame_records, shape_of
from geo.context import Context
from geo.dates import today
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
    return int(params.get("year") or today().year)


class Analysis(ABC, Generic[R]):
    """One analysis kind, declared once: a subclass states its name, label and what differs
    from the defaults here, and its module exports one instance.

    Attributes
    ----------
    name
        The kind's name: the run's ``kind``, the route ``…/{name}`` and the job's process id.
    label_key
        Its name for people, a message id of :func:`geo.i18n.t`.
    map_kind
        The map that shows a result (drawn by :meth:`draw`); ``None`` when none does.
    needs_valid_boundary
        Left out of the package when the boundary fails rule B1.
    """

    name: ClassVar[str]
    label_key: ClassVar[str]
    map_kind: ClassVar[MapKind | None] = None
    needs_valid_boundary: ClassVar[bool] = True

    @abstractmethod
    def run(self, proposal: Proposal, ctx: Context, options: Options) -> R:
        """The spatial core: a result of ``proposal`` in ``ctx`` with ``options``."""

    @abstractmethod
    def store(self, target: Target, result: R) -> dict[str, Any]:
        """Keep a result of :meth:`run`: write its rows and return the run's JSON summary."""

    @abstractmethod
    def present(self, reading: Reading) -> dict[str, Any]:
        """A stored run as the API document clients read."""

    def restore(self, session: Session, run: Run, ctx: Context) -> R | None:
        """The result back from a stored run (``None``, the default, when it kept too little)."""
        return None

    def options(self, params: Mapping[str, str], lang: Lang, upload_dir: Path) -> Options:
        """The run's options from an HTTP query (``ValueError`` on a malformed one); by
        default none beyond the version."""
        return {}

    def draw(self, result: R, proposal: Proposal, ctx: Context,
             style: MapStyle) -> folium.Map | None:
        """The map of :attr:`map_kind` drawn from a result; ``None`` for a kind without one."""
        return None

    def layers(self, result: R, proposal: Proposal) -> dict[str, gpd.GeoDataFrame]:
        """A result as GeoPackage layers (context CRS), by layer name; by default none."""
        return {}

    def show(self, result: R, proposal: Proposal, ctx: Context, console: Console,
             lang: Lang) -> None:
        """Print a result in a terminal (rich tables, in ``lang``); by default nothing."""
        return None

    def ok(self, result: R) -> bool:
        """Whether a result is free of errors (the command line's exit code 0 rather than 1);
        by default always."""
        return True

    def download(self, run: Run, upload_dir: Path) -> Path | None:
        """The file a stored run is downloaded as (from the service's upload folder) when
        clients read a file rather than a document; ``None``, the default, otherwise."""
        return None


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
