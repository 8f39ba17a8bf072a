"""Templates: every kind's xlsx reads back with its headers, and an instructions sheet for each column."""

import io

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
    assert instructions[0] == ["列名", "是否必填", "填写规则", "示例"]
    assert [row[0] for row in instructions[1:len(spec.columns) + 1]] == [c.header for c in spec.columns]
    assert {row[1] for row in instructions[1:len(spec.columns) + 1]} <= {"必填", "选填"}


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
