"""``/health`` (is the process serving) and ``/ready`` (can it serve: is its store there)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from api.problems import Problem
from api.serialize import JSONDocument
from api.services.health import store_state
from api.store_errors import RETRY_AFTER_SECONDS

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness: the process answers (touches nothing else)")
async def health() -> JSONDocument:
    return JSONDocument({"status": "ok"})


@router.get("/ready", summary="Readiness: the store answers (503 with Retry-After when not)")
async def ready(request: Request) -> JSONDocument:
    state = await run_in_threadpool(store_state, request.app.state.engine)
    if not state["reachable"]:
        raise Problem(503, "db_unavailable", headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                      body={"store": state})
    return JSONDocument({"status": "ready", "store": state})
