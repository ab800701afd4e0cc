"""Towns and their context layers: loaded from a file once, rebuilt as a geo Context on use."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from api.db.models import (
    STORAGE_SRID,
    ContextFeature,
    ContextVersion,
    EmploymentFigure,
    Town,
    utcnow,
)
from api.db.text_guard import clean_value
from api.geometry import (
    bbox_columns,
    db_geom,
    frame_from_rows,
    frame_records,
    geometry_kind,
    shape_of,
)
from api.problems import Problem
from geo.context import LAYER_COLUMNS, Context, build_context
from geo.io import read_context
from geo.prepared.cache import kept_path, kept_town
from geo.rules import Rules

__all__ = [
    "ContextCache",
    "all_towns",
    "content_stamp",
    "current_version",
    "first_town",
    "get_town",
    "insert_layers",
    "layer_counts",
    "load_town",
    "store_town",
    "stored_figures",
    "town_for_proposal",
    "town_names",
    "zone_epsgs",
]


def load_town(
    session: Session, source: str | Path, rules: Rules, *, name: str | None = None
) -> Town:
    """Read a context file, check it as validation would, and store its layers for a town.

    Raises
    ------
    InputError
        The context file cannot be used (missing layer or column, wrong geometry …).
    """
    ctx = read_context(source, rules)
    town_name, code = town_names(ctx, name=name, fallback=Path(source).stem)
    return store_town(session, ctx, source=str(source), name=town_name, code=code)


def town_names(
    ctx: Context, *, name: str | None = None, code: str | None = None, fallback: str
) -> tuple[str, str | None]:
    """A town's name and code: as given, else the jurisdiction layer's, else ``fallback``."""
    jurisdiction = ctx.layer("jurisdiction")
    if jurisdiction is not None:
        name = name or str(jurisdiction["name"].iloc[0])
        code = code or str(jurisdiction["code"].iloc[0])
    return name or fallback, code


def store_town(session: Session, ctx: Context, *, source: str, name: str, code: str | None,
               by: int | None = None) -> Town:
    """Store a checked context as a new town, its context version 1 (flushed, not committed:
    the caller commits)."""
    epsg = ctx.crs.to_epsg()
    town = Town(
        name=name,
        code=code,
        work_crs=f"EPSG:{epsg}" if epsg else ctx.crs.to_string(),
        source=source,
        created_at=utcnow(),
    )
    session.add(town)
    session.flush()
    session.add(ContextVersion(town_id=town.id, version=1,
                               reason="upload" if source.startswith("upload:") else "load",
                               source=source, created_by=by, created_at=town.created_at))
    insert_layers(session, town.id, ctx.layers, version=1)
    return town


def insert_layers(session: Session, town_id: int, layers: Mapping[str, gpd.GeoDataFrame | None],
                  *, version: int, valid_from: datetime | None = None) -> None:
    """Store context layers (in any CRS) as features of ``version`` of a town's context."""
    for layer, frame in layers.items():
        if frame is None or frame.empty:
            continue
        stored = frame.to_crs(epsg=STORAGE_SRID)
        rows = [
            {
                "town_id": town_id,
                "layer": layer,
                "fid": i + 1,
                "properties": clean_value(props, f"{layer}.properties"),
                "geom": db_geom(geom),
                "shape": geometry_kind(geom),
                "version_from": version,
                "valid_from": valid_from,
                **bbox_columns(geom),
            }
            for i, (props, geom) in enumerate(frame_records(stored))
        ]
        session.execute(insert(ContextFeature), rows)


def layer_counts(session: Session) -> dict[int, dict[str, int]]:
    """Each town's number of features per context layer, by town id."""
    counts: dict[int, dict[str, int]] = {}
    rows = session.execute(
        select(ContextFeature.town_id, ContextFeature.layer, func.count())
        .where(ContextFeature.version_to.is_(None))
        .group_by(
            ContextFeature.town_id, ContextFeature.layer
        )
    ).all()
    for town_id, layer, count in rows:
        counts.setdefault(town_id, {})[layer] = int(count)
    return counts


def zone_epsgs(session: Session) -> list[int]:
    """The EPSG codes of the zones the towns are measured in (offered as output CRSs)."""
    codes = session.scalars(select(Town.work_crs)).all()
    return sorted({int(c.split(":")[1]) for c in codes if c.upper().startswith("EPSG:")})


def first_town(session: Session) -> Town:
    """The town new proposals belong to when none is named."""
    town = session.scalar(select(Town).order_by(Town.id).limit(1))
    if town is None:
        raise Problem(409, "no_town")
    return town


def all_towns(session: Session) -> list[Town]:
    """Every town, in the order they were added."""
    return list(session.scalars(select(Town).order_by(Town.id)).all())


def get_town(session: Session, town_id: int) -> Town:
    """The town ``town_id`` (404 ``town_not_found`` if there is none)."""
    town = session.get(Town, town_id)
    if town is None:
        raise Problem(404, "town_not_found", id=town_id)
    return town


def town_for_proposal(session: Session, town_id: int | None) -> Town:
    """The town a new proposal names, else the first town (422 if it names none that exists)."""
    if town_id is None:
        return first_town(session)
    town = session.get(Town, town_id)
    if town is None:
        raise Problem(422, "town_not_found", id=town_id)
    return town


def _build(session: Session, town_id: int, rules: Rules) -> Context:
    layers: dict[str, gpd.GeoDataFrame | None] = {name: None for name in LAYER_COLUMNS}
    rows = session.execute(
        select(ContextFeature.layer, ContextFeature.properties, ContextFeature.geom)
        .where(ContextFeature.town_id == town_id, ContextFeature.version_to.is_(None))
        .order_by(ContextFeature.layer, ContextFeature.version_from, ContextFeature.fid)
    ).all()
    grouped: dict[str, tuple[list, list]] = {}
    for layer, props, geom in rows:
        props_list, geoms = grouped.setdefault(layer, ([], []))
        props_list.append(props)
        geoms.append(shape_of(geom))
    for layer, (props_list, geoms) in grouped.items():
        layers[layer] = frame_from_rows(props_list, geoms)
    # measure in the zone the town was loaded in, not the one its centre falls in: a town
    # kept in a neighbouring zone must give the same areas as the CLI on its own files
    town = session.get(Town, town_id)
    if town is None:
        raise Problem(404, "town_not_found", id=town_id)
    if rules.work_crs is None:
        rules = rules.model_copy(update={"work_crs": town.work_crs})
    return build_context(layers, rules, source=town.name,
                         employment=stored_figures(session, town_id))


def stored_figures(session: Session, town_id: int) -> pd.DataFrame | None:
    """Every figure stored for the town, in import order; ``None`` when none was imported."""
    rows = session.execute(
        select(EmploymentFigure.import_id, EmploymentFigure.uscc, EmploymentFigure.employees)
        .where(EmploymentFigure.town_id == town_id)
        .order_by(EmploymentFigure.import_id, EmploymentFigure.id)
    ).all()
    if not rows:
        return None
    return pd.DataFrame([tuple(r) for r in rows], columns=["import_id", "uscc", "employees"])


def current_version(session: Session, town_id: int) -> int:
    """The number of the town's current context version (1 before any change)."""
    return int(session.scalar(select(func.max(ContextVersion.version))
                              .where(ContextVersion.town_id == town_id)) or 1)


def content_stamp(session: Session, town_id: int) -> str:
    """What the town's context is made of, as a stamp that changes whenever it changes: its
    current context version (and when that was made), its name and zone, and the verified
    employment figures imported (which change no version)."""
    town = session.get(Town, town_id)
    if town is None:
        raise Problem(404, "town_not_found", id=town_id)
    version = session.execute(
        select(ContextVersion.version, ContextVersion.created_at)
        .where(ContextVersion.town_id == town_id)
        .order_by(ContextVersion.version.desc()).limit(1)).first()
    figures = session.execute(
        select(func.count(EmploymentFigure.id), func.max(EmploymentFigure.id))
        .where(EmploymentFigure.town_id == town_id)).one()
    made = "" if version is None else f"{version[0]} {version[1].isoformat()}"
    return (f"{town.id} {town.created_at.isoformat()} {town.name} {town.work_crs} "
            f"version {made} figures {figures[0]} {figures[1]}")


class ContextCache:
    """Each town's Context at its current version, built from the database on first use and
    kept until the town's context gets a new version (contexts are read-only, so threads may
    share them). A change made through this service forgets the town's Context when it is
    committed; one made by another process is noticed within ``recheck_seconds``."""

    def __init__(self, sessions: sessionmaker, rules: Rules, *,
                 recheck_seconds: float = 5.0, cache: Path | None = None,
                 database: str = "") -> None:
        self._sessions = sessions
        self._rules = rules
        self._recheck = recheck_seconds
        self._cache = cache if database else None
        self._database = database
        self._contexts: dict[int, tuple[int, Context, float]] = {}
        self._lock = threading.Lock()

    @property
    def rules(self) -> Rules:
        return self._rules

    @property
    def database(self) -> str:
        """The database, as the prepared-town cache names it ("": nothing kept on disk)."""
        return self._database

    def get(self, town_id: int) -> Context:
        return self.current(town_id)[1]

    def current(self, town_id: int, *, session: Session | None = None) -> tuple[int, Context]:
        """The town's current context version and its Context; with ``session``, the version
        read through it now (not up to ``recheck_seconds`` ago) and no other connection used."""
        with self._lock:
            kept = self._contexts.get(town_id)
            now = time.monotonic()
            if kept is not None and session is None and now - kept[2] < self._recheck:
                return kept[0], kept[1]
            with nullcontext(session) if session is not None else self._sessions() as reading:
                version = current_version(reading, town_id)
                ctx = (kept[1] if kept is not None and kept[0] == version
                       else self._prepared(reading, town_id))
            self._contexts[town_id] = (version, ctx, now)
            return version, ctx

    def _prepared(self, session: Session, town_id: int) -> Context:
        """The town's context built from the database and prepared, or loaded from the
        prepared-town cache, where every worker process of the service (and the next start)
        finds it: kept under the database, the town and a stamp of its content."""
        stamp = content_stamp(session, town_id)
        path = (None if self._cache is None
                else kept_path(self._cache, f"{self._database}#town{town_id}", stamp, self._rules))
        return kept_town(path, lambda: _build(session, town_id, self._rules),
                         unchanged=lambda: content_stamp(session, town_id) == stamp)

    def forget(self, town_id: int) -> None:
        """Build the town's Context afresh on next use (its stored data changed)."""
        with self._lock:
            self._contexts.pop(town_id, None)

    def forget_on_commit(self, session: Session, town_id: int) -> None:
        """Forget the town's Context once ``session`` commits (it is changing the context)."""
        event.listen(session, "after_commit", lambda _: self.forget(town_id), once=True)
