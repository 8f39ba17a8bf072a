"""A document's docx: the 通报 as a 公文 (版头, 主体, 版记 of GB/T 9704-2012), the 简报 in its customary layout,
the 会商 materials as meeting papers. The page itself (type, pitch, footers) is gbt9704's."""

import io
from copy import deepcopy
from typing import Any

from django.utils.translation import gettext as _
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from zoufang.documents import charts, flow
from zoufang.documents import gbt9704 as page
from zoufang.documents.content import day
from zoufang.documents.models import Document

CENTER, RIGHT, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT
MARK_TOP_MM = 35  # 7.2.4: the 发文机关标志's top 35 mm below the text block's top
CHART_WIDTH_MM = 150
# The room kept under the text above the 版记; the blank lines the 落款 may move down for the layouts to agree.
FLOW_TOLERANCE_PT, FLOW_EXTRA_LINES = 6, 4


def reference(document: Document) -> str:
    """锦走访办〔2017〕3号 (7.2.5), or 第3期 for a 简报; a draft's number is left blank for the issuing."""
    number = str(document.serial) if document.serial else "  "
    if document.kind == Document.Kind.CIRCULAR:
        return _("%(abbreviation)s〔%(year)s〕%(number)s号") % {
            "abbreviation": document.issuer.abbreviation, "year": document.year, "number": number,
        }
    if document.kind == Document.Kind.BRIEFING:
        return _("第%(number)s期") % {"number": number}
    return ""


def docx_bytes(document: Document) -> bytes:
    made = page.new_document()
    if document.kind == Document.Kind.CIRCULAR:
        _circular_head(made, document)
    elif document.kind == Document.Kind.BRIEFING:
        _briefing_head(made, document)
    else:
        _consultation_head(made, document)
    _body(made, document)
    if document.kind == Document.Kind.CIRCULAR:
        _signature(made, document)
        _record(made, document)
    out = io.BytesIO()
    made.save(out)
    return out.getvalue()


def _title(made: DocxDocument, text: str) -> None:
    """7.3.1: 2号小标宋, centred."""
    page.paragraph(made, text, font=page.XIAOBIAOSONG, size=page.TITLE_PT, align=CENTER)


def _circular_head(made: DocxDocument, document: Document) -> None:
    """版头 (7.2.4, 7.2.5, 7.2.7): the issuer's mark in red, two blank lines, the 发文字号 over the red rule; the
    title two lines below (7.3.1), the 主送机关 one line below that (7.3.2)."""
    mark = document.issuer.name + _("文件")
    size = page.fitted_size(mark, 42)
    head = page.paragraph(made, mark, font=page.XIAOBIAOSONG, size=size, align=CENTER, color=page.RED,
                          line_pt=size * 1.25)
    head.paragraph_format.space_before = Mm(MARK_TOP_MM)
    page.blank_lines(made, 2)
    number = page.paragraph(made, reference(document), align=CENTER)
    page.red_rule(number, eighths=8, space_pt=11)  # 7.2.7: 4 mm under the 发文字号, the block's width
    page.blank_lines(made, 2)
    _title(made, document.title)
    page.blank_lines(made, 1)
    if document.addressee:
        page.paragraph(made, document.addressee)  # 7.3.2: 主送机关 at the left, no indent


def _briefing_head(made: DocxDocument, document: Document) -> None:
    """The 简报's customary head: its name in red, 第N期, the 编发单位 and date on one line over a red rule."""
    name = document.issuer.briefing_name
    size = page.fitted_size(name, 36)
    head = page.paragraph(made, name, font=page.XIAOBIAOSONG, size=size, align=CENTER, color=page.RED,
                          line_pt=size * 1.4)
    head.paragraph_format.space_before = Mm(10)
    page.paragraph(made, reference(document), font=page.KAITI, align=CENTER)
    page.blank_lines(made, 1)
    line = page.paragraph(made, _("%(issuer)s编") % {"issuer": document.issuer.name}, font=page.KAITI)
    page.right_tab(line)
    page.styled(line.add_run("\t" + day(document.signed_on or document.period_ends_on)), page.KAITI, page.BODY_PT,
                spacing=page.CHAR_SPACING_TWIPS)
    page.red_rule(line, eighths=18, space_pt=4)
    page.blank_lines(made, 1)
    _title(made, document.title)
    page.blank_lines(made, 1)


def _consultation_head(made: DocxDocument, document: Document) -> None:
    """Meeting papers, not a 公文: the title, then who prepared them and when, in 楷体."""
    _title(made, document.title)
    page.paragraph(made, _("%(issuer)s　%(day)s") % {
        "issuer": document.issuer.name, "day": day(document.signed_on or document.period_ends_on)},
        font=page.KAITI, align=CENTER)
    page.blank_lines(made, 1)


def _body(made: DocxDocument, document: Document) -> None:
    """Sections: 一级标题 in 黑体, text in 仿宋 indented two characters; charts with their tables."""
    figure = 0
    for item in document.sections:
        if item.get("optional") and not item["text"].strip():
            continue
        page.paragraph(made, item["heading"], font=page.HEITI, indent_chars=2)
        for line in (item["text"].strip() or _("无。")).splitlines():
            if line.strip():
                page.paragraph(made, line.strip(), indent_chars=2)
        for block in item.get("blocks", []):
            if not block["rows"]:
                continue
            figure += 1
            if block["kind"] == "chart":  # in parts of a page at most when it has many bars
                for image in charts.bar_charts(block):
                    picture = made.add_paragraph()
                    picture.alignment = CENTER
                    picture.paragraph_format.line_spacing = 1.0  # the image's own height, not the 28.95 pt line
                    picture.paragraph_format.keep_with_next = True
                    picture.add_run().add_picture(io.BytesIO(image), width=Mm(CHART_WIDTH_MM))
            caption = page.paragraph(made, _("表%(n)s　%(caption)s") % {"n": figure, "caption": block["caption"]},
                                     font=page.HEITI, size=page.TABLE_PT + 2, align=CENTER)
            caption.paragraph_format.keep_with_next = True
            page.data_table(made, [str(h) for h in block["header"]], block["rows"])
            page.blank_lines(made, 1)


def _signature(made: DocxDocument, document: Document) -> None:
    """7.3.5.2 (no seal): the issuer's name a blank line under the text, two characters in from the right; the
    成文日期 on the next line, its first character two to the right of the name's (or itself two from the right
    when longer, the name moved in to match)."""
    name = document.issuer.name
    date = day(document.signed_on or document.period_ends_on)
    name_right, date_right = 2.0, page.width(name) - page.width(date)
    if date_right < 2:
        name_right, date_right = page.width(date) + 4 - page.width(name), 2.0
    made.paragraphs[-1].paragraph_format.keep_with_next = True  # the text's last line goes with the 落款
    page.blank_lines(made, 1)
    made.paragraphs[-1].paragraph_format.keep_with_next = True
    for text, right in ((name, name_right), (date, date_right)):
        line = page.paragraph(made, text, align=RIGHT)
        line.paragraph_format.right_indent = Pt(right * page.CHAR_PITCH_PT)
        line.paragraph_format.keep_with_next = text == name


def _record(made: DocxDocument, document: Document) -> None:
    """版记 (7.4): 抄送 and 印发机关 / 印发日期 in 4号仿宋 between rules (the first and last 0.35 mm, the one between
    0.25 mm), one character in at either side; at the foot of the last page (7.4.1: its last rule on the text
    block's bottom edge), in a text box anchored to the bottom of the text block, which Word and LibreOffice
    both place there (docs/documents.md)."""
    issuer = document.issuer
    label = _("抄送：")
    hang = Pt(page.width(label) * page.FOOTER_PT)
    texts = [label + issuer.copy_to + _("。")] if issuer.copy_to else []
    date = day(document.signed_on or document.period_ends_on) + _("印发")
    texts.append(f"{issuer.printed_by or issuer.name}\t{date}")
    table = made.add_table(rows=len(texts), cols=1)
    table.autofit = False
    block = Mm(page.BLOCK_WIDTH_MM)
    table.columns[0].width = block
    for n, text in enumerate(texts):
        cell = table.rows[n].cells[0]
        cell.width = block
        line = cell.paragraphs[0]
        layout = line.paragraph_format
        layout.line_spacing = Pt(page.FOOTER_PT * 2)
        layout.right_indent = Pt(page.FOOTER_PT)
        if text.startswith(label):
            layout.left_indent = Pt(page.FOOTER_PT) + hang  # 回行时与冒号后的首字对齐
            layout.first_line_indent = -hang
        else:  # 印发机关 one character in at the left, 印发日期 one at the right (tabs count from the cell's edge)
            layout.left_indent = Pt(page.FOOTER_PT)
            layout.tab_stops.add_tab_stop(block - Pt(page.FOOTER_PT), WD_TAB_ALIGNMENT.RIGHT)
        layout.keep_with_next = n < len(texts) - 1
        page.styled(line.add_run(text), page.FANGSONG, page.FOOTER_PT)
        _rules(cell, top=8 if n == 0 else 6, bottom=8 if n == len(texts) - 1 else 6)
        table.rows[n]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # noqa: SLF001
    _no_cell_margins(table)
    lines = sum(1 + int(page.width(text) * page.FOOTER_PT > block.pt - 2 * page.FOOTER_PT) for text in texts)
    height = Pt(lines * page.FOOTER_PT * 2 + 4)
    break_before = _even_last_page(made, table._tbl, height.pt)  # noqa: SLF001
    anchor = page.at_block_foot(made, [table._tbl], height=height)  # noqa: SLF001
    if break_before:
        anchor.paragraph_format.page_break_before = True


def _even_last_page(made: DocxDocument, record: Any, height_pt: float) -> bool:
    """7.4.1 and 10: the 版记 on the last page, an even one. It stays on the page where the text ends when that
    page is even with room for it; otherwise it goes to the foot of the next even page: the next page when the
    text ends on an odd one, else after a blank odd page, both unnumbered. True: the 版记 starts a page.

    Word honours a section that starts on an even page (inserting the blank page itself); LibreOffice 7.4 starts
    it on the next page whatever its parity. So the page where the text ends is measured (flow.py) as Word or WPS
    with the office's fonts and as LibreOffice would lay it out: when both end on the same even page the 版记 stays
    there or follows a blank page; when LibreOffice ends on an odd page, an even-page section suits both. When
    LibreOffice ends on an even page and Word on another, the 落款 moves down a line until one of these holds."""
    record.getparent().remove(record)  # not part of the text's flow
    name, date = made.element.body.findall(qn("w:p"))[-2:]
    for _attempt in range(FLOW_EXTRA_LINES + 1):
        office, server = (flow.measure(made, layout) for layout in flow.LAYOUTS)
        if server.pages % 2 == 1:
            break
        if office.pages == server.pages:
            if min(office.room_pt, server.room_pt) >= height_pt + FLOW_TOLERANCE_PT:
                return False  # at the foot of the page where the text ends
            page.section_after(made, date, start=WD_SECTION.NEW_PAGE, numbered=False)
            page.paragraph(made)  # the blank odd page, then the even one with the 版记
            return True
        name.addprevious(deepcopy(name.getprevious()))  # one more blank line above the 落款, kept with it
    page.section_after(made, date, start=WD_SECTION.EVEN_PAGE, numbered=True)
    return False  # the section starts the page


def _no_cell_margins(table: Any) -> None:
    """The rules span the block and the indents count from its edges: no cell padding left or right."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "0")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    table._tbl.tblPr.append(margins)  # noqa: SLF001


def _rules(cell: Any, *, top: int, bottom: int) -> None:
    """A 版记 row's rules, w:sz in eighths of a point: 8 (0.28 mm, Word's nearest to 0.35) and 6 (0.21 mm)."""
    tcpr = cell._tc.get_or_add_tcPr()  # noqa: SLF001
    borders = OxmlElement("w:tcBorders")
    for side, eighths in (("top", top), ("left", 0), ("bottom", bottom), ("right", 0)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single" if eighths else "nil")
        if eighths:
            edge.set(qn("w:sz"), str(eighths))
            edge.set(qn("w:color"), "000000")
        borders.append(edge)
    tcpr.append(borders)
