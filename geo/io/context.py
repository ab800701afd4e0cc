"""Read a context file (GeoPackage or any GDAL source) into a :class:`~geo.context.Context`."""

from __future__ import annotations

from pathlib import Path

from geo.context import LAYER_COLUMNS, Context, build_context
from geo.io.employment import read_figures
from geo.io.layers import layer_names
from geo.io.read import read_layer
from geo.rules import Rules

__all__ = ["read_context"]


def read_context(source: str | Path, rules: Rules, *, crs: str | None = None) -> Context:
    """Read every context layer present in ``source`` under the rules' layer names, and the
    verified employment figures imported into it (table ``employment``), if any.

    Raises
    ------
    InputError
        The file cannot be read, a required layer is missing, or a layer cannot be used.
    """
    present = set(layer_names(source))
    layers = {}
    for name in LAYER_COLUMNS:
        theirs = getattr(rules.context.layers, name)
        layers[name] = read_layer(source, layer=theirs, crs=crs) if theirs in present else None
    return build_context(layers, rules, source=str(source),
                         employment=read_figures(source, present=present))
