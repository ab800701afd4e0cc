"""``sijie facility``, ``sijie profile`` and ``sijie package``: what the community needs and
gets, and the application package (registered on the ``sijie`` app in :mod:`api.cli`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from api.cli_options import (
    CLI_LANG,
    CodeOption,
    GpkgOutput,
    OutputOption,
    ProposalInputs,
    YearOption,
    err,
    finish,
    format_option,
    json_out,
    out,
    proposal_command,
    require_format,
    run_to_gpkg,
)
from geo.dates import today
from geo.i18n import N_, t

__all__ = ["facility_command", "package_command", "profile_command"]


@proposal_command
def facility_command(inputs: ProposalInputs, output: GpkgOutput) -> None:
    """Find and rank 3,000–5,000 m² sites for the community's service facilities (layer
    sites); exit 1 when none qualifies (the nearest misses are listed with what each fails)."""
    from api.analyses.facility import FACILITY

    result = run_to_gpkg(FACILITY, inputs, output, {})
    out.print(t("sites_written", inputs.lang, path=output), highlight=False)
    finish(FACILITY, result)


@proposal_command
def profile_command(
    inputs: ProposalInputs,
    fmt: Annotated[str, format_option(N_("help_format_profile"))] = "text",
    output: OutputOption = None,
    year: YearOption = None,
    party_members: Annotated[int | None, typer.Option(
        "--party-members", min=0, help=t("help_party_members", CLI_LANG))] = None,
    live_work_share: Annotated[float | None, typer.Option(
        "--live-work-share", min=0.0, max=1.0, help=t("help_live_work_share", CLI_LANG))] = None,
) -> None:
    """The community's facts, class (一般/较大/特大), staff quota and funds; with --format xlsx
    the information table 附件1 新建产业型社区信息表."""
    from api.analyses.facility import FACILITY
    from api.analyses.grids import GRIDS
    from api.analyses.profile import PROFILE
    from api.package import info_extras
    from geo.profile.application import application_facts
    from geo.profile.info_table import info_fields, write_info_table
    from geo.validate.validity import valid_geometry

    lang = inputs.lang
    require_format(fmt, ("text", "json", "xlsx"), lang)
    if fmt == "xlsx" and output is None:
        raise typer.BadParameter(t("xlsx_needs_output", lang))
    prop, ctx = inputs.read()
    profile = PROFILE.run(prop, ctx, {"year": year, "party_members": party_members,
                                      "live_work_share": live_work_share})
    if fmt == "json":
        json_out(profile.to_dict(), output)
    elif fmt == "xlsx" and output is not None:
        extras = info_extras(GRIDS.run(prop, ctx, {}), FACILITY.run(prop, ctx, {}), ctx, lang)
        application = application_facts(prop.name, valid_geometry(prop, ctx,
                                                                  refused="profile_invalid"),
                                        ctx, date=today())
        fields = info_fields(profile, lang.value, extras, application=application,
                             minimum_yuan=ctx.rules.funding.minimum_yuan)
        write_info_table(fields, output, lang.value, application)
        err.print(t("table_written", lang, path=output), highlight=False)
    else:
        PROFILE.show(profile, prop, ctx, out, lang)


PartyMembersOption = Annotated[int | None, typer.Option(
    "--party-members", min=0, help=t("help_party_members", CLI_LANG))]
LiveWorkShareOption = Annotated[float | None, typer.Option(
    "--live-work-share", min=0.0, max=1.0, help=t("help_live_work_share", CLI_LANG))]


@proposal_command
def package_command(
    inputs: ProposalInputs,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help=t("help_package_output", CLI_LANG))],
    year: YearOption = None,
    code: CodeOption = None,
    party_members: PartyMembersOption = None,
    live_work_share: LiveWorkShareOption = None,
    applicant: Annotated[str | None, typer.Option(
        "--applicant", help=t("help_package_applicant", CLI_LANG))] = None,
    contact: Annotated[str | None, typer.Option(
        "--contact", help=t("help_package_contact", CLI_LANG))] = None,
    date: Annotated[dt.datetime | None, typer.Option(
        "--date", formats=["%Y-%m-%d"], help=t("help_package_date", CLI_LANG))] = None,
    centre_name: Annotated[str | None, typer.Option(
        "--centre-name", help=t("help_package_centre_name", CLI_LANG))] = None,
) -> None:
    """Write the application package (001 § 二(一)4(1)): the plan (方案.docx), 附件1 (.docx and
    .xlsx), the 现状图 and 布局图 (PDF, PNG), validation report, neighbours' adjustment, grids,
    facility sites and a GeoPackage of every layer (exit 1 if the boundary has errors)."""
    from api.package import PACKAGE

    prop, ctx = inputs.read()
    day = None if date is None else date.date()
    package = PACKAGE.run(prop, ctx, {
        "out_dir": output, "year": year or (day or today()).year,
        "lang": inputs.lang.value, "community_code": code, "party_members": party_members,
        "live_work_share": live_work_share, "applicant": applicant, "contact": contact,
        "date": day, "centre_name": centre_name})
    out.print(t("package_written", inputs.lang, path=output), highlight=False)
    for path in package.files:
        out.print(f"  {path}", highlight=False)
    finish(PACKAGE, package)
