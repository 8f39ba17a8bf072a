"""A document's docx: the 通报 as a 公文 (版头, 主体, 版记 of GB/T 9704-2012), the 简报 and the 专报 in their
customary layout (the 专报 closing with its 报送, 抄送 and 印发 lines), the 会商 materials as meeting papers. The page itself (type, pitch, footers) is gbt9704's."""

import io
import math
from copy import deepcopy
from typing import Any

from django.utils.translation import gettext as _
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from zoufang.clock import day
from zoufang.core.xmltext import xml_text
from zoufang.documents import charts, flow
from zoufang.documents import gbt9704 as page
from zoufang.documents.models import Document

CENTER, RIGHT, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT
MARK_TOP_MM = 35  # 7.2.4: the 发文机关标志's top 35 mm below the text block's top
CHART_WIDTH_MM = 150
CAPTION_PT = page.TABLE_PT + 2
TAIL_ROWS = 3
# The room kept under the text above the 版记; the blank lines the 落款 may move down for the layouts to agree.
FLOW_TOLERANCE_PT, FLOW_EXTRA_LINES = 6, 4


def reference(document: Document) -> str:
    """锦走访办〔2017〕3号 (7.2.5), or 第3期 for a 简报 or a 专报; a draft's number is left blank for the issuing."""
    number = str(document.serial) if document.serial else "  "
    if document.kind == Document.Kind.CIRCULAR:
        return _("%(abbreviation)s〔%(year)s〕%(number)s号") % {
            "abbreviation": document.issuer.abbreviation, "year": document.year, "number": number,
        }
    if document.kind in (Document.Kind.BRIEFING, Document.Kind.SPECIAL):
        return _("第%(number)s期") % {"number": number}
    return ""


def special_name() -> str:
    """The 专报's red head."""
    return _("走访调研专报")


def docx_bytes(document: Document) -> bytes:
    made = page.new_document()
    if document.kind == Document.Kind.CIRCULAR:
        _circular_head(made, document)
    elif document.kind == Document.Kind.BRIEFING:
        _briefing_head(made, document, document.issuer.briefing_name)
    elif document.kind == Document.Kind.SPECIAL:
        _briefing_head(made, document, special_name())
    else:
        _consultation_head(made, document)
    attached = _body(made, document, attach=document.kind == Document.Kind.CIRCULAR)
    if document.kind == Document.Kind.CIRCULAR:
        if attached:
            _attachment_note(made)
        _signature(made, document)
        last = _attachment(made, attached) if attached else None
        _record(made, document, last)
    if document.kind == Document.Kind.SPECIAL:
        _delivery(made, document)
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


def _briefing_head(made: DocxDocument, document: Document, name: str) -> None:
    """The 简报's (and the 专报's) customary head: its `name` in red, 第N期, the 编发单位 and date on one line over
    a red rule."""
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


def _body(made: DocxDocument, document: Document, *, attach: bool) -> list[dict[str, Any]]:
    """Sections: 一级标题 in 黑体, text in 仿宋 indented two characters; figures (图N, a chart of what the text
    calls out, its caption under it), charts with their tables, tables. With `attach`, the tables marked
    `attached` are not printed here but returned, for the 附件 (decision 0023)."""
    tables = figures = 0
    attached = []
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
            if block.get("attached") and attach:
                attached.append(block)
                continue
            if block["kind"] == "figure":
                figures += 1
                text = _("图%(n)s　%(caption)s") % {"n": figures, "caption": block["caption"]}
                _chart(made, charts.bar_chart(block, chart_height(made, block, _caption_pt(text))), kept=True)
                _caption(made, text, kept=False)
                continue
            tables += 1
            text = _("表%(n)s　%(caption)s") % {"n": tables, "caption": block["caption"]}
            if block["kind"] == "chart":  # in parts of a page at most when it has many bars
                for part in charts.chart_parts(block):  # titled inside the image: the table may start a page
                    _chart(made, charts.bar_chart(part, chart_height(made, part, 0.0)), kept=False)
            _table(made, text, block)
    return attached


def _caption_pt(text: str) -> float:
    """The height of a caption's lines (14 pt 黑体 on the body's 28.95 pt lines; digits set wider on a server)."""
    lines = math.ceil(page.width(text) * CAPTION_PT * 1.1 / flow.BLOCK_WIDTH_PT)
    return lines * flow.BODY_LINE_PT


def _caption(made: DocxDocument, text: str, *, kept: bool) -> None:
    caption = page.paragraph(made, text, font=page.HEITI, size=CAPTION_PT, align=CENTER)
    if kept:  # (False would write w:keepNext w:val="0", which flow.py reads as kept)
        caption.paragraph_format.keep_with_next = True


def _table(made: DocxDocument, caption: str, block: dict[str, Any]) -> None:
    _caption(made, caption, kept=True)
    made_table = page.data_table(made, [str(h) for h in block["header"]], block["rows"])
    for row in made_table.rows[-TAIL_ROWS:-1]:  # the last rows (the 合计) never alone on a page
        for cell in row.cells:
            cell.paragraphs[0].paragraph_format.keep_with_next = True
    page.blank_lines(made, 1)


def printed_pt(inches: float) -> float:
    """A chart's printed height: drawn `charts.WIDTH_IN` wide, printed CHART_WIDTH_MM wide."""
    return inches / charts.WIDTH_IN * Mm(CHART_WIDTH_MM).pt


def chart_height(made: DocxDocument, block: dict[str, Any], following_pt: float) -> float | None:
    """The height (inches, drawn) a chart is drawn at so that it fits the page where it stands (the room left on it
    measured in every layout, flow.py, less the `following_pt` kept with it: a figure's caption):
    its own when it fits, else the room when that is no less than `charts.least_height_in`; None (its own height,
    on the next page) when even that does not fit."""
    room_pt = min(((end.room_pt if end.used_pt else flow.BLOCK_HEIGHT_PT) - following_pt - FLOW_TOLERANCE_PT)
                  / layout.stretch for layout, end in ((layout, flow.measure(made, layout)) for layout in flow.LAYOUTS))
    room = room_pt / printed_pt(1.0)
    if charts.height_in(block) <= room:
        return None
    return room if room >= charts.least_height_in(block) else None


def _chart(made: DocxDocument, image: bytes, *, kept: bool) -> None:
    """A chart's paragraph, the image's own height; a figure's `kept` with its caption under it."""
    picture = made.add_paragraph()
    picture.alignment = CENTER
    picture.paragraph_format.line_spacing = 1.0  # the image's own height, not the 28.95 pt line
    if kept:
        picture.paragraph_format.keep_with_next = True
    picture.add_run().add_picture(io.BytesIO(image), width=Mm(CHART_WIDTH_MM))


def _attachment_note(made: DocxDocument) -> None:
    """7.3.4 附件说明: a blank line under the text, then “附件：” and the attachment's name two characters in."""
    page.blank_lines(made, 1)
    page.paragraph(made, _("附件：%(name)s") % {"name": attachment_name()}, indent_chars=2)


def attachment_name() -> str:
    return _("走访进度和问题办理情况统计表")


def _attachment(made: DocxDocument, tables: list[dict[str, Any]]) -> Any:
    """The 附件 after the 落款, before the 版记 (7.3.7: 另面编排): “附件” in 3号黑体 at the top left of a
    new page, its name centred on the third line in 2号小标宋, then the tables 表1 … with every row. Returns the
    flow's last paragraph (where a section break may go)."""
    mark = page.paragraph(made, _("附件"), font=page.HEITI)
    mark.paragraph_format.page_break_before = True
    page.blank_lines(made, 1)
    _title(made, attachment_name())
    page.blank_lines(made, 1)
    for n, block in enumerate(tables, start=1):
        _table(made, _("表%(n)s　%(caption)s") % {"n": block.get("number", n), "caption": block["caption"]}, block)
    return made.element.body.findall(qn("w:p"))[-1]


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


def _record(made: DocxDocument, document: Document, last: Any = None) -> None:
    """版记 (7.4): 抄送 and 印发机关 / 印发日期 in 4号仿宋 between rules (the first and last 0.35 mm, the one between
    0.25 mm), one character in at either side; at the foot of the last page (7.4.1: its last rule on the text
    block's bottom edge), in a text box anchored to the bottom of the text block, which Word and LibreOffice
    both place there (docs/documents.md). `last`: the flow's last paragraph when a 附件 follows the 落款."""
    copy_to = document.issuer.copy_to
    table, height = _record_table(made, document, [(_("抄送："), copy_to)] if copy_to else [])
    break_before = _even_last_page(made, table._tbl, height.pt, last)  # noqa: SLF001
    anchor = page.at_block_foot(made, [table._tbl], height=height)  # noqa: SLF001
    if break_before:
        anchor.paragraph_format.page_break_before = True


def _delivery(made: DocxDocument, document: Document) -> None:
    """The 专报's end, as a 版记 under the text: 报送 (its `addressee`), 抄送 and the 印发 line between rules, a blank
    line above them (a table's own blank line serves)."""
    last = [child for child in made.element.body if child.tag in (qn("w:p"), qn("w:tbl"))][-1]
    if last.tag == qn("w:tbl") or _text_of(last).strip():
        page.blank_lines(made, 1)
    lines = [(_("报送："), document.addressee), (_("抄送："), document.copy_to)]
    _record_table(made, document, [(label, text) for label, text in lines if text.strip()])


def _text_of(paragraph: Any) -> str:
    return "".join(text.text or "" for text in paragraph.iter(qn("w:t")))


def _record_table(made: DocxDocument, document: Document, labelled: list[tuple[str, str]]) -> tuple[Any, Any]:
    """The 版记's rows appended to the body: each (label, text) one (回行时与冒号后的首字对齐), then 印发机关 and
    印发日期; the table and its height."""
    issuer = document.issuer
    texts = [(label, label + text + _("。")) for label, text in labelled]
    date = day(document.signed_on or document.period_ends_on) + _("印发")
    texts.append(("", f"{issuer.printed_by or issuer.name}\t{date}"))
    table = made.add_table(rows=len(texts), cols=1)
    table.autofit = False
    block = Mm(page.BLOCK_WIDTH_MM)
    table.columns[0].width = block
    for n, (label, text) in enumerate(texts):
        cell = table.rows[n].cells[0]
        cell.width = block
        line = cell.paragraphs[0]
        layout = line.paragraph_format
        layout.line_spacing = Pt(page.FOOTER_PT * 2)
        layout.right_indent = Pt(page.FOOTER_PT)
        if label:
            hang = Pt(page.width(label) * page.FOOTER_PT)
            layout.left_indent = Pt(page.FOOTER_PT) + hang  # 回行时与冒号后的首字对齐
            layout.first_line_indent = -hang
        else:  # 印发机关 one character in at the left, 印发日期 one at the right (tabs count from the cell's edge)
            layout.left_indent = Pt(page.FOOTER_PT)
            layout.tab_stops.add_tab_stop(block - Pt(page.FOOTER_PT), WD_TAB_ALIGNMENT.RIGHT)
        layout.keep_with_next = n < len(texts) - 1
        page.styled(line.add_run(xml_text(text)), page.FANGSONG, page.FOOTER_PT)
        _rules(cell, top=8 if n == 0 else 6, bottom=8 if n == len(texts) - 1 else 6)
        table.rows[n]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # noqa: SLF001
    _no_cell_margins(table)
    lines = sum(1 + int(page.width(text) * page.FOOTER_PT > block.pt - 2 * page.FOOTER_PT) for _label, text in texts)
    return table, Pt(lines * page.FOOTER_PT * 2 + 4)


def _even_last_page(made: DocxDocument, record: Any, height_pt: float, last: Any = None) -> bool:
    """7.4.1 and 10: the 版记 on the last page, an even one. It stays on the page where the text ends when that
    page is even with room for it; otherwise it goes to the foot of the next even page: the next page when the
    text ends on an odd one, else after a blank odd page, both unnumbered. True: the 版记 starts a page.

    Word honours a section that starts on an even page (inserting the blank page itself); LibreOffice 7.4 starts
    it on the next page whatever its parity. So the page where the text ends is measured (flow.py) as Word or WPS
    with the office's fonts and as LibreOffice would lay it out: when both end on the same even page the 版记 stays
    there or follows a blank page; when LibreOffice ends on an odd page, an even-page section suits both. When
    LibreOffice ends on an even page and Word on another, the 落款 moves down a line until one of these holds (with
    a 附件, `last`, the flow ends a line lower)."""
    record.getparent().remove(record)  # not part of the text's flow
    name, date = made.element.body.findall(qn("w:p"))[-2:]
    if last is not None:  # a 附件 after the 落款: a blank line before its last paragraph moves the end
        name, date = last, last
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
        name.addprevious(OxmlElement("w:p") if last is not None else deepcopy(name.getprevious()))  # one more
        # blank line above the 落款 (kept with it) or at the 附件's end
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
