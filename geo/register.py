"""Registration (登记注册, 001 § 二(一)4, the workflow's last step) changes the town's map.

The registered community is carved out of its neighbours as the neighbours' adjustment does
(:func:`geo.adjust.adjust`): each village or community it takes land from gets its new
boundary, and the community joins the ``neighbours`` layer as kind ``industrial_community``.
A proposal named as a registered community revises it (动态调整): the old boundary is retired
and its land handed back to the villages around it before the new one is carved out. Nothing
is lost: every boundary that changes or is retired is kept as a row of the history layer
with the dates it was valid, ``[valid_from, valid_to)``; a row without ``valid_from`` was
valid since before the records began.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.adjust import adjust
from geo.context import Context
from geo.errors import InputError
from geo.proposal import Proposal
from geo.revision import REGISTERED_KIND, registered, registered_index
from geo.validate.validity import valid_geometry

__all__ = ["HISTORY_LAYER", "VALID_FROM", "VALID_TO", "BoundaryChange", "Registration",
           "as_of", "register", "registered_layers"]

HISTORY_LAYER = "neighbours_history"
VALID_FROM, VALID_TO = "valid_from", "valid_to"


@dataclass(frozen=True)
class BoundaryChange:
    """One neighbour's boundary before and after the registration (in the work CRS)."""

    position: int  # in the context's ``neighbours``
    name: str
    code: str
    before: BaseGeometry
    after: BaseGeometry

    @property
    def area_given_m2(self) -> float:
        """The land given up (negative when the neighbour received land back)."""
        return float(self.before.area - self.after.area)


@dataclass(frozen=True)
class Registration:
    """What registering a community changes, in the context's work CRS ``crs``."""

    name: str
    code: str | None
    community: BaseGeometry
    changes: tuple[BoundaryChange, ...]
    retired: int | None  # position in ``neighbours`` of the registered boundary it replaces
    date: dt.date
    crs: pyproj.CRS


def _refuse_overlap(geom: BaseGeometry, ctx: Context, others: np.ndarray, name: str) -> None:
    neighbours = ctx.require("neighbours")
    hit = ctx.query("neighbours", geom)
    for i in hit[others[hit]]:
        area = float(shapely.intersection(neighbours.geometry.values[i], geom).area)
        if area >= 1.0:
            raise InputError(message_key="register_overlaps_registered",
                             params={"community": str(neighbours["name"].values[i]),
                                     "area_m2": area}, layer=name)


def register(proposal: Proposal, ctx: Context, *, date: dt.date) -> Registration:
    """Register ``proposal`` in the town ``ctx`` on ``date``: its neighbours' new boundaries.

    Registered communities other than the one the proposal revises keep their boundaries.

    Raises
    ------
    InputError
        The proposal is not a valid polygon (rule B1), lies outside the town, or takes land
        of another registered community (rule B5).
    """
    geom = valid_geometry(proposal, ctx, refused="register_invalid")
    own = registered_index(ctx, proposal.name)
    others = registered(ctx)
    if own is not None:
        others[own] = False
    _refuse_overlap(geom, ctx, others, proposal.name)
    adjustment = adjust(proposal, ctx)
    neighbours = ctx.require("neighbours")
    before = neighbours.geometry.to_numpy()
    positions = np.arange(len(before))
    if own is not None:
        positions = np.delete(positions, own)
    after = adjustment.neighbours.geometry.to_numpy()
    community = adjustment.proposal
    kept = [after[k] for k, p in enumerate(positions) if others[p]]
    if kept:  # a registered community keeps even the sub-metre slivers the snap took
        community = shapely.difference(community, shapely.union_all(kept))
    names, codes = neighbours["name"].to_numpy(), neighbours["code"].to_numpy()
    moved = shapely.area(shapely.symmetric_difference(before[positions], after)) >= 0.01
    changes = tuple(
        BoundaryChange(int(p), str(names[p]), "" if codes[p] is None else str(codes[p]),
                       before[p], after[k])
        for k, p in enumerate(positions) if moved[k] and not others[p])
    code = None if own is None or codes[own] is None else str(codes[own])
    return Registration(name=proposal.name, code=code, community=community, changes=changes,
                        retired=own, date=date, crs=ctx.crs)


def _dates(values: pd.Series) -> pd.Series:
    """A column of dates as read (text, dates or timestamps) as ``datetime.date`` or None."""
    parsed = pd.to_datetime(values.astype("string"), errors="coerce", format="mixed")
    return pd.Series([None if pd.isna(v) else v.date() for v in parsed], index=values.index,
                     dtype=object)


def _iso(values: pd.Series) -> pd.Series:
    return pd.Series([None if v is None else v.isoformat() for v in _dates(values)],
                     index=values.index, dtype=object)


def _latest(current: gpd.GeoDataFrame, history: gpd.GeoDataFrame | None) -> dt.date | None:
    seen = []
    if VALID_FROM in current.columns:
        seen += [d for d in _dates(current[VALID_FROM]) if d is not None]
    if history is not None and VALID_TO in history.columns:
        seen += [d for d in _dates(history[VALID_TO]) if d is not None]
    return max(seen) if seen else None


def registered_layers(
    registration: Registration, current: gpd.GeoDataFrame, history: gpd.GeoDataFrame | None,
    *, columns: Mapping[str, str] | None = None, source: str = "", layer: str = "neighbours",
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The neighbours layer and its history layer after ``registration``, as stored.

    Parameters
    ----------
    registration
        What :func:`register` found for the context read from ``current``.
    current, history
        The neighbours layer as read from the context file (its own CRS and column names; the
        rows with a geometry are the context's neighbours in order) and the history layer as
        read, or ``None`` before the first registration.
    columns
        sijie's column names (``name``, ``code``, ``kind``) to the file's, from the rules.

    Raises
    ------
    InputError
        ``registration.date`` is earlier than a date the layers already record.
    """
    date = registration.date
    latest = _latest(current, history)
    if latest is not None and date < latest:
        raise InputError(message_key="register_date_before",
                         params={"date": date.isoformat(), "latest": latest.isoformat()},
                         path=source or None, layer=layer, field=VALID_FROM)
    mapping = dict(columns or {})
    frame = current.copy()
    frame[VALID_FROM] = _iso(frame[VALID_FROM]) if VALID_FROM in frame.columns else None
    present = np.flatnonzero(~(frame.geometry.isna() | frame.geometry.is_empty).to_numpy())
    labels = frame.index[present]
    moved = [labels[c.position] for c in registration.changes]
    gone = [] if registration.retired is None else [labels[registration.retired]]
    old = frame.loc[moved + gone].copy()
    old[VALID_TO] = date.isoformat()
    geometry = str(frame.geometry.name)
    new = gpd.GeoSeries([c.after for c in registration.changes], crs=registration.crs)
    new = new.to_crs(frame.crs) if frame.crs is not None else new
    geoms = frame.geometry.to_numpy().copy()
    geoms[frame.index.get_indexer(pd.Index(moved))] = new.to_numpy()
    frame[geometry] = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    frame.loc[moved, VALID_FROM] = date.isoformat()
    frame = frame.drop(index=gone)
    row: dict[str, object] = dict.fromkeys(str(c) for c in frame.columns)
    row.update({mapping.get("name", "name"): registration.name,
                mapping.get("code", "code"): registration.code,
                mapping.get("kind", "kind"): REGISTERED_KIND, VALID_FROM: date.isoformat()})
    community = gpd.GeoSeries([registration.community], crs=registration.crs)
    row[geometry] = (community.to_crs(frame.crs) if frame.crs is not None else community).iloc[0]
    added = gpd.GeoDataFrame([row], columns=frame.columns, geometry=geometry, crs=frame.crs)
    after = gpd.GeoDataFrame(pd.concat([frame, added], ignore_index=True), geometry=geometry,
                             crs=frame.crs)
    kept = old if history is None else _history_frame(history, old)
    return after, kept


def _history_frame(history: gpd.GeoDataFrame, old: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The rows kept before followed by ``old``, in ``old``'s CRS and geometry column."""
    earlier = history.to_crs(old.crs) if history.crs is not None and old.crs is not None \
        else history
    if earlier.geometry.name != old.geometry.name:
        earlier = earlier.rename_geometry(old.geometry.name)
    for column in (VALID_FROM, VALID_TO):
        earlier[column] = _iso(earlier[column]) if column in earlier.columns else None
    joined = pd.concat([earlier, old], ignore_index=True)
    return gpd.GeoDataFrame(joined, geometry=old.geometry.name, crs=old.crs)


def as_of(current: gpd.GeoDataFrame, history: gpd.GeoDataFrame | None,
          date: dt.date) -> gpd.GeoDataFrame:
    """The boundaries valid on ``date``: rows of the neighbours layer and its history layer
    whose ``[valid_from, valid_to)`` contains it (a missing ``valid_from`` is "always")."""
    frames = []
    for frame, ends in ((current, False), (history, True)):
        if frame is None or frame.empty:
            continue
        starts = (_dates(frame[VALID_FROM]) if VALID_FROM in frame.columns
                  else pd.Series([None] * len(frame), index=frame.index, dtype=object))
        keep = np.array([s is None or s <= date for s in starts], dtype=bool)
        if ends:
            stops = _dates(frame[VALID_TO])
            keep &= np.array([e is None or date < e for e in stops], dtype=bool)
        frames.append(frame[keep].drop(columns=[VALID_TO], errors="ignore"))
    if not frames:
        return current.iloc[0:0]
    crs = frames[0].crs
    joined = pd.concat([f.to_crs(crs) if crs is not None else f for f in frames],
                       ignore_index=True)
    return gpd.GeoDataFrame(joined, geometry=frames[0].geometry.name, crs=crs)
