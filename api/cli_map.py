"""``sijie map``: a proposal's map as one self-contained HTML page (works with no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_options import (
    EXIT_BAD_INPUT,
    ContextOption,
    CrsOption,
    FeatureOption,
    LangOption,
    NameOption,
    ProposalArg,
    RulesOption,
    TypeOption,
    err,
    read_inputs,
    reports_errors,
)
from api.i18n import Lang

__all__ = ["map_command"]

_WRITTEN = {Lang.zh: "地图已写入 {path}（{kind}，底图 {basemap}）",
            Lang.en: "Map written to {path} ({kind}, base map {basemap})"}


@reports_errors
def map_command(
    proposal: ProposalArg,
    context: ContextOption,
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")],
    kind: Annotated[str, typer.Option(
        "--kind", help="validation, adjustment, grid, facility or public.")] = "validation",
    public: Annotated[bool, typer.Option(
        "--public", help="The public briefing map (same as --kind public).")] = False,
    basemap: Annotated[str, typer.Option(
        "--basemap", help="plain (offline), osm, tianditu-vec, tianditu-img or amap.")] = "plain",
    tianditu_token: Annotated[str | None, typer.Option(
        "--tianditu-token", envvar="SIJIE_TIANDITU_TOKEN",
        help="Tianditu key (天地图密钥) for the tianditu base maps.")] = None,
    rules: RulesOption = None,
    feature: FeatureOption = None,
    crs: CrsOption = None,
    name: NameOption = None,
    type_: TypeOption = None,
    lang: LangOption = Lang.zh,
) -> None:
    """Draw the proposal's validation, adjustment, grids, facility sites or public briefing
    map; the page carries its own scripts, so it opens from a USB stick with no network."""
    from maps import Basemap, MapKind, build_map, page_html

    map_kind = MapKind.public if public else MapKind.parse(kind)
    chosen = Basemap.parse(basemap)  # refuse a bad name before reading any file
    prop, ctx = read_inputs(proposal, context, rules=rules, feature=feature, crs=crs, name=name,
                            type_=type_)
    m = build_map(map_kind, prop, ctx, lang=lang.value, basemap=chosen,
                  tianditu_token=tianditu_token)
    try:
        output.write_text(page_html(m), encoding="utf-8")
    except OSError as exc:
        err.print(f"[bold red]sijie:[/] cannot write {output}: {exc.strerror}", markup=True,
                  highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    err.print(_WRITTEN[lang].format(path=output, kind=map_kind.value, basemap=chosen.value),
              highlight=False)
