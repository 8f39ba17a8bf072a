"""The ledger streams: the same few queries whatever the number of visits, progress told, text kept."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from zoufang.visits import ledger
from zoufang.visits.models import Visit
from zoufang.visits.tests.conftest import add_visits

pytestmark = pytest.mark.django_db


def _visits(visiting, n: int) -> None:
    add_visits(visiting, n, lambda i: "=cmd|' /C calc'!A0" if i == 0 else f"走访{i}")


def _export(visiting, user) -> tuple[int, int, list[tuple[int, int]]]:
    calls: list[tuple[int, int]] = []
    with CaptureQueriesContext(connection) as queries:
        rows = ledger.write_ledger(io.BytesIO(), "台账", ledger.unit_visits(visiting.police), user,
                                   progress=lambda done, total: calls.append((done, total)))
    return rows, len(queries), calls


def test_the_ledger_asks_the_same_queries_for_5_or_60_visits(visiting, django_assert_max_num_queries):
    user = visiting.users["office"]
    _visits(visiting, 5)
    rows, few, calls = _export(visiting, user)
    assert rows == 5
    assert calls[0] == (0, 5)
    assert calls[-1] == (5, 5)
    _visits(visiting, 60)
    rows, many, calls = _export(visiting, user)
    assert rows == 60
    assert calls[-1] == (60, 60)
    assert many <= few  # the first export also warms the request's caches (scope, policy)
    with django_assert_max_num_queries(few):
        ledger.write_ledger(io.BytesIO(), "台账", ledger.unit_visits(visiting.police), user)


def test_the_streamed_ledger_reads_back_with_its_places_and_text(visiting):
    _visits(visiting, 3)
    out = io.BytesIO()
    ledger.write_ledger(out, "派出所 走访台账", ledger.unit_visits(visiting.police), visiting.users["office"])
    book = load_workbook(io.BytesIO(out.getvalue()))
    rows = [[c.value for c in row] for row in book["走访台账"].iter_rows()]
    assert rows[0][0] == "派出所 走访台账"
    assert rows[1] == ledger.COLUMNS
    first = dict(zip(rows[1], rows[2], strict=True))
    assert first["走访情况"] == "=cmd|' /C calc'!A0"
    assert book["走访台账"]["N3"].quotePrefix
    assert book["走访台账"]["N3"].data_type == "s"
    assert first["走访方式"] == str(Visit.Mode.HOME.label)
    assert {dict(zip(rows[1], r, strict=True))["村（社区）"] for r in rows[2:]} >= {"上下塘社区"}
    assert book["走访台账"].freeze_panes == "A3"


def test_the_ledger_prints_as_a_boxed_table_whose_rows_hold_their_whole_text(visiting):
    """Printed, a ledger is a table: every header and data cell boxed and wrapped, and a row as tall as its
    longest text needs (neither Excel nor LibreOffice grows a stored row when opening the file: before, a long
    走访情况 printed as its first line only)."""
    _visits(visiting, 2)
    Visit.objects.filter(summary="走访1").update(summary="入户走访，了解家庭生产生活情况，宣传惠民政策。" * 4)
    out = io.BytesIO()
    ledger.write_ledger(out, "派出所 走访台账", ledger.unit_visits(visiting.police), visiting.users["office"])
    sheet = load_workbook(io.BytesIO(out.getvalue()))["走访台账"]
    for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
        for cell in row:
            assert cell.border.left.style == cell.border.bottom.style == "thin", cell.coordinate
            assert cell.alignment.wrap_text, cell.coordinate
    assert sheet["A2"].font.bold
    assert sheet["A2"].alignment.horizontal == "center"
    long_row = next(r for r in range(3, sheet.max_row + 1) if len(sheet.cell(r, 14).value or "") > 40)
    # 92 Chinese characters in the 27-wide 走访情况 column, 12 a line: eight lines of 16 points and the cell's margins.
    assert sheet.row_dimensions[long_row].height == 8 * 16 + 2
    short_row = next(r for r in range(3, sheet.max_row + 1) if r != long_row)
    # Its longest text is the visitor 派出所党员甲 (12.9 units) in the 10-wide 走访人 column: two lines.
    assert sheet.row_dimensions[short_row].height == 2 * 16 + 2
