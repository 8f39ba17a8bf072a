"""Every oversight table as an xlsx: the same headers, rows and 合计 as on the page."""

import io
import re
from collections.abc import Sequence
from typing import IO

from openpyxl.styles import Font

from zoufang.core.progress import Progress, report
from zoufang.core.sheetwriter import ExportWorkbook, fitting_width
from zoufang.oversight.tables import Table

PROGRESS_ROWS = 1000


def write_xlsx(out: IO[bytes], tables: Sequence[Table], *, heading: str = "",
               progress: Progress | None = None) -> None:
    """One sheet per table, streamed to `out`: a title row, the bold headers, the rows, then 合计 when the
    table has one. `progress` is told the rows written, every PROGRESS_ROWS (a long table's rows are read a page
    at a time as they are written: `tables.PagedRows`)."""
    book = ExportWorkbook(streaming=True)  # the one writer: user text stays text, never a formula
    rows = sum(len(table.rows) for table in tables)
    done = 0
    for table in tables:
        sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", "－", table.title)[:31])  # Excel refuses these in names
        # Each header on one line; a masked phone (138****0001) or a date fits the narrowest column.
        sheet.set_widths([max(12, fitting_width(header)) for header in table.headers])
        sheet.freeze_panes = "B3"
        sheet.append([f"{heading} {table.title}".strip()], font=Font(bold=True, size=14))
        sheet.table_row(list(table.headers), header=True)
        for row in table.rows:
            sheet.table_row(list(row))
            done += 1
            if done % PROGRESS_ROWS == 0:
                report(progress, done, rows)
        if table.total:
            sheet.table_row(list(table.total), bold=True)
    if tables:
        report(progress, rows, rows)
    else:
        book.create_sheet("Sheet")
    book.save(out)


def xlsx(tables: Sequence[Table], *, heading: str = "") -> bytes:
    """The workbook of `write_xlsx` in memory, for the views that answer with it."""
    out = io.BytesIO()
    write_xlsx(out, tables, heading=heading)
    return out.getvalue()
