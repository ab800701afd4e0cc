"""Each analysis kind declared once: stored runs read back as the same results, maps drawn
from the stored run (run and stored once when there is none), the package runs each once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.analyses import Analysis
from api.db.models import ProposalVersion, Run
from api.registry import ANALYSES, KINDS, drawn_by
from api.services.proposals import geo_proposal
from geo.i18n import Lang, t
from maps import MapKind
from tests.api.conftest import create_proposal
from tests.api.walk import walk_to


def _version(client, pid: int) -> tuple[ProposalVersion, object]:
    session = client.app.state.sessions()
    version = session.scalar(
        select(ProposalVersion).where(ProposalVersion.proposal_id == pid,
                                      ProposalVersion.version == 1))
    return version, session


def _runs(session, version_id: int, kind: str) -> int:
    return session.scalar(select(func.count()).select_from(Run).where(
        Run.version_id == version_id, Run.kind == kind, Run.status == "successful"))


def _counted(monkeypatch, functions) -> dict[str, int]:
    """How often each ``(module, name)`` function is called from now on, by name."""
    calls: dict[str, int] = {}

    def counted(module, name):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    for module, name in functions:
        counted(module, name)
    return calls


def test_every_kind_has_its_routes_a_label_and_each_map_one_analysis(client):
    paths = set(client.app.openapi()["paths"])
    for kind in KINDS:
        assert f"/proposals/{{proposal_id}}/versions/{{version}}/{kind}" in paths
        assert t(ANALYSES[kind].label_key, Lang.zh) != t(ANALYSES[kind].label_key, Lang.en)
    for kind in MapKind:
        shown = drawn_by(kind)
        drawn = all(type(entry).draw is not Analysis.draw for entry in shown)
        assert shown and (drawn or kind is MapKind.public), kind


@pytest.mark.parametrize("kind", ["validation", "adjustment", "grids", "facility"])
def test_a_stored_run_reads_back_as_the_result_it_stored(client, auth, kind):
    pid, _ = create_proposal(client, auth["gis"], name="flaw_b3_offroad_edge")
    posted = client.post(f"/proposals/{pid}/versions/1/{kind}", headers=auth["gis"])
    assert posted.status_code == 201
    version, session = _version(client, pid)
    with session:
        user = session.scalar(select(Run.created_by).where(Run.version_id == version.id))
        restored = client.app.state.runner.result(session, version, kind, user)
        assert _runs(session, version.id, kind) == 1  # read back, not run again
        ctx = client.app.state.contexts.get(1)
        fresh = ANALYSES[kind].run(geo_proposal(version), ctx, {})
    if kind == "validation":
        for lang in ("zh", "en"):
            assert restored.to_dict(lang) == fresh.to_dict(lang)
    elif kind == "adjustment":
        assert restored.area_m2 == pytest.approx(fresh.area_m2, abs=0.01)
        assert list(restored.neighbours["name"]) == list(fresh.neighbours["name"])
        assert restored.given_m2 == pytest.approx(fresh.given_m2, abs=0.01)
    elif kind == "grids":
        assert list(restored.grids["code"]) == list(fresh.grids["code"])
        assert restored.grids.area.sum() == pytest.approx(fresh.grids.area.sum(), rel=1e-6)
        assert len(restored.microgrids) == len(fresh.microgrids)
    else:
        assert restored.qualified == fresh.qualified
        assert list(restored.sites["rank"]) == list(fresh.sites["rank"])
        assert restored.sites.area.sum() == pytest.approx(fresh.sites.area.sum(), rel=1e-6)


def test_the_map_draws_the_stored_run_and_does_not_run_it_again(client, auth, monkeypatch):
    pid, _ = create_proposal(client, auth["gis"])
    posted = client.post(f"/proposals/{pid}/versions/1/grids", headers=auth["gis"])
    assert posted.status_code == 201

    def never(*args, **kwargs):
        raise AssertionError("grids run again for a map of a stored run")

    monkeypatch.setattr("api.analyses.grids.make_grids", never)
    page = client.get(f"/proposals/{pid}/versions/1/map?kind=grid", headers=auth["gis"])
    assert page.status_code == 200 and "<html" in page.text.lower()


def test_a_map_with_no_stored_run_runs_and_stores_it_once(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    for _ in range(2):
        page = client.get(f"/proposals/{pid}/versions/1/map?kind=facility", headers=auth["gis"])
        assert page.status_code == 200
    version, session = _version(client, pid)
    with session:
        assert _runs(session, version.id, "facility") == 1
    stored = client.get(f"/proposals/{pid}/versions/1/facility", headers=auth["fagai"])
    assert stored.status_code == 200 and stored.json()["sites"]["numberReturned"] >= 1


def test_the_package_runs_each_analysis_once(tmp_path, monkeypatch):
    from api import package as package_module
    from api.analyses import adjustment, facility, grids, profile, validation
    from geo.io import read_context, read_layer
    from geo.proposal import proposal_from_frame
    from geo.rules import load_rules
    from tests.api.conftest import DEMO

    calls = _counted(monkeypatch, ((validation, "validate"), (adjustment, "adjust"),
                                   (grids, "make_grids"), (facility, "find_sites"),
                                   (profile, "community_profile")))
    ctx = read_context(str(DEMO / "context.gpkg"), load_rules(None))
    path = str(DEMO / "proposals" / "good_industrial.gpkg")
    proposal = proposal_from_frame(read_layer(path), source=path)
    package = package_module.build_package(proposal, ctx, tmp_path, year=2025)
    assert package.ok
    assert calls == {"validate": 1, "adjust": 1, "make_grids": 1, "find_sites": 1,
                     "community_profile": 1}
    assert {p.name for p in package.files} >= {"map_validation.html", "map_adjustment.html",
                                               "map_grids.html", "map_facility.html",
                                               "community.gpkg", "manifest.json"}


def test_the_public_map_draws_the_stored_runs_and_runs_them_once_at_most(client, auth,
                                                                        monkeypatch):
    from api.analyses import facility, grids

    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "approved")
    calls = _counted(monkeypatch, ((grids, "make_grids"), (facility, "find_sites")))
    for _ in range(2):
        page = client.get(f"/public/map?proposal={pid}")
        assert page.status_code == 200 and "<html" in page.text.lower()
    assert calls == {"make_grids": 1, "find_sites": 1}  # the second map read the stored runs
    version, session = _version(client, pid)
    with session:
        assert _runs(session, version.id, "grids") == _runs(session, version.id, "facility") == 1
