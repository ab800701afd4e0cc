"""Registered communities in a town's context, and the context a revision of one is judged in.

A registered community (登记注册, 001 § 二(一)4) is a feature of the ``neighbours`` layer of
kind ``industrial_community``. Later proposals may not take its land (rule B5). A proposal
named as a registered community revises it (动态调整): it is judged, adjusted and registered
against the context as it would be without the old boundary, whose land is handed back to the
villages and communities around it piece by piece (each piece of the old boundary, cut by the
new one, joins the neighbour it shares the longest edge with).
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.proposal import Proposal

__all__ = ["REGISTERED_KIND", "hand_out", "registered", "registered_index",
           "revision_context"]

REGISTERED_KIND = "industrial_community"


def registered(ctx: Context) -> NDArray[np.bool_]:
    """Per feature of ``neighbours``: whether it is a registered industrial community."""
    kinds = ctx.column("neighbours", "kind")
    found: NDArray[np.bool_] = kinds == REGISTERED_KIND
    return found


def registered_index(ctx: Context, name: str) -> int | None:
    """The position in ``neighbours`` of the registered community called ``name``, if any."""
    names = ctx.column("neighbours", "name")
    found = np.flatnonzero(registered(ctx) & (names == name))
    return int(found[0]) if len(found) else None


def _polygonal(geom: BaseGeometry) -> list[BaseGeometry]:
    return [p for p in shapely.get_parts(geom)
            if p.geom_type == "Polygon" and not p.is_empty and p.area > 0]


def hand_out(land: BaseGeometry, cut: BaseGeometry, geoms: NDArray[np.object_],
             eligible: NDArray[np.bool_]) -> NDArray[np.object_]:
    """``geoms`` with the land ``land`` added to them: ``land`` is cut by ``cut`` and each piece
    joins the eligible geometry that shares the longest edge with it.

    Pieces that touch no eligible geometry wait for a neighbouring piece to be handed out
    first; a piece that never touches one joins the nearest eligible geometry.
    """
    result = geoms.copy()
    pending = (_polygonal(shapely.difference(land, cut))
               + _polygonal(shapely.intersection(land, cut)))
    candidates = np.flatnonzero(eligible)
    if not len(candidates):
        return result
    while pending:
        waiting = []
        for piece in pending:
            shared = shapely.length(shapely.intersection(piece.boundary, result[candidates]))
            if shared.max() <= 0.01:
                waiting.append(piece)
                continue
            j = candidates[int(np.argmax(shared))]
            result[j] = shapely.union(result[j], piece)
        if len(waiting) == len(pending):
            for piece in waiting:
                j = candidates[int(np.argmin(shapely.distance(piece, result[candidates])))]
                result[j] = shapely.union(result[j], piece)
            break
        pending = waiting
    return result


def revision_context(proposal: Proposal, ctx: Context) -> Context:
    """The context ``proposal`` is judged in: ``ctx`` itself, unless the proposal revises a
    registered community of the same name; then ``ctx`` without that community, its land
    handed to the villages and communities around it (never to another registered one).

    An invalid proposal (rule B1) revises nothing here: its checks do not get that far.
    """
    own = registered_index(ctx, proposal.name)
    if own is None:
        return ctx
    geom = proposal.to_crs(ctx.crs)
    if (geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon")
            or not shapely.is_valid(geom)):
        return ctx
    neighbours = ctx.require("neighbours")
    geoms = neighbours.geometry.to_numpy()
    eligible = ~registered(ctx)
    if not eligible.any():
        eligible = np.ones(len(geoms), dtype=bool)
    eligible[own] = False
    handed = hand_out(geoms[own], geom, geoms, eligible)
    frame = neighbours.copy()
    frame.geometry = list(handed)
    frame = frame.drop(index=frame.index[own]).reset_index(drop=True)
    return ctx.with_layer("neighbours", frame)
