"""No download is a CSV: Excel opens a CSV's ID number (18 digits) as 3.20583E+17 and keeps 15 of them, a phone
or credit code likewise, and saves the loss back. Every export is an xlsx through `sheetwriter.ExportWorkbook`,
which stores text as text. The CSV files the code writes are the demo's and the bench's import files, which it
reads back itself (core.tabular reads ="…" and a leading tab as text, should a person save one from Excel)."""

import re
from pathlib import Path

from zoufang.core import tabular
from zoufang.jobs import kinds

SOURCE = Path(tabular.__file__).resolve().parents[1]
# Files the code writes for itself to import (the demo's registry, the import bench's households), never served.
OWN_IMPORT_FILES = {"demo/loader.py", "demo/zhouzhuang.py", "bench.py"}


def test_nothing_but_the_demo_and_the_bench_writes_csv():
    """A CSV export added here must write long digit strings so a spreadsheet keeps them as text (a leading tab:
    Excel, WPS and LibreOffice keep the cell as text without a formula, and a program reading the file strips it)."""
    writers = sorted(str(path.relative_to(SOURCE)) for path in SOURCE.rglob("*.py")
                     if "tests" not in path.parts and re.search(r"csv\.(writer|DictWriter)\(", path.read_text("utf-8")))
    assert set(writers) <= OWN_IMPORT_FILES, writers


def test_no_download_is_served_as_csv():
    assert not [kind for kind in kinds.MEDIA_TYPES if "csv" in kind or "csv" in kinds.MEDIA_TYPES[kind]]
    served = [str(path.relative_to(SOURCE)) for path in SOURCE.rglob("*.py")
              if "tests" not in path.parts and re.search(r"text/csv|filename[^\n]*\.csv", path.read_text("utf-8"))]
    assert served == []


def test_the_importer_reads_a_number_kept_as_text_by_a_tab_or_a_formula():
    rows = tabular.read_csv("身份证号码,电话\n\t320583199001011232,=\"0512\"\n".encode())
    assert rows[1].cells == ("320583199001011232", "0512")
