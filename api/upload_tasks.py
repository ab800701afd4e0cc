"""What a worker process does with an untrusted upload (see :mod:`api.isolation`): read it
through the upload gate, hold it to the feature and vertex caps, refuse coordinates that are
not finite numbers, and return plain data (a checked proposal, a town's context).

These functions run only in a worker; the server calls them through
:func:`api.isolation.run_isolated`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from api.problems import Problem
from api.services.proposals import ProposalInput, input_from_frame
from api.services.town_upload import ContextUpload, read_town_context, read_town_layer
from api.uploads import Reworded, UploadLimits, UploadRejected, display_name, read_upload
from geo.context import Context
from geo.errors import InputError
from geo.io.employment import read_table
from geo.rules import Rules
from geo.rules.model import ProposalColumns

__all__ = ["GeometryCaps", "ProposalFields", "check_geometries", "read_employment_table",
           "read_proposal_file", "read_town_file", "read_town_layer_file"]


@dataclass(frozen=True)
class GeometryCaps:
    """The most features and vertices one upload may hold."""

    max_features: int
    max_vertices: int


def check_geometries(frames: list[gpd.GeoDataFrame], caps: GeometryCaps, shown: str) -> None:
    """Refuse more features or vertices than ``caps`` allow (413), or a coordinate that is
    NaN or infinite (422); ``shown`` names the file."""
    features = sum(len(f) for f in frames)
    if features > caps.max_features:
        raise Problem(413, "too_many_features", file=shown, count=features,
                      limit=caps.max_features)
    vertices = 0
    for frame in frames:
        coords = shapely.get_coordinates(frame.geometry.values)
        vertices += len(coords)
        if vertices > caps.max_vertices:
            raise Problem(413, "too_many_vertices", file=shown, limit=caps.max_vertices)
        if not np.isfinite(coords).all():
            raise Problem(422, "coordinates_not_finite", file=shown)


@dataclass(frozen=True)
class ProposalFields:
    """What an upload says beside its file, as the command line's options do: how to read it
    (``crs``, ``layer``, ``feature``), the ``name`` and ``type`` that replace the file's, and
    the columns the bureau's files keep them in (the rules file's ``[proposal]``)."""

    crs: str | None = None
    layer: str | None = None
    feature: str | None = None
    name: str | None = None
    type: str | None = None
    columns: ProposalColumns = field(default_factory=ProposalColumns)


def read_proposal_file(
    data: bytes, filename: str, workdir: Path, limits: UploadLimits, caps: GeometryCaps,
    fields: ProposalFields,
) -> ProposalInput:
    """The proposal in an uploaded file, checked (runs in a worker); a file that does not say
    which feature, name or type is refused naming the form field that would."""
    frame = read_upload(data, filename, workdir, limits=limits, crs=fields.crs,
                        layer=fields.layer)
    shown = display_name(filename)
    check_geometries([frame], caps, shown)
    try:
        return input_from_frame(frame, source=shown, name=fields.name, type_=fields.type,
                                feature=fields.feature, columns=fields.columns)
    except InputError as err:
        raise UploadRejected(status=422, code="unusable", message_key="upload_reason",
                             params={"reason": Reworded(err, str(workdir))}, path=shown,
                             layer=err.layer) from err


def read_town_file(
    upload: ContextUpload, workdir: Path, limits: UploadLimits, caps: GeometryCaps, rules: Rules
) -> Context:
    """The context of an uploaded town GeoPackage, checked (runs in a worker)."""
    ctx = read_town_context(upload, workdir, limits=limits, rules=rules)
    frames = [frame for frame in ctx.layers.values() if frame is not None]
    check_geometries(frames, caps, display_name(upload.filename))
    return ctx


def read_town_layer_file(
    upload: ContextUpload, workdir: Path, limits: UploadLimits, caps: GeometryCaps, rules: Rules
) -> tuple[gpd.GeoDataFrame, Rules]:
    """One layer of an uploaded town GeoPackage and the rules naming its columns (runs in a
    worker)."""
    frame, town_rules = read_town_layer(upload, workdir, limits=limits, rules=rules)
    check_geometries([frame], caps, display_name(upload.filename))
    return frame, town_rules


def read_employment_table(data: bytes, filename: str) -> list[list[object]]:
    """The cells of an uploaded employment table, CSV or XLSX (runs in a worker: a workbook
    is a zip of XML)."""
    return read_table(data, source=filename)
