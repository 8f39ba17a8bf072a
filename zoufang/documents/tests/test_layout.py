"""The docx measured from its own XML against GB/T 9704-2012 (docs/documents.md gives the clauses)."""

import datetime as dt
import io
import re
from typing import Any

import pytest
from docx import Document as read_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from zoufang.documents import charts, flow, gbt9704, services
from zoufang.documents.models import Document

pytestmark = pytest.mark.django_db
DAY = dt.date(2017, 6, 15)
LINE = "各单位要对照走访任务清单逐户逐企上门，做到应访尽访，不留死角"[:26]  # one full line after the indent


def issued(town: Any, kind: str) -> Any:
    office = town.users["office"]
    start, end = services.default_period(kind, DAY)
    draft = services.generate_draft(town.campaign, kind, start, end, by=office)
    document = services.issue_document(draft, by=office)
    return read_docx(io.BytesIO(services.file_of(document, by=office))), document


def mm(length: int) -> float:
    """EMU to millimetres, to a tenth (the file stores twips)."""
    return round(length / Mm(1), 1)


def texts(docx: Any) -> list[str]:
    return [p.text for p in docx.paragraphs]


def fonts(run: Any) -> dict[str, str]:
    rfonts = run._r.rPr.find(qn("w:rFonts"))
    return {name: rfonts.get(qn(f"w:{name}")) for name in ("ascii", "eastAsia")}


@pytest.mark.parametrize("kind", [Document.Kind.CIRCULAR, Document.Kind.BRIEFING])
def test_its_digits_print_in_the_face_of_the_chinese_beside_them(office_town: Any, kind: str) -> None:
    from zoufang.core.tests.docxfonts import body_font, mixed_fonts

    docx, _document = issued(office_town, kind)
    data = _saved(docx)
    assert mixed_fonts(data) == []
    assert body_font(data) == gbt9704.FANGSONG


def test_it_sets_the_page_a4_with_a_156_by_225_mm_text_block(office_town: Any) -> None:
    docx, _document = issued(office_town, Document.Kind.CIRCULAR)
    section = docx.sections[0]
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert [mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin), mm(section.right_margin)] \
        == [37, 35, 28, 26]
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225


def test_it_fits_28_characters_and_22_lines_of_3hao_fangsong_in_the_block(office_town: Any) -> None:
    docx, _document = issued(office_town, Document.Kind.CIRCULAR)
    normal = docx.styles["Normal"]
    assert normal.font.size == Pt(16)
    rpr = normal.element.rPr
    assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    pitch = 16 + int(rpr.find(qn("w:spacing")).get(qn("w:val"))) / 20  # points a character, spacing included
    block_pt = Mm(156).pt
    assert pitch * 28 <= block_pt < pitch * 29
    layout = normal.paragraph_format
    assert layout.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    line_twips = layout.line_spacing.twips
    assert line_twips * 22 <= Mm(225).twips < line_twips * 23
    # No document grid to snap to: LibreOffice would draw “28 characters a line” at about half of them.
    grid = docx.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid is None or grid.get(qn("w:type")) is None
    body = next(p for p in docx.paragraphs if p.text.startswith("截至"))
    assert body.paragraph_format.first_line_indent == Pt(2 * pitch)
    assert fonts(body.runs[0])["eastAsia"] == "仿宋_GB2312"
    assert int(body.runs[0]._r.rPr.find(qn("w:spacing")).get(qn("w:val"))) == gbt9704.CHAR_SPACING_TWIPS


def test_the_circular_has_a_red_head_its_number_over_a_red_rule_and_a_2hao_title(office_town: Any) -> None:
    docx, document = issued(office_town, Document.Kind.CIRCULAR)
    paragraphs = docx.paragraphs
    head = paragraphs[0]
    assert head.text == "锦溪镇走访调研工作办公室文件"
    assert head.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert str(head.runs[0].font.color.rgb) == "FF0000"
    assert fonts(head.runs[0])["eastAsia"] == "方正小标宋简体"
    assert mm(head.paragraph_format.space_before) == 35
    number = next(p for p in paragraphs if "〔" in p.text)
    assert re.fullmatch(r"锦走访办〔2017〕[1-9]\d*号", number.text)
    assert number.text == document.reference
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    assert rule.get(qn("w:val")) == "single"
    title = next(p for p in paragraphs if p.text == document.title)
    assert title.runs[0].font.size == Pt(22)
    assert fonts(title.runs[0])["eastAsia"] == "方正小标宋简体"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert paragraphs.index(title) - paragraphs.index(number) == 3  # two lines under the rule
    heading = next(p for p in paragraphs if p.text.startswith("一、"))
    assert fonts(heading.runs[0])["eastAsia"] == "黑体"


def test_the_circular_ends_with_the_issuer_the_date_and_the_record(office_town: Any) -> None:
    issuer = services.issuer_for(office_town.campaign)
    issuer.copy_to = "市走访办"
    issuer.save()
    docx, _document = issued(office_town, Document.Kind.CIRCULAR)
    lines = texts(docx)
    signature = lines.index("锦溪镇走访调研工作办公室")
    assert lines[signature + 1] == "2017年6月15日"
    assert docx.paragraphs[signature].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert docx.paragraphs[signature].paragraph_format.right_indent == Pt(2 * gbt9704.CHAR_PITCH_PT)
    record = _record(docx)
    assert [row.cells[0].text for row in record.rows] == ["抄送：市走访办。", "锦溪镇走访调研工作办公室\t2017年6月15日印发"]
    assert record.rows[0].cells[0].paragraphs[0].runs[0].font.size == Pt(14)
    top = record.rows[0].cells[0]._tc.tcPr.find(qn("w:tcBorders")).find(qn("w:top"))
    between = record.rows[1].cells[0]._tc.tcPr.find(qn("w:tcBorders")).find(qn("w:top"))
    assert int(top.get(qn("w:sz"))) > int(between.get(qn("w:sz")))


def _anchor(docx: Any) -> Any:
    anchors = list(docx.element.body.iter(qn("wp:anchor")))
    assert len(anchors) == 1
    return anchors[0]


def _record(docx: Any) -> Any:
    from docx.table import Table

    tables = list(_anchor(docx).iter(qn("w:tbl")))
    assert len(tables) == 1
    return Table(tables[0], docx.paragraphs[-1]._parent)


def test_the_record_sits_at_the_foot_of_the_last_page(office_town: Any) -> None:
    """7.4.1: the 版记's last rule on the text block's bottom edge: a text box as wide as the block, anchored
    to the bottom of the block (the margin) in the document's last paragraph, text above and below only."""
    docx, _document = issued(office_town, Document.Kind.CIRCULAR)
    anchor = _anchor(docx)
    vertical = anchor.find(qn("wp:positionV"))
    horizontal = anchor.find(qn("wp:positionH"))
    assert (vertical.get("relativeFrom"), vertical.find(qn("wp:align")).text) == ("margin", "bottom")
    assert (horizontal.get("relativeFrom"), horizontal.find(qn("wp:align")).text) == ("margin", "center")
    assert anchor.find(qn("wp:wrapTopAndBottom")) is not None
    assert mm(int(anchor.find(qn("wp:extent")).get("cx"))) == 156
    assert _anchor(docx).getparent().getparent().getparent() is docx.paragraphs[-1]._p  # on the last page
    assert not [t for t in docx.tables if "印发" in t.rows[-1].cells[0].text]  # not in the flow of the body
    # 印发机关 one character in at the left, 印发日期 one at the right; no cell padding to shift them.
    printed = _record(docx).rows[-1].cells[0].paragraphs[0].paragraph_format
    assert printed.left_indent == printed.right_indent == Pt(14)
    assert abs(printed.tab_stops[0].position - (Mm(156) - Pt(14))) < Pt(0.1)
    margins = _record(docx)._tbl.tblPr.find(qn("w:tblCellMar"))
    assert [m.get(qn("w:w")) for m in margins] == ["0", "0"]


def test_page_numbers_are_4hao_dashes_right_on_odd_pages_and_left_on_even(office_town: Any) -> None:
    docx, _document = issued(office_town, Document.Kind.CIRCULAR)
    assert docx.settings.odd_and_even_pages_header_footer
    section = docx.sections[0]
    for footer, alignment, indent in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
                                      (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent")):
        line = footer.paragraphs[0]
        assert line.text == "— 1 —"  # the PAGE field's cached value between two 一字线
        assert " PAGE " in [t.text for t in line._p.iter(qn("w:instrText"))]
        assert line.alignment == alignment
        assert getattr(line.paragraph_format, indent) == Pt(14)
        assert {run.font.size for run in line.runs} == {Pt(14)}
    # 7 mm from the text block to the top of the page number's line.
    assert abs((section.bottom_margin - section.footer_distance - Pt(14)) - Mm(7)) < Mm(0.1)


def test_the_briefing_keeps_its_own_head_without_a_reference_or_a_record(office_town: Any) -> None:
    docx, document = issued(office_town, Document.Kind.BRIEFING)
    lines = texts(docx)
    assert lines[0] == "走访调研工作简报"
    assert str(docx.paragraphs[0].runs[0].font.color.rgb) == "FF0000"
    assert lines[1] == "第1期" == document.reference
    editor = docx.paragraphs[3]
    assert editor.text == "锦溪镇走访调研工作办公室编\t2017年6月15日"
    assert editor._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"
    assert not any("〔" in line or "印发" in line or line.startswith("抄送") for line in lines)
    assert not [t for t in docx.tables if "印发" in t.rows[-1].cells[0].text]


def test_the_briefing_s_chart_is_an_image_followed_by_the_table_of_its_numbers(office_town: Any) -> None:
    docx, _document = issued(office_town, Document.Kind.BRIEFING)
    assert len(docx.inline_shapes) == 1  # by village
    by_village = docx.tables[0]
    assert [c.text for c in by_village.rows[0].cells] == ["村（社区）", "应走访", "已走访", "完成率（%）", "进度应完成",
                                                          "落后"]
    body = list(docx.element.body)
    picture = docx.inline_shapes[0]._inline.getparent().getparent().getparent()
    following = picture.getnext()
    while following.tag != qn("w:tbl"):
        following = following.getnext()
    assert following is by_village._tbl
    assert body.index(picture) < body.index(following)


def test_the_circular_prints_every_unit_s_figures_in_its_attachment_after_the_signature(office_town: Any) -> None:
    """Decision 0023: the text, with a figure of what it calls out, then the 附件说明 and the 落款; the tables in the
    附件 (7.3.7: a page of its own, “附件” in 黑体 at the top left, its name centred on the third line), every unit
    in them, those behind first."""
    docx, _document = issued(office_town, Document.Kind.CIRCULAR)
    lines = texts(docx)
    note = lines.index("附件：走访进度和问题办理情况统计表")
    assert lines[note + 2:note + 4] == ["锦溪镇走访调研工作办公室", "2017年6月15日"]  # the 落款 after a blank line
    mark = docx.paragraphs[note + 4]
    assert mark.text == "附件"
    assert mark.paragraph_format.page_break_before
    assert fonts(mark.runs[0])["eastAsia"] == "黑体"
    assert lines[note + 6] == "走访进度和问题办理情况统计表"
    # The hand-counted campaign: no unit behind on 15 June; the cases of 派出所 and 镇党政班子 drawn (图1).
    assert [line for line in lines if line.startswith("图")] == ["图1　各承办单位问题办理情况（2个，明细见附件表3）"]
    assert len(docx.inline_shapes) == 1
    body = list(docx.element.body)
    assert all(body.index(table._tbl) > body.index(mark._p) for table in docx.tables)
    captions = [line for line in lines if line.startswith("表")]
    assert captions == ["表1　各单位走访完成情况（截至2017年6月15日，进度滞后的单位在前，按落后多少排列）",
                        "表2　各村（社区）走访完成情况（截至2017年6月15日，进度滞后的村（社区）在前，按落后多少排列）",
                        "表3　各单位问题办理情况（截至2017年6月15日）"]
    assert [[c.text for c in row.cells][:4] for row in docx.tables[0].rows[1:]] == [
        ["派出所", "3", "1", "33.3"], ["镇党政班子", "3", "2", "66.7"], ["合计", "6", "3", "50.0"]]


def _page_of(docx: Any, element: Any, layout: Any) -> int:
    """The page `element` ends on, measured (flow.py) over the document cut after it."""
    cut = read_docx(io.BytesIO(_saved(docx)))
    body = cut.element.body
    index = list(docx.element.body).index(element)
    for child in list(body)[index + 1:]:
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return flow.measure(cut, layout).pages


def _saved(docx: Any) -> bytes:
    out = io.BytesIO()
    docx.save(out)
    return out.getvalue()


def _units(count: int, today: dt.date) -> Any:
    from zoufang.oversight import figures

    rule = figures.PaceRule(dt.date(2017, 4, 1), dt.date(2017, 9, 30), 0.2, ("household",))

    def row(name: str, due: int, visited: int) -> Any:
        kinds = {"household": figures.KindCount("household", "住户", 5 * due, visited)}
        return figures.CoverageRow(name, name, kinds, figures.Pace(5 * due, visited, due, due, None, today=today))

    return figures.Coverage("unit", today, rule, [row(f"单位{n:02d}", 100 + n, n) for n in range(count)],
                            row("合计", 0, 0), [])


def test_a_town_of_60_units_prints_charts_that_fit_their_pages_and_tables_of_every_unit(office_town: Any) -> None:
    """Sixty units behind pace (锦溪镇's count), read back from the real docx: the figure draws the 15 worst and its
    caption says the table holds all 60; the 附件's table has every one; a chart of all 60 with its table (a
    简报's kind) is drawn in 3 parts; every image is lower than the text block, and each figure stands on the page
    of the text before it, drawn lower to fit (flow.py, in both layouts) when the room left allows."""
    from zoufang.documents import charts, content

    office = office_town.users["office"]
    draft = services.generate_draft(office_town.campaign, Document.Kind.CIRCULAR,
                                    *services.default_period(Document.Kind.CIRCULAR, DAY), by=office)
    units = _units(60, DAY)
    draft.sections = [
        {"key": "progress", "heading": "一、走访进展情况", "text": "\n".join([LINE] * 6),
         "blocks": [content.coverage_table(units, "单位", 1)]},
        {"key": "behind", "heading": "二、进度滞后单位", "text": "\n".join([LINE] * 3),
         "blocks": content.behind_figure(units, "单位", 1)},
        {"key": "all", "heading": "三、各单位", "text": LINE, "blocks": [content.coverage_block(units, "单位")]},
    ]
    draft.save()
    docx = read_docx(io.BytesIO(services.file_of(draft, by=office)))
    lines = texts(docx)
    assert "图1　落后最多的15个单位（共60个单位进度滞后，全部单位见附件表1）" in lines
    assert len(docx.inline_shapes) == 1 + 3  # the figure; the chart of 60 in three parts of 20
    assert len(charts.chart_parts(content.coverage_block(units, "单位"))) == 3
    block_emu = Mm(225)
    for shape in docx.inline_shapes:
        assert shape.height <= block_emu, mm(shape.height)
        assert mm(shape.width) <= 150
    inline, attached = [t for t in docx.tables if t.rows[0].cells[0].text == "单位" and len(t.rows) == 62]
    names = [row.cells[0].text for row in attached.rows[1:]]
    assert sorted(names[:-1]) == [f"单位{n:02d}" for n in range(60)]
    assert names[-1] == "合计"
    body = list(docx.element.body)
    mark = body.index(docx.paragraphs[lines.index("附件")]._p)
    assert body.index(inline._tbl) < mark < body.index(attached._tbl)  # the chart's table inline, the other attached
    figure = docx.inline_shapes[0]._inline.getparent().getparent().getparent()
    before = figure.getprevious()
    caption = figure.getnext()
    for layout in flow.LAYOUTS:
        assert _page_of(docx, before, layout) == _page_of(docx, caption, layout)


def test_without_a_cjk_font_drawing_fails_with_a_chinese_message(monkeypatch: Any, tmp_path: Any) -> None:
    monkeypatch.setattr(charts, "FONT_DIRS", (tmp_path,))
    charts.cjk_font.cache_clear()
    try:
        with pytest.raises(charts.ChartFontMissing, match="没有找到中文字体"):
            charts.cjk_font()
    finally:
        charts.cjk_font.cache_clear()


def test_a_chart_of_many_rows_is_drawn_in_parts_that_fit_the_page() -> None:
    """A town has some 60 units: one chart of them all would be taller than the text block (LibreOffice shrank it
    to a sliver); parts of at most MAX_BARS bars, the rows shared out evenly, each fits with its caption."""
    from PIL import Image

    rows = [[f"单位{n}", n % 7, 1, 10.0 * (n % 10)] for n in range(60)] + [["合计", 0, 0, 0.0]]
    block = {"caption": "各单位走访完成情况", "header": ["单位", "应走访", "已走访", "完成率（%）"], "rows": rows,
             "plot": [3], "percent": True, "total_row": True}
    parts = charts.bar_charts(block)
    assert len(parts) == 3
    for part in parts:
        image = Image.open(io.BytesIO(part))
        printed_mm = image.height / image.width * 150  # printed 150 mm wide
        assert printed_mm < 225 - 15, printed_mm
    assert len(charts.bar_charts({**block, "rows": rows[:20] + rows[-1:]})) == 1


@pytest.mark.parametrize(("lines", "sections", "break_before"), [(3, 2, False), (15, 1, False), (25, 2, True),
                                                                  (35, 2, False)])
def test_the_record_goes_to_an_even_page_by_the_text_s_measured_end(office_town: Any, lines: int, sections: int,
                                                                    break_before: bool) -> None:
    """Where the text ends (flow.py): page 1 → an even-page section; page 2 with room → the same page; a full
    page 2 → an unnumbered section, a blank page and the 版记's page; page 3 → an even-page section.
    tests/test_pdf_pages.py prints the same bodies with LibreOffice."""
    from docx.enum.section import WD_SECTION

    office = office_town.users["office"]
    draft = services.generate_draft(office_town.campaign, Document.Kind.CIRCULAR,
                                    *services.default_period(Document.Kind.CIRCULAR, DAY), by=office)
    draft.sections = [{"key": "progress", "heading": "一、走访进展情况", "text": "\n".join([LINE] * lines)}]
    draft.save()
    docx = read_docx(io.BytesIO(services.file_of(services.issue_document(draft, by=office), by=office)))
    assert len(docx.sections) == sections
    anchor = _anchor(docx).getparent().getparent().getparent()
    assert (anchor.pPr is not None and anchor.pPr.find(qn("w:pageBreakBefore")) is not None) == break_before
    if sections == 2:
        last = docx.sections[-1]
        assert last.start_type == (WD_SECTION.NEW_PAGE if break_before else WD_SECTION.EVEN_PAGE)
        assert last.footer.is_linked_to_previous == (not break_before)  # the blank page and the 版记's: no numbers
        # The break sits in the 成文日期's paragraph, not in an empty one of its own that could take a line.
        assert docx.paragraphs[-2].text == "2017年6月15日" or docx.paragraphs[-3].text == "2017年6月15日"
