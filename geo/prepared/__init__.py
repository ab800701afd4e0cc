"""The prepared town: the town-wide work every proposal shares, done once per context.

:func:`prepare_town` makes what the checks of any proposal need from the whole town: the
town's area and border (prepared geometries), the area within tolerance of every road, river,
ridge and the town border, kept square by square (:func:`geo.validate.edges.tiles_of`), and the
spatial index of every layer. A context pickles with what it has prepared (the indexes are
rebuilt on first use: :data:`geo.context.KEPT`), so the command line keeps a prepared town in
its cache (:mod:`geo.prepared.cache`) and the audit sends it to its workers once.
"""

from __future__ import annotations

import logging

from geo.context import LAYER_COLUMNS, Context
from geo.validate.edges import tiles_of

__all__ = ["prepare_town"]

log = logging.getLogger(__name__)


def prepare_town(ctx: Context) -> Context:
    """``ctx`` with its town-wide parts made (the same object, returned for chaining)."""
    _ = ctx.town_border  # and the town itself, prepared
    tiles = tiles_of(ctx)
    for name in LAYER_COLUMNS:
        ctx.tree(name)
    log.info("prepared the town %s: %d squares of followed area", ctx.source, tiles)
    return ctx
