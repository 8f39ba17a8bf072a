"""The published 典型 as an xlsx (序号、类型、标题、村（社区）、单位/干部、来源、事迹简介、发布时间), masked as published."""

from typing import Any

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font

from zoufang import clock
from zoufang.core.sheetwriter import ExportWorkbook, fitted_height
from zoufang.exemplars import presenters
from zoufang.exemplars.models import Exemplar

WIDTHS = (6, 14, 30, 14, 22, 18, 70, 18)


def workbook(campaign: Any, exemplars: list[Exemplar]) -> bytes:
    book = ExportWorkbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.title = _("典型")
    sheet.append([_("%(name)s 典型名单（%(day)s）") % {"name": campaign.name, "day": clock.day(clock.today())}])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("序号"), _("类型"), _("标题"), _("村（社区）"), _("单位 / 干部"), _("来源"), _("事迹简介"),
                  _("发布时间")])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for n, exemplar in enumerate(exemplars, start=1):
        source = presenters.source(exemplar)
        sheet.append([n, exemplar.get_kind_display(), presenters.public_title(exemplar), source.village, source.who,
                      f"{source.label} {source.number or ''} {clock.day(source.day)}".replace("  ", " "),
                      presenters.public_text(exemplar),
                      clock.minute(exemplar.published_at) if exemplar.published_at else ""])
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        # Spreadsheet programs do not grow a wrapped row on opening: as tall as its longest text wraps to.
        sheet.row_dimensions[row[0].row].height = fitted_height([cell.value for cell in row], WIDTHS)
    sheet.freeze_panes = "A3"
    return book.to_bytes()
