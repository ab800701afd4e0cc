"""``sijie audit``: every community of a layer re-validated at once, with the overlaps between
them (registered on the ``sijie`` app in :mod:`api.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli_options import (
    CLI_LANG,
    EXIT_FINDINGS,
    EXIT_OK,
    ContextOption,
    CrsOption,
    LangOption,
    OutputOption,
    RulesOption,
    err,
    format_option,
    json_out,
    out,
    read_town,
    reports_errors,
    require_format,
)
from geo.i18n import N_, Lang, t

if TYPE_CHECKING:
    import pyproj

    from geo.audit import Audit
    from geo.context import Context

__all__ = ["OUTPUT_SUFFIXES", "audit_command"]

OUTPUT_SUFFIXES = (".gpkg", ".csv", ".json", ".html")


def _write(result: Audit, ctx: Context, output: Path, crs: pyproj.CRS, lang: Lang) -> None:
    """The audit as a GeoPackage (layers communities and overlaps), a CSV table, JSON or the
    district overview map (a page that carries its own scripts)."""
    from geo.io import write_gpkg

    suffix = output.suffix.lower()
    if suffix == ".html":
        from maps import audit_map, page_html

        output.write_text(page_html(audit_map(result, ctx, lang=lang.value)), encoding="utf-8")
    elif suffix == ".json":
        json_out(result.to_dict(), output)
    elif suffix == ".csv":
        frame = result.communities_frame(lang.value).drop(columns="geometry")
        frame.to_csv(output, index=False, encoding="utf-8-sig")
    else:
        output.unlink(missing_ok=True)
        write_gpkg(result.communities_frame(lang.value).to_crs(crs), output, "communities",
                   lang=lang)
        write_gpkg(result.overlaps_frame().to_crs(crs), output, "overlaps", lang=lang)
    err.print(t("audit_written", lang, path=output), highlight=False)


def _show(result: Audit, lang: Lang) -> None:
    """A table of the communities and a summary line on the console."""
    from rich.table import Table

    table = Table(title=t("audit_title", lang, count=len(result.communities)))
    for key in (N_("name"), N_("audit_passes"), N_("findings"), N_("audit_overlaps"),
                N_("employees"), N_("table_row_class")):
        table.add_column(t(key, lang), overflow="fold")
    from geo.profile.info_table import class_label

    sep = t("names_sep", lang)
    for c in result.communities:
        found = ", ".join(f"{r}×{n}" for r, n in c.findings.items() if n)
        table.add_row(c.name, t("yes" if c.ok else "no", lang), found, sep.join(c.overlaps),
                      "" if c.employees is None else str(c.employees),
                      "" if c.community_class is None else class_label(c.community_class, lang))
    out.print(table)
    failing = sum(not c.ok for c in result.communities)
    out.print(t("audit_summary", lang, count=len(result.communities), failing=failing,
                overlaps=len(result.overlaps)), highlight=False)


@reports_errors
def audit_command(
    communities: Annotated[str, typer.Argument(help=t("help_communities", CLI_LANG))],
    context: ContextOption,
    fmt: Annotated[str, format_option(N_("help_format_text_json"))] = "text",
    output: OutputOption = None,
    rules: RulesOption = None,
    crs: CrsOption = None,
    lang: LangOption = CLI_LANG,
) -> None:
    """Re-validate every community of a layer against the context's current data and rules,
    and find the overlaps between them (exit 1 if any community has errors or two overlap)."""
    import pyproj

    from geo.audit import audit, communities_from_frame
    from geo.io import read_layer
    from geo.rules import load_rules

    require_format(fmt, ("text", "json"), lang)
    if output is not None and output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise typer.BadParameter(t("audit_output_suffix", lang, path=output,
                                   allowed=", ".join(OUTPUT_SUFFIXES)))
    town_rules = load_rules(rules)
    ctx = read_town(context, town_rules)
    frame = read_layer(communities, crs=crs)
    proposals, codes = communities_from_frame(frame, source=communities,
                                              columns=town_rules.proposal)
    result = audit(proposals, ctx, codes=codes)
    if output is not None:
        _write(result, ctx, output, pyproj.CRS.from_user_input(frame.crs), lang)
    if fmt == "json":
        json_out(result.to_dict(), None)
    elif output is None or output.suffix.lower() != ".json":
        _show(result, lang)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)
