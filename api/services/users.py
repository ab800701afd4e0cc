"""Who signs in: users by name, the names behind ids, and adding a user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth import REVIEWERS, hash_password, verify_password
from api.db.models import User
from api.problems import Problem

__all__ = [
    "NewUser",
    "add_user",
    "all_users",
    "authenticate",
    "create_user",
    "user_named",
    "usernames",
]


def user_named(session: Session, username: str) -> User | None:
    """The user signing in as ``username``, if there is one."""
    return session.scalar(select(User).where(User.username == username))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if ``password`` is theirs; ``None`` for an unknown name or a wrong password."""
    user = user_named(session, username)
    if user is None or not verify_password(password, user.password_hash):
        return None
    return user


def usernames(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """The user name of each of ``ids`` that names a user."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(wanted))).all()
    return {user_id: name for user_id, name in rows}


def all_users(session: Session) -> list[User]:
    """Every user, in the order they were added."""
    return list(session.scalars(select(User).order_by(User.id)).all())


@dataclass(frozen=True)
class NewUser:
    """Who is to sign in: name, password, role, and for reviewers their department."""

    username: str
    password: str
    role: str
    department: str | None = None
    display_name: str = ""


def create_user(session: Session, new: NewUser) -> User:
    """A new user with a hashed password (added, not committed: the caller commits)."""
    user = User(
        username=new.username,
        password_hash=hash_password(new.password),
        role=new.role,
        department=new.department,
        display_name=new.display_name or new.username,
    )
    session.add(user)
    return user


def add_user(session: Session, new: NewUser) -> User:
    """Create and commit a user; reviewers and civil-affairs staff must name their department.

    Raises
    ------
    Problem
        422 ``department_missing``; 409 ``user_exists`` when the name is taken.
    """
    if new.role in REVIEWERS and not new.department:
        raise Problem(422, "department_missing", user=new.username)
    user = create_user(session, new)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Problem(409, "user_exists", user=new.username) from None
    return user
