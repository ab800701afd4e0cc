"""The demo town's results, computed once, and a copy of it whose names are HTML."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from boundary_data.demo_town import PROPOSAL_LAYER
from geo.adjust import adjust
from geo.context import Context
from geo.facility import find_sites
from geo.grids import make_grids
from geo.io import read_context, read_layer
from geo.proposal import Proposal, proposal_from_frame
from geo.rules import load_rules
from geo.validate import validate

DEMO = Path(__file__).resolve().parents[2] / "boundary_data" / "demo"
IMG = "<img src=x onerror=alert(1)>"
TEMPLATE = "${document.title=7}"


def demo_proposal(name: str) -> Proposal:
    frame = read_layer(DEMO / "proposals" / f"{name}.gpkg", layer=PROPOSAL_LAYER)
    return proposal_from_frame(frame, source=name)


@pytest.fixture(scope="session")
def ctx() -> Context:
    return read_context(DEMO / "context.gpkg", load_rules(None))


@pytest.fixture(scope="session")
def good() -> Proposal:
    return demo_proposal("good_industrial")


@pytest.fixture(scope="session")
def offroad() -> Proposal:
    return demo_proposal("flaw_b3_offroad_edge")


@pytest.fixture(scope="session")
def results(ctx, good):
    """Every geo result of the good proposal, as the maps take them."""
    return {"report": validate(good, ctx), "adjustment": adjust(good, ctx),
            "plan": make_grids(good, ctx), "sites": find_sites(good, ctx)}


@pytest.fixture(scope="session")
def hostile() -> tuple[Proposal, Context]:
    """The cut-parcel proposal named like HTML, its neighbours and parcels too: each name
    reaches titles, tooltips, popups and finding messages."""
    ctx = read_context(DEMO / "context.gpkg", load_rules(None))
    proposal = demo_proposal("flaw_b6_cut_parcel")
    layers = dict(ctx.layers)
    neighbours = layers["neighbours"].copy()
    neighbours["name"] = [f"{IMG}{i}" for i in range(len(neighbours))]
    parcels = layers["parcels"].copy()
    parcels["name"] = [f"{TEMPLATE}{i}" for i in range(len(parcels))]
    buildings = layers["buildings"].copy()
    buildings["name"] = [f"{TEMPLATE}b{i}" for i in range(len(buildings))]
    layers.update(neighbours=neighbours, parcels=parcels, buildings=buildings)
    hostile_ctx = Context(ctx.crs, layers, ctx.rules, ctx.source)
    return replace(proposal, name=f"{IMG}{TEMPLATE}工业社区"), hostile_ctx
