"""``sijie map``: a proposal's map as one self-contained HTML page (works with no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_options import CLI_LANG, EXIT_BAD_INPUT, ProposalInputs, err, proposal_command
from geo.i18n import t

__all__ = ["map_command"]


@proposal_command
def map_command(
    inputs: ProposalInputs,
    output: Annotated[Path, typer.Option("-o", "--output", help=t("help_map_output", CLI_LANG))],
    kind: Annotated[str, typer.Option(
        "--kind", help=t("help_map_kind", CLI_LANG))] = "validation",
    public: Annotated[bool, typer.Option(
        "--public", help=t("help_map_public", CLI_LANG))] = False,
    basemap: Annotated[str, typer.Option(
        "--basemap", help=t("help_map_basemap", CLI_LANG))] = "plain",
    tianditu_token: Annotated[str | None, typer.Option(
        "--tianditu-token", envvar="SIJIE_TIANDITU_TOKEN",
        help=t("help_map_token", CLI_LANG))] = None,
) -> None:
    """Draw the proposal's validation, adjustment, grids, facility sites or public briefing
    map; the page carries its own scripts, so it opens from a USB stick with no network."""
    from api.registry import draw_map
    from maps import Basemap, MapKind, page_html

    map_kind = MapKind.public if public else MapKind.parse(kind)
    chosen = Basemap.parse(basemap)  # refuse a bad name before reading any file
    prop, ctx = inputs.read()
    m = draw_map(map_kind, prop, ctx,
                 {"lang": inputs.lang.value, "basemap": chosen, "tianditu_token": tianditu_token},
                 lambda entry: entry.run(prop, ctx, {}))
    try:
        output.write_text(page_html(m), encoding="utf-8")
    except OSError as exc:
        err.print(f"[bold red]sijie:[/] cannot write {output}: {exc.strerror}", markup=True,
                  highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    err.print(t("map_written", inputs.lang, path=output, kind=map_kind.value, basemap=chosen.value),
              highlight=False)
