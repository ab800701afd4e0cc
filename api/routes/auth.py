"""``/token``: OAuth2 password flow; ``/users/me``: who the token belongs to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import create_token
from api.deps import CurrentUser, SessionDep
from api.problems import Problem
from api.services.users import authenticate

router = APIRouter(tags=["auth"])


@router.post("/token", summary="Sign in (OAuth2 password flow) and get a bearer token")
def token(
    request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> dict[str, str]:
    user = authenticate(session, form.username, form.password)
    if user is None:
        raise Problem(401, "login_failed", headers={"WWW-Authenticate": "Bearer"})
    settings = request.app.state.settings
    return {
        "access_token": create_token(
            user.username, request.app.state.secret, settings.token_minutes
        ),
        "token_type": "bearer",
    }


@router.get("/users/me", summary="The signed-in user: name, role and department")
def me(user: CurrentUser) -> dict[str, str | None]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "department": user.department,
    }
