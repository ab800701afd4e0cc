"""The service keeps each town's prepared context in the prepared-town cache, under the
database, the town and a stamp of its content: another worker process of the service (or its
next start) loads it instead of reading the town from the database and preparing it again, with
the same answers, and a change of the context (verified employment figures) is a new stamp."""

from __future__ import annotations

import os
from pathlib import Path

import geo.prepared.cache as town_cache
from api.db.models import EmploymentFigure, Town, User
from api.services.towns import ContextCache, content_stamp
from geo.io import read_layer
from geo.proposal import proposal_from_frame
from geo.validate import validate
from tests.api.conftest import DEMO, service_per_engine

service = service_per_engine("prepared_town")


def _worker(client, folder: Path) -> ContextCache:
    """A ContextCache as another worker process of the same service makes it."""
    kept = client.app.state.contexts
    return ContextCache(client.app.state.sessions, kept.rules, cache=folder,
                        database=kept.database)


def test_another_worker_loads_the_town_its_service_prepared(service, monkeypatch):
    folder = Path(os.environ["SIJIE_CACHE_DIR"])
    with service.app.state.sessions() as session:
        town_id = session.query(Town.id).order_by(Town.id).first()[0]
    first = service.app.state.contexts.get(town_id)
    made: list[str] = []
    real = town_cache.prepare_town
    monkeypatch.setattr(town_cache, "prepare_town", lambda ctx: made.append(ctx.source)
                        or real(ctx))
    second = _worker(service, folder).get(town_id)
    assert made == [] and second is not first  # loaded from the cache, not built
    proposal = proposal_from_frame(read_layer(DEMO / "proposals" / "flaw_b5_gap.gpkg"))
    assert validate(proposal, second).to_dict() == validate(proposal, first).to_dict()

    with service.app.state.sessions() as session:
        before = content_stamp(session, town_id)
        user = session.query(User.id).first()[0]
        session.add(EmploymentFigure(town_id=town_id, import_id=1, uscc="91330211MA2GQ0001X",
                                     employees=10, source="test.csv", imported_by=user))
        session.commit()
        assert content_stamp(session, town_id) != before
    _worker(service, folder).get(town_id)
    assert len(made) == 1  # the new content is built and prepared again
