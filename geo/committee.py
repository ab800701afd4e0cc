"""When the committee must meet (001 § 二(一)4(3)): "涉及村(社区)管理边界调整 … 需召开城乡
现代社区建设指导委员会会议" — the proposal changes the management boundary of a village or
community, that is, one of them gives up land to it."""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry

from geo.carve import Carved, carve
from geo.context import Context

__all__ = ["boundaries_changed"]


def boundaries_changed(geom: BaseGeometry, ctx: Context, *, min_area_m2: float) -> list[Carved]:
    """The villages and communities whose boundary the proposal (in the context's CRS)
    changes: each that gives up at least ``min_area_m2`` to it."""
    return [c for c in carve(geom, ctx) if c.taken.area >= min_area_m2]
