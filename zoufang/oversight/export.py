"""Every oversight table as an xlsx: the same headers, rows and 合计 as on the page."""

import io
import re
from collections.abc import Sequence

from openpyxl.styles import Alignment, Font

from zoufang.core.tabular import ExportWorkbook
from zoufang.oversight.tables import Table


def xlsx(tables: Sequence[Table], *, heading: str = "") -> bytes:
    """One sheet per table: a title row, the bold headers, the rows, then 合计 when the table has one."""
    book = ExportWorkbook()  # the one writer: user text stays text, never a formula
    first = book.active
    if first is not None:
        book.remove(first)
    for table in tables:
        sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", "－", table.title)[:31])  # Excel refuses these in names
        sheet.append([f"{heading} {table.title}".strip()])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append(list(table.headers))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(list(row))
        if table.total:
            sheet.append(list(table.total))
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        for index, header in enumerate(table.headers):
            sheet.column_dimensions[sheet.cell(row=2, column=index + 1).column_letter].width = max(10, 2 * len(header) + 2)
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                cell.alignment = Alignment(vertical="top")
        sheet.freeze_panes = "B3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
