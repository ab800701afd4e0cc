"""``sijie print``: the 现状图 or 布局图 of a proposal as a print-ready PDF or PNG sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from api.cli_options import (
    CLI_LANG,
    EXIT_BAD_INPUT,
    CodeOption,
    ProposalInputs,
    err,
    proposal_command,
)
from geo.i18n import t

__all__ = ["print_command"]


@proposal_command
def print_command(
    inputs: ProposalInputs,
    kind: Annotated[str, typer.Option("--kind", help=t("help_print_kind", CLI_LANG))],
    output: Annotated[Path, typer.Option("-o", "--output", help=t("help_print_output", CLI_LANG))],
    paper: Annotated[str, typer.Option("--paper", help=t("help_print_paper", CLI_LANG))] = "A3",
    date: Annotated[dt.datetime | None, typer.Option(
        "--date", formats=["%Y-%m-%d"], help=t("help_print_date", CLI_LANG))] = None,
    code: CodeOption = None,
) -> None:
    """Draw the 现状图 (status) or 布局图 (layout) of the application on an A3 or A4 landscape
    sheet: title block, north arrow, scale bar with 1:N, legend, coordinate ticks."""
    from api.printing import Printing, print_map
    from maps.printed import Paper, PrintFormat, PrintKind

    chosen, sheet = PrintKind.parse(kind), Paper.parse(paper)  # refused before reading files
    fmt = PrintFormat.of_path(output)
    prop, ctx = inputs.read()
    data = print_map(chosen, prop, ctx, fmt, Printing(sheet, inputs.lang,
                                                      None if date is None else date.date()),
                     code=code)
    try:
        output.write_bytes(data)
    except OSError as exc:
        err.print(f"[bold red]sijie:[/] cannot write {output}: {exc.strerror}", markup=True,
                  highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    err.print(t("print_written", inputs.lang, path=output, kind=chosen.value), highlight=False)
