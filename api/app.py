"""The FastAPI application factory: ``create_app(settings)``.

The engine, migrations, demo seeding, context cache and job runner are made in the lifespan
and kept on ``app.state``; tests build apps with their own settings.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.engine import make_url
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from api.body_guard import BodyGuard
from api.cluster import Cluster
from api.db.engine import gpkg_path, is_geopackage, make_engine
from api.db.migrate import schema_lock, upgrade
from api.db.models import Town
from api.db.sessions import make_sessions
from api.db.text_guard import install_text_guard
from api.demo import seed_demo, seed_town
from api.head import HeadAsGet
from api.idempotent_requests import add_idempotency, stop_keeping
from api.isolation import clear_scratch, start_workers
from api.openapi_doc import document_responses
from api.problems import add_problem_handlers
from api.routes import routers
from api.services.idempotency import watch_sessions
from api.services.runs import Runner
from api.services.towns import ContextCache, zone_epsgs
from api.settings import Settings
from api.store_errors import add_store_handlers
from api.web.negotiation import OgcHtml
from geo.prepared.cache import CACHE_ENV, cache_dir
from geo.rules import load_rules

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def _upload_dir(settings: Settings) -> Path:
    if settings.uploads.dir:
        return Path(settings.uploads.dir)
    if is_geopackage(settings.database_url):
        path = gpkg_path(settings.database_url)
        return path.with_name(f"{path.stem}_uploads")
    return Path(tempfile.gettempdir()) / "sijie_uploads"


def _database_name(settings: Settings) -> str:
    """The database, as the prepared-town cache names it (a GeoPackage by its full path)."""
    url = settings.database_url
    if is_geopackage(url):
        return f"gpkg:{gpkg_path(url).resolve()}"
    return make_url(url).render_as_string(hide_password=True)


def start(app: FastAPI, settings: Settings) -> None:
    """Open the database, migrate it, seed it if empty, and make the shared services."""
    # request threads and database connections sized together: a request never waits for a
    # connection while another thread of this process could have used one
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
    engine = make_engine(settings.database_url, pool_size=settings.threads + settings.dask_workers,
                         wait_seconds=settings.db_wait_seconds)
    sessions = make_sessions(engine, wait_seconds=settings.db_wait_seconds)
    install_text_guard(sessions)
    watch_sessions(sessions)  # requests sent with an Idempotency-Key claim it as they write
    rules = load_rules(settings.rules_file)
    seeded: list[str] = []
    with schema_lock(engine), sessions() as session:  # one worker process at a time
        upgrade(engine)
        if settings.context_file:
            seeded += seed_town(session, rules, settings.context_file)
        if settings.load_demo:
            seeded += seed_demo(session, rules, settings.demo_password.get_secret_value())
    app.state.seeded = seeded
    with sessions() as session:
        town_ids = session.scalars(select(Town.id)).all()
        app.state.town_epsgs = zone_epsgs(session)
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.contexts = ContextCache(
        sessions, rules, cache=cache_dir({**os.environ, CACHE_ENV: settings.cache_dir}),
        database=_database_name(settings))
    for town_id in town_ids:  # built now, so the first request does not wait for it
        app.state.contexts.get(town_id)
    app.state.runner = Runner(sessions, app.state.contexts, Cluster(
        settings.dask_scheduler, workers=settings.dask_workers,
        processes=settings.dask_processes))
    app.state.upload_dir = _upload_dir(settings)
    app.state.upload_dir.mkdir(parents=True, exist_ok=True)
    app.state.scratch_dir = app.state.upload_dir / "scratch"
    clear_scratch(app.state.scratch_dir)
    start_workers()


def stop(app: FastAPI) -> None:
    stop_keeping(app)
    app.state.runner.shutdown()
    app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The sijie service for ``settings`` (read from the environment when not given)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        start(app, settings)
        try:
            yield
        finally:
            stop(app)

    app = FastAPI(
        title="四界 sijie",
        version="0.1.0",
        lifespan=lifespan,
        description="产业型社区边界、网格与服务设施用地服务 — boundaries, grids and "
        "facility land of industrial communities; OGC API Features.",
        docs_url=None,  # /api is Swagger UI from the shipped files (api.routes.pages)
        openapi_url="/api.json",
        redoc_url=None,
    )
    app.state.settings = settings
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    if secret is None:
        log.warning(
            "SIJIE_SECRET_KEY is not set: tokens are signed with a random key and end "
            "when the service stops"
        )
        secret = secrets.token_urlsafe(32)
    app.state.secret = secret
    add_problem_handlers(app)
    app.add_middleware(OgcHtml)
    add_store_handlers(app)
    add_idempotency(app)

    uploads = settings.uploads
    largest = max(uploads.max_file_mb, uploads.max_context_mb, uploads.max_photo_mb)
    app.add_middleware(BodyGuard, max_body_bytes=int(largest * 1024**2) + 1024**2,
                       max_json_bytes=settings.max_json_bytes,
                       max_json_depth=settings.max_json_depth)
    if settings.trusted_hosts != ["*"]:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)
    # outermost last: responses are compressed, HEAD answered as GET, CORS settled first
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(HeadAsGet)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Content-Crs", "If-Match",
                           "Accept-Language", "Idempotency-Key", "Prefer"],
            expose_headers=["ETag", "Link", "Location", "Content-Crs", "Retry-After"],
        )
    for router in routers:
        app.include_router(router)
    document_responses(app)
    return app
