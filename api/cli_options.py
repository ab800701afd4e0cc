"""What every ``sijie`` command shares: its options, its consoles, its exit codes, and the one
way a command reads its proposal and context (a typed input error becomes exit code 2).

Exit codes (DESIGN.md): 0 done and no errors found, 1 done and the proposal has errors,
2 the input could not be used (the message on stderr names the file, layer, row and why).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from api.i18n import Lang, label
from geo.errors import SijieError

if TYPE_CHECKING:
    from geo.context import Context
    from geo.proposal import Proposal

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "CodeOption",
    "ContextOption",
    "CrsOption",
    "FeatureOption",
    "GpkgOutput",
    "LangOption",
    "NameOption",
    "OutputOption",
    "ProposalArg",
    "RulesOption",
    "TypeOption",
    "YearOption",
    "err",
    "format_option",
    "out",
    "read_inputs",
    "reports_errors",
    "require_format",
]

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])

LangOption = Annotated[Lang, typer.Option("--lang", help="Language of tables and messages.")]
RulesOption = Annotated[
    Path | None, typer.Option("--rules", help="TOML rules file overriding the defaults.")
]
ProposalArg = Annotated[str, typer.Argument(
    help="The proposal: any file GDAL reads; FILE:LAYER picks a layer.")]
ContextOption = Annotated[str, typer.Option(
    "--context", help="The context: a GeoPackage with neighbours, roads and more.")]
FeatureOption = Annotated[str | None, typer.Option(
    "--feature", help="The proposal's name, when its layer holds several.")]
CrsOption = Annotated[str | None, typer.Option(
    "--crs", help="CRS of a proposal file that names none (EPSG:4549, GCJ02 ...).")]
NameOption = Annotated[str | None, typer.Option(
    "--name", help="The community's name, in place of the file's.")]
TypeOption = Annotated[str | None, typer.Option(
    "--type", help="The community's type (工业社区 industrial / 楼宇社区 building), in place of "
    "the file's.")]
GpkgOutput = Annotated[Path, typer.Option("-o", "--output", help="GeoPackage to write.")]
OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")]
CodeOption = Annotated[str | None, typer.Option(
    "--code", help="The community's code; grid codes extend it.")]
YearOption = Annotated[int | None, typer.Option(
    "--year", help="Funding year (default: this year); the standard rises 5 % a year.")]


def format_option(choices: str) -> Any:
    """The ``--format`` option of a command that writes ``choices`` (e.g. "text or json")."""
    return typer.Option("--format", help=choices)


def reports_errors(func: F) -> F:
    """Turn sijie's typed errors into exit code 2 with one clear line on stderr, in the
    command's ``--lang`` (Chinese unless ``--lang en``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SijieError as exc:
            text = escape(exc.message(kwargs.get("lang", Lang.zh)))
            err.print(f"[bold red]sijie:[/] {text}", markup=True, highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


def require_format(fmt: str, allowed: tuple[str, ...], lang: Lang = Lang.zh) -> None:
    """Refuse a ``--format`` the command does not write (usage error, naming the choices)."""
    if fmt not in allowed:
        raise typer.BadParameter(label("format_must_be", lang, allowed=", ".join(allowed), got=fmt))


def read_inputs(proposal: str, context: str, *, rules: Path | None = None,
                feature: str | None = None, crs: str | None = None, name: str | None = None,
                type_: str | None = None) -> tuple[Proposal, Context]:
    """The proposal and the context, read and checked as every command reads them.

    ``name`` and ``type_`` replace the proposal's own (``type_`` in the bureau's words or
    sijie's); the typed input errors are left to :func:`reports_errors`.
    """
    from geo.io import read_context, read_layer
    from geo.proposal import TYPE_ALIASES, proposal_from_frame
    from geo.rules import load_rules

    rule_set = load_rules(rules)
    ctx = read_context(context, rule_set)
    frame = read_layer(proposal, crs=crs)
    prop = proposal_from_frame(frame, feature=feature, source=proposal)
    if name is not None:
        prop = dataclasses.replace(prop, name=name)
    if type_ is not None:
        prop = dataclasses.replace(prop, type=TYPE_ALIASES.get(type_.strip(), type_.strip()),
                                   raw_type=type_)
    return prop, ctx
