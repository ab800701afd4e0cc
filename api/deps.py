"""Request dependencies: the database session, the caller, the language, role checks.

The role aliases (:data:`StaffUser`, :data:`GisUser`, …) are built here once from the role
groups of :mod:`api.auth`; routers annotate their ``user`` parameter with one of them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from api.auth import ADMINS, APPOINTERS, EDITORS, REVIEWERS, ROLES, read_token
from api.db.models import User
from api.problems import Problem
from api.services.idempotency import CLAIM_STATE, hold
from api.services.users import user_named
from geo.i18n import Lang, lang_from_header

__all__ = [
    "AdminUser",
    "AppointerUser",
    "CurrentUser",
    "GisUser",
    "LangDep",
    "OptionalUser",
    "ReviewerUser",
    "SessionDep",
    "StaffUser",
    "get_session",
    "require_roles",
]

log = logging.getLogger(__name__)

_bearer = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def get_session(request: Request) -> Iterator[Session]:
    """The request's session; it claims the request's ``Idempotency-Key`` when it first
    writes (:mod:`api.idempotent_requests`). Ending it never fails the request: a connection
    the store cut after the request's last commit has nothing left to roll back."""
    session = request.app.state.sessions()
    try:
        claim = getattr(request.state, CLAIM_STATE, None)
        if claim is not None:
            hold(session, claim)
        yield session
    finally:
        try:
            session.close()
        except DBAPIError as exc:
            log.warning("session ended on a lost connection: %s", str(exc).splitlines()[0])


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
    session.commit()  # the request may read its body or an upload next: hold nothing meanwhile
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
