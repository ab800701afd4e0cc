"""Grid codes: the community's code plus a three-digit number, north-west to south-east.

Numbering follows DB11/T 2157-2023's practice of coding grids in reading order from the
north-west corner: rows from north to south, each row from west to east.
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["grid_codes", "nw_to_se_order"]


def nw_to_se_order(points: np.ndarray) -> np.ndarray:
    """Positions of ``points`` in reading order: bands north to south, west to east in a band.

    Bands are as tall as the typical spacing of the points, so a slightly lower neighbour to
    the east still reads after its western partner.
    """
    if len(points) == 0:
        return np.empty(0, dtype=int)
    xy = shapely.get_coordinates(points)
    span = max(float(np.ptp(xy[:, 1])), 1.0)
    band = max(span / max(np.sqrt(len(xy)), 1.0), 1.0)
    rows = np.floor((xy[:, 1].max() - xy[:, 1]) / band)
    return np.lexsort((xy[:, 0], rows))


def grid_codes(community_code: str, points: np.ndarray) -> list[str]:
    """The code of each grid whose representative point is given, in input order."""
    codes = [""] * len(points)
    for seq, i in enumerate(nw_to_se_order(points), start=1):
        codes[i] = f"{community_code}{seq:03d}"
    return codes
