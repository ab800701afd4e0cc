"""Findings, what one rule returns, and the validation report (the document of DESIGN.md,
also served by the API)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyproj
from shapely.geometry.base import BaseGeometry

from geo.crs import reproject_all
from geo.i18n import N_, Text, t
from geo.io.geojson import geojson_geometry
from geo.rules.model import rule_settings

__all__ = ["ERROR", "INFO", "WARNING", "Finding", "NeighbourChange", "Report", "RuleResult"]

# a severity is also the message id of its word (错误 / error)
ERROR, WARNING, INFO = N_("error"), N_("warning"), N_("info")
# the land a B7 finding is about, said as a word of the sentence
_KIND_WORDS = {"industrial": N_("kind_industrial"), "building": N_("kind_building")}


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer should see: which rule, how bad, where, and the numbers.

    ``key`` and ``params`` make the message (:mod:`geo.validate.messages`); ``measure`` holds
    the measured values beside their limits; ``geometry`` is in the work CRS.
    """

    rule: str
    severity: str
    clause: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    measure: dict[str, float] = field(default_factory=dict)
    geometry: BaseGeometry | None = None

    @property
    def bureau_settings(self) -> tuple[str, ...]:
        """The rules-file keys of the bureau settings (本局设定, no seed gives them) that set
        this finding's limits; the clause gives the rule, not these numbers."""
        return rule_settings(self.rule) if self.measure or self.severity != INFO else ()

    def basis(self, lang: str = "zh") -> str:
        """The clause, and when the limits are the bureau's, that they are (本局设定)."""
        if not self.bureau_settings:
            return self.clause
        return t("finding_basis", lang, clause=self.clause, bureau=Text(N_("bureau_setting")))

    def message(self, lang: str = "zh") -> str:
        kind = self.params.get("kind")
        if kind in _KIND_WORDS:
            return t(self.key, lang, **{**self.params, "kind": Text(_KIND_WORDS[kind])})
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class NeighbourChange:
    """What the carve-out does to one neighbouring village or community."""

    name: str
    code: str
    area_given_m2: float
    area_left_m2: float
    valid: bool
    contiguous: bool


@dataclass(frozen=True)
class RuleResult:
    """What one rule's ``check(proposal, ctx)`` returns.

    ``findings`` in the order the report lists them; ``metrics`` go into the report's
    ``metrics``; ``neighbours`` is what the carve-out does to each neighbour (rule B5 only,
    ``None`` for every other rule).
    """

    findings: tuple[Finding, ...] = ()
    metrics: Mapping[str, float | int | None] = field(default_factory=dict)
    neighbours: tuple[NeighbourChange, ...] | None = None


def _crs_name(crs: pyproj.CRS) -> str:
    """``EPSG:n`` when the CRS has a code, its PROJ text otherwise."""
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def _round(value: Any) -> Any:
    return round(value, 3) if isinstance(value, float) else value


@dataclass
class Report:
    """The validation of one proposal against one context."""

    proposal: str
    input_crs: pyproj.CRS
    work_crs: pyproj.CRS
    rules_version: str
    metrics: dict[str, float | int | None]
    findings: list[Finding] = field(default_factory=list)
    neighbours: list[NeighbourChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no finding is an error (warnings and notes do not fail a proposal)."""
        return not any(f.severity == ERROR for f in self.findings)

    def crs_names(self) -> tuple[str, str]:
        """The input CRS and the working (metric) CRS as ``EPSG:n``."""
        return _crs_name(self.input_crs), _crs_name(self.work_crs)

    def _geometries(self, crs: pyproj.CRS) -> list[BaseGeometry | None]:
        geoms = [f.geometry for f in self.findings]
        present = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty]
        if present and crs != self.work_crs:
            shapes = np.array([geoms[i] for i in present], dtype=object)
            for i, geom in zip(present, reproject_all(shapes, self.work_crs, crs), strict=True):
                geoms[i] = geom
        return geoms

    def to_dict(self, lang: str = "zh", *, crs: pyproj.CRS | None = None) -> dict[str, Any]:
        """The report document; finding geometries in ``crs`` (default: the proposal's)."""
        crs = crs or self.input_crs
        geoms = self._geometries(crs)
        return {
            "proposal": self.proposal,
            "crs": _crs_name(crs),
            "work_crs": _crs_name(self.work_crs),
            "ok": self.ok,
            "rules_version": self.rules_version,
            "metrics": {k: _round(v) for k, v in self.metrics.items()},
            "findings": [
                {"rule": f.rule, "severity": f.severity, "clause": f.clause,
                 "basis": f.basis(lang), "bureau_settings": list(f.bureau_settings),
                 "message": f.message(lang),
                 "measure": {k: _round(v) for k, v in f.measure.items()},
                 "geometry": None if g is None or g.is_empty
                 else geojson_geometry(g, degrees=crs.is_geographic)}
                for f, g in zip(self.findings, geoms, strict=True)
            ],
            "neighbours": [
                {"name": n.name, "code": n.code, "area_given_m2": round(n.area_given_m2, 1),
                 "area_left_m2": round(n.area_left_m2, 1), "valid": n.valid,
                 "contiguous": n.contiguous} for n in self.neighbours
            ],
        }

    def to_geojson(self, lang: str = "zh") -> dict[str, Any]:
        """Findings as an RFC 7946 FeatureCollection (EPSG:4326), the summary beside them."""
        wgs84 = pyproj.CRS.from_epsg(4326)
        document = self.to_dict(lang, crs=wgs84)
        features = []
        for finding in document.pop("findings"):
            geometry = finding.pop("geometry")
            features.append({"type": "Feature", "geometry": geometry, "properties": finding})
        return {"type": "FeatureCollection", "features": features, "report": document}
