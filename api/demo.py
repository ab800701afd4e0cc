"""First-run seeding: the demo town and demo users, so a fresh ``sijie serve`` is usable."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db.models import Town, User
from api.services.towns import load_town
from api.services.users import NewUser, create_user
from geo.rules import Rules

__all__ = ["DEMO_CONTEXT", "DEMO_USERS", "DemoUser", "seed_demo", "seed_town"]

log = logging.getLogger(__name__)

DEMO_CONTEXT = Path(__file__).resolve().parents[1] / "boundary_data" / "demo" / "context.gpkg"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    department: str | None


DEMO_USERS = (
    DemoUser("gis", "镇规划办 GIS 专员", "gis", "镇规划办"),
    DemoUser("minzheng", "区民政局 审核员", "civil_affairs", "区民政局"),
    DemoUser("ziranziyuan", "区自然资源规划分局 审核员", "reviewer", "区自然资源规划分局"),
    DemoUser("fagai", "区发改局 审核员", "reviewer", "区发改局"),
    DemoUser("jingxin", "区经信局 审核员", "reviewer", "区经信局"),
    DemoUser("gonganfenju", "区公安分局 审核员", "reviewer", "区公安分局"),
    DemoUser("jianjiao", "区建交局 审核员", "reviewer", "区建交局"),
    DemoUser("shangwu", "区商务局 审核员", "reviewer", "区商务局"),
    DemoUser("shezhi", "区社会治理中心 审核员", "reviewer", "区社会治理中心"),
    DemoUser("jiedao", "澥川街道 联络员", "reviewer", "澥川街道办事处"),
    DemoUser("bangongshi", "指导委员会办公室 联络员", "office",
             "区委城乡现代社区建设指导委员会办公室"),
    DemoUser("admin", "区政府 管理员", "admin", "区政府"),
)


def seed_town(session: Session, rules: Rules, source: str) -> list[str]:
    """Load the bureau's context file as a town unless a town came from it already."""
    if session.scalar(select(func.count()).select_from(Town).where(Town.source == str(source))):
        return []
    town = load_town(session, source, rules)
    session.commit()
    return [f"town:{town.name}"]


def seed_demo(session: Session, rules: Rules, password: str) -> list[str]:
    """Load the demo town and the demo users into an empty database; what was added."""
    added: list[str] = []
    if not session.scalar(select(func.count()).select_from(Town)):
        town = load_town(session, DEMO_CONTEXT, rules)
        added.append(f"town:{town.name}")
    if not session.scalar(select(func.count()).select_from(User)):
        for demo in DEMO_USERS:
            create_user(
                session,
                NewUser(
                    demo.username,
                    password,
                    demo.role,
                    department=demo.department,
                    display_name=demo.display_name,
                ),
            )
            added.append(f"user:{demo.username}")
    session.commit()
    if added:
        log.info("seeded %s", ", ".join(added))
    return added
