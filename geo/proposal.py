"""A proposed community boundary: its name, type, geometry and declared custodial parts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs.reprojection import reproject
from geo.errors import InputError
from geo.features import FeatureTable, table_from_frame
from geo.i18n import N_, Text
from geo.rules.model import ProposalColumns

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["TYPE_ALIASES", "CustodialPart", "Proposal", "column_for", "custodial_parts",
           "parts_by_area", "proposal_from_frame", "proposal_from_table"]

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
        geom = self.geometry if self.crs == crs else reproject(self.geometry, self.crs, crs)
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


def _attribute_columns(layer: FeatureTable | gpd.GeoDataFrame) -> list[str]:
    """The names of a layer's attribute columns, in its order, without the geometry column."""
    if isinstance(layer, FeatureTable):
        return list(layer.columns)
    return [str(c) for c in layer.columns if c != layer.geometry.name]


def column_for(layer: FeatureTable | gpd.GeoDataFrame, candidates: list[str]) -> str | None:
    """The first of ``candidates`` that ``layer`` has as a column: spelt exactly, else with
    another case (``Name`` for ``name``); ``None`` when it has none of them."""
    columns = _attribute_columns(layer)
    for wanted in candidates:
        if wanted in columns:
            return wanted
    folded = {c.casefold(): c for c in columns}
    for wanted in candidates:
        if wanted.casefold() in folded:
            return folded[wanted.casefold()]
    return None


def _cell(value: object) -> str:
    """A cell as text: missing values (``None``, NaN) are the empty text."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def _missing_column(table: FeatureTable, key: str, candidates: list[str], *,
                    source: str) -> InputError:
    """The error for a file with none of the name (or type) columns: it names what it has."""
    return InputError(message_key=key,
                      params={"looked": ", ".join(candidates),
                              "found": ", ".join(table.columns) or Text("none")},
                      path=source, layer=table.layer)


def proposal_from_frame(frame: gpd.GeoDataFrame, *, feature: str | None = None,
                        source: str = "", columns: ProposalColumns | None = None,
                        name: str | None = None, type_: str | None = None) -> Proposal:
    """The proposal in a layer read into a GeoDataFrame: its only feature, or the one named
    ``feature``; the layer is ``frame.attrs["layer"]``.

    The same choice as :func:`proposal_from_table` makes, with the same parameters and errors.
    """
    return proposal_from_table(table_from_frame(frame), feature=feature, source=source,
                               columns=columns, name=name, type_=type_)


def proposal_from_table(table: FeatureTable, *, feature: str | None = None,
                        source: str = "", columns: ProposalColumns | None = None,
                        name: str | None = None, type_: str | None = None) -> Proposal:
    """The proposal in a layer: its only feature, or the one named ``feature``.

    Parameters
    ----------
    table
        The layer as read.
    feature
        The name of the feature to take when the layer holds several.
    source
        The file, named in messages.
    columns
        Where the name and type are (the rules file's ``[proposal]``; by default ``name``,
        ``名称``, ``社区名称`` … and ``type``, ``类型``, ``社区类型`` …).
    name, type_
        The name and type given instead of the file's (``--name``, ``--type``); ``type_`` in
        the bureau's words (工业社区) or sijie's (industrial).

    Raises
    ------
    InputError
        The layer holds several features and none was picked (their names are listed), the
        named feature is absent, the file has no name (or type) column and none was given
        (the message names the columns looked for and those found), or ``custodial_parts``
        is malformed.
    """
    columns = columns or ProposalColumns()
    layer = table.layer
    name_column = column_for(table, columns.name)
    type_column = column_for(table, columns.type)
    if name is None and name_column is None:
        raise _missing_column(table, N_("proposal_no_name_column"), columns.name, source=source)
    if type_ is None and type_column is None:
        raise _missing_column(table, N_("proposal_no_type_column"), columns.type, source=source)
    names = [_cell(n) for n in table.column(name_column) or ()] if name_column else []
    if feature is not None:
        matches = [i for i, n in enumerate(names) if n == feature]
        if not matches:
            raise InputError(message_key="proposal_feature_not_found",
                             params={"feature": feature, "names": ", ".join(names)},
                             path=source, layer=layer)
        index = matches[0]
    elif len(table) > 1:
        listed = ", ".join(names) if names else Text("unnamed_features", {"count": len(table)})
        raise InputError(message_key="several_proposals", params={"listed": listed},
                         path=source, layer=layer)
    else:
        index = 0

    def value(column: str | None) -> object:
        """The chosen feature's value in ``column``; ``None`` when the layer has no such
        column."""
        values = None if column is None else table.column(column)
        return None if values is None else values[index]

    raw_type = type_ if type_ is not None else _cell(value(type_column))
    return Proposal(
        name=name if name is not None else names[index],
        type=TYPE_ALIASES.get(raw_type.strip(), raw_type.strip()),
        geometry=table.geometry[index],
        crs=pyproj.CRS.from_user_input(table.crs),
        custodial=custodial_parts(value("custodial_parts"), source=source, layer=layer,
                                  row=index + 1),
        raw_type=raw_type,
        centre_name=_text(value("centre_name")),
    )


def _text(value: Any) -> str | None:
    """A text attribute, or ``None`` when the column is missing or the value empty."""
    if value is None or (isinstance(value, float) and value != value):  # NaN: no value
        return None
    text = str(value).strip()
    return text or None
