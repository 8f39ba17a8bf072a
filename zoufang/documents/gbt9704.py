"""The page of GB/T 9704-2012 in python-docx: A4, a 156 × 225 mm text block, 22 lines of 28 characters of 3号仿宋,
the red 版头, page numbers “— 1 —” right on odd pages and left on even ones. docs/documents.md gives the clauses.

Twenty-eight characters a line come from character spacing, not from Word's document grid: LibreOffice draws a
“28 characters a line” grid at about half that, while a run's spacing (w:spacing, −0.25 pt on a 16 pt
character: 15.75 pt a character, 28 × 15.75 = 441 pt inside the block's 442.2 pt) is honoured by both. Lines
are an exact 579 twips apart (22 × 579 = 12 738 twips inside the block's 12 756), again read alike by both.
"""

from copy import deepcopy
from typing import Any
from unicodedata import east_asian_width

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from zoufang.core.docxfonts import FANGSONG, HEITI, KAITI, SONGTI, XIAOBIAOSONG, set_body_font, set_fonts
from zoufang.core.xmltext import xml_text

__all__ = ["FANGSONG", "HEITI", "KAITI", "SONGTI", "XIAOBIAOSONG"]  # the faces render.py names through this module

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
TOP_MM, BOTTOM_MM, LEFT_MM, RIGHT_MM = 37, 35, 28, 26  # 5.2.1: the text block 156 × 225 mm
BLOCK_WIDTH_MM = PAGE_WIDTH_MM - LEFT_MM - RIGHT_MM
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
FOOTER_PT = 14  # 4号: page numbers, 版记
TABLE_PT = 12  # 小四: the figures' tables, narrower than the body's type
FIRST_COLUMN_MM = 40  # a table's names (units, villages); the figures share the rest
CHARS_PER_LINE, LINES_PER_PAGE = 28, 22
CHAR_SPACING_TWIPS = -5  # w:spacing is in twentieths of a point: −0.25 pt, 15.75 pt a character
CHAR_PITCH_PT = BODY_PT + CHAR_SPACING_TWIPS / 20
LINE_PITCH_TWIPS = 579  # ⌊225 mm / 22⌋ in twips
PAGE_NUMBER_GAP_MM = 7  # 7.5: the 一字线 7 mm below the text block
RED = RGBColor(0xFF, 0x00, 0x00)


def new_document() -> DocxDocument:
    """An empty A4 document with the standard's page, body type, line pitch and odd/even page-number footers."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)
    section.header_distance = Mm(15)
    # The footer's one exact-height line ends PAGE_NUMBER_GAP_MM below the block: its top 7 mm under it.
    section.footer_distance = Mm(BOTTOM_MM - PAGE_NUMBER_GAP_MM) - Pt(FOOTER_PT)
    grid = section._sectPr.find(qn("w:docGrid"))  # noqa: SLF001 — python-docx has no API for the grid
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)  # noqa: SLF001
    for name in list(grid.attrib):
        del grid.attrib[name]
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))  # no w:type: no grid to snap to, the spacing decides
    style = document.styles["Normal"]
    style.font.size = Pt(BODY_PT)
    set_body_font(document, FANGSONG)  # digits in 仿宋 too (the standard sets them in the body's face)
    set_spacing(style.element.get_or_add_rPr(), CHAR_SPACING_TWIPS)
    layout = style.paragraph_format
    layout.space_before = layout.space_after = Pt(0)
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = Twips(LINE_PITCH_TWIPS)
    layout.widow_control = False  # a kept pair of lines would break the 22-line page
    _no_autospace(style.element)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    return document


def set_spacing(rpr: Any, twips: int) -> None:
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        _insert_in_order(rpr, spacing)
    spacing.set(qn("w:val"), str(twips))


# CT_RPr's children must stand in the schema's order; Word refuses a document where they do not.
_RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
              "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w",
              "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
              "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]


def _insert_in_order(rpr: Any, element: Any) -> None:
    rank = _RPR_ORDER.index(element.tag.split("}")[1])
    for n, child in enumerate(rpr):
        name = child.tag.split("}")[1]
        if name in _RPR_ORDER and _RPR_ORDER.index(name) > rank:
            rpr.insert(n, element)
            return
    rpr.append(element)


def _no_autospace(style: Any) -> None:
    """No extra space between Chinese and Latin text or digits: every character keeps the 15.75 pt pitch."""
    ppr = style.get_or_add_pPr()
    for name in ("w:autoSpaceDE", "w:autoSpaceDN"):
        element = OxmlElement(name)
        element.set(qn("w:val"), "0")
        ppr.insert_element_before(element, *_PPR_ORDER[_PPR_ORDER.index(name) + 1:])


def _page_number(paragraph: Paragraph, alignment: Any) -> None:
    """“— 1 —” in 4号 half-width 宋体, one character in from the block's edge (7.5)."""
    paragraph.alignment = alignment
    layout = paragraph.paragraph_format
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = Pt(FOOTER_PT)
    indent = Pt(FOOTER_PT)
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        layout.right_indent = indent
    else:
        layout.left_indent = indent
    styled(paragraph.add_run("— "), SONGTI, FOOTER_PT)
    begin, instruction, separate, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"),
                                         OxmlElement("w:fldChar"), OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    separate.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instruction, separate):
        styled(paragraph.add_run(), SONGTI, FOOTER_PT)._r.append(element)  # noqa: SLF001
    styled(paragraph.add_run("1"), SONGTI, FOOTER_PT)
    styled(paragraph.add_run(), SONGTI, FOOTER_PT)._r.append(end)  # noqa: SLF001
    styled(paragraph.add_run(" —"), SONGTI, FOOTER_PT)


def styled(run: Run, font: str, size: float, *, color: RGBColor | None = None, spacing: int = 0) -> Run:
    """A run in `font` at `size` pt; spacing in twentieths of a point (0 unless it is body text)."""
    run.font.size = Pt(size)
    rpr = run._r.get_or_add_rPr()  # noqa: SLF001
    set_fonts(rpr, font)
    set_spacing(rpr, spacing)
    if color is not None:
        run.font.color.rgb = color
    return run


def paragraph(document: DocxDocument, text: str = "", *, font: str = FANGSONG, size: float = BODY_PT,
              align: Any = None, indent_chars: float = 0, color: RGBColor | None = None,
              spacing: int | None = None, line_pt: float | None = None) -> Paragraph:
    """A paragraph of one run. Body text keeps the body's pitch; other sizes get no character spacing."""
    made = document.add_paragraph()
    if align is not None:
        made.alignment = align
    if indent_chars:
        made.paragraph_format.first_line_indent = Pt(indent_chars * CHAR_PITCH_PT)
    if line_pt is not None:
        made.paragraph_format.line_spacing = Pt(line_pt)
    if text:
        styled(made.add_run(xml_text(text)), font, size, color=color,
               spacing=CHAR_SPACING_TWIPS if spacing is None and size == BODY_PT else spacing or 0)
    return made


def blank_lines(document: DocxDocument, count: int) -> None:
    for _n in range(count):
        document.add_paragraph()


def red_rule(made: Paragraph, *, eighths: int, space_pt: int) -> None:
    """A red line the width of the text block under the paragraph (its bottom border), `space_pt` below it."""
    rule(made, "bottom", eighths=eighths, color="FF0000", space_pt=space_pt)


def rule(made: Paragraph, side: str, *, eighths: int, color: str, space_pt: int) -> None:
    """A paragraph border on `side` (top, bottom or between): w:sz in eighths of a point (8 = 0.28 mm … 0.35 mm)."""
    ppr = made._p.get_or_add_pPr()  # noqa: SLF001
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *_PPR_ORDER[_PPR_ORDER.index("w:pBdr") + 1:])
    edge = OxmlElement(f"w:{side}")
    for name, value in (("w:val", "single"), ("w:sz", str(eighths)), ("w:space", str(space_pt)), ("w:color", color)):
        edge.set(qn(name), value)
    order = ["top", "left", "bottom", "right", "between", "bar"]
    later = [child for child in borders if child.tag.split("}")[1] in order[order.index(side) + 1:]]
    if later:
        later[0].addprevious(edge)
    else:
        borders.append(edge)


BOX_NS = {"wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
          "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
          "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
_FOOT_BOX = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:wp="{wp}" xmlns:a="{a}" xmlns:wps="{wps}"><w:drawing>
<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="251659264" behindDoc="0"
 locked="1" layoutInCell="1" allowOverlap="0"><wp:simplePos x="0" y="0"/>
<wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH>
<wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align></wp:positionV>
<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapTopAndBottom/>
<wp:docPr id="{id}" name="{name}"/><wp:cNvGraphicFramePr/>
<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>
<wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>
<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>
<wps:txbx><w:txbxContent/></wps:txbx>
<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="b" anchorCtr="0">
<a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>"""


def at_block_foot(made: DocxDocument, elements: list[Any], *, height: Any, name: str = "版记") -> Paragraph:
    """Move `elements` (tables, paragraphs already in the body) into a text box as wide as the text block,
    anchored to the block's bottom edge on the page of the document's last paragraph (Word and LibreOffice
    both honour a DrawingML anchor aligned to the margin's bottom; a floating table or a frame they do not
    place alike). Body text wraps above and below it, never beside."""
    from lxml import etree

    anchor = made.add_paragraph()
    anchor.paragraph_format.line_spacing = Pt(1)  # the anchor's own line adds nothing to the page
    run = etree.fromstring(_FOOT_BOX.format(cx=int(Mm(BLOCK_WIDTH_MM)), cy=int(height), id=9000, name=name,
                                            **BOX_NS))
    content = run.find(f".//{{{NS_W}}}txbxContent")
    for element in elements:
        content.append(element)  # lxml moves it out of the body
    content.append(OxmlElement("w:p"))  # a text box's content ends with a paragraph
    anchor._p.append(run)  # noqa: SLF001
    return anchor


def section_after(made: DocxDocument, last: Any, *, start: Any, numbered: bool) -> None:
    """What follows starts a section of its own (`start`: WD_SECTION.NEW_PAGE or EVEN_PAGE), without page numbers
    unless `numbered` (10: 版记页前有空白页的，空白页和版记页均不编排页码). The break goes into `last`, the document's
    last paragraph, rather than into an empty paragraph of its own that could take a line of a full page."""
    section = made.add_section(start)
    holder = made.element.body.findall(qn("w:p"))[-1]  # where python-docx put the previous section's break
    ended = holder.find(qn("w:pPr")).find(qn("w:sectPr"))
    last.get_or_add_pPr().insert_element_before(ended, *_PPR_ORDER[_PPR_ORDER.index("w:sectPr") + 1:])
    holder.getparent().remove(holder)
    if not numbered:
        for footer in (section.footer, section.even_page_footer):
            footer.is_linked_to_previous = False  # an empty footer of its own


def bottom_frame(made: Paragraph) -> None:
    """The paragraph in a frame the block's width at the bottom of the text block (consecutive ones share it)."""
    ppr = made._p.get_or_add_pPr()  # noqa: SLF001
    frame = OxmlElement("w:framePr")
    for name, value in (("w:w", str(int(Mm(BLOCK_WIDTH_MM).twips))), ("w:wrap", "around"), ("w:vAnchor", "margin"),
                        ("w:hAnchor", "margin"), ("w:xAlign", "center"), ("w:yAlign", "bottom")):
        frame.set(qn(name), value)
    ppr.insert_element_before(frame, *_PPR_ORDER[_PPR_ORDER.index("w:framePr") + 1:])


# CT_PPr's children in the schema's order, for inserting one where Word expects it.
NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PPR_ORDER = ["w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
              "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
              "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
              "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
              "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
              "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"]


def right_tab(made: Paragraph) -> None:
    made.paragraph_format.tab_stops.add_tab_stop(Mm(BLOCK_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)


def width(text: str) -> float:
    """A text's width in body characters: a Chinese character is one, a digit or Latin letter half."""
    return sum(1 if east_asian_width(ch) in "WFA" else 0.5 for ch in text)


def fitted_size(text: str, largest: float) -> float:
    """The largest size up to `largest` pt at which `text` stays on one line of the text block."""
    block_pt = Mm(BLOCK_WIDTH_MM).pt
    return min(largest, int(block_pt / max(width(text), 1)))


def data_table(document: DocxDocument, header: list[str], rows: list[list[Any]]) -> Table:
    """The numbers of a figure: a boxed table in 小四 仿宋, first column left, numbers right, header repeated."""
    made = document.add_table(rows=1, cols=len(header))
    made.style = "Table Grid"
    made.alignment = WD_TABLE_ALIGNMENT.CENTER
    made.autofit = False
    first = Mm(FIRST_COLUMN_MM)
    widths = [first] + [int((Mm(BLOCK_WIDTH_MM) - first) / (len(header) - 1))] * (len(header) - 1)
    for column, cell, text, size in zip(made.columns, made.rows[0].cells, header, widths, strict=True):
        column.width = cell.width = size  # the grid LibreOffice lays out by, and the cell Word reads
        _cell_text(cell.paragraphs[0], str(text), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    made.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # noqa: SLF001
    template = deepcopy(made.rows[0]._tr)  # noqa: SLF001
    trpr = template.find(qn("w:trPr"))
    if trpr is not None:
        template.remove(trpr)
    body = made._tbl  # noqa: SLF001
    for values in rows:
        row = deepcopy(template)
        for n, (text, value) in enumerate(zip(row.iter(qn("w:t")), values, strict=True)):
            text.text = "" if value is None else xml_text(str(value))
            jc = text.getparent().getparent().find(qn("w:pPr")).find(qn("w:jc"))
            jc.set(qn("w:val"), "left" if n == 0 else "right")
        for bold in row.iter(qn("w:b")):
            bold.getparent().remove(bold)
        body.append(row)
    return made


def _cell_text(made: Paragraph, text: str, *, bold: bool, align: Any) -> None:
    made.alignment = align
    layout = made.paragraph_format
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = Pt(TABLE_PT + 6)
    layout.first_line_indent = Pt(0)
    run = styled(made.add_run(xml_text(text)), FANGSONG, TABLE_PT)
    run.bold = bold
