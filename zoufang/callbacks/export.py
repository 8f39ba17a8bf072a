"""A batch's results as xlsx: one sheet per grouping (unit, village, cadre), through the one spreadsheet writer."""

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font

from zoufang import clock
from zoufang.callbacks import results
from zoufang.callbacks.models import CallbackBatch
from zoufang.core.sheetwriter import ExportWorkbook


def batch_xlsx(batch: CallbackBatch) -> bytes:
    workbook = ExportWorkbook()
    first = True
    for table in results.tables(batch):
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        sheet.title = table.title[:31]
        sheet.append([_("%(campaign)s %(batch)s（%(period_starts_on)s 至 %(period_ends_on)s）"
                        " %(today)s") % {
            "campaign": batch.campaign.name, "batch": batch, "period_starts_on": batch.period_starts_on,
            "period_ends_on": batch.period_ends_on, "today": f'{clock.today():%Y-%m-%d}',
        }])
        headings = [str(heading) for heading in results.headings()]
        sheet.append([table.title, *headings])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for line in table.lines:
            sheet.append([line.name, *line.values()])
        sheet.append([table.total.name, *table.total.values()])
        sheet.set_widths([28, *(max(8, 2 * len(heading) + 2) for heading in headings)])
        sheet.freeze_panes = "B3"
    return workbook.to_bytes()
