"""The layers of a context: GeoDataFrames, or packed as a pickle keeps them.

Judging a proposal needs a layer's geometries and a few of its columns, never its frame. A
pickled context (a prepared town in the cache, an audit worker's copy) keeps each layer
packed: its geometries as WKB with their bounds, each column apart, and its table without
geometries. Unpacked, :class:`Layers` gives the geometries and columns as NumPy arrays
without loading pandas, reads only the geometries asked for (:meth:`Layers.shapes_at`: those
whose bounds meet a proposal, :meth:`geo.context.Context.query`), and makes a layer's
GeoDataFrame only when a caller asks for the frame itself.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyproj
import shapely

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["Layers", "PackedLayer"]

# a column whose pickle names pandas (pandas' missing value, a timestamp) is not kept apart:
# reading it back would load pandas, so it is taken from the frame instead
_PANDAS = b"pandas"


@dataclass(frozen=True)
class PackedLayer:
    """One layer as a pickle keeps it: geometries as WKB, each column pickled apart (read
    without pandas), and the attribute table pickled whole (read when the frame is asked for).
    """

    wkb: npt.NDArray[np.object_]
    bounds: npt.NDArray[np.float64]  # (n, 4): each geometry's xmin, ymin, xmax, ymax
    columns: dict[str, bytes | None]  # None: only in ``table``
    table: bytes
    geometry_name: str
    order: tuple[str, ...]  # every column, the geometry's included, in the frame's order
    crs: str | None  # as WKT: made into a CRS only with the frame
    attrs: dict[str, object]  # the frame's ``attrs`` (where it was read from)

    @classmethod
    def of(cls, frame: gpd.GeoDataFrame) -> PackedLayer:
        """``frame`` packed."""
        import pandas as pd

        name = frame.geometry.name
        table = frame.drop(columns=name)
        columns: dict[str, bytes | None] = {}
        for column in table.columns:
            data = pickle.dumps(table[column].to_numpy(), protocol=pickle.HIGHEST_PROTOCOL)
            columns[str(column)] = None if _PANDAS in data else data
        shapes = np.asarray(frame.geometry.values, dtype=object)
        return cls(wkb=np.asarray(shapely.to_wkb(shapes), dtype=object),
                   bounds=shapely.bounds(shapes), columns=columns,
                   table=pickle.dumps(pd.DataFrame(table), protocol=pickle.HIGHEST_PROTOCOL),
                   geometry_name=str(name), order=tuple(str(c) for c in frame.columns),
                   crs=None if frame.crs is None else frame.crs.to_wkt(),
                   attrs={str(key): value for key, value in frame.attrs.items()})

    def shapes(self, index: npt.NDArray[np.intp] | slice = slice(None)
               ) -> npt.NDArray[np.object_]:
        """The geometries at ``index`` (all, by default), in layer order."""
        shapes: npt.NDArray[np.object_] = np.asarray(shapely.from_wkb(self.wkb[index]),
                                                     dtype=object)
        return shapes

    def frame(self, shapes: npt.NDArray[np.object_]) -> gpd.GeoDataFrame:
        """The layer's GeoDataFrame, on ``shapes`` (its geometries, unpacked)."""
        import geopandas as gpd

        table = pickle.loads(self.table)
        crs = None if self.crs is None else pyproj.CRS.from_wkt(self.crs)
        geometry = gpd.GeoSeries(shapes, index=table.index, crs=crs, name=self.geometry_name)
        frame = gpd.GeoDataFrame(table.assign(**{self.geometry_name: geometry}),
                                 geometry=self.geometry_name, crs=crs)
        frame = frame[list(self.order)]
        frame.attrs.update(self.attrs)
        return frame

    def column(self, name: str) -> npt.NDArray[np.generic] | None:
        """The column ``name`` as a NumPy array; ``None`` when it is only in the table.

        Raises
        ------
        KeyError
            The layer has no such column.
        """
        data = self.columns[name]
        return None if data is None else pickle.loads(data)


class Layers(Mapping[str, "gpd.GeoDataFrame | None"]):
    """A context's layers by sijie's layer name (``None``: the context has no such layer).

    A layer is given as its frame, or packed (:class:`PackedLayer`); :meth:`shapes` and
    :meth:`column` read a packed layer without making its frame, and the frame is made on
    first use (``layers[name]``), on the same geometries. A pickle keeps every layer packed.
    """

    def __init__(self, frames: Mapping[str, gpd.GeoDataFrame | None], *,
                 packed: Mapping[str, PackedLayer | None] | None = None) -> None:
        self._frames: dict[str, gpd.GeoDataFrame | None] = dict(frames)
        self._packed: dict[str, PackedLayer | None] = dict(packed or {})
        self._shapes: dict[str, npt.NDArray[np.object_]] = {}
        # a packed layer's geometries read one query at a time: the array (None where not yet
        # read) and which positions it holds
        self._some: dict[str, tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]] = {}

    def __getitem__(self, name: str) -> gpd.GeoDataFrame | None:
        if name in self._frames:
            return self._frames[name]
        packed = self._packed[name]  # KeyError: no such layer at all
        frame = None if packed is None else packed.frame(self.shapes(name))
        self._frames[name] = frame
        return frame

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self._packed), **dict.fromkeys(self._frames)})

    def __len__(self) -> int:
        return len(self._packed.keys() | self._frames.keys())

    def present(self, name: str) -> bool:
        """Whether the context has the layer ``name`` (its frame is not made)."""
        if name in self._frames:
            return self._frames[name] is not None
        return self._packed.get(name) is not None

    def shapes(self, name: str) -> npt.NDArray[np.object_]:
        """The geometries of a present layer, in layer order (unpacked once and kept)."""
        if name not in self._shapes:
            frame = self._frames.get(name)
            if frame is not None:
                shapes = np.asarray(frame.geometry.to_numpy(), dtype=object)
            else:
                shapes, read = self._read(name)
                self._fill(name, np.flatnonzero(~read))  # the rest, beside those read
                del self._some[name]
            self._shapes[name] = shapes
        return self._shapes[name]

    def unpacked(self, name: str) -> bool:
        """Whether every geometry of a present layer is at hand (a frame's, or all read)."""
        return name in self._shapes or self._frames.get(name) is not None

    def shapes_at(self, name: str, index: npt.NDArray[np.intp]) -> npt.NDArray[np.object_]:
        """The geometries of a present layer at the positions ``index``: a packed layer reads
        only those it has not read before (the same objects :meth:`shapes` gives later)."""
        if self.unpacked(name):
            return self.shapes(name)[index]
        return self._fill(name, index)

    def _fill(self, name: str, index: npt.NDArray[np.intp]) -> npt.NDArray[np.object_]:
        """A packed layer's geometries at ``index``, those not read before read now."""
        shapes, read = self._read(name)
        missing = index[~read[index]]
        if missing.size:
            shapes[missing] = self._packed_layer(name).shapes(missing)
            read[missing] = True
        return shapes[index]

    def _read(self, name: str) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
        """A packed layer's geometries read so far (``None`` where not yet), and which."""
        if name not in self._some:
            size = len(self._packed_layer(name).wkb)
            self._some[name] = (np.full(size, None, dtype=object), np.zeros(size, dtype=bool))
        return self._some[name]

    def _packed_layer(self, name: str) -> PackedLayer:
        packed = self._packed[name]
        assert packed is not None, name
        return packed

    def bounds(self, name: str) -> npt.NDArray[np.float64]:
        """Each geometry's bounds (xmin, ymin, xmax, ymax) of a present layer, in layer order;
        NaN for an empty geometry."""
        # a frame made from a packed layer stands on the same geometries: its bounds hold
        packed = self._packed.get(name)
        if packed is not None:
            return packed.bounds
        bounds: npt.NDArray[np.float64] = shapely.bounds(self.shapes(name))
        return bounds

    def column(self, name: str, column: str) -> npt.NDArray[np.generic]:
        """A column of a present layer as a NumPy array.

        Raises
        ------
        KeyError
            The layer has no such column.
        """
        packed = self._packed.get(name)
        values = None if packed is None else packed.column(column)
        if values is None:
            frame = self[name]
            assert frame is not None, name
            values = frame[column].to_numpy()
        return values

    def column_names(self, name: str) -> tuple[str, ...]:
        """The columns of a present layer, its geometry's included, in the frame's order."""
        packed = self._packed.get(name)
        if packed is not None:
            return packed.order
        frame = self[name]
        assert frame is not None, name
        return tuple(str(c) for c in frame.columns)

    def replaced(self, name: str, frame: gpd.GeoDataFrame | None) -> Layers:
        """These layers with ``name`` replaced by ``frame`` (the others are shared, packed or
        not)."""
        others = {key: value for key, value in self._frames.items() if key != name}
        packed = {key: value for key, value in self._packed.items() if key != name}
        return Layers({**others, name: frame}, packed=packed)

    def __getstate__(self) -> dict[str, object]:
        """Every layer packed (a layer read from its packed form as it was packed)."""
        packed = dict(self._packed)
        for name, frame in self._frames.items():
            if name not in packed:
                packed[name] = None if frame is None else PackedLayer.of(frame)
        return {"packed": packed}

    def __setstate__(self, state: dict[str, dict[str, PackedLayer | None]]) -> None:
        self.__init__({}, packed=state["packed"])  # type: ignore[misc]
