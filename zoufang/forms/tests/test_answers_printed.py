"""A questionnaire's answers as the office prints them (read back with openpyxl): the form named at the top of every
page, the headers repeated on each, boxed and wrapped within columns wide enough for their questions; the data still
starts under one header row, for the programs that read the file."""

import io

import openpyxl
import pytest

from zoufang.core.sheetwriter import CELL_MARGIN, text_width
from zoufang.forms.export import answers_workbook
from zoufang.forms.services import load_shipped_forms

pytestmark = pytest.mark.django_db


def test_it_prints_the_answers_as_a_table_with_its_headers_on_every_page(settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    form = {v.form.key: v for v in load_shipped_forms()}["household_survey"].form
    book = openpyxl.load_workbook(io.BytesIO(answers_workbook(form, [])))
    assert [sheet.title for sheet in book.worksheets] == ["群众入户调查表", "家庭成员就业情况（每人一行）"]
    for sheet in book.worksheets:
        assert sheet.print_title_rows == "$1:$1"
        assert form.title in sheet.oddHeader.center.text
        assert "2017年6月15日" in sheet.oddHeader.center.text
        header = sheet[1]
        assert header[0].value == "走访编号"
        assert all(cell.font.bold and cell.border.left.style == "thin" and cell.alignment.wrap_text for cell in header)
        for cell in header:  # a question's header wraps to three lines at most
            width = sheet.column_dimensions[cell.column_letter].width
            assert text_width(str(cell.value)) <= 3 * (width - CELL_MARGIN)
        assert sheet["A2"].value == "本表无记录"  # no answer yet: said under the headers
