"""The printed maps (现状图, 布局图) of one proposal: what each sheet needs, gathered from the
analyses, drawn by :mod:`maps.printed`. Used by ``sijie print``, the package and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from api.analyses.adjustment import ADJUSTMENT
from api.analyses.facility import FACILITY
from api.analyses.grids import GRIDS
from geo.adjust import Adjustment
from geo.context import Context
from geo.dates import today
from geo.facility import FacilityResult
from geo.grids import GridPlan
from geo.i18n import Lang, t
from geo.profile.application import Application, application_facts
from geo.profile.four_sides import four_sides
from geo.proposal import Proposal
from geo.validate.validity import valid_geometry
from maps.printed import (
    Given,
    LayoutContent,
    Paper,
    PrintFormat,
    PrintKind,
    Sheet,
    layout_map,
    status_map,
)

__all__ = ["Printing", "layout_content", "print_map", "sources_text"]

# the context layers a sheet draws from, named in its title block
_DRAWN = ("neighbours", "roads", "water", "landuse", "parcels", "jurisdiction")


@dataclass(frozen=True)
class Printing:
    """How to print: paper, language, the date in the title block."""

    paper: Paper = Paper.A3
    lang: Lang = Lang.zh
    date: dt.date | None = None

    @property
    def day(self) -> dt.date:
        return self.date or today()


def sources_text(ctx: Context, lang: Lang) -> str:
    """The data sources of a sheet: the context's name and the layers drawn from it."""
    layers = [name for name in _DRAWN if ctx.layer(name) is not None]
    source = Path(ctx.source).name if ctx.source else "—"
    return t("print_sources", lang, source=source, layers=", ".join(layers))


def layout_content(adjustment: Adjustment, grids: GridPlan | None,
                   facility: FacilityResult | None, application: Application,
                   sides: dict[str, list[str]]) -> LayoutContent:
    """What the 布局图 shows, from the analyses' results (all in the context's CRS) and the
    profile's four sides."""
    frame = adjustment.given
    given = [Given(str(n), float(a), g) for n, a, g in
             zip(frame["name"], frame["area_given_m2"], frame.geometry, strict=True)]
    best = facility.best if facility is not None else None
    return LayoutContent(
        four_sides=sides, given=given,
        enterprises=application.enterprises,
        grids=[] if grids is None else [(str(c), g) for c, g in
                                         zip(grids.grids["code"], grids.grids.geometry,
                                             strict=True)],
        site=None if best is None else best.geometry, centre_name=application.centre_name)


def print_map(kind: PrintKind, proposal: Proposal, ctx: Context, fmt: PrintFormat,
              printing: Printing, *, code: str | None = None,
              application: Application | None = None,
              layout: LayoutContent | None = None) -> bytes:
    """The sheet ``kind`` of ``proposal`` as PDF or PNG bytes; the analyses the 布局图 needs
    are run unless their results are given (``layout``)."""
    geom = valid_geometry(proposal, ctx, refused="print_invalid")
    if application is None:
        application = application_facts(proposal.name, geom, ctx, date=printing.day,
                                        community_code=code, centre_name=proposal.centre_name)
    sheet = Sheet(community=proposal.name, town=application.town, date=printing.day,
                  crs=ctx.crs, sources=sources_text(ctx, printing.lang),
                  lang=printing.lang.value, paper=printing.paper)
    if kind is PrintKind.status:
        return status_map(geom, ctx, sheet, fmt)
    if layout is None:
        options = {"community_code": code}
        layout = layout_content(ADJUSTMENT.run(proposal, ctx, options),
                                GRIDS.run(proposal, ctx, options),
                                FACILITY.run(proposal, ctx, options), application,
                                four_sides(geom, ctx))
    return layout_map(geom, ctx, layout, sheet, fmt)
