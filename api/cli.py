"""The ``sijie`` command line: the product's operations on files, for GIS staff and scripts.

Exit codes (DESIGN.md): 0 done and no errors found, 1 done and the proposal has errors,
2 the input could not be used (the message on stderr names the file, layer, row and why).
The shared options, consoles and input reading are in :mod:`api.cli_options`; the commands
of :mod:`api.cli_community`, :mod:`api.cli_map` and :mod:`api.cli_serve` are registered here.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from api import cli_audit, cli_community, cli_map, cli_print, cli_register, cli_serve
from api.cli_employment import employment_app
from api.cli_options import (
    CLI_LANG,
    EXIT_FINDINGS,
    EXIT_OK,
    CodeOption,
    GpkgOutput,
    LangOption,
    OutputOption,
    ProposalInputs,
    RulesOption,
    err,
    finish,
    format_option,
    json_out,
    out,
    proposal_command,
    reports_errors,
    require_format,
    run_to_gpkg,
    say,
    write_layers,
)
from geo.i18n import N_, t

__all__ = ["app", "rules_app"]

app = typer.Typer(
    name="sijie",
    help=t("help_app", CLI_LANG),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
)
rules_app = typer.Typer(help=t("help_rules", CLI_LANG), no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(employment_app, name="employment")


def _show_version(shown: bool) -> None:
    """Print ``sijie <version>`` (the installed package's) and stop."""
    if shown:
        from importlib.metadata import version

        typer.echo(f"sijie {version('sijie')}")
        raise typer.Exit()


@app.callback()
def main(verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help=t("help_verbose", CLI_LANG))] = False,
         version: Annotated[bool, typer.Option(
        "--version", help=t("help_version", CLI_LANG), callback=_show_version,
        is_eager=True)] = False):
    """四界 sijie: boundaries, grids and facility land for industrial communities."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


@app.command("demo-data", help=t("help_cmd_demo_data", CLI_LANG))
@reports_errors
def demo_data(
    out_dir: Annotated[Path, typer.Option("--out", help=t("help_demo_out", CLI_LANG))] = Path(
        "boundary_data/demo"
    ),
    lang: LangOption = CLI_LANG,
) -> None:
    """Write the demo town (context.gpkg and proposals/*.gpkg), byte for byte reproducible."""
    from boundary_data.demo_town import write_demo_town

    written = write_demo_town(out_dir)
    out.print(t("demo_written", lang, out=out_dir))
    for path in written:
        out.print(f"  {path}", highlight=False)


@rules_app.command("show", help=t("help_cmd_rules_show", CLI_LANG))
@reports_errors
def rules_show(
    rules: RulesOption = None,
    fmt: Annotated[str, format_option(N_("help_format_text_json"))] = "text",
    lang: LangOption = CLI_LANG,
) -> None:
    """Print the effective rules: every value, where it comes from and what it means."""
    from rich.table import Table

    from geo.rules import iter_rules, load_rules

    rule_set = load_rules(rules)
    if fmt == "json":
        out.print_json(json.dumps(rule_set.model_dump(mode="json"), ensure_ascii=False))
        return
    require_format(fmt, ("text", "json"), lang)
    table = Table(title=t("rules_title", lang, version=rule_set.rules_version))
    for key in (N_("key"), N_("value"), N_("source"), N_("meaning")):
        table.add_column(t(key, lang), no_wrap=key in ("key", "source"),
                         overflow="fold")
    for entry in iter_rules(rule_set):
        value = t("none", lang) if entry.value is None else str(entry.value)
        table.add_row(entry.key, value, entry.source(lang), entry.description)
    out.print(table)


@rules_app.command("init", help=t("help_cmd_rules_init", CLI_LANG))
@reports_errors
def rules_init(
    output: OutputOption = None,
    rules: RulesOption = None,
    lang: LangOption = CLI_LANG,
) -> None:
    """Write a commented TOML template of every setting (the defaults, or --rules' values),
    each with its meaning and its source: the seed clause or 本局设定 (bureau setting)."""
    from geo.rules import load_rules
    from geo.rules.template import rules_template

    text = rules_template(load_rules(rules), lang)
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    err.print(t("rules_template_written", lang, path=output), highlight=False)


@app.command("info", help=t("help_cmd_info", CLI_LANG))
@reports_errors
def info(
    source: Annotated[str, typer.Argument(help=t("help_info_source", CLI_LANG))],
    crs: Annotated[str | None, typer.Option(
        "--crs", help=t("help_info_crs", CLI_LANG))] = None,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help=t("help_info_encoding", CLI_LANG))] = None,
    fmt: Annotated[str, format_option(N_("help_format_text_json"))] = "text",
    lang: LangOption = CLI_LANG,
) -> None:
    """Show a file's layers: geometry, feature count, CRS, bounds and text encoding.

    With FILE:LAYER (or --crs/--encoding) the layer is read exactly as every other command
    reads its input, so a layer that `info` accepts is one the other commands can use.
    """
    from rich.table import Table

    from geo.io import LayerInfo, list_layers, read_layer
    from geo.io.sources import parse_source

    require_format(fmt, ("text", "json"), lang)
    if parse_source(source).layer is not None or crs is not None or encoding is not None:
        frame = read_layer(source, crs=crs, encoding=encoding)
        assert frame.crs is not None  # read_layer refuses a layer without a CRS
        epsg = frame.crs.to_epsg()
        minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
        layers = [LayerInfo(
            name=frame.attrs["layer"], geometry_type=", ".join(sorted(set(frame.geom_type))),
            feature_count=len(frame), crs=f"EPSG:{epsg}" if epsg else frame.crs.to_string(),
            bounds=(minx, miny, maxx, maxy), encoding=frame.attrs["encoding"])]
    else:
        layers = list_layers(source)
    if fmt == "json":
        rows = [{"name": i.name, "geometry_type": i.geometry_type, "feature_count": i.feature_count,
                 "crs": i.crs, "bounds": i.bounds, "encoding": i.encoding} for i in layers]
        out.print_json(json.dumps({"source": str(source), "layers": rows}, ensure_ascii=False))
        return
    table = Table(title=t("info_title", lang, path=source))
    for key in (N_("layer"), N_("geometry"), N_("features"), N_("crs"), N_("bounds"),
                N_("encoding")):
        table.add_column(t(key, lang), no_wrap=key != "bounds")
    none = t("none", lang)
    for i in layers:
        bounds = none if i.bounds is None else _bounds_text(i.bounds)
        table.add_row(i.name, i.geometry_type or none, str(i.feature_count), i.crs or none,
                      bounds, i.encoding or none)
    out.print(table)


@app.command("validate", help=t("help_cmd_validate", CLI_LANG))
@proposal_command
def validate_command(
    inputs: ProposalInputs,
    fmt: Annotated[str, format_option(N_("help_format_report"))] = "text",
    output: OutputOption = None,
) -> None:
    """Check a proposed boundary against the 四界清晰 rules B1–B10 (exit 1 if it has errors)."""
    # the rules alone, not the service's validation entry: a shell call needs no database
    # or map libraries (about half a second of imports)
    from geo.validate import validate

    lang = inputs.lang
    require_format(fmt, ("text", "json", "geojson"), lang)
    prop, ctx = inputs.read()
    report = validate(prop, ctx)
    if fmt == "text":
        from api.report_text import print_report

        if output is None:
            print_report(report, out, lang)
        else:
            from rich.console import Console

            with output.open("w", encoding="utf-8") as handle:
                print_report(report, Console(file=handle, width=120), lang)
    else:
        json_out(report.to_dict(lang.value) if fmt == "json" else report.to_geojson(lang.value),
                 output)
    if output is not None:
        say(t("report_written", lang, path=output))
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FINDINGS)


@app.command("adjust", help=t("help_cmd_adjust", CLI_LANG))
@proposal_command
def adjust_command(inputs: ProposalInputs, output: GpkgOutput) -> None:
    """Carve the proposal out of its neighbours: write everyone's new boundary and the area
    each neighbour gives up (exit 1 if a neighbour is left invalid or in pieces)."""
    from api.analyses.adjustment import ADJUSTMENT

    result = run_to_gpkg(ADJUSTMENT, inputs, output, {})
    out.print(t("adjust_written", inputs.lang, path=output, area=result.area_m2,
                given=result.given_m2, diff=result.area_m2 - result.given_m2), highlight=False)
    finish(ADJUSTMENT, result)


@app.command("grid", help=t("help_cmd_grid", CLI_LANG))
@proposal_command
def grid_command(inputs: ProposalInputs, output: GpkgOutput, code: CodeOption = None) -> None:
    """Divide the community into grids (about 1,000 employees / 1 km² / 30 enterprises) and
    micro-grids (one enterprise, park or building each); layers grids and microgrids."""
    from api.analyses.grids import GRIDS

    plan = run_to_gpkg(GRIDS, inputs, output, {"community_code": code})
    for note in plan.notes:
        err.print(t(note, inputs.lang), highlight=False)
    out.print(t("grids_written", inputs.lang, path=output), highlight=False)


@app.command("suggest", help=t("help_cmd_suggest", CLI_LANG))
@proposal_command
def suggest_command(
    inputs: ProposalInputs,
    output: GpkgOutput,
    fmt: Annotated[str, format_option(N_("help_format_text_json"))] = "text",
) -> None:
    """Suggest the union of road-bounded blocks closest to the proposal that passes B2, B3 and
    B6 (layer suggested, the proposal's name and type); exit 1 if it does not pass them."""
    from api.analyses.suggestion import SUGGESTION

    require_format(fmt, ("text", "json"), inputs.lang)
    prop, ctx = inputs.read()
    result = SUGGESTION.run(prop, ctx, {})
    write_layers(SUGGESTION, result, prop, output, inputs.lang)
    if fmt == "json":
        json_out(result.to_dict(), None)
    else:
        SUGGESTION.show(result, prop, ctx, out, inputs.lang)
        out.print(t("suggestion_written", inputs.lang, path=output), highlight=False)
    finish(SUGGESTION, result)


def _bounds_text(bounds: tuple[float, float, float, float]) -> str:
    """Bounds as a GIS user reads them: metres to 0.1 m, degrees to 1e-6° (≈ 0.1 m)."""
    digits = 1 if max(abs(v) for v in bounds) > 360 else 6
    x0, y0, x1, y1 = (f"{v:.{digits}f}" for v in bounds)
    return f"{x0}, {y0} – {x1}, {y1}"


app.command("facility", help=t("help_cmd_facility", CLI_LANG))(cli_community.facility_command)
app.command("profile", help=t("help_cmd_profile", CLI_LANG))(cli_community.profile_command)
app.command("package", help=t("help_cmd_package", CLI_LANG))(cli_community.package_command)
app.command("audit", help=t("help_cmd_audit", CLI_LANG))(cli_audit.audit_command)
app.command("register", help=t("help_cmd_register", CLI_LANG))(cli_register.register_command)
app.command("map", help=t("help_cmd_map", CLI_LANG))(cli_map.map_command)
app.command("print", help=t("help_cmd_print", CLI_LANG))(cli_print.print_command)
app.command("serve", help=t("help_cmd_serve", CLI_LANG))(cli_serve.serve)
