"""The flags as an xlsx: one row per flag, worst cadre first, through the one writer (ExportWorkbook)."""

from typing import Any

from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts.names import shown_name
from zoufang.core.sheetwriter import TITLE, ExportWorkbook
from zoufang.integrity.flags import SERIOUS, CadreFlags

WIDTHS = (12, 20, 16, 8, 70, 10, 10, 40, 12, 18)


def xlsx(campaign: Any, cadres: list[CadreFlags]) -> bytes:
    book = ExportWorkbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.title = _("真实性提示")
    sheet.append([_("%(name)s 走访真实性提示（%(day)s）") % {"name": campaign.name, "day": clock.day(clock.today())}])
    sheet["A1"].font = TITLE
    headers = [_("走访人"), _("单位"), _("提示类型"), _("分量"), _("依据"), _("涉及走访"), _("状态"), _("核实理由"),
               _("核实人"), _("核实时间")]
    sheet.set_widths(WIDTHS)
    sheet.table_row(headers, header=True)
    for entry in cadres:
        for flag in entry.flags:
            clearance = flag.clearance
            sheet.table_row([
                entry.cadre.name, entry.cadre.unit.name if entry.cadre.unit_id else "", flag.label,
                _("严重") if flag.weight >= SERIOUS else _("一般"), flag.evidence, len(flag.visit_ids),
                _("待核实") if clearance is None else _("已查实") if clearance.upheld else _("已排除"), clearance.reason if clearance else "",
                shown_name(clearance.cleared_by, nobody="") if clearance else "",
                clock.minute(clearance.modified_at) if clearance else "",
            ])
    sheet.freeze_panes = "B3"
    return book.to_bytes()
