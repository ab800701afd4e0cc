"""A proposed community boundary: its name, type, geometry and declared custodial parts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.i18n import Text

__all__ = ["TYPE_ALIASES", "CustodialPart", "Proposal", "custodial_parts", "parts_by_area",
           "proposal_from_frame"]

# the community types of 001 § 二(一)1, as written in the bureau's data
TYPE_ALIASES = {"industrial": "industrial", "工业社区": "industrial", "工业": "industrial",
                "building": "building", "楼宇社区": "building", "楼宇": "building"}


@dataclass(frozen=True)
class CustodialPart:
    """A part declared as a custodial enclave (托管): its number (1 = largest) and reason."""

    part: int
    reason: str


@dataclass(frozen=True)
class Proposal:
    """One proposal as submitted; ``geometry`` is in ``crs`` (the input's CRS)."""

    name: str
    type: str  # "industrial" or "building"; anything else is reported by rule B9
    geometry: BaseGeometry
    crs: pyproj.CRS
    custodial: tuple[CustodialPart, ...] = field(default_factory=tuple)
    raw_type: str = ""
    # the name of its party-and-mass service centre, when the proposal gives one (B9 checks it)
    centre_name: str | None = None
    # the geometry in each target CRS asked for, so that every rule of a validation shares
    # one reprojection; keyed by the CRS object's identity (hashing a CRS writes its WKT), the
    # object kept beside the geometry so that the identity stays its own
    _projected: dict[int, tuple[pyproj.CRS, BaseGeometry]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def to_crs(self, crs: pyproj.CRS) -> BaseGeometry:
        """The geometry in ``crs`` (reprojected once per CRS and kept)."""
        if self.geometry is None or self.geometry.is_empty:
            return self.geometry
        kept = self._projected.get(id(crs))
        if kept is not None and kept[0] is crs:
            return kept[1]
        if self.crs == crs:
            geom = self.geometry
        else:
            geom = gpd.GeoSeries([self.geometry], crs=self.crs).to_crs(crs).iloc[0]
        self._projected[id(crs)] = (crs, geom)
        return geom


def parts_by_area(geom: BaseGeometry) -> list[BaseGeometry]:
    """The polygon parts of ``geom``, largest first: part 1 is the main part."""
    parts = [p for p in shapely.get_parts(geom) if not p.is_empty]
    return sorted(parts, key=lambda p: -p.area)


def custodial_parts(
    value: object, *, source: str, layer: str | None, row: int
) -> tuple[CustodialPart, ...]:
    """The custodial parts declared in a ``custodial_parts`` value (JSON text or a list).

    Raises
    ------
    InputError
        The value is malformed (``source``, ``layer`` and ``row`` say where it is).
    """
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return ()
    try:
        # JSON text from a file, or the parsed list itself: checked item by item below
        items: Any = json.loads(value) if isinstance(value, str) else value
        return tuple(CustodialPart(int(item["part"]), str(item["reason"])) for item in items)
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(message_key="custodial_parts_bad", params={"value": repr(value)},
                         path=source, layer=layer, row=row, field="custodial_parts") from exc


def proposal_from_frame(frame: gpd.GeoDataFrame, *, feature: str | None = None,
                        source: str = "") -> Proposal:
    """The proposal in a layer: its only feature, or the one named ``feature``.

    Raises
    ------
    InputError
        The layer holds several features and none was picked (their names are listed), the
        named feature is absent, or ``custodial_parts`` is malformed.
    """
    layer = frame.attrs.get("layer")
    names = [str(n) for n in frame["name"]] if "name" in frame.columns else []
    if feature is not None:
        matches = [i for i, n in enumerate(names) if n == feature]
        if not matches:
            raise InputError(message_key="proposal_feature_not_found",
                             params={"feature": feature, "names": ", ".join(names)},
                             path=source, layer=layer)
        index = matches[0]
    elif len(frame) > 1:
        listed = ", ".join(names) if names else Text("unnamed_features", {"count": len(frame)})
        raise InputError(message_key="several_proposals", params={"listed": listed},
                         path=source, layer=layer)
    else:
        index = 0
    row = frame.iloc[index]
    raw_type = str(row["type"]) if "type" in frame.columns and row["type"] is not None else ""
    return Proposal(
        name=names[index] if names else "",
        type=TYPE_ALIASES.get(raw_type.strip(), raw_type.strip()),
        geometry=row.geometry,
        crs=pyproj.CRS.from_user_input(frame.crs),
        custodial=custodial_parts(row.get("custodial_parts"), source=source, layer=layer,
                                  row=index + 1),
        raw_type=raw_type,
        centre_name=_text(row.get("centre_name")),
    )


def _text(value: Any) -> str | None:
    """A text attribute, or ``None`` when the column is missing or the value empty."""
    if value is None or (isinstance(value, float) and value != value):  # NaN: no value
        return None
    text = str(value).strip()
    return text or None
