"""What every ``sijie`` command shares: its options, its consoles, its exit codes, and the one
way a command reads its proposal and context (a typed input error becomes exit code 2).

Exit codes (DESIGN.md): 0 done and no errors found, 1 done and the proposal has errors,
2 the input could not be used (the message on stderr names the file, layer, row and why).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.abc
import importlib.util
import inspect
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any, Concatenate, NoReturn, TypeVar, cast

import typer

from geo.errors import SijieError
from geo.i18n import N_, Lang, lang_from_env, t

if TYPE_CHECKING:
    from rich.console import Console

    from api.analyses import Analysis
    from geo.context import Context
    from geo.proposal import Proposal
    from geo.rules import Rules

R = TypeVar("R")

__all__ = [
    "CLI_LANG",
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
    "ProposalInputs",
    "RulesOption",
    "TypeOption",
    "YearOption",
    "err",
    "finish",
    "format_option",
    "json_out",
    "localise_help",
    "out",
    "proposal_command",
    "read_town",
    "reports_errors",
    "require_format",
    "run_to_gpkg",
    "say",
    "startup_lang",
    "write_layers",
]

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


class _ConsoleOnUse:
    """A rich ``Console`` made when first used: rich is a twentieth of a second of imports that
    a command writing JSON or files never needs."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


#: stdout and stderr as rich consoles (tables, colours), made on first use
out = cast("Console", _ConsoleOnUse(soft_wrap=True))
err = cast("Console", _ConsoleOnUse(stderr=True, soft_wrap=True))


def say(text: str) -> None:
    """One plain line on stderr (what a command wrote where), as it is: no markup, no rich."""
    print(text, file=sys.stderr, flush=True)

F = TypeVar("F", bound=Callable[..., Any])


def startup_lang(argv: Sequence[str], environ: Mapping[str, str]) -> Lang:
    """The language a command line starts in: its ``--lang``, else ``LC_ALL`` or ``LANG``.

    Typer builds the help when the commands are declared, so the language of ``--help`` (and
    the default of ``--lang``) is chosen once, before the arguments are parsed.
    """
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return Lang.of(argv[i + 1])
        if arg.startswith("--lang="):
            return Lang.of(arg.removeprefix("--lang="))
    return lang_from_env(environ)


# typer's help renderer keeps its panel titles and markers as module constants: the message of each
_HELP_TEXTS = {"ARGUMENTS_PANEL_TITLE": N_("help_panel_arguments"),
               "OPTIONS_PANEL_TITLE": N_("help_panel_options"),
               "COMMANDS_PANEL_TITLE": N_("help_panel_commands"),
               "ERRORS_PANEL_TITLE": N_("help_panel_error"),
               "REQUIRED_LONG_STRING": N_("help_required")}
_RENDERER = "typer.rich_utils"


def _say_titles(renderer: ModuleType, lang: Lang) -> None:
    for constant, key in _HELP_TEXTS.items():
        setattr(renderer, constant, t(key, lang))


class _TitlesOnImport(importlib.abc.MetaPathFinder):
    """Sets the titles in typer's help renderer when typer first imports it (to show help or
    an error): a command that runs normally never loads it (rich markdown, pygments and
    tracebacks, about a tenth of a second)."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname != _RENDERER:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader, lang = spec.loader, self.lang
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            _say_titles(module, lang)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def localise_help(lang: Lang) -> None:
    """Say the panel titles and markers of ``--help`` and of usage errors in ``lang``: now if
    typer's help renderer is loaded, else as soon as typer loads it."""
    for finder in [f for f in sys.meta_path if isinstance(f, _TitlesOnImport)]:
        sys.meta_path.remove(finder)
    renderer = sys.modules.get(_RENDERER)
    if renderer is not None:
        _say_titles(renderer, lang)
    else:
        sys.meta_path.insert(0, _TitlesOnImport(lang))


#: the language of this command line's help, messages and tables unless --lang says otherwise
CLI_LANG = startup_lang(sys.argv[1:], os.environ)
localise_help(CLI_LANG)

LangOption = Annotated[Lang, typer.Option("--lang", help=t("help_lang", CLI_LANG))]
RulesOption = Annotated[
    Path | None, typer.Option("--rules", help=t("help_rules_file", CLI_LANG))
]
ProposalArg = Annotated[str, typer.Argument(
    help=t("help_proposal", CLI_LANG))]
ContextOption = Annotated[str, typer.Option(
    "--context", help=t("help_context", CLI_LANG))]
FeatureOption = Annotated[str | None, typer.Option(
    "--feature", help=t("help_feature", CLI_LANG))]
CrsOption = Annotated[str | None, typer.Option(
    "--crs", help=t("help_crs", CLI_LANG))]
NameOption = Annotated[str | None, typer.Option(
    "--name", help=t("help_name", CLI_LANG))]
TypeOption = Annotated[str | None, typer.Option(
    "--type", help=t("help_type", CLI_LANG))]
GpkgOutput = Annotated[Path, typer.Option("-o", "--output", help=t("help_gpkg_output", CLI_LANG))]
OutputOption = Annotated[Path | None, typer.Option(
    "-o", "--output", help=t("help_output", CLI_LANG))]
CodeOption = Annotated[str | None, typer.Option(
    "--code", help=t("help_code", CLI_LANG))]
YearOption = Annotated[int | None, typer.Option(
    "--year", help=t("help_year", CLI_LANG))]


def format_option(choices: str) -> Any:
    """The ``--format`` option of a command; ``choices`` is the message id of its help."""
    return typer.Option("--format", help=t(choices, CLI_LANG))


def reports_errors(func: F) -> F:
    """Turn sijie's typed errors into exit code 2 with one clear line on stderr, in the
    command's ``--lang`` (Chinese unless ``--lang en``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SijieError as exc:
            from rich.markup import escape

            text = escape(exc.message(kwargs.get("lang", CLI_LANG)))
            err.print(f"[bold red]sijie:[/] {text}", markup=True, highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


def require_format(fmt: str, allowed: tuple[str, ...], lang: Lang = Lang.zh) -> None:
    """Refuse a ``--format`` the command does not write (usage error, naming the choices)."""
    if fmt not in allowed:
        raise typer.BadParameter(t("format_must_be", lang, allowed=", ".join(allowed), got=fmt))


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProposalInputs:
    """What every command on a proposal is given: the proposal and its context, how to read
    them, and the language of its messages.

    ``name`` and ``type_`` replace the proposal's own (``type_`` in the bureau's words or
    sijie's); ``feature`` picks one feature of a proposal layer that has several.
    """

    proposal: str
    context: str
    rules: Path | None = None
    feature: str | None = None
    crs: str | None = None
    name: str | None = None
    type_: str | None = None
    lang: Lang = CLI_LANG

    def read(self) -> tuple[Proposal, Context]:
        """The proposal and the context, read and checked as every command reads them; the
        typed input errors are left to :func:`reports_errors`."""
        from geo.rules import load_rules

        rules = load_rules(self.rules)
        ctx = read_town(self.context, rules)
        return self.read_proposal(rules), ctx

    def read_proposal(self, rules: Rules) -> Proposal:
        """The proposal, read and checked as every command reads it.

        A plain GeoPackage with one feature layer and its own CRS is read with SQLite alone
        (:mod:`geo.io.gpkg_features`), sparing the command GDAL's bindings and pandas; every
        other file, and any ``--crs``, goes through :func:`geo.io.read_layer`. Both give the
        same proposal.
        """
        from geo.features import table_from_frame
        from geo.proposal import proposal_from_table

        table = None
        if self.crs is None:  # a declared CRS is settled by read_layer alone
            from geo.io.gpkg_features import read_gpkg_features

            table = read_gpkg_features(self.proposal)
        if table is None:
            from geo.io import read_layer

            table = table_from_frame(read_layer(self.proposal, crs=self.crs))
        return proposal_from_table(table, feature=self.feature, source=self.proposal,
                                   columns=rules.proposal, name=self.name, type_=self.type_)


def read_town(context: str, rules: Rules) -> Context:
    """The town's context as every command reads it: prepared, and kept prepared in the cache
    folder (``SIJIE_CACHE_DIR``) for the next command on the same file."""
    from geo.prepared.cache import cache_dir, read_prepared_context

    return read_prepared_context(context, rules, cache=cache_dir(os.environ))


def _proposal_options(
    proposal: ProposalArg,
    context: ContextOption,
    rules: RulesOption = None,
    feature: FeatureOption = None,
    crs: CrsOption = None,
    name: NameOption = None,
    type_: TypeOption = None,
    lang: LangOption = CLI_LANG,
) -> ProposalInputs:
    """The arguments and options of :class:`ProposalInputs` as the command line declares them."""
    return ProposalInputs(proposal=proposal, context=context, rules=rules, feature=feature,
                          crs=crs, name=name, type_=type_, lang=lang)


def proposal_command(func: Callable[Concatenate[ProposalInputs, ...], None]) -> Callable[..., None]:
    """A command on a proposal from ``func(inputs, *, <its own options>)``.

    The command line gets PROPOSAL, ``--context``, then ``func``'s own options, then
    ``--rules``, ``--feature``, ``--crs``, ``--name``, ``--type`` and ``--lang``; these shared
    ones reach ``func`` as one :class:`ProposalInputs`. Typed input errors become exit code 2
    (:func:`reports_errors`).
    """
    shared = list(inspect.signature(_proposal_options, eval_str=True).parameters.values())
    own = list(inspect.signature(func, eval_str=True).parameters.values())[1:]
    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in shared[:2] + own + shared[2:]]
    names = {p.name for p in shared}

    @functools.wraps(func)
    def command(**kwargs: Any) -> None:
        inputs = _proposal_options(**{key: kwargs.pop(key) for key in names})
        func(inputs, **kwargs)

    command.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
    return reports_errors(command)


def run_to_gpkg(entry: Analysis[R], inputs: ProposalInputs, output: Path,
                options: dict[str, Any]) -> R:
    """Read the inputs, run ``entry`` with ``options``, write its layers as the GeoPackage
    ``output`` and show the result on the console; the result, for the command's last words."""
    prop, ctx = inputs.read()
    result = entry.run(prop, ctx, options)
    write_layers(entry, result, prop, output, inputs.lang)
    entry.show(result, prop, ctx, out, inputs.lang)
    return result


def json_out(document: object, output: Path | None) -> None:
    """``document`` as indented JSON (non-ASCII kept) on stdout, or in the file ``output``."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")


def write_layers(entry: Analysis[R], result: R, proposal: Proposal, output: Path,
                 lang: Lang) -> None:
    """``result``'s layers as a new GeoPackage ``output``, in the proposal's CRS, field
    aliases in ``lang``."""
    from geo.io import write_gpkg

    output.unlink(missing_ok=True)
    for layer, frame in entry.layers(result, proposal).items():
        write_gpkg(frame.to_crs(proposal.crs), output, layer, lang=lang)


def finish(entry: Analysis[R], result: R) -> NoReturn:
    """End the command: exit 0 when ``result`` is free of errors, 1 otherwise."""
    raise typer.Exit(EXIT_OK if entry.ok(result) else EXIT_FINDINGS)
