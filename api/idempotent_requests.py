"""The ``Idempotency-Key`` header on every request that changes something (POST, PUT, PATCH,
DELETE by a signed-in user), in one place for every route.

:func:`add_idempotency` installs three parts: a dependency of the whole application that
reads the key and answers a retry with the kept answer (or 422 for the key reused with another
request); the sessions' watch that claims the key in the request's first writing transaction
(:mod:`api.services.idempotency`); and a middleware that keeps the request's answer with its
claim before sending it. A request that failed (503) before its first writing transaction
committed never claimed its key, so its retry runs anew. One that failed after that (its
changes made, its answer a 5xx) keeps, in place of that answer, a final 409
``idempotency_key_interrupted`` saying the changes were made and are not made again: its
retries get that, never a "pending" that would not end. An answer the store could not keep
(it went away after the changes were made) is kept later, once the store is back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, Request, Response
from sqlalchemy.exc import IntegrityError

from api.auth import read_token
from api.problems import Problem, problem_response
from api.services.idempotency import (
    CLAIM_STATE,
    Answer,
    Claim,
    body_parts,
    check_key,
    fingerprint,
    keep,
    kept,
)
from api.services.users import user_named
from api.store_errors import store_error_response
from geo.i18n import N_, lang_from_header, t

__all__ = ["HEADER", "UNSAFE", "add_idempotency", "idempotency_claim", "interrupted_answer",
           "stop_keeping"]

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# the headers besides the body that say what a request asks for
_MEANING_HEADERS = ("if-match", "content-crs")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _keepers(app: FastAPI) -> anyio.CapacityLimiter:
    """The threads that read and keep answers: not the request threads, so that requests
    waiting for an answer never starve the request making it (one set per running service)."""
    limiter = getattr(app.state, "idempotency_threads", None)
    if limiter is None:
        limiter = app.state.idempotency_threads = anyio.CapacityLimiter(4)
    return limiter


class Replayed(Exception):
    """A retry answered with the kept ``answer``."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        super().__init__("replayed")


def _response(answer: Answer) -> Response:
    return Response(answer.body, status_code=answer.status, headers=answer.headers)


async def _digest(request: Request) -> str:
    """What the request asks for: method, path and query, meaningful headers and its body
    (form fields and files by name, so a retry with another multipart boundary matches)."""
    parts = [f"{h}={request.headers.get(h, '')}".encode() for h in _MEANING_HEADERS]
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.form()
        for name, value in sorted(form.multi_items(), key=lambda item: item[0]):
            if isinstance(value, str):
                parts.append(f"{name}={value}".encode())
            else:
                await value.seek(0)
                parts.append(name.encode() + b"=" + await value.read())
                await value.seek(0)
    else:
        parts += body_parts(await request.body())
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return fingerprint(request.method, target, parts)


async def _kept(request: Request, claim: Claim) -> Answer | None:
    """The kept answer to ``claim``'s key (``None`` for a new key); a key whose first request
    is still being answered is waited for, up to the service's ``db_wait_seconds``, holding
    no request thread meanwhile."""
    sessions = request.app.state.sessions
    deadline = anyio.current_time() + float(request.app.state.settings.db_wait_seconds)
    while True:
        try:
            return await anyio.to_thread.run_sync(kept, sessions, claim,
                                                limiter=_keepers(request.app))
        except Problem as problem:
            if problem.code != "idempotency_key_pending" or anyio.current_time() >= deadline:
                raise
        await anyio.sleep(0.05)


def _user_id(request: Request) -> int | None:
    """The signed-in user's id (``None`` for the public or a bad token, which the route
    itself refuses)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    username = read_token(token.strip(), request.app.state.secret)
    if username is None:
        return None
    with request.app.state.sessions() as session:
        user = user_named(session, username)
        return None if user is None else user.id


async def idempotency_claim(request: Request) -> Claim | None:
    """The request's ``Idempotency-Key`` claim, or ``None`` without the header (or for a read,
    or the public); a retry of a request already answered is answered here (:class:`Replayed`).
    The request's session claims the key when it first writes (:func:`api.deps.get_session`).
    """
    key = request.headers.get(HEADER)
    if key is None or request.method not in UNSAFE:
        return None
    key = check_key(key)
    user_id = await anyio.to_thread.run_sync(_user_id, request)
    if user_id is None:
        return None
    claim = Claim(user_id, key, await _digest(request))
    answer = await _kept(request, claim)
    if answer is not None:
        raise Replayed(answer)
    setattr(request.state, CLAIM_STATE, claim)
    return claim


def interrupted_answer(scope: Scope, claim: Claim, status: int) -> Answer:
    """What the retries of a request that made its changes and then failed with ``status``
    (a 5xx) are told, for good: 409 ``idempotency_key_interrupted`` (no Retry-After: waiting
    changes nothing), with the failed status as ``first_status``."""
    request = Request(scope)
    lang = lang_from_header(request.headers.get("accept-language"))
    code = N_("idempotency_key_interrupted")
    response = problem_response(request, 409, code, t(code, lang, key=claim.key, status=status),
                                first_status=status)
    return Answer(409, dict(response.headers), bytes(response.body))


def _claim_of(scope: Scope) -> Claim | None:
    claim = scope.get("state", {}).get(CLAIM_STATE)
    return claim if isinstance(claim, Claim) else None


class KeepAnswers:
    """Keep the answer of a request that claimed its key before the client gets it."""

    def __init__(self, app: ASGIApp, *, fastapi: FastAPI) -> None:
        self.app = app
        self.fastapi = fastapi

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        held: list[Message] = []
        passing = False

        async def keeping(message: Message) -> None:
            nonlocal passing
            claim = _claim_of(scope)
            if message["type"] == "http.response.start":
                passing = claim is None or not claim.written
            if passing:
                await send(message)
                return
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                assert claim is not None
                await self._keep(scope, claim, held)
                for kept_message in held:
                    await send(kept_message)

        await self.app(scope, receive, keeping)

    async def _keep(self, scope: Scope, claim: Claim, messages: list[Message]) -> None:
        start = messages[0]
        status = int(start["status"])
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}
        body = b"".join(m.get("body", b"") for m in messages[1:])
        sessions = self.fastapi.state.sessions
        wait = float(self.fastapi.state.settings.db_wait_seconds)
        answer = Answer(status, headers, body)
        if status >= 500:  # changes made, answer lost: retries are told so, never run again
            answer = interrupted_answer(scope, claim, status)
        for attempt in range(3):  # the store may be coming back: the answer is worth a wait
            try:
                await anyio.to_thread.run_sync(keep, sessions, claim, answer,
                                             limiter=_keepers(self.fastapi))
                return
            except Exception as exc:
                log.warning("answer to key %r not kept yet: %s", claim.key,
                            str(exc).splitlines()[0][:200])
            if attempt < 2:
                await anyio.sleep(wait / 3 * (attempt + 1))
        _keep_later(sessions, claim, answer, wait, _stopping(self.fastapi))


KEEP_LATER_SECONDS = 600.0  # how long an answer is kept trying for after the client got it


def _stopping(app: FastAPI) -> threading.Event:
    """Set when ``app`` stops: answers still to be kept are given up."""
    stopping = getattr(app.state, "idempotency_stopping", None)
    if stopping is None:
        stopping = app.state.idempotency_stopping = threading.Event()
    return stopping


def stop_keeping(app: FastAPI) -> None:
    """Give up the answers ``app`` is still waiting to keep (the service is stopping)."""
    _stopping(app).set()


def _keep_later(sessions: Any, claim: Claim, answer: Answer, wait: float,
                stopping: threading.Event) -> None:
    """Keep ``answer`` once the store is back (the client has it already): retried in a
    thread of its own, less and less often, for up to :data:`KEEP_LATER_SECONDS` or until
    the service stops; until then a retry of the request is told to come back later (409
    with Retry-After)."""

    def run() -> None:
        deadline = time.monotonic() + KEEP_LATER_SECONDS
        pause = max(wait, 0.5)
        while time.monotonic() < deadline:
            if stopping.wait(pause):
                break
            try:
                keep(sessions, claim, answer)
                log.info("answer to key %r kept after the store came back", claim.key)
                return
            except Exception as exc:
                log.warning("answer to key %r not kept yet: %s", claim.key,
                            str(exc).splitlines()[0][:200])
            pause = min(pause * 2, max(wait, 10.0))
        log.error("answer to key %r not kept: the store stayed away or the service stopped",
                  claim.key)

    threading.Thread(target=run, name=f"keep-answer-{claim.key[:40]}", daemon=True).start()


def add_idempotency(app: FastAPI) -> None:
    """Install the ``Idempotency-Key`` handling on ``app`` (before its routers are included)."""
    app.router.dependencies.append(Depends(idempotency_claim))
    app.add_middleware(KeepAnswers, fastapi=app)

    @app.exception_handler(Replayed)
    async def _replayed(request: Request, exc: Replayed) -> Response:
        return _response(exc.answer)

    @app.exception_handler(IntegrityError)
    async def _raced(request: Request, exc: IntegrityError) -> Response:
        """Two requests with one key: the later one's changes were undone on the key's unique
        constraint; it gets the first one's answer."""
        claim = getattr(request.state, CLAIM_STATE, None)
        if isinstance(claim, Claim) and not claim.written:
            answer = await _kept(request, claim)
            if answer is not None:
                return _response(answer)
        return await store_error_response(request, exc)

