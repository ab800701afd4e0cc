"""The context a proposal is judged against, in one metric CRS, with its spatial indexes.

A :class:`Context` is built once from the context layers (GeoDataFrames as read from the
bureau's files) and reused for every proposal: layers renamed to sijie's layer and column
names through the rules' mapping, projected into the work CRS, checked, and indexed. The
checks read a layer's geometries and columns as arrays (:meth:`Context.shapes`,
:meth:`Context.column`), which a pickled context gives without loading pandas
(:class:`geo.layers.Layers`).
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, wraps
from typing import TYPE_CHECKING, Literal, ParamSpec, TypeVar, cast

import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.employment import VERIFIED
from geo.errors import InputError
from geo.i18n import OneOf
from geo.layers import Layers
from geo.rules import Rules

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["KEPT", "LAYER_COLUMNS", "REQUIRED_LAYERS", "SCANS_BEFORE_TREE", "Context",
           "build_context", "exclusive"]

REQUIRED_LAYERS = ("neighbours", "roads")
# the columns sijie reads from each layer; the first of each layer's list must be present
LAYER_COLUMNS: dict[str, tuple[str, ...]] = {
    "neighbours": ("name", "code", "kind"),
    "jurisdiction": ("name", "code"),
    "roads": ("class", "name", "width_m"),
    "water": ("kind", "name"),
    "terrain": ("kind", "name"),
    "parcels": ("kind", "name", "uscc", "employees", "industry"),
    "buildings": ("use", "name", "floors", "floor_area_m2", "occupancy", "registration",
                  "tax_share"),
    "landuse": ("class",),
}
_NUMERIC = {"width_m", "employees", "floors", "floor_area_m2", "occupancy", "registration",
            "tax_share"}
_POLYGONS = {"neighbours", "jurisdiction", "parcels", "buildings", "landuse"}
# shapely's type ids of the geometry types a layer may hold
_TYPE_IDS = {"LineString": 1, "Polygon": 3, "MultiLineString": 5, "MultiPolygon": 6}

# queries of a loaded town's layer answered from its features' bounds before its STRtree is
# built (Context.query): a command judges one proposal with a handful; a service, many
SCANS_BEFORE_TREE = 16
# the derived parts of a context a pickle keeps (:meth:`Context.__getstate__`): costly to
# make, cheap to load; every other part of ``Context.cached`` is made again on first use
KEPT = ("followed_tile:", "suggest:blocks", "points:")

T = TypeVar("T")
P = ParamSpec("P")
# the STRtree predicates a layer can be queried by
Predicate = Literal["intersects", "within", "contains", "overlaps", "crosses", "touches",
                    "covers", "covered_by", "contains_properly"]


_ABSENT = object()


@dataclass(frozen=True)
class _KeptGeometry:
    """A derived geometry of a pickled context, as WKB until it is used."""

    wkb: bytes

    @classmethod
    def of(cls, geom: BaseGeometry) -> _KeptGeometry:
        return cls(shapely.to_wkb(geom))

    def unpack(self) -> BaseGeometry:
        """The geometry, prepared for repeated predicates."""
        geom: BaseGeometry = shapely.from_wkb(self.wkb)
        shapely.prepare(geom)
        return geom


@dataclass(frozen=True, eq=False)
class Context:
    """The context layers in ``crs`` (metres), indexed for repeated queries.

    Absent optional layers are ``None``; a check that needs one says it was skipped. Things
    derived from the layers and the rules (indexes, tolerance zones) are built on first use
    and kept: see :meth:`cached`.
    """

    crs: pyproj.CRS
    layers: Mapping[str, gpd.GeoDataFrame | None]  # a :class:`Layers` once made
    rules: Rules
    source: str = ""
    _cache: dict[str, object] = field(default_factory=dict, repr=False)
    # one thread at a time works with the context: the GEOS prepared geometries it shares
    # (zones, tiles, neighbours) are not thread-safe (libgeos/geos#825), see :func:`exclusive`
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.layers, Layers):
            object.__setattr__(self, "layers", Layers(self.layers))

    @property
    def _layers(self) -> Layers:
        return cast(Layers, self.layers)

    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        """An optional layer, or ``None`` when the context has none."""
        return self.layers.get(name)

    def has_layer(self, name: str) -> bool:
        """Whether the context has the layer ``name`` (asking makes no frame)."""
        return self._layers.present(name)

    def _need(self, name: str) -> None:
        """Nothing if the context has the layer ``name``, else the error naming it as the
        bureau's data spells it."""
        _required_present(self.has_layer(name), name, self.rules, self.source)

    def require(self, name: str) -> gpd.GeoDataFrame:
        """A layer the caller cannot do without (``neighbours``, ``roads``).

        Raises
        ------
        InputError
            The context has no such layer (``build_context`` already refuses a context
            without the required layers, so this is only met by hand-made contexts).
        """
        self._need(name)
        return cast("gpd.GeoDataFrame", self.layers[name])

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """The value kept under ``key``, made by ``build()`` on first use.

        For things derived from the layers and the rules only (never from a proposal), so
        that every proposal judged against this context shares them.
        """
        value = self._cache.get(key, _ABSENT)
        if value is _ABSENT:
            value = self._cache[key] = build()
        elif isinstance(value, _KeptGeometry):
            value = self._cache[key] = value.unpack()
        return cast(T, value)

    def __getstate__(self) -> dict[str, object]:
        """What a pickle of the context keeps (the prepared-town cache, a Dask worker's copy):
        the layers, the town and what :data:`KEPT` names, a kept geometry as WKB (a proposal
        uses a few of the town's squares: only those are read back); indexes and other derived
        parts that are cheaper to rebuild than to load are made again on first use."""
        state = dict(self.__dict__)
        del state["lock"]
        state["_cache"] = {key: _KeptGeometry.of(value) if isinstance(value, BaseGeometry)
                           else value
                           for key, value in self._cache.items() if key.startswith(KEPT)}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        """A pickled context again, its town prepared again for repeated predicates (GEOS'
        prepared form is not pickled; a kept geometry is prepared when it is read back)."""
        self.__dict__.update(state, lock=threading.RLock())
        town = state.get("town")
        if isinstance(town, BaseGeometry):
            shapely.prepare(town)

    def has(self, key: str) -> bool:
        """Whether :meth:`cached` already keeps a value under ``key``."""
        return key in self._cache

    def with_rules(self, rules: Rules) -> Context:
        """The same layers judged by other rules (nothing derived from the old rules is kept)."""
        return Context(crs=self.crs, layers=self.layers, rules=rules, source=self.source)

    def with_layer(self, name: str, frame: gpd.GeoDataFrame | None) -> Context:
        """The same town with the layer ``name`` replaced by ``frame`` (nothing derived is
        kept; the other layers are shared as they are, a loaded town's still packed)."""
        return Context(crs=self.crs, layers=self._layers.replaced(name, frame),
                       rules=self.rules, source=self.source)

    def column(self, name: str, column: str) -> np.ndarray:
        """A column of a layer the caller cannot do without, as a NumPy array (made on first
        use and kept: taking a column from a frame costs more than the lookups made in it)."""
        self._need(name)
        return self.cached(f"column:{name}:{column}",
                           lambda: self._layers.column(name, column))

    def column_names(self, name: str) -> tuple[str, ...]:
        """The columns of a layer the caller cannot do without (its geometry's included)."""
        self._need(name)
        return self._layers.column_names(name)

    def shapes(self, name: str) -> npt.NDArray[np.object_]:
        """The geometries of a layer the caller cannot do without, in layer order (kept)."""
        self._need(name)
        return self._layers.shapes(name)

    def tree(self, name: str) -> shapely.STRtree | None:
        """The STRtree of a layer's geometries, built on first use and kept."""
        return self.cached(f"tree:{name}", lambda: shapely.STRtree(self.shapes(name))
                           if self.has_layer(name) else None)

    def shapes_at(self, name: str, index: npt.NDArray[np.intp]) -> npt.NDArray[np.object_]:
        """The geometries at ``index`` of a layer the caller cannot do without: of a loaded
        town, only those are read (:meth:`geo.layers.Layers.shapes_at`)."""
        self._need(name)
        return self._layers.shapes_at(name, index)

    def query(self, name: str, geom: BaseGeometry,
              predicate: Predicate = "intersects") -> np.ndarray:
        """Positions of a layer's features that meet ``geom`` by ``predicate``
        (``predicate(geom, feature)``), in layer order.

        The layer's STRtree answers once it is built: when the layer's geometries are all at
        hand, or after :data:`SCANS_BEFORE_TREE` queries. Before, a loaded town's features
        are found by their bounds and only those read, so that a command judging one proposal
        never reads or indexes the whole town.
        """
        if not self.has_layer(name):
            return np.empty(0, dtype=int)
        scans = self.cached(f"scans:{name}", lambda: [0])
        tree = (self.tree(name) if self._layers.unpacked(name) or self.has(f"tree:{name}")
                or scans[0] >= SCANS_BEFORE_TREE else None)
        if tree is not None:
            found: np.ndarray = np.sort(tree.query(geom, predicate=predicate))
            return found
        scans[0] += 1
        xmin, ymin, xmax, ymax = shapely.bounds(geom)
        bounds = self._layers.bounds(name)
        near = np.flatnonzero((bounds[:, 0] <= xmax) & (bounds[:, 2] >= xmin)
                              & (bounds[:, 1] <= ymax) & (bounds[:, 3] >= ymin))
        meets = getattr(shapely, predicate)(geom, self._layers.shapes_at(name, near))
        found = near[np.asarray(meets, dtype=bool)]
        return found

    def inside(self, name: str, geom: BaseGeometry) -> np.ndarray:
        """Positions of a layer's features that lie in ``geom`` by their representative point
        (a building or plot belongs where most of it stands, not where it merely touches)."""
        if not self.has_layer(name):
            return np.empty(0, dtype=int)
        index = self.query(name, geom)
        points = shapely.point_on_surface(self.shapes_at(name, index))
        within: np.ndarray = index[shapely.within(points, geom)]
        return within

    def road_zones(self) -> np.ndarray:
        """Each road's zone within tolerance, in layer order (built on first use and kept).

        A road reaches half its width plus the rules' margin; a missing ``width_m`` takes its
        class's default width, and a class without one the narrowest default.
        """
        return self.cached("road_zones", self._road_zones)

    def _road_zones(self) -> np.ndarray:
        rules = self.rules.boundary
        defaults = rules.road_width_default_m
        narrowest = min(defaults.values())
        by_class = np.array([defaults.get(kind, narrowest) if isinstance(kind, str) else narrowest
                             for kind in self.column("roads", "class")], dtype=float)
        given = self.column("roads", "width_m").astype(float)
        widths = np.where(np.isnan(given), by_class, given)
        zones: np.ndarray = shapely.buffer(self.shapes("roads"),
                                           widths / 2 + rules.road_tolerance_margin_m)
        return zones

    @property
    def has_verified(self) -> bool:
        """Whether verified employment figures were imported for this context (the parcels
        then say which of their figures are verified)."""
        return self.has_layer("parcels") and VERIFIED in self.column_names("parcels")

    @cached_property
    def town(self) -> BaseGeometry:
        """The town's area: the jurisdiction layer, or else the union of the neighbours."""
        town: BaseGeometry = (shapely.union_all(self.shapes("jurisdiction"))
                              if self.has_layer("jurisdiction")
                              else shapely.coverage_union_all(self.shapes("neighbours")))
        shapely.prepare(town)  # asked "is this inside the town?" once per proposal
        return town

    @cached_property
    def town_border(self) -> BaseGeometry:
        return shapely.boundary(self.town)


def _required_present(present: bool, name: str, rules: Rules, source: str) -> None:
    """Nothing if the layer ``name`` is ``present``, else the error naming it as the bureau's
    data spells it."""
    if not present:
        raise InputError(message_key="context_layer_missing",
                         params={"layer": getattr(rules.context.layers, name, name), "role": name},
                         path=source)


def _required(layers: Mapping[str, gpd.GeoDataFrame | None], name: str, rules: Rules,
              source: str) -> gpd.GeoDataFrame:
    """The layer ``name``, or the error naming it as the bureau's data spells it."""
    frame = layers.get(name)
    _required_present(frame is not None, name, rules, source)
    return cast("gpd.GeoDataFrame", frame)


def _rename(frame: gpd.GeoDataFrame, layer: str, rules: Rules, source: str) -> gpd.GeoDataFrame:
    import pandas as pd

    mapping = rules.context.columns.get(layer, {})
    theirs_to_ours = {theirs: ours for ours, theirs in mapping.items() if theirs in frame.columns}
    renamed = frame.rename(columns=theirs_to_ours) if theirs_to_ours else frame
    wanted = LAYER_COLUMNS[layer]
    layer_name = getattr(rules.context.layers, layer)
    if wanted[0] not in renamed.columns:
        theirs = mapping.get(wanted[0], wanted[0])
        raise InputError(message_key="context_column_missing",
                         params={"theirs": theirs, "meaning": wanted[0], "layer": layer},
                         path=source, layer=layer_name)
    present = [column for column in wanted if column in renamed.columns]
    # a frame of its own: the columns set below never reach the caller's
    chosen = renamed[[*present, "geometry"]]
    for column in wanted:
        if column not in present:
            chosen[column] = None
        elif column in _NUMERIC and not pd.api.types.is_numeric_dtype(chosen.dtypes[column]):
            # text read as numbers (a number column already numeric is taken as it is)
            values = pd.to_numeric(chosen[column], errors="coerce")
            bad = values.isna() & chosen[column].notna()
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
                raise InputError(message_key="expected_number",
                                 params={"value": repr(chosen[column].iloc[row - 1])},
                                 path=source, layer=layer_name, row=row, field=column)
            chosen[column] = values
    return chosen if len(present) == len(wanted) else chosen[[*wanted, "geometry"]]


def _check_geometries(frame: gpd.GeoDataFrame, layer: str, layer_name: str, source: str) -> None:
    allowed = ({"Polygon", "MultiPolygon"} if layer in _POLYGONS
               else {"LineString", "MultiLineString"} if layer in ("roads", "terrain")
               else {"LineString", "MultiLineString", "Polygon", "MultiPolygon"})
    shapes = frame.geometry.values
    wrong = ~np.isin(shapely.get_type_id(shapes), [_TYPE_IDS[kind] for kind in allowed])
    if wrong.any():
        row = int(np.flatnonzero(wrong)[0]) + 1
        raise InputError(message_key="wrong_geometry_type",
                         params={"found": shapes[row - 1].geom_type,
                                 "expected": OneOf(sorted(allowed))},
                         path=source, layer=layer_name, row=row)
    if layer not in ("neighbours", "jurisdiction"):
        return  # other layers may hold invalid shapes; the checks that use them say so
    invalid = ~shapely.is_valid(frame.geometry.values)
    if invalid.any():
        row = int(np.flatnonzero(invalid)[0]) + 1
        reason = shapely.is_valid_reason(frame.geometry.values[row - 1])
        raise InputError(message_key="geometry_invalid", params={"reason": reason}, path=source,
                         layer=layer_name, row=row)


def build_context(layers: dict[str, gpd.GeoDataFrame | None], rules: Rules, *,
                  source: str = "", employment: pd.DataFrame | None = None) -> Context:
    """Prepare context layers for validation: rename, project to the work CRS, check.

    Parameters
    ----------
    layers
        sijie's layer names (``neighbours``, ``roads`` ...) to frames as read; absent optional
        layers may be missing or ``None``.
    rules
        Its column mapping and ``work_crs`` are applied.
    source
        The context file, named in error messages.
    employment
        The verified employment figures stored for the context (``import_id``, ``uscc``,
        ``employees``): the newest figure of a code replaces its parcels' estimate, and the
        parcels gain the column ``employees_verified``. ``None`` keeps the estimates.

    Raises
    ------
    InputError
        A required layer or column is missing, a number column holds text, a geometry has the
        wrong type, or a neighbour is invalid.
    """
    import pandas as pd

    from geo.crs import work_crs
    from geo.employment.apply import apply_figures

    for name in REQUIRED_LAYERS:
        _required(layers, name, rules, source)
    neighbours = _required(layers, "neighbours", rules, source)
    west, south, east, north = (float(v) for v in neighbours.total_bounds)
    crs = work_crs(neighbours.crs, (west, south, east, north), override=rules.work_crs)
    prepared: dict[str, gpd.GeoDataFrame | None] = {}
    for name in LAYER_COLUMNS:
        frame = layers.get(name)
        if frame is None:
            prepared[name] = None
            continue
        layer_name = getattr(rules.context.layers, name)
        shapes = frame.geometry.values
        missing = shapely.is_missing(shapes) | shapely.is_empty(shapes)
        if missing.any():
            frame = frame[~missing]
        _check_geometries(frame, name, layer_name, source)
        frame = _rename(frame, name, rules, source)
        if frame.crs is None or not frame.crs.is_exact_same(crs):  # no copy when already there
            frame = frame.to_crs(crs)
        if not frame.index.equals(pd.RangeIndex(len(frame))):
            frame = frame.reset_index(drop=True)
        prepared[name] = frame
    parcels = prepared["parcels"]
    if employment is not None and parcels is not None:
        prepared["parcels"] = apply_figures(parcels, employment)
    return Context(crs=crs, layers=prepared, rules=rules, source=source)


def exclusive(func: Callable[P, T]) -> Callable[P, T]:
    """``func`` run holding the lock of its ``ctx`` argument: a context is shared by the
    service's threads and an audit's Dask threads, and the prepared geometries it keeps must
    not be used by two threads at once (GEOS' prepared geometries are not thread-safe)."""
    signature = inspect.signature(func)

    @wraps(func)
    def holding(*args: P.args, **kwargs: P.kwargs) -> T:
        ctx = signature.bind_partial(*args, **kwargs).arguments["ctx"]
        with ctx.lock:
            return func(*args, **kwargs)

    return holding
