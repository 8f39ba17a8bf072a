"""Templates: every kind's xlsx reads back with its headers, and an instructions sheet for each column."""

import io
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from zoufang.core.tabular import match_headers, read_rows
from zoufang.registry.imports import KINDS, run_import, write_template


@pytest.mark.parametrize("kind", list(KINDS))
def test_it_writes_a_template_whose_headers_read_back(kind):
    out = io.BytesIO()
    write_template(kind, out)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue()))
    assert workbook.sheet_names[1] == "说明"
    header = read_rows(io.BytesIO(out.getvalue()))[0]
    spec = KINDS[kind]
    if spec.header_rows is None:
        assert list(header.cells) == [c.header for c in spec.columns]
        assert not match_headers(header, spec.columns).errors
    instructions = workbook.get_sheet_by_name("说明").to_python()
    assert instructions[1] == ["列名", "是否必填", "填写规则", "示例"]  # under the sheet's title
    assert [row[0] for row in instructions[2:len(spec.columns) + 2]] == [c.header for c in spec.columns]
    assert {row[1] for row in instructions[2:len(spec.columns) + 2]} <= {"必填", "选填"}


@pytest.mark.django_db
def test_it_imports_an_empty_template_as_nothing_to_do(tmp_path):
    path = tmp_path / "households.xlsx"
    write_template("units", path)
    report = run_import("units", path)
    assert report.ok
    assert report.total_rows == 0


def test_it_gives_valid_identifiers_as_examples():
    from zoufang.registry.identifiers import is_valid_credit_code, is_valid_id_number

    examples = {c.header: c.example for spec in KINDS.values() for c in spec.columns}
    assert is_valid_id_number(examples["身份证号码"])
    assert is_valid_credit_code(examples["统一社会信用代码"])


def _instructions(kind: str) -> Any:
    from openpyxl import load_workbook

    out = io.BytesIO()
    write_template(kind, out)
    return load_workbook(io.BytesIO(out.getvalue()))["说明"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_its_instructions_read_top_down_title_columns_then_rules(kind):
    sheet = _instructions(kind)
    spec = KINDS[kind]
    first = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert first[0] == f"{spec.label}导入模板说明"
    assert sheet["A1"].font.b
    assert [c.value for c in sheet[2]] == ["列名", "是否必填", "填写规则", "示例"]
    table_end = 2 + len(spec.columns)
    assert first[2:table_end] == [c.header for c in spec.columns]
    rules = [text for text in first[table_end:] if text]
    assert rules[0] == "导入时检查的规则"
    assert rules[1].startswith("1. ")
    assert "第一个工作表" in rules[1]
    assert "整个文件不导入" in rules[2]
    assert [rule.split(". ", 1)[1] for rule in rules[3:]] == [str(note) for note in spec.notes]


@pytest.mark.parametrize("kind", list(KINDS))
def test_its_instructions_wrap_and_print_on_a4_upright(kind):
    from zoufang.core.sheetwriter import PAPERS, printed_width

    sheet = _instructions(kind)
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.page_setup.orientation == "portrait"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCD"]
    side = (sheet.page_margins.left + sheet.page_margins.right) * 72
    assert sum(printed_width(width) for width in widths) <= PAPERS[sheet.PAPERSIZE_A4][False] - side
    assert sheet.print_title_rows == "$1:$2"  # the title and the columns' headers on every printed page
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if cell.value:
                assert cell.alignment.wrap_text, cell.coordinate
    rules = [row[0] for row in sheet.iter_rows(min_row=3 + len(KINDS[kind].columns)) if row[0].value]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "A1:D1" in merged  # a long title wraps within the page, never past its edge
    assert sheet["A1"].alignment.wrap_text
    assert all(f"A{cell.row}:D{cell.row}" in merged for cell in rules)  # a rule wraps across the page's width
    longest = max(rules, key=lambda cell: len(cell.value))
    if len(longest.value) > 50:
        assert sheet.row_dimensions[longest.row].height > 20  # tall enough for its lines


def test_its_rules_say_what_to_write_not_what_went_wrong():
    """The 说明 sheet's 填写规则 states each column's rule; the import's error messages (不符合 …) are for a bad cell."""
    rules = {c.header: str(c.rule) for spec in KINDS.values() for c in spec.columns if c.rule}
    assert not {header: rule for header, rule in rules.items() if "不符合" in rule}
    assert rules["身份证号码"].startswith("18位，符合 GB 11643")
    assert rules["统一社会信用代码"].startswith("18位，符合 GB 32100")


@pytest.mark.parametrize("kind", list(KINDS))
def test_its_instructions_give_a_one_line_row_the_room_of_a_wrapped_one(kind):
    """A one-line row left at the default height printed its text against its borders in LibreOffice; every row
    is as tall as its lines and the same margin a wrapped row has."""
    from zoufang.core.sheetwriter import LINE_POINTS, ROW_MARGIN_POINTS

    sheet = _instructions(kind)
    for row in sheet.iter_rows(min_row=2):
        if any(cell.value for cell in row):
            height = sheet.row_dimensions[row[0].row].height
            assert height is not None, row[0].row
            assert height >= LINE_POINTS + ROW_MARGIN_POINTS, row[0].row
