"""``sijie employment import``: the 区人力社保局's verified employment figures (核定就业人数,
001 § 三(一)) checked and stored in the context file (registered on the ``sijie`` app in
:mod:`api.cli`).

Exit codes: 0 the figures were stored, 2 nothing was stored (the table has errors, or
warnings that were not accepted with ``--accept-warnings``, or it could not be read).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from api.cli_options import (
    CLI_LANG,
    EXIT_BAD_INPUT,
    EXIT_OK,
    ContextOption,
    LangOption,
    RulesOption,
    err,
    format_option,
    json_out,
    out,
    reports_errors,
    require_format,
)
from geo.i18n import N_, t

__all__ = ["employment_app", "import_command"]

employment_app = typer.Typer(help=t("help_employment", CLI_LANG), no_args_is_help=True)


@employment_app.command("import", help=t("help_cmd_employment_import", CLI_LANG))
@reports_errors
def import_command(
    file: Annotated[str, typer.Argument(help=t("help_employment_file", CLI_LANG))],
    context: ContextOption,
    fmt: Annotated[str, format_option(N_("help_format_employment"))] = "text",
    accept_warnings: Annotated[bool, typer.Option(
        "--accept-warnings", help=t("help_accept_warnings", CLI_LANG))] = False,
    rules: RulesOption = None,
    lang: LangOption = CLI_LANG,
) -> None:
    """Check the table's every code and figure and store the figures in the context file;
    exit 2 and store nothing when it has errors or warnings not accepted."""
    from geo.employment import check_table, next_import_id
    from geo.io import read_context
    from geo.io.employment import append_figures, read_figures, read_table_file
    from geo.rules import load_rules

    require_format(fmt, ("text", "json"), lang)
    ruleset = load_rules(rules)
    ctx = read_context(context, ruleset)
    previous = read_figures(context)
    outcome = check_table(read_table_file(file), parcels=ctx.layer("parcels"),
                          previous=previous, rules=ruleset.employment, source=file)
    imported = outcome.importable(accept_warnings=accept_warnings)
    if imported:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        append_figures(context, outcome.stored(import_id=next_import_id(previous),
                                               source=Path(file).name, imported_at=now))
    if fmt == "json":
        json_out(outcome.to_dict(lang.value, imported=imported), None)
    else:
        out.print(t("employment_summary", lang, rows=outcome.rows, matched=outcome.matched,
                    employees=outcome.verified_employees), highlight=False)
        if outcome.parcels_without_figure:
            out.print(t("employment_without_figure", lang,
                        count=len(outcome.parcels_without_figure)), highlight=False)
    for line in outcome.lines(lang.value):
        err.print(line, highlight=False)
    if not imported:
        err.print(t("employment_refused_errors", lang, path=context) if outcome.errors
                  else t("employment_refused_warnings", lang, path=context), highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    err.print(t("employment_stored", lang, path=context), highlight=False)
    raise typer.Exit(EXIT_OK)
