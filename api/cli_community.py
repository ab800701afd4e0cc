"""``sijie facility``, ``sijie profile`` and ``sijie package``: what the community needs and
gets, and the application package (registered on the ``sijie`` app in :mod:`api.cli`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from api.cli_options import (
    CLI_LANG,
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
    finish,
    format_option,
    out,
    read_inputs,
    reports_errors,
    require_format,
    write_layers,
)
from geo.i18n import N_, t

__all__ = ["facility_command", "package_command", "profile_command"]

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
    from api.analyses.facility import FACILITY

    prop, ctx = read_inputs(proposal, context, rules=rules, feature=feature, crs=crs, name=name,
                            type_=type_)
    result = FACILITY.run(prop, ctx, {})
    write_layers(FACILITY, result, prop, output)
    FACILITY.show(result, prop, ctx, out, lang)
    out.print(t("sites_written", lang, path=output), highlight=False)
    finish(FACILITY, result)


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
    from api.analyses.facility import FACILITY
    from api.analyses.grids import GRIDS
    from api.analyses.profile import PROFILE
    from api.package import info_extras
    from geo.profile.info_table import info_rows, write_info_table

    require_format(fmt, ("text", "json", "xlsx"), lang)
    if fmt == "xlsx" and output is None:
        raise typer.BadParameter(t("xlsx_needs_output", lang))
    prop, ctx = read_inputs(proposal, context, rules=rules, feature=feature, crs=crs, name=name,
                            type_=type_)
    profile = PROFILE.run(prop, ctx, {"year": year, "party_members": party_members,
                                      "live_work_share": live_work_share})
    if fmt == "json":
        text = json.dumps(profile.to_dict(), ensure_ascii=False, indent=2)
        if output is None:
            print(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
    elif fmt == "xlsx" and output is not None:
        extras = info_extras(GRIDS.run(prop, ctx, {}), FACILITY.run(prop, ctx, {}), ctx, lang)
        rows = info_rows(profile, lang.value, extras, minimum_yuan=ctx.rules.funding.minimum_yuan)
        write_info_table(rows, output, lang.value)
        err.print(t("table_written", lang, path=output), highlight=False)
    else:
        PROFILE.show(profile, prop, ctx, out, lang)


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
    from api.package import PACKAGE

    prop, ctx = read_inputs(proposal, context, rules=rules, feature=feature, crs=crs, name=name,
                            type_=type_)
    package = PACKAGE.run(prop, ctx, {"out_dir": output, "year": year or dt.date.today().year,
                                      "lang": lang.value, "community_code": code})
    out.print(t("package_written", lang, path=output), highlight=False)
    for path in package.files:
        out.print(f"  {path}", highlight=False)
    finish(PACKAGE, package)
