"""Word (.docx) building blocks of the application's documents: an A4 page set in a Chinese
font, headings, paragraphs, bordered tables and pictures (python-docx)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table

__all__ = ["FONT", "heading", "new_document", "paragraph", "picture", "save", "table"]

#: the East Asian and Latin font of the documents (Word substitutes a local one if absent)
FONT = "SimSun"
LATIN = "Times New Roman"


def new_document(title: str, *, landscape: bool = False) -> DocumentObject:
    """A blank A4 document whose normal style is 12 pt 宋体, with ``title`` centred on top."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210),
                                                                                     Mm(297))
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(22))
    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(12)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT)
    doc.core_properties.title = title
    doc.core_properties.author = "sijie"
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(title)
    run.bold = True
    run.font.size = Pt(18)
    return doc


def heading(doc: DocumentObject, text: str) -> None:
    """A section heading (bold, 14 pt)."""
    para = doc.add_paragraph()
    run = para.add_run(text)
    run.bold = True
    run.font.size = Pt(14)


def paragraph(doc: DocumentObject, text: str, *, indent: bool = True) -> None:
    """A body paragraph, its first line indented by two characters as Chinese documents are."""
    para = doc.add_paragraph(text)
    if indent:
        para.paragraph_format.first_line_indent = Pt(24)


def table(doc: DocumentObject, header: Sequence[str] | None,
          rows: Sequence[Sequence[str]], widths_mm: Sequence[float] | None = None) -> Table:
    """A bordered table (style "Table Grid") with an optional bold header row."""
    columns = len(header) if header is not None else len(rows[0]) if rows else 1
    grid: Table = doc.add_table(rows=0, cols=columns)
    grid.style = doc.styles["Table Grid"]
    if header is not None:
        cells = grid.add_row().cells
        for cell, text in zip(cells, header, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    if widths_mm is not None:
        for row_cells in grid.rows:
            for cell, width in zip(row_cells.cells, widths_mm, strict=True):
                cell.width = Mm(width)
    doc.add_paragraph()
    return grid


def picture(doc: DocumentObject, image: Path, caption: str, width_mm: float = 165) -> None:
    """An image across the text width with a centred caption beneath."""
    doc.add_picture(str(image), width=Mm(width_mm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    para = doc.add_paragraph(caption)
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER


def save(doc: DocumentObject, path: str | Path) -> Path:
    """Write ``doc`` to ``path``."""
    path = Path(path)
    doc.save(str(path))
    return path
