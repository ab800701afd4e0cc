"""``/users``: administrators manage who signs in and in which role."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.auth import ROLES
from api.db.models import User
from api.deps import AdminUser, SessionDep
from api.serialize import JSONDocument, iso
from api.services.users import NewUser, add_user, all_users

router = APIRouter(tags=["admin"])


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
def create(body: UserIn, session: SessionDep, admin: AdminUser) -> JSONDocument:
    user = add_user(session, NewUser(**body.model_dump()))
    return JSONDocument(_user_json(user), status_code=201, headers={"Location": "/users"})


@router.get("/users", summary="Every user, role and department (administrators)")
def list_users(session: SessionDep, admin: AdminUser) -> dict[str, Any]:
    return {"users": [_user_json(u) for u in all_users(session)]}
