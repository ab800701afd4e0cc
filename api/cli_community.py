"""``sijie facility``, ``sijie profile`` and ``sijie package``: what the community needs and
gets, and the application package (registered on the ``sijie`` app in :mod:`api.cli`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli_options import (
    CLI_LANG,
    EXIT_FINDINGS,
    EXIT_OK,
    CodeOption,
    ContextOption,
    CrsOption,
    FeatureOption,
    GpkgOutput,
    LangOption,
    NameOption,
    OutputOption,
    ProposalArg,
    RulesOption,
    TypeOption,
    YearOption,
    err,
    format_option,
    out,
    read_inputs,
    reports_errors,
    require_format,
)
from geo.i18n import N_, Lang, Text, t

__all__ = ["facility_command", "package_command", "profile_command"]

# land-use classes and parcel kinds as the reader calls them
_LANDUSE = {
    "vacant": N_("lu_vacant"),
    "to_consolidate": N_("lu_to_consolidate"),
    "public": N_("lu_public"),
    "industrial": N_("lu_industrial"),
    "office": N_("lu_office"),
    "commercial": N_("lu_commercial"),
    "residential": N_("lu_residential"),
    "green": N_("lu_green"),
    "farmland_protected": N_("lu_farmland_protected"),
    "ecological_redline": N_("lu_ecological_redline"),
    "road": N_("lu_road"),
    "water": N_("lu_water"),
    "enterprise": N_("lu_enterprise"),
    "park": N_("lu_park"),
}


def _landuse(name: str, lang: Lang) -> str:
    """A land-use class as the reader calls it; an unknown class as given."""
    return t(_LANDUSE[name], lang) if name in _LANDUSE else name


@reports_errors
def facility_command(
    proposal: ProposalArg,
    context: ContextOption,
    output: GpkgOutput,
    rules: RulesOption = None,
    feature: FeatureOption = None,
    crs: CrsOption = None,
    name: NameOption = None,
    type_: TypeOption = None,
    lang: LangOption = CLI_LANG,
) -> None:
    """Find and rank 3,000–5,000 m² sites for the community's service facilities (layer
    sites); exit 1 when none qualifies (the nearest misses are listed with what each fails)."""
    from api.package import facility_rows
    from geo.facility import find_sites, headline
    from geo.io import write_gpkg

    prop, ctx = read_inputs(proposal, context, rules=rules, feature=feature, crs=crs, name=name,
                            type_=type_)
    result = find_sites(prop, ctx)
    output.unlink(missing_ok=True)
    write_gpkg(result.sites.to_crs(prop.crs), output, "sites")
    out.print(headline(result, ctx.rules.facility, lang.value), highlight=False)
    table = Table()
    for key in (N_("rank"), N_("site_area"), N_("landuse"), N_("frontage_m"), N_("road"),
                N_("distance_weighted")):
        table.add_column(t(key, lang))
    rows = facility_rows(result, ctx, lang)
    for row in rows:
        table.add_row(str(row["rank"]), f"{row['area_m2']:,.0f}", _landuse(row["landuse"], lang),
                      f"{row['frontage_m']:,.0f}", row["frontage_road"], f"{row['distance_m']:,.0f}")
    out.print(table)
    out.print(t("heading", lang, label=Text("reason" if result.qualified else "fails")))
    for row in rows:
        out.print(f"  {row['rank']}. {row['reason']}", highlight=False)
    out.print(t("sites_written", lang, path=output), highlight=False)
    raise typer.Exit(EXIT_OK if result.qualified else EXIT_FINDINGS)


@reports_errors
def profile_command(
    proposal: ProposalArg,
    context: ContextOption,
    rules: RulesOption = None,
    fmt: Annotated[str, format_option(N_("help_format_profile"))] = "text",
    output: OutputOption = None,
    year: YearOption = None,
    party_members: Annotated[int | None, typer.Option(
        "--party-members", min=0, help=t("help_party_members", CLI_LANG))] = None,
    live_work_share: Annotated[float | None, typer.Option(
        "--live-work-share", min=0.0, max=1.0, help=t("help_live_work_share", CLI_LANG))] = None,
    feature: FeatureOption = None,
    crs: CrsOption = None,
    name: NameOption = None,
    type_: TypeOption = None,
    lang: LangOption = CLI_LANG,
) -> None:
    """The community's facts, class (一般/较大/特大), staff quota and funds; with --format xlsx
    the information table 附件1 新建产业型社区信息表."""
    from api.package import info_extras
    from geo.profile import community_profile
    from geo.profile.info_table import InfoExtras, info_rows, write_info_table

    require_format(fmt, ("text", "json", "xlsx"), lang)
    if fmt == "xlsx" and output is None:
        raise typer.BadParameter(t("xlsx_needs_output", lang))
    prop, ctx = read_inputs(proposal, context, rules=rules, feature=feature, crs=crs, name=name,
                            type_=type_)
    profile = community_profile(prop, ctx, year=year or dt.date.today().year,
                                party_members=party_members, live_work_share=live_work_share)
    if fmt == "json":
        text = json.dumps(profile.to_dict(), ensure_ascii=False, indent=2)
        if output is None:
            print(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
        return
    extras = None
    if fmt == "xlsx":
        from geo.facility import find_sites
        from geo.grids import make_grids

        extras = info_extras(make_grids(prop, ctx), find_sites(prop, ctx), ctx, lang)
    rows = info_rows(profile, lang.value, extras or InfoExtras(),
                     minimum_yuan=ctx.rules.funding.minimum_yuan)
    if fmt == "xlsx":
        write_info_table(rows, output, lang.value)
        err.print(t("table_written", lang, path=output), highlight=False)
        return
    table = Table(title=t("profile_title", lang, name=profile.name, year=profile.funding.year),
                  show_header=False)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in rows:
        table.add_row(name, value)
    out.print(table)


@reports_errors
def package_command(
    proposal: ProposalArg,
    context: ContextOption,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help=t("help_package_output", CLI_LANG))],
    rules: RulesOption = None,
    year: YearOption = None,
    code: CodeOption = None,
    feature: FeatureOption = None,
    crs: CrsOption = None,
    name: NameOption = None,
    type_: TypeOption = None,
    lang: LangOption = CLI_LANG,
) -> None:
    """Write the application package (001 § 二(一)4(1)): validation report, neighbours'
    adjustment, grids, facility sites, information table and a GeoPackage of every layer
    (exit 1 if the boundary has errors)."""
    from api.package import build_package

    prop, ctx = read_inputs(proposal, context, rules=rules, feature=feature, crs=crs, name=name,
                            type_=type_)
    package = build_package(prop, ctx, output, year=year or dt.date.today().year, lang=lang,
                            community_code=code)
    out.print(t("package_written", lang, path=output), highlight=False)
    for path in package.files:
        out.print(f"  {path}", highlight=False)
    raise typer.Exit(EXIT_OK if package.ok else EXIT_FINDINGS)
