"""Reading and writing sijie's map layers.

:func:`read_layer` reads GeoPackage, GeoJSON, Shapefile (plain or zipped), KML/KMZ, DXF and
FlatGeobuf, gets Chinese text right and settles the CRS; :func:`list_layers` describes a
file; :func:`write_gpkg` writes byte-reproducible GeoPackages and :func:`write_geojson`
RFC 7946 GeoJSON. Every failure to use an input is an :class:`~geo.errors.InputError`.
"""

from geo.io.context import read_context
from geo.io.geojson import geojson_geometry, write_geojson
from geo.io.gpkg import write_gpkg
from geo.io.layers import LayerInfo, list_layers
from geo.io.read import read_layer

__all__ = ["LayerInfo", "geojson_geometry", "list_layers", "read_context", "read_layer",
           "write_geojson", "write_gpkg"]
