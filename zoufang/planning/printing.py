"""The printed look shared by the allocation tables and the walk lists: boxed xlsx sheets and A4 docx tables."""

import zipfile
from collections.abc import Collection, Iterable, Iterator
from copy import deepcopy
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt
from docx.table import Table
from lxml import etree
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from zoufang.core.docxfonts import FANGSONG, HEITI, set_body_font, set_fonts
from zoufang.core.sheetwriter import BOLD, TITLE, StreamSheet, fitted_height, print_on_a4
from zoufang.core.sheetwriter import GRID as BOX
from zoufang.core.xmltext import xml_text

CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
# Sheet names may not hold these, and Excel allows at most 31 characters.
_NOT_IN_SHEET_NAMES = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_name(text: str, taken: Collection[str] = ()) -> str:
    """`text` as a sheet may be named; one of the `taken` names numbered within the 31 characters (openpyxl's own
    number goes past them: two tables whose titles begin alike)."""
    name = base = text.translate(_NOT_IN_SHEET_NAMES)[:31]
    number = 2
    while name in taken:
        name, number = f"{base[:31 - len(str(number)) - 2]}（{number}）", number + 1
    return name


def new_sheet(book: Workbook, name: str, title: str, widths: list[int], *, title_rows: str = "1:2") -> Worksheet:
    """A sheet with a merged bold title, set column widths, repeated header rows and one page wide on A4.

    In a streaming workbook (a `StreamSheet`) the same look, set before the first row as it must be."""
    sheet: Any = book.create_sheet(name)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    print_on_a4(sheet, landscape=False, title_rows=title_rows)
    if isinstance(sheet, StreamSheet):
        sheet.append([title], font=TITLE, alignment=CENTRE, height=30)
    else:
        sheet.append([title])
        sheet.cell(1, 1).font = TITLE
        sheet.cell(1, 1).alignment = CENTRE
        sheet.row_dimensions[1].height = 30
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(widths))
    return sheet


def boxed_rows(sheet: Worksheet, rows: list[list[Any]], *, header: int = 1,
               left: tuple[int, ...] = (), spans: dict[int, int] | None = None) -> None:
    """Append rows with a border on every cell; the first `header` rows bold; columns in `left` left-aligned.

    `spans` merges the first cells of some rows (index in `rows` → how many columns), as a 合计 label
    spans the columns before its figures. Each row is made tall enough for its wrapped text, a merged
    label measured over its whole span: LibreOffice and WPS do not grow rows that a generated file leaves
    without a height, and a long enterprise name would run into the next row.
    """
    widths = [sheet.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, 40)]
    streaming = isinstance(sheet, StreamSheet)
    for i, row in enumerate(rows):
        span = (spans or {}).get(i, 1)
        row_widths = [sum(widths[:span]), *([0] * (span - 1)), *widths[span:]]
        # A cell written as it is (a link) counts by its text.
        height = fitted_height([getattr(value, "value", value) for value in row[:len(widths)]], row_widths)
        if streaming:  # styles go with the row: a written row cannot be touched again
            bold = {"font": BOLD} if i < header else {}
            sheet.append([sheet.stream_cell(value, border=BOX, alignment=LEFT if c in left and i >= header
                                            else CENTRE, **bold) for c, value in enumerate(row, start=1)],
                         height=height)
            r = sheet.rows_written
        else:
            sheet.append(row)
            r = sheet._current_row  # noqa: SLF001 - max_row scans every cell; this is the row just written
            for c in range(1, len(row) + 1):
                cell = sheet.cell(r, c)
                cell.border = BOX
                cell.alignment = LEFT if c in left and i >= header else CENTRE
                if i < header:
                    cell.font = BOLD
            if height:
                sheet.row_dimensions[r].height = height
        if span > 1:
            sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=span)


LEFT_MARGIN, RIGHT_MARGIN = Cm(2.8), Cm(2.6)
TEXT_WIDTH = Cm(21) - LEFT_MARGIN - RIGHT_MARGIN  # 15.6 cm: what a table spans


def docx_document() -> DocxDocument:
    """An A4 document with the margins and 仿宋 body type of a government notice (GB/T 9704)."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = LEFT_MARGIN, RIGHT_MARGIN
    document.styles["Normal"].font.size = Pt(10.5)
    set_body_font(document, FANGSONG)
    return document


def docx_heading(document: DocxDocument, label: str, title: str, *, new_page: bool) -> None:
    """“附件1” above a centred bold title, starting a new page unless it is the first."""
    first = None
    if label:
        first = document.add_paragraph(label)
        set_fonts(first.runs[0]._r.get_or_add_rPr(), HEITI)  # noqa: SLF001 - “附件1” all in 黑体, its digit too
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(xml_text(title))
    run.font.size = Pt(16)
    run.bold = True
    (first or paragraph).paragraph_format.page_break_before = new_page


def docx_table(document: DocxDocument, header: list[str], rows: list[list[Any]], *,
               widths_cm: list[float] | None = None, left: tuple[int, ...] = (), font_pt: float | None = None,
               ) -> Table:
    """A boxed table whose header repeats on every page.

    Rows are cloned from one template row in the XML rather than added cell by cell: python-docx finds a
    cell by walking the whole table, which turns a 1,000-row walk list into a million steps.
    """
    table, template = _table_and_template(document, header, widths_cm=widths_cm, left=left, font_pt=font_pt)
    body = template.getparent()
    for values in rows:
        body.append(_filled(template, values))
    body.remove(template)
    return table


class TableXml:
    """The table of `docx_table` as XML for `stream_docx`, made once and written for any number of row sets: its
    head, then each row made, written and dropped in turn, so a list of thousands of lines never stands whole
    in memory, and a city's hundreds of walk lists do not each build and style the same table again."""

    def __init__(self, document: DocxDocument, header: list[str], *, widths_cm: list[float] | None = None,
                 left: tuple[int, ...] = (), font_pt: float | None = None) -> None:
        table, self.template = _table_and_template(document, header, widths_cm=widths_cm, left=left,
                                                   font_pt=font_pt)
        self.template.getparent().remove(self.template)
        table._tbl.getparent().remove(table._tbl)  # noqa: SLF001 - written here, not left in the document
        self.head, tail = etree.tostring(table._tbl, encoding="utf-8").rsplit(b"</w:tbl>", 1)  # noqa: SLF001
        self.tail = b"</w:tbl>" + tail

    def xml(self, rows: Iterable[list[Any]]) -> Iterator[bytes]:
        yield self.head
        for values in rows:
            # The document declares the w: namespace once at its root; a row need not repeat it.
            yield etree.tostring(_filled(self.template, values), encoding="utf-8").replace(_W_NAMESPACE, b"", 1)
        yield self.tail


_W_NAMESPACE = b' xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _table_and_template(document: DocxDocument, header: list[str], *, widths_cm: list[float] | None,
                        left: tuple[int, ...], font_pt: float | None) -> tuple[Table, Any]:
    """A boxed table with its repeated header and one styled template row to clone the data rows from.

    Laid out by its grid (fixed layout; `widths_cm`, else equal columns across the text block), never fitted to its
    text: Word and WPS would otherwise measure every cell of a thousand-row list to size the columns."""
    table = document.add_table(rows=2, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Cm(width) for width in widths_cm] if widths_cm else [Length(TEXT_WIDTH // len(header))] * len(header)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid, which LibreOffice and WPS lay out by
    table_width = table._tbl.tblPr.find(qn("w:tblW"))  # noqa: SLF001 - python-docx leaves it "auto"
    table_width.set(qn("w:type"), "dxa")
    table_width.set(qn("w:w"), str(sum(column.width.twips for column in table.columns)))
    for c, text in enumerate(header):
        for r, value in ((0, text), (1, "·")):
            cell = table.rows[r].cells[c]
            cell.text = value
            cell.width = widths[c]  # the cell's width, which Word reads
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if r and c + 1 in left else WD_ALIGN_PARAGRAPH.CENTER
            if r == 0:  # a data row's run is plain: no <w:b w:val="0"/> in each of its thousands of cells
                paragraph.runs[0].bold = True
            if font_pt:
                paragraph.runs[0].font.size = Pt(font_pt)
    for row in table.rows:  # a row is never cut by a page break, its text half on each page
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # noqa: SLF001
    table.rows[0]._tr.trPr.append(OxmlElement("w:tblHeader"))  # noqa: SLF001 - after cantSplit, as the schema orders
    return table, table.rows[1]._tr  # noqa: SLF001


def _filled(template: Any, values: list[Any]) -> Any:
    row = deepcopy(template)
    for text, value in zip(row.iter(qn("w:t")), values, strict=True):
        text.text = "" if value is None else xml_text(str(value))
    return row


def merge_across(table: Table, row: int, first: int, last: int) -> None:
    """Cells `first`…`last` (from 0) of a row as one cell holding the first one's text (w:gridSpan).

    Done in the XML: python-docx's own merge moves every merged cell's empty paragraph into the first.
    """
    tr = table.rows[row]._tr  # noqa: SLF001
    cells = tr.tc_lst
    cells[first].grid_span = last - first + 1
    for cell in cells[first + 1:last + 1]:
        tr.remove(cell)


def stream_docx(document: DocxDocument, parts: Iterable[bytes], out: Path | IO[bytes]) -> None:
    """`document` followed by `parts` (body XML, see `body_xml` and `docx_table_xml`), written to `out` as
    they come.

    python-docx holds a whole document in memory; a city's walk lists would not fit. The first document
    (its styles, section and opening pages) is saved as the skeleton, and its `word/document.xml` is written
    to the zip as a stream: the skeleton's body, then each part as it is made (and dropped), then the
    skeleton's closing section properties. Parts made with `docx_document()` use only its styles; they
    must hold no images or links (no relationships of their own).
    """
    skeleton = BytesIO()
    document.save(skeleton)
    with zipfile.ZipFile(skeleton) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "word/document.xml":
                target.writestr(info, data)
                continue
            at = data.rindex(b"<w:sectPr")
            with target.open("word/document.xml", "w", force_zip64=True) as stream:
                stream.write(data[:at])
                for part in parts:
                    stream.write(part)
                stream.write(data[at:])


def body_xml(document: DocxDocument, *, clear: bool = False) -> Iterator[bytes]:
    """The body of a (small) document as XML for `stream_docx`, without its section properties; with `clear`,
    each element is taken out once written, so the document can be filled again for the next part."""
    section = qn("w:sectPr")
    body = document.element.body
    for child in list(body):
        if child.tag != section:
            yield etree.tostring(child, encoding="utf-8")
            if clear:
                body.remove(child)
