"""The validation report as a reviewer reads it in a terminal (rich tables)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from api.i18n import Lang, label
from geo.validate import Report

__all__ = ["print_report"]

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _metric(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def print_report(report: Report, console: Console, lang: Lang) -> None:
    """Verdict, metrics, findings with rule and clause, and the neighbours' changes."""
    verdict = label("verdict_ok" if report.ok else "verdict_errors", lang)
    console.print(f"[bold]{report.proposal}[/] — {verdict}", highlight=False)
    metrics = Table(title=label("metrics", lang), show_header=False)
    for key, value in report.metrics.items():
        metrics.add_row(label(f"metric_{key}", lang), _metric(value))
    console.print(metrics)
    if report.findings:
        table = Table(title=label("findings", lang))
        for key in ("rule", "severity", "clause", "message"):
            table.add_column(label(key, lang), no_wrap=key != "message", overflow="fold")
        for f in report.findings:
            table.add_row(f.rule, f"[{_STYLE[f.severity]}]{label(f.severity, lang)}[/]", f.clause,
                          f.message(lang.value))
        console.print(table)
    if report.neighbours:
        table = Table(title=label("neighbours", lang))
        for key in ("name", "area_given", "area_left", "valid", "contiguous"):
            table.add_column(label(key, lang))
        for n in report.neighbours:
            table.add_row(n.name, f"{n.area_given_m2:,.0f}", f"{n.area_left_m2:,.0f}",
                          label("yes" if n.valid else "no", lang),
                          label("yes" if n.contiguous else "no", lang))
        console.print(table)
