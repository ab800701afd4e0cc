"""Reading and writing sijie's map layers.

:func:`read_layer` reads GeoPackage, GeoJSON, Shapefile (plain or zipped), KML/KMZ, DXF and
FlatGeobuf, gets Chinese text right and settles the CRS; :func:`list_layers` describes a
file; :func:`write_gpkg` writes byte-reproducible GeoPackages and :func:`write_geojson`
RFC 7946 GeoJSON. Every failure to use an input is an :class:`~geo.errors.InputError`.

Each name is imported from its module when first asked for: a command that only reads a
layer loads neither the writers nor the context's employment figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.lazy import lazy_names

if TYPE_CHECKING:
    from geo.io.context import read_context
    from geo.io.geojson import geojson_geometry, write_geojson
    from geo.io.gpkg import write_gpkg
    from geo.io.layers import LayerInfo, list_layers
    from geo.io.read import read_layer

__all__ = ["LayerInfo", "geojson_geometry", "list_layers", "read_context", "read_layer",
           "write_geojson", "write_gpkg"]

_MODULES = {"read_context": "context", "geojson_geometry": "geojson", "write_geojson": "geojson",
            "write_gpkg": "gpkg", "LayerInfo": "layers", "list_layers": "layers",
            "read_layer": "read"}


__getattr__ = lazy_names(__name__, _MODULES)
