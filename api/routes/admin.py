"""``/users``: administrators manage who signs in and in which role."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.auth import ROLES
from api.db.models import User
from api.demo import create_user
from api.deps import SessionDep, require_roles
from api.problems import Problem
from api.serialize import iso

router = APIRouter(tags=["admin"])

Admin = Annotated[User, Depends(require_roles("admin"))]


class UserIn(BaseModel):
    """A new user; reviewers and civil-affairs staff need their department."""

    username: str = Field(min_length=2, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str = Field(min_length=10, max_length=200)
    role: str = Field(pattern="^(" + "|".join(ROLES) + ")$")
    department: str | None = Field(None, max_length=100)
    display_name: str = Field("", max_length=200)


def _user_json(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "department": user.department,
        "created_at": iso(user.created_at),
    }


@router.post("/users", status_code=201, summary="Create a user (administrators)")
def create(body: UserIn, session: SessionDep, admin: Admin) -> Response:
    if body.role in ("reviewer", "civil_affairs") and not body.department:
        raise Problem(422, "department_missing", user=body.username)
    user = create_user(
        session,
        body.username,
        body.password,
        body.role,
        department=body.department,
        display_name=body.display_name,
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Problem(409, "user_exists", user=body.username) from None
    return Response(
        json.dumps(_user_json(user), ensure_ascii=False),
        status_code=201,
        media_type="application/json",
        headers={"Location": "/users"},
    )


@router.get("/users", summary="Every user, role and department (administrators)")
def list_users(session: SessionDep, admin: Admin) -> dict[str, Any]:
    users = session.scalars(select(User).order_by(User.id)).all()
    return {"users": [_user_json(u) for u in users]}
