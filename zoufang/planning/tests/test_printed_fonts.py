"""The allocation tables' and walk lists' docx: digits and Latin letters in the face of the Chinese beside them,
read back from the file (the run, the style and the document's defaults)."""

import io

from zoufang.core.tests.docxfonts import body_font, declared_fallbacks, mixed_fonts
from zoufang.planning.printing import docx_document, docx_heading, docx_table


def _saved(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_printed_table_names_one_face_for_its_digits_and_its_chinese():
    document = docx_document()
    docx_heading(document, "附件1", "锦溪镇2017年度走访名单", new_page=False)
    docx_table(document, ["序号", "地址"], [[1, "上下塘社区第1居民小组12号"]], font_pt=9)
    data = _saved(document)
    assert mixed_fonts(data) == []
    assert body_font(data) == "仿宋_GB2312"
    assert declared_fallbacks(data)["仿宋_GB2312"] == "仿宋"  # an office PC without the GB2312 pack has 仿宋


def test_the_attachment_label_is_all_heiti():
    from docx import Document
    from docx.oxml.ns import qn

    document = docx_document()
    docx_heading(document, "附件1", "表", new_page=False)
    label = Document(io.BytesIO(_saved(document))).paragraphs[0].runs[0]
    fonts = label._r.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {"黑体"}
