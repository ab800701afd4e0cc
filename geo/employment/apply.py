"""Verified figures in place of the parcels' own estimates.

The newest import's figure for a code replaces the employees of the parcels with that code;
an enterprise on several parcels has its figure shared between them by area. Parcels without
a figure keep their estimate. The parcels gain a column ``employees_verified`` saying which.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.employment import VERIFIED

__all__ = ["VERIFIED", "apply_figures", "newest_figures"]


def newest_figures(stored: pd.DataFrame) -> pd.DataFrame:
    """The newest stored figure of each code (the last import's), indexed by code."""
    ordered = stored.assign(_order=np.arange(len(stored)))
    ordered = ordered.sort_values(["import_id", "_order"], kind="stable")
    return ordered.drop_duplicates("uscc", keep="last").set_index("uscc").drop(columns="_order")


def apply_figures(parcels: gpd.GeoDataFrame, stored: pd.DataFrame) -> gpd.GeoDataFrame:
    """``parcels`` with the newest verified figure as ``employees`` where a code has one.

    Parameters
    ----------
    parcels
        The context's parcels in a metric CRS (``uscc``, ``employees``).
    stored
        Every stored figure (``import_id``, ``uscc``, ``employees``).
    """
    figures = newest_figures(stored)["employees"].astype(float)
    codes = parcels["uscc"].astype("string")
    verified = codes.isin(figures.index).fillna(False).to_numpy(bool)
    area = parcels.geometry.area.to_numpy(float)
    total = pd.Series(area[verified]).groupby(codes[verified].to_numpy()).transform("sum")
    share = np.divide(area[verified], total.to_numpy(), out=np.ones(int(verified.sum())),
                      where=total.to_numpy() > 0)
    employees = parcels["employees"].to_numpy(float, na_value=np.nan).copy()
    employees[verified] = figures.reindex(codes[verified].to_numpy()).to_numpy() * share
    result = parcels.copy()
    result["employees"] = employees
    result[VERIFIED] = verified
    return result
