"""A bureau's own context uploaded as a new town: the upload gate, the rules' layer and column
names, the same checks and storage as a context file loaded at start-up, one transaction."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import geopandas as gpd
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import Town, User
from api.problems import Problem
from api.services.context_versions import replace_context
from api.services.towns import store_town, town_names
from api.uploads import (
    Reworded,
    UploadLimits,
    UploadRejected,
    checked_geopackage,
    display_name,
)
from geo.context import LAYER_COLUMNS, Context, build_context
from geo.errors import CRSError, InputError, MissingCRSError, RulesError
from geo.i18n import N_
from geo.io import list_layers, read_context, read_layer
from geo.io.gdal_env import SANDBOX, gdal_config
from geo.rules import Rules, load_rules

__all__ = ["MAX_RULES_BYTES", "ContextUpload", "add_town", "add_version", "checked_layer",
           "read_town_context", "read_town_layer", "require_layer"]

log = logging.getLogger(__name__)

MAX_RULES_BYTES = 256 * 1024
# what an uploaded rules file may set: how the bureau's file names its layers and columns;
# policy numbers hold for every town and come from the service's own rules file
_TOWN_RULES = {"context"}
_NAME_LIMIT, _CODE_LIMIT = 200, 50


@dataclass(frozen=True)
class ContextUpload:
    """What a client sent: the GeoPackage, its file name, and optionally the town's name and
    code, a rules file naming its layers and columns, and a CRS for layers that lack one."""

    data: bytes
    filename: str
    name: str | None = None
    code: str | None = None
    rules: bytes | None = None
    rules_filename: str = "rules.toml"
    crs: str | None = None
    layer: str | None = None  # the one context layer (sijie's name) a new version replaces


def _town_rules(upload: ContextUpload, service: Rules, workdir: Path) -> Rules:
    """The service's rules with the layer and column names of the uploaded rules file."""
    if upload.rules is None:
        return service
    shown = display_name(upload.rules_filename)
    if len(upload.rules) > MAX_RULES_BYTES:
        raise Problem(413, "rules_too_large", file=shown, size=len(upload.rules),
                      limit=MAX_RULES_BYTES)
    path = workdir / f"{uuid4().hex}.toml"
    path.write_bytes(upload.rules)
    try:
        theirs = load_rules(path)
    except RulesError as err:
        where = RulesError(err.reason, path=shown, key=err.key, message_key=err.message_key,
                           params=err.params)
        raise Problem(422, "rules_invalid", detail=where) from err
    others = sorted(set(tomllib.loads(upload.rules.decode("utf-8"))) - _TOWN_RULES)
    if others:
        raise Problem(422, "rules_not_for_town", file=shown, keys=", ".join(others))
    return service.model_copy(update={"context": theirs.context})


@contextmanager
def _named_as(shown: str, workdir: Path) -> Iterator[None]:
    """Report a context that cannot be used under the client's file name, not the saved one."""
    try:
        yield
    except InputError as err:
        code = ("missing-crs" if isinstance(err, MissingCRSError)
                else "bad-crs" if isinstance(err, CRSError) else "context-unusable")
        if code == "missing-crs":
            key, params = N_("town_missing_crs"), {}
        else:
            key, params = "upload_reason", {"reason": Reworded(err, str(workdir), N_("crs_field"))}
        raise UploadRejected(status=422, code=code, message_key=key, params=params, path=shown,
                             layer=err.layer, row=err.row, field=err.field) from err


def _check_names(session: Session, name: str, code: str | None) -> Town | None:
    """Refuse a name or code too long for its column; the town of that name, if any."""
    for field, value, limit in (("name", name, _NAME_LIMIT), ("code", code or "", _CODE_LIMIT)):
        if len(value) > limit:
            raise Problem(422, "too_long", field=field, limit=limit, got=len(value))
    return session.scalar(select(Town).where(Town.name == name).limit(1))


def read_town_context(
    upload: ContextUpload, workdir: Path, *, limits: UploadLimits, rules: Rules
) -> Context:
    """The context in an uploaded town GeoPackage, read with the layer and column names of its
    rules file (run it in a worker process: see :mod:`api.isolation`).

    Raises
    ------
    UploadRejected
        The file is not a safe GeoPackage, or its layers cannot be used (the message names
        the layer, row and field).
    Problem
        The rules file cannot be used (422, 413).
    """
    shown = display_name(upload.filename)
    path = checked_geopackage(upload.data, upload.filename, workdir, limits=limits)
    town_rules = _town_rules(upload, rules, workdir)
    with _named_as(shown, workdir), gdal_config(SANDBOX):
        return read_context(path, town_rules, crs=upload.crs)


def require_layer(layer: str) -> str:
    """``layer`` if it names a context layer (422 ``layer_unknown`` otherwise)."""
    if layer not in LAYER_COLUMNS:
        raise Problem(422, "layer_unknown", layer=layer, allowed=", ".join(LAYER_COLUMNS))
    return layer


def read_town_layer(
    upload: ContextUpload, workdir: Path, *, limits: UploadLimits, rules: Rules
) -> tuple[gpd.GeoDataFrame, Rules]:
    """The layer ``upload.layer`` of an uploaded GeoPackage as read (the bureau's names) and
    the rules naming its columns (run it in a worker process: see :mod:`api.isolation`).

    Raises
    ------
    UploadRejected
        The file is not a safe GeoPackage, or it has no such layer.
    """
    layer = require_layer(upload.layer or "")
    shown = display_name(upload.filename)
    path = checked_geopackage(upload.data, upload.filename, workdir, limits=limits)
    town_rules = _town_rules(upload, rules, workdir)
    theirs = getattr(town_rules.context.layers, layer)
    with _named_as(shown, workdir), gdal_config(SANDBOX):
        if theirs not in {info.name for info in list_layers(path)}:
            raise InputError(message_key="context_layer_missing",
                             params={"layer": theirs, "role": layer}, layer=theirs)
        return read_layer(path, layer=theirs, crs=upload.crs), town_rules


def checked_layer(current: Context, layer: str, frame: gpd.GeoDataFrame, rules: Rules,
                  shown: str, workdir: Path) -> dict[str, gpd.GeoDataFrame | None]:
    """``frame`` as the town's layer ``layer``, checked with the town's other layers as they
    are (renamed, projected and checked as validation reads it)."""
    with _named_as(shown, workdir):
        checked = build_context({**current.layers, layer: frame}, rules, source=shown)
    return {layer: checked.layer(layer)}


def add_town(session: Session, upload: ContextUpload, ctx: Context, *,
             by: User) -> tuple[Town, int]:
    """Store a context read from an upload as a new town, or as the next version of the
    context of the town of that name, committed; on any refusal nothing is stored. The town
    and its context version.

    Raises
    ------
    Problem
        A name or code is too long (422).
    """
    shown = display_name(upload.filename)
    name, code = town_names(ctx, name=upload.name, code=upload.code, fallback=Path(shown).stem)
    town = _check_names(session, name, code)
    if town is not None:
        return town, add_version(session, town, upload, ctx.layers, by=by)
    try:
        town = store_town(session, ctx, source=f"upload:{shown}", name=name, code=code, by=by.id)
        session.commit()
        session.refresh(town)  # as stored: the engines keep times at their own precision
    except BaseException:
        session.rollback()
        raise
    log.info("town %d '%s' added from the upload %s by %s", town.id, town.name, shown,
             by.username)
    return town, 1


def add_version(session: Session, town: Town, upload: ContextUpload,
                layers: Mapping[str, gpd.GeoDataFrame | None], *, by: User) -> int:
    """Store checked ``layers`` as the next version of the town's context (all layers, or
    only ``upload.layer``), committed; the version's number."""
    shown = display_name(upload.filename)
    try:
        version = replace_context(session, town, layers, layer=upload.layer,
                                  source=f"upload:{shown}", by=by.id).version
        session.commit()
    except BaseException:
        session.rollback()
        raise
    log.info("town %d '%s' context version %d from the upload %s by %s", town.id, town.name,
             version, shown, by.username)
    return version
