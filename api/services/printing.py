"""Print-ready maps (现状图, 布局图) of a stored version, from the newest stored runs of the
analyses they show (run and stored once when there are none)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.db.models import ProposalVersion
from api.printing import Printing, layout_content, print_map
from api.services.proposals import geo_proposal
from api.services.runs import Runner
from api.services.towns import ContextCache
from geo.dates import today
from geo.profile.application import application_facts
from geo.profile.four_sides import four_sides
from geo.validate.validity import valid_geometry
from maps.printed import PrintFormat, PrintKind

__all__ = ["printed_map"]


def printed_map(contexts: ContextCache, kind: PrintKind, fmt: PrintFormat, printing: Printing,
                version: ProposalVersion, town_id: int, *, runner: Runner, session: Session,
                user_id: int) -> bytes:
    """The sheet ``kind`` of a version as PDF or PNG bytes."""
    proposal, ctx = geo_proposal(version), contexts.get(town_id)
    geom = valid_geometry(proposal, ctx, refused="print_invalid")
    application = application_facts(proposal.name, geom, ctx,
                                    date=printing.date or today(),
                                    centre_name=proposal.centre_name)
    layout = None
    if kind is PrintKind.layout:
        def result(name: str) -> Any:
            return runner.result(session, version, name, user_id)

        layout = layout_content(result("adjustment"), result("grids"), result("facility"),
                                application, four_sides(geom, ctx))
    return print_map(kind, proposal, ctx, fmt, printing, application=application, layout=layout)
