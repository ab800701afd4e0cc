"""sijie's tables: one set of GeoAlchemy2 models for both GeoPackage and PostGIS.

Geometries are stored in CGCS2000 (EPSG:4490), valid for every town in China; each town
records the Gauss–Krüger zone its measurements are made in. Every geometry table also keeps
its bounding box in plain columns so ``bbox`` queries are ordinary indexed comparisons on
both engines. Proposal versions, workflow events, findings and opinions are only ever
inserted: an edit is a new version, a decision a new event.

Each geometry column declares the one type it holds, so GIS software shows every layer with a
concrete geometry type (never "Unknown"):

- ``MULTIPOLYGON`` for proposal versions (a community may have a detached part, 托管 or not),
  grids and micro-grids (a community's grid or a plot cut by its boundary can fall in two
  pieces) and facility sites (whole plots, which a bureau's file may hold as MultiPolygons,
  and cut parts). Every geometry is stored as a multi-part one (:func:`api.geometry.db_geom`
  promotes a Polygon on the way in) and a one-part MultiPolygon is read back as its Polygon
  (:func:`api.geometry.shape_of`), so the API answers with the geometry it was given: a
  Polygon posted is a Polygon read, a two-part MultiPolygon stays one. (A one-part
  MultiPolygon posted reads back as the same area as a Polygon.)
- ``GEOMETRY`` for the two tables that hold several kinds: context features (area layers,
  road and terrain lines, water as lines or areas; ``shape`` says which) and survey findings
  (``kind``: point, line or area). Each kind is shown as a typed layer of its own, a view
  (:data:`api.db.typed_layers.TYPED_VIEWS`), and the mixed table itself is not a layer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

__all__ = [
    "STORAGE_SRID",
    "AuditJob",
    "Base",
    "ConditionMet",
    "ContextFeature",
    "EmploymentFigure",
    "FacilitySite",
    "Grid",
    "GridAppointment",
    "IdempotencyKey",
    "JobColumns",
    "MicroGrid",
    "Opinion",
    "Proposal",
    "ProposalVersion",
    "ReviewCondition",
    "Run",
    "SurveyFinding",
    "Town",
    "User",
    "ValidationResult",
    "WorkflowEvent",
    "utcnow",
]

STORAGE_SRID = 4490  # CGCS2000 geographic; metric work happens in the town's GK zone


def utcnow() -> datetime:
    return datetime.now(UTC)


class _GpkgDateTime(UserDefinedType):
    """GeoPackage's DATETIME column, holding text the decorator below formats."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "DATETIME"


class Timestamp(TypeDecorator):
    """A UTC time; in a GeoPackage stored as the spec's ``YYYY-MM-DDTHH:MM:SS.SSSZ`` so GDAL,
    QGIS and ArcGIS read it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "geopackage":
            return dialect.type_descriptor(_GpkgDateTime())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "geopackage":
            return value
        value = value.astimezone(UTC) if value.tzinfo else value
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None or dialect.name != "geopackage":
            return value
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _geometry(geometry_type: str = "MULTIPOLYGON") -> Mapped[Any]:
    return mapped_column(
        Geometry(geometry_type, srid=STORAGE_SRID, spatial_index=True), nullable=False
    )


class Base(DeclarativeBase):
    pass


class BBoxMixin:
    """The geometry's bounds in the storage CRS, for portable bbox filters."""

    minx: Mapped[float] = mapped_column(Float)
    miny: Mapped[float] = mapped_column(Float)
    maxx: Mapped[float] = mapped_column(Float)
    maxy: Mapped[float] = mapped_column(Float)


class Town(Base):
    """A town (镇/街道) and the context its proposals are judged against."""

    __tablename__ = "towns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(50))
    work_crs: Mapped[str] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class ContextFeature(BBoxMixin, Base):
    """One feature of a context layer (neighbours, roads, parcels …) of a town."""

    __tablename__ = "context_features"
    __table_args__ = (
        Index("ix_context_features_town_layer", "town_id", "layer", "fid"),
        Index("ix_context_features_bbox", "layer", "minx", "maxx", "miny", "maxy"),
        Index("ix_context_features_current", "town_id", "layer", "version_to"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"))
    layer: Mapped[str] = mapped_column(String(50))
    fid: Mapped[int] = mapped_column(Integer)
    properties: Mapped[dict] = mapped_column(JSON)
    geom = _geometry("GEOMETRY")
    shape: Mapped[str] = mapped_column(String(10))  # point, line, area (geometry_kind)
    # the context versions it belongs to, [version_from, version_to), and when it was valid,
    # [valid_from, valid_to) (no valid_from: since the records began)
    version_from: Mapped[int] = mapped_column(Integer, default=1)
    version_to: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[datetime | None] = mapped_column(Timestamp)
    valid_to: Mapped[datetime | None] = mapped_column(Timestamp)


class ContextVersion(Base):
    """A version of a town's context: loaded, re-uploaded (whole or one ``layer``), or made by
    the registration of a proposal (append-only)."""

    __tablename__ = "context_versions"
    __table_args__ = (UniqueConstraint("town_id", "version",
                                       name="uq_context_versions_town_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"))
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(30))  # load, upload, layer, registration
    layer: Mapped[str | None] = mapped_column(String(50))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    source: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class EmploymentFigure(Base):
    """A verified employment figure (核定就业人数, 001 § 三(一)) of one enterprise for a town,
    as one import stored it; every import's rows are kept, the newest per code counts."""

    __tablename__ = "employment_figures"
    __table_args__ = (Index("ix_employment_figures_town", "town_id", "import_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"))
    import_id: Mapped[int] = mapped_column(Integer)
    uscc: Mapped[str] = mapped_column(String(18))
    name: Mapped[str | None] = mapped_column(String(200))
    employees: Mapped[int] = mapped_column(Integer)
    period: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(300))
    imported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class User(Base):
    """A person who signs in: role ``gis``, ``reviewer``, ``civil_affairs`` or ``admin``."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(30))
    department: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Proposal(Base):
    """A proposed community; its boundary lives in its versions, its state in its events."""

    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"))
    state: Mapped[str] = mapped_column(String(30), default="draft", index=True)
    # the version the district government approved; kept with the state for fast public reads
    approved_version: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class ProposalVersion(BBoxMixin, Base):
    """One immutable version of a proposal's boundary and attributes."""

    __tablename__ = "proposal_versions"
    __table_args__ = (UniqueConstraint("proposal_id", "version", name="uq_proposal_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(50))
    custodial: Mapped[list] = mapped_column(JSON, default=list)
    input_crs: Mapped[str] = mapped_column(String(50))
    area_m2: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    etag: Mapped[str] = mapped_column(String(80))
    geom = _geometry()


class JobColumns:
    """The columns every background job has (a run, an audit): its state, its progress, who
    started it and when, when it finished, and its result or error."""

    status: Mapped[str] = mapped_column(String(20))  # accepted, running, successful, failed
    progress: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[dict | None] = mapped_column(JSON)


class Run(JobColumns, Base):
    """One run of validation, adjustment, grids or facility search on a version (also a job)."""

    __tablename__ = "runs"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_versions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    context_version: Mapped[int | None] = mapped_column(Integer)  # of the proposal's town


class AuditJob(JobColumns, Base):
    """A background audit of every community of a town (read by ``/jobs`` as runs are); its
    result is the audit's record (:meth:`geo.audit.Audit.to_record`) and what was audited."""

    __tablename__ = "audit_jobs"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"), index=True)

    kind = "audit"  # the process a job document names
    proposal_id = None  # an audit is of a town, not of one proposal


class ValidationResult(Base):
    """The validation report of a version, in Chinese and English."""

    __tablename__ = "validation_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_versions.id"), index=True)
    ok: Mapped[bool] = mapped_column(Boolean)
    rules_version: Mapped[str] = mapped_column(String(100))
    report_zh: Mapped[dict] = mapped_column(JSON)
    report_en: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class RunFeatureMixin(BBoxMixin):
    """A feature one run made on one version, with the core's attributes as JSON."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_versions.id"), index=True)
    properties: Mapped[dict] = mapped_column(JSON)
    geom = _geometry()


class Grid(RunFeatureMixin, Base):
    """A grid (网格) of a version, made by one run."""

    __tablename__ = "grids"
    code: Mapped[str] = mapped_column(String(50))


class MicroGrid(RunFeatureMixin, Base):
    """A micro-grid (微网格: one enterprise, park or building) of a version."""

    __tablename__ = "microgrids"
    code: Mapped[str] = mapped_column(String(50))
    grid_code: Mapped[str | None] = mapped_column(String(50))


class FacilitySite(RunFeatureMixin, Base):
    """A ranked candidate site for the community's service facilities."""

    __tablename__ = "facility_sites"
    rank: Mapped[int] = mapped_column(Integer)
    qualified: Mapped[bool] = mapped_column(Boolean)


class GridAppointment(Base):
    """Who holds a 1+3+N role of a grid (001 § 二(四)3); the newest appointment counts."""

    __tablename__ = "grid_appointments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    grid_code: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(50))
    person: Mapped[str] = mapped_column(String(100))
    appointed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class SurveyFinding(BBoxMixin, Base):
    """A joint-site-survey finding (实地踏勘) at a place, with an optional photo."""

    __tablename__ = "survey_findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_versions.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    department: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))  # point, line, area
    note: Mapped[str] = mapped_column(Text)
    photo_path: Mapped[str | None] = mapped_column(String(300))
    photo_type: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    geom = _geometry("GEOMETRY")


class Opinion(Base):
    """A department's opinion in the joint review (部门联审)."""

    __tablename__ = "opinions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_versions.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    department: Mapped[str] = mapped_column(String(100))
    verdict: Mapped[str] = mapped_column(String(30))  # agree, agree_with_conditions, disagree
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class WorkflowEvent(Base):
    """One step of the approval workflow: who did what, when and why, on which version."""

    __tablename__ = "workflow_events"
    __table_args__ = (UniqueConstraint("proposal_id", "seq", name="uq_workflow_event_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # what the step established beside its reason: the validation errors the applicant
    # confirmed, the villages whose boundaries change, the committee meeting, the approval's
    # document number (批复文号), the registration certificate's fields
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class ReviewCondition(Base):
    """A condition a department attached to an "agree with conditions" opinion; approval
    waits until it is marked met (:class:`ConditionMet`)."""

    __tablename__ = "review_conditions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinions.id"), index=True)
    department: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class ConditionMet(Base):
    """That a review condition was met: by whom, on which date, recorded when, and how."""

    __tablename__ = "condition_fulfilments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    condition_id: Mapped[int] = mapped_column(ForeignKey("review_conditions.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    met_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    department: Mapped[str] = mapped_column(String(100))
    met_on: Mapped[str] = mapped_column(String(10))  # ISO date the condition was met
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class IdempotencyKey(Base):
    """The first answer to a change a user sent with an ``Idempotency-Key``: a retry with the
    same key and request gets it again instead of a second change. Claimed in the request's
    first writing transaction (``status`` 0 until the answer is kept), so whatever the request
    changed, it changed once."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
