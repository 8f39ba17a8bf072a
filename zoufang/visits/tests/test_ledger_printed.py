"""The 走访台账 on paper, as LibreOffice Calc prints it (decision 0030): A3 across, one page wide, its text no
smaller than 8 pt, the title and headers on every page, 第 n 页，共 N 页 at the foot. A Chinese character is one em
wide, so the width of a word of them over their number is the size it printed at (pdftotext -bbox; its box's height
is the font's line, 1.3 em for Noto Sans CJK)."""

import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang.core import sheetwriter
from zoufang.core.tests.libreoffice import bbox, needs_calc, printed
from zoufang.visits import ledger
from zoufang.visits.tests.conftest import add_visits

pytestmark = [pytest.mark.django_db]
CHINESE = re.compile(r"[\u4e00-\u9fff]+")
A3_ACROSS = (1190.6, 841.9)  # points


def _ledger(visiting: Any, n: int) -> bytes:
    add_visits(visiting, n, lambda i: "入户走访，了解家庭生产生活情况，宣传惠民政策，征求对村务工作的意见建议。" * (i % 3)
               + f"走访{i}", co_visitors=lambda i: "王芳、陈刚" if i % 4 == 0 else "")
    out = io.BytesIO()
    ledger.write_ledger(out, "派出所 走访台账", ledger.unit_visits(visiting.police), visiting.users["office"])
    return out.getvalue()


def test_the_ledger_is_set_to_print_on_a3_across_with_its_headers_on_every_page(visiting: Any) -> None:
    book = load_workbook(io.BytesIO(_ledger(visiting, 3)))
    sheet = book["走访台账"]
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A3
    assert sheet.page_setup.orientation == "landscape"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert [sheet.column_dimensions[c.column_letter].width for c in sheet[2]] == ledger.WIDTHS
    across = sum(sheetwriter.printed_width(width) for width in ledger.WIDTHS)
    assert (A3_ACROSS[0] - 72) / across * sheetwriter.BODY_POINTS >= 10  # in Excel or WPS
    diary = book["民情走访日记"]  # 104 units wide: A4 holds it at 11 pt
    assert str(diary.page_setup.paperSize) == diary.PAPERSIZE_A4


@needs_calc
def test_the_printed_ledger_reads_at_8_points_or_more_one_page_across(visiting: Any, tmp_path: Path) -> None:
    visits = 60
    pdf = printed(_ledger(visiting, visits), tmp_path, "ledger")
    numbered, sizes = set(), []
    sheets = [page for page in bbox(pdf).iter("page") if page.find("word") is not None]
    ledger_pages = [page for page in sheets if any(w.text == "走访台账" for w in page.iter("word"))]
    assert len(ledger_pages) >= 2
    for number, page in enumerate(ledger_pages, start=1):
        assert (round(float(page.get("width", 0)), 1), round(float(page.get("height", 0)), 1)) == A3_ACROSS
        words = [(float(w.get("xMin", 0)), float(w.get("xMax", 0)), w.text or "") for w in page.iter("word")]
        texts = [text for _left, _right, text in words]
        assert {"序号", "走访情况", "逾期登记"} <= set(texts), number  # the headers, the last column on the page
        footer = re.search(r"第(\d+)页，共(\d+)页", "".join(texts))  # 共: the pages of the whole workbook
        assert footer, number
        assert int(footer[1]) == number
        assert int(footer[2]) >= len(ledger_pages)
        sizes += [(right - left) / len(text) for left, right, text in words if CHINESE.fullmatch(text)]
        # 序号 right-aligned in the first column: every whole number ending left of the second column's header
        second_column = min(left for left, _right, text in words if text == "走访时间")
        numbered |= {int(text) for _left, right, text in words if text.isdigit() and right < second_column}
    assert numbered >= set(range(1, visits + 1))
    assert min(sizes) >= sheetwriter.READABLE_POINTS, min(sizes)
