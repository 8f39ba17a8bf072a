"""A batch's results as xlsx: one sheet per grouping (unit, village, cadre), through the one spreadsheet writer."""

from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.callbacks import results
from zoufang.callbacks.models import CallbackBatch
from zoufang.core.sheetwriter import ExportWorkbook, fitting_width


def batch_xlsx(batch: CallbackBatch) -> bytes:
    workbook = ExportWorkbook()
    first = True
    for table in results.tables(batch):
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        sheet.title = table.title[:31]
        sheet.append([_("%(campaign)s %(batch)s（%(period_starts_on)s 至 %(period_ends_on)s）"
                        " %(today)s") % {
            "campaign": batch.campaign.name, "batch": batch, "period_starts_on": clock.day(batch.period_starts_on),
            "period_ends_on": clock.day(batch.period_ends_on), "today": clock.day(clock.today()),
        }])
        headings = [str(heading) for heading in results.headings()]
        sheet.set_widths([28, *(max(8, fitting_width(heading)) for heading in headings)])
        sheet.table_row([table.title, *headings], header=True)
        for line in table.lines:
            sheet.table_row([line.name, *line.values()])
        sheet.table_row([table.total.name, *table.total.values()], bold=True)
        sheet.freeze_panes = "B3"
    return workbook.to_bytes()
