"""Request dependencies: the database session, the caller, the language, role checks.

The role aliases (:data:`StaffUser`, :data:`GisUser`, …) are built here once from the role
groups of :mod:`api.auth`; routers annotate their ``user`` parameter with one of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from api.auth import ADMINS, APPOINTERS, EDITORS, REVIEWERS, ROLES, read_token
from api.db.models import User
from api.problems import Problem
from api.services.idempotency import (
    Claim,
    Replayed,
    body_parts,
    check_key,
    end_read,
    fingerprint,
    previous,
)
from api.services.users import user_named
from geo.i18n import Lang, lang_from_header

__all__ = [
    "AdminUser",
    "AppointerUser",
    "CurrentUser",
    "GisUser",
    "IdempotencyDep",
    "LangDep",
    "OptionalUser",
    "ReviewerUser",
    "SessionDep",
    "StaffUser",
    "get_session",
    "require_roles",
]

_bearer = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_lang(request: Request) -> Lang:
    return lang_from_header(request.headers.get("accept-language"))


LangDep = Annotated[Lang, Depends(get_lang)]


def optional_user(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(_bearer)]
) -> User | None:
    """The signed-in user, or ``None`` for the public; a bad token is refused, not ignored."""
    if token is None:
        return None
    username = read_token(token, request.app.state.secret)
    user = None if username is None else user_named(session, username)
    end_read(session)  # the request may read its body or an upload next: hold nothing meanwhile
    if user is None:
        raise Problem(401, "token_invalid", headers=_CHALLENGE)
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]


def current_user(user: OptionalUser) -> User:
    if user is None:
        raise Problem(401, "token_missing", headers=_CHALLENGE)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_roles(*roles: str) -> Callable[[User], User]:
    """A dependency admitting only users with one of ``roles`` (401 anonymous, 403 others)."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Problem(403, "forbidden_role", role=user.role, allowed=", ".join(roles))
        return user

    return check


StaffUser = Annotated[User, Depends(require_roles(*ROLES))]
"""Any signed-in staff member: reads everything internal."""
GisUser = Annotated[User, Depends(require_roles(*EDITORS))]
"""GIS staff and administrators: edit proposals, run analyses, add towns."""
ReviewerUser = Annotated[User, Depends(require_roles(*REVIEWERS))]
"""Department reviewers and civil affairs: survey findings and joint-review opinions."""
AppointerUser = Annotated[User, Depends(require_roles(*APPOINTERS))]
"""Who appoints a grid's 1+3+N roster: GIS staff, civil affairs, administrators."""
AdminUser = Annotated[User, Depends(require_roles(*ADMINS))]
"""Administrators: manage users."""


async def _request_digest(request: Request) -> str | None:
    """A digest of the request's body when it carries an ``Idempotency-Key`` (form fields and
    files by name, so a retry with another multipart boundary matches)."""
    if request.headers.get("idempotency-key") is None:
        return None
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    parts: list[bytes] = []
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
        parts = body_parts(await request.body())
    return fingerprint(request.method, request.url.path, parts)


def idempotency_claim(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    digest: Annotated[str | None, Depends(_request_digest)],
) -> Claim | None:
    """The create's ``Idempotency-Key`` claim, or ``None`` without the header; a retry of a
    create already made is answered here with its first answer (:class:`Replayed`)."""
    key = request.headers.get("idempotency-key")
    if key is None or digest is None:
        return None
    claim = Claim(user.id, check_key(key), digest)
    kept = previous(session, claim)
    end_read(session)
    if kept is not None:
        raise Replayed(kept)
    return claim


IdempotencyDep = Annotated[Claim | None, Depends(idempotency_claim)]
"""The ``Idempotency-Key`` of a create (see :mod:`api.services.idempotency`)."""
