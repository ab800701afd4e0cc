"""The service's settings, read from the environment (prefix ``SIJIE_``) or given by tests.

``DATABASE_URL`` is also read without the prefix, as deployments usually name it.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "UploadSettings"]


class UploadSettings(BaseSettings):
    """Limits on what users may upload (proposal files, survey photos, towns' contexts)."""

    model_config = SettingsConfigDict(env_prefix="SIJIE_UPLOAD_", extra="ignore")

    max_file_mb: float = Field(50.0, gt=0, description="largest proposal file accepted")
    max_photo_mb: float = Field(10.0, gt=0, description="largest survey photo accepted")
    max_context_mb: float = Field(
        200.0, gt=0, description="largest context GeoPackage a bureau may upload as a town"
    )
    max_features: int = Field(10_000, gt=0, description="most features in a proposal file")
    max_vertices: int = Field(
        100_000, gt=0, description="most vertices in one proposal (file or GeoJSON body)"
    )
    max_context_features: int = Field(
        500_000, gt=0, description="most features in an uploaded town context"
    )
    max_context_vertices: int = Field(
        10_000_000, gt=0, description="most vertices in an uploaded town context"
    )
    worker_seconds: float = Field(
        60.0, gt=0, description="wall-clock limit of the worker process that reads one upload"
    )
    worker_memory_mb: int = Field(
        2048, gt=0, description="memory a worker reading one upload may take (MiB)"
    )
    workers: int = Field(2, gt=0, description="upload worker processes running at once")
    dir: str = Field(
        "",
        description="folder for uploaded files; empty = 'uploads' beside the "
        "GeoPackage, or a temporary folder for PostGIS",
    )


class Settings(BaseSettings):
    """Everything ``create_app`` needs; tests pass their own instance."""

    model_config = SettingsConfigDict(env_prefix="SIJIE_", extra="ignore")

    database_url: str = Field(
        "gpkg:///./sijie.gpkg",
        validation_alias=AliasChoices("SIJIE_DATABASE_URL", "DATABASE_URL", "database_url"),
        description="gpkg:///path.gpkg or postgresql+psycopg://user@host/db",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="key that signs access tokens; a random one per process when unset "
        "(tokens then end with the process)",
    )
    token_minutes: int = Field(480, gt=0, description="lifetime of an access token")
    demo_password: SecretStr = Field(
        SecretStr("sijie-demo"),
        description="password of the demo users that `sijie serve` "
        "creates on first run (demo only)",
    )
    load_demo: bool = Field(
        True, description="load the demo town and demo users into an empty database at start-up"
    )
    rules_file: str | None = Field(None, description="TOML rules file overriding the defaults")
    context_file: str | None = Field(
        None,
        description="the bureau's context (GeoPackage or any GDAL source with neighbours, roads "
        "…), loaded as a town at start-up unless a town was already loaded from it; the demo "
        "town is then not loaded",
    )
    uploads: UploadSettings = Field(default_factory=UploadSettings)
    basemap: str = Field(
        "plain",
        description="basemap of served maps: plain (offline), osm, "
        "tianditu-vec, tianditu-img or amap",
    )
    tianditu_token: SecretStr | None = Field(None, description="Tianditu API key for basemaps")
    page_limit: int = Field(100, gt=0, description="default number of features per page")
    max_page_limit: int = Field(10000, gt=0, description="largest page a client may ask for")
    dask_scheduler: str = Field(
        "",
        description="address of the Dask distributed scheduler that runs background jobs and "
        "audits (tcp://host:8786; its workers need sijie installed); empty = a local cluster "
        "started by the service",
    )
    dask_workers: int = Field(2, gt=0, description="workers of the local Dask cluster")
    cache_dir: str = Field(
        "",
        description="folder of the prepared towns the service (each of its worker processes "
        "and its next start) shares with the command line; empty = ~/.cache/sijie/towns, "
        "off = none kept",
    )
    dask_processes: bool = Field(
        False,
        description="run the local Dask cluster's workers in processes of their own "
        "(default: threads of the service's process)",
    )
    threads: int = Field(
        16,
        gt=0,
        description="threads serving requests in one worker process; the database pool "
        "holds as many connections plus one per Dask worker, so no request waits for one",
    )
    db_wait_seconds: float = Field(
        10.0,
        gt=0,
        description="longest a request waits for the database (a connection, the GeoPackage's "
        "writer lock) before it is answered 503 with Retry-After",
    )
    max_json_bytes: int = Field(
        8 * 1024**2, gt=0, description="largest JSON request body accepted"
    )
    max_json_depth: int = Field(64, gt=0, description="deepest nesting of a JSON request body")
    base_url: str = Field(
        "",
        description="the service's public URL (https://host/prefix) used in links; empty = "
        "links without scheme and host (the request's Host header is never used)",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="web origins whose pages may call the API from the browser (CORS), e.g. "
        "[\"https://gis.example.gov.cn\"] or [\"*\"]; empty = none (same origin only)",
    )
    trusted_hosts: list[str] = Field(
        default_factory=lambda: ["*"],
        description="Host header values accepted (e.g. [\"gis.example.gov.cn\"]); others 400",
    )
