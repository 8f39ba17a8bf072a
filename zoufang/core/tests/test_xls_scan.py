"""Legacy .xls workbooks: read as the clerk sees them, and hostile ones refused before calamine lays them out."""

import io
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import xlwt

from zoufang.core import tabular, workbook_scan
from zoufang.core.tabular import TabularError, count_rows, read_sheet
from zoufang.core.xls_scan import scan_xls

ROOT = Path(__file__).resolve().parents[3]  # the checkout whose code the probe must import

def xls(cells: dict[tuple[int, int], object], sheet: str = "花名册") -> bytes:
    """A real BIFF8 .xls (an OLE2 file holding a Workbook stream), as Excel 97–2003 saves one."""
    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet(sheet)
    for (row, column), value in cells.items():
        page.write(row, column, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def declare_dimensions(data: bytes, rows: int, columns: int) -> bytes:
    """The sheet's DIMENSIONS record says rows × columns, whatever its cells reach (a lie; same file size)."""
    at = data.find(struct.pack("<HH", 0x0200, 14))
    assert at > 0
    return data[:at + 4] + struct.pack("<IIHHH", 0, rows, 0, columns, 0) + data[at + 18:]


REGISTER = {(0, 0): "户主姓名", (0, 1): "家庭人口", (1, 0): "张三", (1, 1): 3, (2, 0): "李四", (2, 1): 4}


class CalamineMustNotOpen:
    @staticmethod
    def from_filelike(_source):
        raise AssertionError("calamine opened a workbook the scan should have refused")


def test_a_real_xls_reads_as_written_with_its_extent_scanned():
    data = xls(REGISTER)
    assert scan_xls(data)["花名册"].rows == 3
    sheet = read_sheet(io.BytesIO(data), "h.xls")
    assert sheet.name == "花名册"
    assert [row.cells for row in sheet.rows] == [("户主姓名", "家庭人口"), ("张三", "3"), ("李四", "4")]
    assert count_rows(io.BytesIO(data)) == 3


def test_an_error_cell_reads_as_its_code_not_as_a_blank():
    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet("花名册")
    for (row, column), value in REGISTER.items():
        if (row, column) != (2, 1):
            page.write(row, column, value)
    page.row(2).set_cell_error(1, 0x2A)  # 家庭人口 of 李四: a VLOOKUP that found nothing (#N/A)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    assert [row.cells for row in read_sheet(io.BytesIO(data), "h.xls").rows][2] == ("李四", "#N/A")


def test_a_tiny_xls_whose_cells_span_the_whole_grid_is_refused_before_calamine_opens_it(monkeypatch):
    data = xls({(0, 0): "户主姓名", (65535, 255): "x"})  # calamine 0.9.1: about 1 GB for this 6 KB file
    assert len(data) < 10_000
    monkeypatch.setattr(tabular, "CalamineWorkbook", CalamineMustNotOpen)
    with pytest.raises(TabularError) as refused:
        read_sheet(io.BytesIO(data), "h.xls")
    assert "工作表“花名册”的数据区域有65536行×256列" in str(refused.value)
    assert "Ctrl+End" in str(refused.value)
    assert count_rows(io.BytesIO(data)) == 0


def test_an_xls_declaring_huge_dimensions_is_refused_naming_the_sheet(monkeypatch):
    data = declare_dimensions(xls(REGISTER, sheet="户籍户"), 65536, 256)
    monkeypatch.setattr(tabular, "CalamineWorkbook", CalamineMustNotOpen)
    with pytest.raises(TabularError) as refused:
        read_sheet(io.BytesIO(data), "h.xls")
    assert "工作表“户籍户”的数据区域有65536行×256列，超过一次导入5000000个单元格的上限" in str(refused.value)


def test_an_xls_whose_stream_is_past_the_limit_is_refused_before_calamine_opens_it(monkeypatch):
    monkeypatch.setattr(workbook_scan, "MAX_INFLATED", 1024 * 1024)
    data = xls({(row, column): row * 10 + column + 0.5 for row in range(16_000) for column in range(8)})
    assert len(data) > 1024 * 1024
    monkeypatch.setattr(tabular, "CalamineWorkbook", CalamineMustNotOpen)
    with pytest.raises(TabularError) as refused:
        read_sheet(io.BytesIO(data), "h.xls")
    assert "文件解压后超过1 MB" in str(refused.value)


@pytest.mark.parametrize("damage", [
    lambda data: data[:512] + b"\x00" * (len(data) - 512),  # the compound file's sectors wiped
    lambda data: data.replace("Workbook".encode("utf-16-le"), "Worddocs".encode("utf-16-le")),  # no workbook
])
def test_a_damaged_xls_is_unreadable_not_a_crash(damage, monkeypatch):
    monkeypatch.setattr(tabular, "CalamineWorkbook", CalamineMustNotOpen)
    with pytest.raises(TabularError) as refused:
        read_sheet(io.BytesIO(damage(xls(REGISTER))), "h.xls")
    assert "文件无法读取" in str(refused.value)


def test_refusing_a_whole_grid_xls_costs_no_more_memory_than_reading_a_small_one(tmp_path):
    """Peak memory of one process reading the file (VmHWM, measured 2026-12-05: about 1,580 MB before the scan, when
    calamine laid out 65536 × 256 cells; about 100 MB with it, as for a three-row register)."""
    path = tmp_path / "grid.xls"
    path.write_bytes(xls({(0, 0): "户主姓名", (65535, 255): "x"}))
    probe = textwrap.dedent(f"""
        import io, re, django
        django.setup()
        from zoufang.core.tabular import TabularError, read_sheet
        try:
            read_sheet(io.BytesIO(open({str(path)!r}, "rb").read()), "grid.xls")
        except TabularError:
            pass
        # VmHWM, not ru_maxrss: the latter keeps the forking test process's own peak across exec.
        print(int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024)
    """)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True,
                            env={"DJANGO_SETTINGS_MODULE": "zoufang.settings", "PATH": "/usr/bin:/bin"}, cwd=ROOT)
    assert int(result.stdout.split()[-1]) < 300, result.stdout
