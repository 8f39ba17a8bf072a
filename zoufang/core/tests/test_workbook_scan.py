"""Workbooks from other offices read as the clerk sees them, and hostile ones refused before they cost memory."""

import io
import struct
import time
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from zoufang.core import workbook_scan
from zoufang.core.tabular import TabularError, count_rows, read_sheet


def _book(rows=(), setup=None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    if setup is not None:
        setup(book, sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _far_cell(book, sheet):
    sheet["XFD1048576"] = "x"


def test_a_tiny_file_whose_cells_span_the_whole_grid_is_refused_before_any_reader_lays_it_out():
    data = _book([["户别"]], _far_cell)  # calamine would ask for 17 billion cells and abort the process
    assert len(data) < 10_000
    started = time.monotonic()
    with pytest.raises(TabularError) as refused:
        read_sheet(io.BytesIO(data), "h.xlsx")
    assert time.monotonic() - started < 5
    assert "工作表“Sheet”的数据区域有1048576行×16384列" in str(refused.value)  # its tab's name, not its XML part
    assert "Ctrl+End" in str(refused.value)
    assert count_rows(io.BytesIO(data)) == 0


def test_a_styled_cell_far_away_without_a_value_does_not_count():
    data = _book([["户别"], ["户籍户"]], lambda book, sheet: setattr(sheet["XFD1048576"], "font", Font(bold=True)))
    assert [row.cells for row in read_sheet(io.BytesIO(data), "h.xlsx").rows] == [("户别",), ("户籍户",)]


def _repack(data: bytes, part: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == part else source.read(info.filename))
    return out.getvalue()


def _declare_size(data: bytes, part: str, size: int) -> bytes:
    """The zip says `part` inflates to `size` bytes, in its local header and its central directory: a lie."""
    patched = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(part)
    struct.pack_into("<L", patched, info.header_offset + 22, size)
    central = bytes(patched).find(b"PK\x01\x02" + bytes(patched[info.header_offset + 4:info.header_offset + 6]))
    while central >= 0:
        name_length = struct.unpack_from("<H", patched, central + 28)[0]
        if bytes(patched[central + 46:central + 46 + name_length]) == part.encode():
            struct.pack_into("<L", patched, central + 24, size)
            break
        central = bytes(patched).find(b"PK\x01\x02", central + 4)
    return bytes(patched)


def test_a_file_that_inflates_past_the_limit_is_refused_whatever_size_it_declares(monkeypatch):
    monkeypatch.setattr(workbook_scan, "MAX_INFLATED", 1024 * 1024)
    data = _book([["户别"], ["户籍户"]])
    padded = _repack(data, "docProps/app.xml", b"<!--" + b" " * 3 * 1024 * 1024 + b"-->")
    assert len(padded) < 50_000
    for bomb in (padded, _declare_size(padded, "docProps/app.xml", 100)):
        with pytest.raises(TabularError) as refused:
            read_sheet(io.BytesIO(bomb), "h.xlsx")
        assert "解压后超过1 MB" in str(refused.value)


def test_an_opendocument_spreadsheet_is_refused_with_what_to_do():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as ods:
        ods.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        ods.writestr("content.xml", '<table:table-row table:number-rows-repeated="99000"/>')
    with pytest.raises(TabularError) as refused:
        read_sheet(io.BytesIO(out.getvalue()), "h.ods")
    assert "不支持 OpenDocument 表格（.ods）" in str(refused.value)


def test_a_cell_merged_down_several_rows_counts_in_each_row_and_across_merges_do_not_spread():
    def merge(book, sheet):
        sheet.merge_cells("A1:C1")
        sheet.merge_cells("A3:A5")

    data = _book([["锦溪镇户籍户登记表"], ["村（社区）", "户主姓名"], ["上下塘社区", "张三"], [None, "李四"], [None, "王五"]],
                 merge)
    rows = read_sheet(io.BytesIO(data), "h.xlsx").rows
    assert rows[0].cells[0] == "锦溪镇户籍户登记表"
    assert not any(rows[0].cells[1:])
    assert [row.cells[:2] for row in rows[2:]] == [("上下塘社区", "张三"), ("上下塘社区", "李四"), ("上下塘社区", "王五")]


def test_error_values_and_formulas_without_a_result_are_kept_apart_from_blanks():
    def cells(book, sheet):
        sheet["B2"] = "#N/A"
        sheet["B2"].data_type = "e"
        sheet["C2"] = "=VLOOKUP(A2,Sheet2!A:B,2,0)"  # openpyxl saves no result: a program's export, not Excel's

    [_header, row] = read_sheet(io.BytesIO(_book([["a", "b", "c"], ["x", None, None]], cells)), "h.xlsx").rows
    assert row.cells == ("x", "#N/A", "")
    assert row.uncomputed == frozenset({2})


def test_a_hidden_sheet_is_not_taken_for_the_data_and_invisible_characters_are_dropped():
    def hidden_first(book, sheet):
        leftover = book.create_sheet("旧表", 0)
        leftover.append(["作废的数据"])
        leftover.sheet_state = "hidden"

    sheet = read_sheet(io.BytesIO(_book([["户主姓名"], ["\u200b张三\ufeff\u00a0"]], hidden_first)), "h.xlsx")
    assert sheet.name == "Sheet"
    assert sheet.rows[1].cells == ("张三",)
    csv = read_sheet(io.BytesIO("户主姓名\n\u200b李四\u200d\n".encode("utf-8-sig")), "h.csv")
    assert csv.rows[1].cells == ("李四",)


def test_an_old_xls_file_is_read_with_its_merges():
    from pathlib import Path

    path = Path(__file__).parents[2] / "registry" / "tests" / "files" / "households.xls"
    sheet = read_sheet(path)
    assert sheet.name == "户籍户"
    assert sheet.rows[3].cells[:5] == ("户籍户", "上下塘社区", "", "", "李四")
    assert count_rows(io.BytesIO(path.read_bytes())) == 4
