"""The validation report as a reviewer reads it in a terminal (rich tables)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from geo.i18n import N_, Lang, t
from geo.validate import Report

__all__ = ["print_report"]

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_METRICS = {"area_m2": N_("metric_area_m2"), "perimeter_m": N_("metric_perimeter_m"),
            "edge_share": N_("metric_edge_share"), "polsby_popper": N_("metric_polsby_popper"),
            "hull_ratio": N_("metric_hull_ratio"),
            "industrial_share": N_("metric_industrial_share"),
            "employees": N_("metric_employees"), "enterprises": N_("metric_enterprises"),
            "employees_verified": N_("metric_employees_verified")}


def _metric(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def print_report(report: Report, console: Console, lang: Lang) -> None:
    """Verdict, metrics, findings with rule and clause, and the neighbours' changes."""
    verdict = t("verdict_ok" if report.ok else "verdict_has_errors", lang)
    console.print(f"[bold]{report.proposal}[/] — {verdict}", highlight=False)
    given, work = report.crs_names()
    console.print(t("report_crs_line", lang, crs=given, work_crs=work), highlight=False)
    metrics = Table(title=t("metrics", lang), show_header=False)
    for key, value in report.metrics.items():
        metrics.add_row(t(_METRICS[key], lang), _metric(value))
    console.print(metrics)
    if report.findings:
        table = Table(title=t("findings", lang))
        for key in (N_("rule"), N_("severity"), N_("clause"), N_("message")):
            table.add_column(t(key, lang), no_wrap=key != "message", overflow="fold")
        for f in report.findings:
            table.add_row(f.rule, f"[{_STYLE[f.severity]}]{t(f.severity, lang)}[/]", f.basis(lang),
                          f.message(lang.value))
        console.print(table)
    if report.neighbours:
        table = Table(title=t("neighbours", lang))
        for key in (N_("name"), N_("area_given"), N_("area_left"), N_("valid"),
                    N_("contiguous")):
            table.add_column(t(key, lang))
        for n in report.neighbours:
            table.add_row(n.name, f"{n.area_given_m2:,.0f}", f"{n.area_left_m2:,.0f}",
                          t("yes" if n.valid else "no", lang),
                          t("yes" if n.contiguous else "no", lang))
        console.print(table)
