"""Every oversight table as an xlsx: the same headers, rows and 合计 as on the page."""

import io
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import IO

from django.utils.translation import gettext as _

from zoufang.core.progress import Progress, report
from zoufang.core.sheetwriter import ExportWorkbook, content_width, titled_table
from zoufang.oversight.tables import Cell, Table

PROGRESS_ROWS = 1000
MEASURED_ROWS = 1000  # the rows a column's width is measured on (a long table's first ones, held until written)
TEXT_WIDEST = 36  # a long text (a case's 内容) wraps within this; a case list of three long texts stays on A4
FIGURE_NARROWEST = 8  # a figure never wraps, and Excel shows #### for a number wider than its column: 7 digits fit


def column_widths(table: Table, rows: Sequence[Sequence[Cell]]) -> list[float]:
    """A figure's column as wide as its header on one line (or its widest figure in `rows`); a text's as its widest
    line in `rows` or its header, whichever is wider, up to TEXT_WIDEST: a 内容 squeezed to its header's width
    printed rows 146 pt tall. A date counts as it prints (2017年6月15日)."""
    widths = []
    for at, header in enumerate(table.headers):
        values = [row[at] for row in rows if at < len(row)]
        if at >= table.numeric_from:
            widths.append(max(FIGURE_NARROWEST, content_width(header, values)))
        else:
            widths.append(content_width(header, values, widest=TEXT_WIDEST))
    return widths


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
        remaining = iter(table.rows)
        first = list(itertools.islice(remaining, MEASURED_ROWS))  # widths go before the first row
        # The heading (a campaign, a unit) once: a unit's own table already starts with its name.
        title = table.title if table.title.startswith(heading) else f"{heading} {table.title}".strip()
        titled_table(sheet, title, table.headers, column_widths(table, [*first, *([table.total] if table.total else [])]),
                     freeze="B3")
        body: Iterable[list[Cell]] = itertools.chain(first, remaining)
        for row in body:
            sheet.table_row(list(row))
            done += 1
            if done % PROGRESS_ROWS == 0:
                report(progress, done, rows)
        if table.total:
            sheet.table_row(list(table.total), bold=True)
    if tables:
        report(progress, rows, rows)
    else:
        book.create_sheet(_("无表格")).append([f"{heading} {_('没有可导出的表格')}".strip()])
    book.save(out)


def xlsx(tables: Sequence[Table], *, heading: str = "") -> bytes:
    """The workbook of `write_xlsx` in memory, for the views that answer with it."""
    out = io.BytesIO()
    write_xlsx(out, tables, heading=heading)
    return out.getvalue()
