"""The printed sheet: paper, scale, frame, title block, north arrow, scale bar, coordinate
ticks, and the one way a sheet becomes PDF or PNG bytes (same input, same bytes).

Everything on a sheet is placed in millimetres of paper; the map is drawn at a representative
fraction 1:N chosen from a list of round scales so that the extent fits its frame.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import matplotlib
import numpy as np
import pyproj
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon as PolygonPatch
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter

from geo.errors import InputError
from geo.i18n import N_, t

__all__ = ["FONT_FAMILY", "MM", "Frame", "Paper", "PrintFormat", "PrintKind", "Sheet",
           "crs_text", "draw_frame", "nice_scale", "render", "sheet_frame"]

MM = 1 / 25.4  # inches per millimetre
#: the Chinese font the sheets are set in (Debian fonts-wqy-microhei), then a Latin fallback
FONT_FAMILY = ["WenQuanYi Micro Hei", "DejaVu Sans"]
_FONT_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",)
#: the representative fractions a sheet may use (1:N)
_SCALES = (500, 1_000, 2_000, 2_500, 5_000, 10_000, 20_000, 25_000, 50_000, 100_000, 200_000,
           250_000, 500_000, 1_000_000)
_PNG_DPI = 150


class PrintKind(StrEnum):
    """The two maps of the application (001 § 二(一)4(1))."""

    status = "现状图"  # the community's area and its surroundings as they are
    layout = "布局图"  # the four sides, the neighbours' changes, enterprises, grids, centre

    @classmethod
    def parse(cls, value: str) -> PrintKind:
        """The kind named ``value`` in Chinese (the contract) or English (status / layout)."""
        text = value.strip()
        for kind in cls:
            if text in (kind.value, kind.name):
                return kind
        raise InputError(message_key="print_kind_unknown", field="kind",
                         params={"kind": value, "choices": "现状图 (status), 布局图 (layout)"})


class Paper(StrEnum):
    """Landscape paper sizes (width × height in mm)."""

    A3 = "A3"
    A4 = "A4"

    @property
    def size_mm(self) -> tuple[float, float]:
        return (420.0, 297.0) if self is Paper.A3 else (297.0, 210.0)

    @classmethod
    def parse(cls, value: str) -> Paper:
        try:
            return cls(value.strip().upper())
        except ValueError:
            raise InputError(message_key="print_paper_unknown", field="paper",
                             params={"paper": value, "choices": "A3, A4"}) from None


class PrintFormat(StrEnum):
    pdf = "pdf"
    png = "png"

    @classmethod
    def of_path(cls, path: str | Path) -> PrintFormat:
        """The format an output file's suffix asks for (.pdf or .png)."""
        suffix = Path(path).suffix.lower().lstrip(".")
        try:
            return cls(suffix)
        except ValueError:
            raise InputError(message_key="print_format_unknown", path=str(path),
                             params={"path": str(path)}) from None


@dataclass(frozen=True)
class Sheet:
    """What the title block says and how the sheet is laid out."""

    community: str
    town: str
    date: dt.date
    crs: pyproj.CRS
    sources: str
    lang: str = "zh"
    paper: Paper = Paper.A3


@dataclass(frozen=True)
class Frame:
    """Where things go on a sheet (millimetres from the lower-left corner of the paper)."""

    width: float
    height: float
    map_box: tuple[float, float, float, float]  # left, bottom, width, height
    panel_box: tuple[float, float, float, float]  # the side panel right of the map

    def fraction(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """``box`` (mm) as a figure-fraction rectangle."""
        left, bottom, w, h = box
        return (left / self.width, bottom / self.height, w / self.width, h / self.height)

    @property
    def small(self) -> float:
        """How much smaller the type is than on A3 (A4: 0.75)."""
        return self.width / 420.0


def sheet_frame(paper: Paper) -> Frame:
    """The sheet's parts: a 10 mm margin, the title on top, the map left, the panel right."""
    width, height = paper.size_mm
    k = width / 420.0
    margin, title, panel = 10.0 * k, 18.0 * k, 100.0 * k
    map_box = (margin + 6 * k, margin + 6 * k, width - 2 * margin - panel - 12 * k,
               height - 2 * margin - title - 8 * k)
    panel_box = (width - margin - panel, margin, panel, height - 2 * margin - title)
    return Frame(width, height, map_box, panel_box)


def nice_scale(extent_m: tuple[float, float], frame_mm: tuple[float, float]) -> int:
    """The smallest round denominator N at which an extent of ``extent_m`` (width, height in
    metres) fits a map frame of ``frame_mm`` (millimetres)."""
    needed = max(extent_m[0] / (frame_mm[0] / 1000.0), extent_m[1] / (frame_mm[1] / 1000.0))
    for scale in _SCALES:
        if scale >= needed:
            return scale
    return int(np.ceil(needed / 1_000_000) * 1_000_000)


def crs_text(crs: pyproj.CRS) -> str:
    """The CRS as a title block names it: its name and EPSG code."""
    epsg = crs.to_epsg()
    return f"{crs.name} (EPSG:{epsg})" if epsg else crs.name


def _nice_step(span: float, count: int) -> float:
    raw = span / count
    power = 10 ** np.floor(np.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return float(factor * power)
    return float(10 * power)


def _pt(frame: Frame, size: float) -> float:
    return size * frame.small


def draw_frame(fig: Figure, frame: Frame, sheet: Sheet, title: str,
               bounds: tuple[float, float, float, float]) -> tuple[Axes, int]:
    """The sheet's fixed parts around a map of ``bounds`` (minx, miny, maxx, maxy in the
    sheet's CRS): the outer frame, the title, the map axes at a round scale with coordinate
    ticks, the north arrow, the scale bar and the title block. The map axes and the scale."""
    border = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    border.set_axis_off()
    border.set_xlim(0, frame.width)
    border.set_ylim(0, frame.height)
    margin = 10.0 * frame.small
    border.add_patch(Rectangle((margin, margin), frame.width - 2 * margin,
                               frame.height - 2 * margin, fill=False, linewidth=1.2))
    border.text(frame.width / 2, frame.height - margin - 9 * frame.small, title,
                ha="center", va="center", fontsize=_pt(frame, 20))
    _, _, width, height = frame.map_box
    scale = nice_scale((bounds[2] - bounds[0], bounds[3] - bounds[1]), (width, height))
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    half_w, half_h = width / 1000.0 * scale / 2, height / 1000.0 * scale / 2
    ax = fig.add_axes(frame.fraction(frame.map_box))
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)
    ax.set_facecolor("white")
    _coordinate_ticks(ax, frame, (cx - half_w, cx + half_w), (cy - half_h, cy + half_h))
    _north_arrow(ax, frame)
    _scale_bar(ax, frame, scale, half_w * 2)
    _title_block(border, frame, sheet, scale)
    return ax, scale


def _coordinate_ticks(ax: Axes, frame: Frame, xs: tuple[float, float],
                      ys: tuple[float, float]) -> None:
    """Ticks at round metre values along the frame, labelled on all four sides."""
    step = _nice_step(max(xs[1] - xs[0], ys[1] - ys[0]), 6)
    for axis, (low, high) in ((ax.xaxis, xs), (ax.yaxis, ys)):
        values = np.arange(np.ceil(low / step) * step, high, step)
        axis.set_major_locator(FixedLocator(values.tolist()))
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}"))
    ax.tick_params(axis="both", which="major", direction="in", length=4 * frame.small,
                   labelsize=_pt(frame, 6), top=True, right=True, labeltop=True,
                   labelright=True)
    ax.tick_params(axis="y", labelrotation=90)
    for label in ax.get_yticklabels():
        label.set_verticalalignment("center")
    for spine in ax.spines.values():
        spine.set_linewidth(0.8)


def _north_arrow(ax: Axes, frame: Frame) -> None:
    """An arrow pointing up (grid north of the projected map) with the letter N above it."""
    x, y, h = 0.955, 0.88, 0.06
    w = h * 0.45 * ax.bbox.height / ax.bbox.width
    left = PolygonPatch([(x, y + h), (x - w / 2, y), (x, y + h * 0.28)], closed=True,
                        transform=ax.transAxes, facecolor="black", edgecolor="black", zorder=20)
    right = PolygonPatch([(x, y + h), (x + w / 2, y), (x, y + h * 0.28)], closed=True,
                         transform=ax.transAxes, facecolor="white", edgecolor="black", zorder=20)
    ax.add_patch(left)
    ax.add_patch(right)
    ax.text(x, y + h + 0.012, "N", transform=ax.transAxes, ha="center", va="bottom",
            fontsize=_pt(frame, 14), zorder=20)


def _scale_bar(ax: Axes, frame: Frame, scale: int, span_m: float) -> None:
    """Four alternating segments of a round length (about a fifth of the map's width), their
    lengths in metres, and the representative fraction beneath."""
    length = _nice_step(span_m / 5, 1)
    segment = length / 4
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    left = x0 + (x1 - x0) * 0.03
    base = y0 + (y1 - y0) * 0.05
    height = (y1 - y0) * 0.008
    backing = Rectangle((left - segment * 0.3, base - height * 4.2), length + segment * 0.9,
                        height * 8.5, facecolor="white", edgecolor="none", alpha=0.85, zorder=19)
    ax.add_patch(backing)
    for i in range(4):
        ax.add_patch(Rectangle((left + i * segment, base), segment, height,
                               facecolor="black" if i % 2 == 0 else "white", edgecolor="black",
                               linewidth=0.6, zorder=20))
    for i in (0, 2, 4):
        value = i * segment
        text = f"{value:.0f}" if i < 4 else f"{value:.0f} m"
        ax.text(left + value, base + height * 1.6, text, ha="center", va="bottom",
                fontsize=_pt(frame, 6.5), zorder=21)
    ax.text(left + length / 2, base - height * 0.8, f"1:{scale}", ha="center", va="top",
            fontsize=_pt(frame, 8), zorder=21)


def _title_block(border: Axes, frame: Frame, sheet: Sheet, scale: int) -> None:
    """The table at the panel's foot: community, town, date, CRS, sources, scale."""
    lang = sheet.lang
    rows = [(t(N_("print_block_community"), lang), sheet.community),
            (t(N_("print_block_town"), lang), sheet.town or "—"),
            (t(N_("print_block_scale"), lang), f"1:{scale}"),
            (t(N_("print_block_crs"), lang), crs_text(sheet.crs)),
            (t(N_("print_block_sources"), lang), sheet.sources),
            (t(N_("print_block_date"), lang), sheet.date.isoformat())]
    left, bottom, width, _ = frame.panel_box
    row_h = 7.0 * frame.small
    label_w = 26.0 * frame.small
    top = bottom + row_h * len(rows)
    border.add_patch(Rectangle((left, bottom), width, top - bottom, fill=False, linewidth=1.0))
    for i, (label, value) in enumerate(rows):
        y = top - (i + 1) * row_h
        border.plot([left, left + width], [y, y], color="black", linewidth=0.5)
        border.text(left + 1.5 * frame.small, y + row_h / 2, label, va="center",
                    fontsize=_pt(frame, 7))
        border.text(left + label_w, y + row_h / 2, value, va="center",
                    fontsize=_pt(frame, 6.5 if len(value) < 40 else 5.5), wrap=False)
    border.plot([left + label_w - 1.5 * frame.small] * 2, [bottom, top], color="black",
                linewidth=0.5)


@cache
def _register_fonts() -> None:
    """Make the sheet's Chinese font known to matplotlib (refused clearly when absent)."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    if FONT_FAMILY[0] in names:
        return
    for path in _FONT_FILES:
        if Path(path).exists():
            font_manager.fontManager.addfont(path)
            return
    raise InputError(message_key="print_font_missing", params={"font": FONT_FAMILY[0]})


@contextmanager
def _style() -> Iterator[None]:
    """The sheets' matplotlib settings, for the time of one drawing: TrueType (Type 42) fonts
    embedded so the PDF's text can be searched and copied, no hash salt, no dates."""
    _register_fonts()
    with matplotlib.rc_context({
        "font.family": FONT_FAMILY,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.hashsalt": "sijie",
        "axes.unicode_minus": False,
        "path.simplify": False,
        "hatch.linewidth": 0.6,
    }):
        yield


def render(draw: Callable[[Figure], None], paper: Paper, fmt: PrintFormat) -> bytes:
    """Draw a sheet of ``paper`` with ``draw`` and return it as PDF or PNG bytes; the same
    drawing gives the same bytes (no creation date, fixed producer)."""
    width, height = paper.size_mm
    buffer = io.BytesIO()
    with _style():
        fig = Figure(figsize=(width * MM, height * MM))
        draw(fig)
        for ax in fig.axes:
            ax.set_xlabel("")
            ax.set_ylabel("")
        if fmt is PrintFormat.pdf:
            fig.savefig(buffer, format="pdf", metadata={
                "CreationDate": None, "ModDate": None, "Producer": "sijie",
                "Creator": "sijie"})
        else:
            fig.savefig(buffer, format="png", dpi=_PNG_DPI, metadata={"Software": "sijie"})
    return buffer.getvalue()
