"""Migration 0005 on both engines: a database holding a joint review from before keeps every
event (with empty details, its append-only guard intact) and each earlier "agree with
conditions" opinion gets its text as one condition to be marked met."""

from __future__ import annotations

import pytest
from shapely.geometry import box
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from api.db.engine import make_engine
from api.db.migrate import upgrade
from api.db.models import Opinion, Proposal, ProposalVersion, Town, User, utcnow
from api.geometry import bbox_columns, db_geom
from tests.api.conftest import ENGINES, fresh_database


@pytest.mark.parametrize("engine_name", ENGINES)
def test_an_earlier_joint_review_is_carried_over(engine_name, tmp_path):
    with fresh_database(engine_name, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0004")
            now = utcnow()
            shape = box(121.60, 29.94, 121.61, 29.95)
            with engine.begin() as db:
                db.execute(insert(User.__table__).values(
                    id=1, username="fagai", display_name="", password_hash="x", role="reviewer",
                    department="区发改局", created_at=now))
                db.execute(insert(Town.__table__).values(id=1, name="澥川街道",
                                                         work_crs="EPSG:4549", source="",
                                                         created_at=now))
                db.execute(insert(Proposal.__table__).values(id=1, town_id=1, state="surveyed",
                                                             created_by=1, created_at=now))
                db.execute(insert(ProposalVersion.__table__).values(
                    id=1, proposal_id=1, version=1, name="甲工业社区", type="industrial",
                    custodial=[], input_crs="EPSG:4490", area_m2=1.0, reason="", author_id=1,
                    created_at=now, etag="e", geom=db_geom(shape), **bbox_columns(shape)))
                for oid, verdict in ((1, "agree_with_conditions"), (2, "agree")):
                    db.execute(insert(Opinion.__table__).values(
                        id=oid, proposal_id=1, version_id=1, author_id=1, department="区发改局",
                        verdict=verdict, text=f"意见{oid}：道路贯通后挂牌", created_at=now))
                db.execute(text(
                    "INSERT INTO workflow_events (proposal_id, seq, action, from_state, "
                    "to_state, version, actor_id, reason, created_at) VALUES (1, 1, "
                    "'application', 'draft', 'applied', 1, 1, '申报', :now)"), {"now": now})
            upgrade(engine)
            with engine.begin() as db:
                details = db.execute(text("SELECT details FROM workflow_events")).scalar_one()
                conditions = db.execute(text(
                    "SELECT opinion_id, department, text FROM review_conditions")).all()
            assert details in ({}, "{}")
            assert [tuple(c) for c in conditions] == [(1, "区发改局", "意见1：道路贯通后挂牌")]
            for table in ("workflow_events", "review_conditions"):
                with (pytest.raises(DBAPIError, match="never changed or deleted"),
                      engine.begin() as db):
                    db.execute(text(f"DELETE FROM {table}"))
        finally:
            engine.dispose()
