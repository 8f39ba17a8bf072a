"""Every oversight table as an xlsx: the same headers, rows and 合计 as on the page."""

import io
import re
from collections.abc import Sequence
from typing import IO

from openpyxl.styles import Alignment, Font

from zoufang.core.progress import Progress, report
from zoufang.core.tabular import ExportWorkbook
from zoufang.oversight.tables import Table

BOLD = Font(bold=True)
TOP = Alignment(vertical="top")


def write_xlsx(out: IO[bytes], tables: Sequence[Table], *, heading: str = "",
               progress: Progress | None = None) -> None:
    """One sheet per table, streamed to `out`: a title row, the bold headers, the rows, then 合计 when the
    table has one. `progress` is told the tables written."""
    book = ExportWorkbook(streaming=True)  # the one writer: user text stays text, never a formula
    for done, table in enumerate(tables, start=1):
        sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", "－", table.title)[:31])  # Excel refuses these in names
        sheet.set_widths([max(10, 2 * len(header) + 2) for header in table.headers])
        sheet.freeze_panes = "B3"
        sheet.append([f"{heading} {table.title}".strip()], font=Font(bold=True, size=14))
        sheet.append(list(table.headers), font=BOLD)
        for row in table.rows:
            sheet.append(list(row), alignment=TOP)
        if table.total:
            sheet.append(list(table.total), font=BOLD, alignment=TOP)
        report(progress, done, len(tables))
    if not tables:
        book.create_sheet("Sheet")
    book.save(out)


def xlsx(tables: Sequence[Table], *, heading: str = "") -> bytes:
    """The workbook of `write_xlsx` in memory, for the views that answer with it."""
    out = io.BytesIO()
    write_xlsx(out, tables, heading=heading)
    return out.getvalue()
