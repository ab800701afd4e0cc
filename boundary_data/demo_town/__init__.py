"""The demo town: a deterministic, realistic town near Zhenhai, Ningbo, and its proposals.

``write_demo_town(out)`` writes ``out/context.gpkg`` (the context layers of DESIGN.md) and
``out/proposals/<name>.gpkg`` (layer ``proposal``, one feature each). The same seed writes the
same bytes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from boundary_data.demo_town.build import CONTEXT_LAYERS, CRS, SEED, DemoTown, build_demo_town
from geo.io import write_gpkg

__all__ = [
    "CONTEXT_LAYERS",
    "CRS",
    "PROPOSAL_LAYER",
    "SEED",
    "DemoTown",
    "build_demo_town",
    "write_demo_town",
]

PROPOSAL_LAYER = "proposal"


def write_demo_town(out: str | Path, *, seed: int = SEED) -> list[Path]:
    """Build the demo town and write it under ``out``; returns the files written."""
    out = Path(out)
    town = build_demo_town(seed)
    proposals_dir = out / "proposals"
    if proposals_dir.exists():
        shutil.rmtree(proposals_dir)
    proposals_dir.mkdir(parents=True)
    context = out / "context.gpkg"
    context.unlink(missing_ok=True)
    for name in CONTEXT_LAYERS:
        write_gpkg(town.layers[name], context, name)
    written = [context]
    for key, frame in sorted(town.proposals.items()):
        written.append(write_gpkg(frame, proposals_dir / f"{key}.gpkg", PROPOSAL_LAYER))
    return written
