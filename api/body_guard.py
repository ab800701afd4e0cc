"""Request bodies held to their limits before any route or parser sees them.

An ASGI middleware: a body larger than the service accepts is answered 413 (from its
``Content-Length`` at once, or as soon as the bytes received pass the limit); a JSON body
(``application/json``, ``…+json``) is checked by :func:`api.json_checks.load_json` (depth,
numbers, NUL and lone surrogates) and refused with 422 before FastAPI parses it. The body is
then handed on unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request

from api.json_checks import JSONRefused, load_json
from api.problems import problem_response
from geo.i18n import N_, lang_from_header, t

__all__ = ["BodyGuard"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return kind.endswith("/json") or kind.endswith("+json")


class BodyGuard:
    """Refuse oversize bodies (413) and hostile JSON (422) before the application."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_json_bytes: int,
                 max_json_depth: int) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_json = max_json_bytes
        self.max_depth = max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        is_json = _is_json(headers.get("content-type", ""))
        limit = self.max_json if is_json else self.max_body
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, 413, N_("body_too_large"), size=int(declared),
                               limit=limit)
            return
        if not is_json:  # forms and files: the routes read them up to their own limits
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, send, 413, N_("body_too_large"), size=size, limit=limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            load_json(body, max_depth=self.max_depth)
        except JSONRefused as exc:
            await self._refuse(scope, send, 422, exc.key, **exc.values)
            return
        except ValueError:
            pass  # not JSON at all: the route says so in its own words
        await self.app(scope, _replay([{"type": "http.request", "body": body,
                                        "more_body": False}]), send)

    async def _refuse(self, scope: Scope, send: Send, status: int, key: str,
                      **values: object) -> None:
        request = Request(scope)
        lang = lang_from_header(request.headers.get("accept-language"))
        response = problem_response(request, status, key, t(key, lang, **values))
        await response(scope, _drained, send)


async def _drained() -> Message:
    return {"type": "http.disconnect"}


def _replay(messages: list[Message]) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return {"type": "http.disconnect"}

    return receive
