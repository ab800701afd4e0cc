"""The print-ready 现状图 and 布局图 (001 § 二(一)4(1)): rendered pages are the paper size and
not blank, the text layer holds the title, the north arrow's N, the scale and every village
name, the same input gives the same bytes, and bad choices are refused."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from api.printing import Printing, print_map
from geo.i18n import Lang
from geo.profile import community_profile
from maps.printed import Paper, PrintFormat, PrintKind, nice_scale
from tests.maps.conftest import DEMO
from tests.maps.printed import page_images, page_text

DAY = dt.date(2026, 6, 30)
SIJIE = Path(sys.executable).with_name("sijie")
GOOD = str(DEMO / "proposals" / "good_industrial.gpkg")
CONTEXT = str(DEMO / "context.gpkg")
A3_MM = (420.0, 297.0)


@pytest.fixture(scope="session")
def sheets(ctx, good, tmp_path_factory) -> dict[str, Path]:
    """Both sheets of the good proposal as PDF (A3, Chinese), and the 布局图 as PNG."""
    folder = tmp_path_factory.mktemp("printed")
    written = {}
    for kind in PrintKind:
        path = folder / f"{kind.name}.pdf"
        path.write_bytes(print_map(kind, good, ctx, PrintFormat.pdf, Printing(date=DAY)))
        written[kind.name] = path
    png = folder / "layout.png"
    png.write_bytes(print_map(PrintKind.layout, good, ctx, PrintFormat.png, Printing(date=DAY)))
    written["layout_png"] = png
    return written


@pytest.fixture(scope="session")
def villages(ctx, good) -> list[str]:
    """The villages and communities that give land to the good proposal."""
    names = list(community_profile(good, ctx, year=DAY.year).neighbours)
    assert len(names) >= 3
    return names


def _mm(points: float) -> float:
    return float(points) / 72 * 25.4


@pytest.mark.parametrize("kind", ["status", "layout"])
def test_each_pdf_page_renders_at_a3_landscape_and_is_not_blank(sheets, kind, tmp_path):
    reader = PdfReader(sheets[kind])
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (_mm(box.width), _mm(box.height)) == pytest.approx(A3_MM, abs=0.5)
    images = page_images(sheets[kind], tmp_path)
    assert len(images) == 1
    height, width, _ = images[0].shape
    assert (width, height) == pytest.approx((420 / 25.4 * 40, 297 / 25.4 * 40), abs=2)
    ink = (images[0].mean(axis=2) < 0.9).mean()  # share of pixels that are not paper-white
    assert ink > 0.15, f"page looks blank: {ink:.1%} inked"
    assert images[0].std() > 0.1


@pytest.mark.parametrize(("kind", "title"), [("status", "澥川新材料工业社区现状图"),
                                             ("layout", "澥川新材料工业社区布局图")])
def test_text_layer_holds_title_north_arrow_scale_and_village_names(sheets, villages, kind,
                                                                    title):
    text = page_text(sheets[kind])
    words = text.split()
    assert title in words
    assert "N" in words  # the north arrow's letter
    scales = {w for w in words if w.startswith("1:") and w[2:].isdigit()}
    assert len(scales) == 1 and int(next(iter(scales))[2:]) in (2_000, 2_500, 5_000, 10_000,
                                                                20_000)
    for name in villages:
        assert name in text, f"{name} not in the {kind} sheet's text"
    assert "澥川街道" in text and "EPSG:4549" in text and "2026-06-30" in text


def test_layout_lists_every_enterprise_with_its_number(sheets, ctx, good):
    from geo.profile.application import enterprises_inside

    firms = enterprises_inside(good.to_crs(ctx.crs), ctx)
    text = page_text(sheets["layout"])
    assert "管辖企业（59 家）" in text
    for firm in firms:
        assert f"{firm.number}. {firm.name[:8]}" in text
    profile = community_profile(good, ctx, year=DAY.year)
    for side, names in profile.four_sides.items():
        for name in names:
            assert name in text, f"四至 {side}: {name} missing"


def test_fonts_are_embedded_truetype_so_the_text_is_searchable(sheets):
    reader = PdfReader(sheets["layout"])
    fonts = reader.pages[0]["/Resources"]["/Font"]
    kinds = {fonts[f].get_object()["/Subtype"] for f in fonts}
    assert kinds == {"/Type0"}  # CID fonts with TrueType outlines (Type 42), not Type 3
    descendant = fonts[next(iter(fonts))].get_object()["/DescendantFonts"][0].get_object()
    assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
    assert "WenQuanYi" in str(descendant["/BaseFont"])


def test_png_sheet_is_a3_at_150_dpi(sheets):
    from matplotlib.image import imread

    image = imread(sheets["layout_png"])
    assert image.shape[:2] == pytest.approx((297 / 25.4 * 150, 420 / 25.4 * 150), abs=1)
    assert (image[..., :3].mean(axis=2) < 0.9).mean() > 0.15


def test_same_input_gives_the_same_bytes(ctx, good, sheets):
    again = print_map(PrintKind.status, good, ctx, PrintFormat.pdf, Printing(date=DAY))
    assert again == sheets["status"].read_bytes()


def test_a4_and_english_on_request(ctx, good, tmp_path):
    path = tmp_path / "status_en.pdf"
    path.write_bytes(print_map(PrintKind.status, good, ctx, PrintFormat.pdf,
                               Printing(paper=Paper.A4, lang=Lang.en, date=DAY)))
    box = PdfReader(path).pages[0].mediabox
    assert (_mm(box.width), _mm(box.height)) == pytest.approx((297.0, 210.0), abs=0.5)
    text = page_text(path)
    assert "current-state map" in text and "Scale" in text and "Data sources" in text


def test_scale_is_the_smallest_round_fraction_that_fits():
    # 2,000 m wide on a 200 mm frame needs 1:10,000; 2,001 m needs the next round scale
    assert nice_scale((2_000.0, 100.0), (200.0, 100.0)) == 10_000
    assert nice_scale((2_001.0, 100.0), (200.0, 100.0)) == 20_000
    assert nice_scale((100.0, 1_500.0), (200.0, 100.0)) == 20_000


def _sijie(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LANG")}
    return subprocess.run([str(SIJIE), "print", *args], capture_output=True, text=True,
                          timeout=300, env=env | {"LANG": "C.UTF-8"}, cwd=cwd)


def test_cli_prints_the_layout_pdf_with_english_kind_names(tmp_path):
    out = tmp_path / "layout.pdf"
    done = _sijie(GOOD, "--context", CONTEXT, "--kind", "layout", "-o", str(out),
                  "--date", "2026-06-30", "--paper", "A4")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF") and "布局图" in done.stderr


@pytest.mark.parametrize(("args", "said"), [
    (("--kind", "平面图", "-o", "x.pdf"), "平面图"),
    (("--kind", "布局图", "-o", "x.svg"), "x.svg"),
    (("--kind", "布局图", "-o", "x.pdf", "--paper", "B5"), "B5"),
])
def test_cli_refuses_a_bad_kind_format_or_paper_naming_it(tmp_path, args, said):
    done = _sijie(GOOD, "--context", CONTEXT, *args, cwd=tmp_path)
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_inked_share_measure_sees_a_blank_page(tmp_path):
    """The blank-page check of these tests fails on a white page (it can fail)."""
    from matplotlib.figure import Figure

    blank = tmp_path / "blank.pdf"
    Figure(figsize=(420 / 25.4, 297 / 25.4)).savefig(blank)
    image = page_images(blank, tmp_path / "png")[0]
    assert (image.mean(axis=2) < 0.9).mean() == 0.0 and np.isclose(image.std(), 0.0)


def test_the_polygons_of_a_collection_are_drawn():
    """Land a village gives up can come out of the overlay as a geometry collection."""
    from matplotlib.figure import Figure
    from shapely.geometry import GeometryCollection, LineString, box

    from maps.printed.draw import draw_polygons

    ax = Figure().add_subplot()
    draw_polygons(ax, [GeometryCollection([box(0, 0, 1, 1), LineString([(0, 0), (2, 2)])])],
                  facecolor="red")
    assert len(ax.collections) == 1 and len(ax.collections[0].get_paths()) == 1


def test_cli_refuses_to_print_a_boundary_that_is_not_a_valid_polygon(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Polygon

    bowtie = Polygon([(655_000, 3_316_000), (656_000, 3_317_000), (656_000, 3_316_000),
                      (655_000, 3_317_000)])
    path = tmp_path / "bowtie.gpkg"
    gpd.GeoDataFrame({"name": ["澥川蝴蝶工业社区"], "type": ["工业社区"]}, geometry=[bowtie],
                     crs="EPSG:4549").to_file(path, layer="proposal")
    done = _sijie(str(path), "--context", CONTEXT, "--kind", "布局图", "-o", "x.pdf",
                  cwd=tmp_path)
    assert done.returncode == 2 and "无法制图" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x.pdf").exists()
