"""The units' 工作总结 as the office's xlsx: one row a unit owing one, 已提交, 已退回（待重交） or 未提交 (decision 0075)
with the return's reason, late ones marked (decision 0071)."""

from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts.masking import Masker
from zoufang.core.sheetwriter import MINUTE_WIDTH, ExportWorkbook, titled_table
from zoufang.documents.summaries import RETURNED, Roster

WIDTHS = (6, 28, 16, 8, MINUTE_WIDTH, 14, 36, 8, 30, 30)


def workbook(roster: Roster, masker: Masker) -> bytes:
    """The roster as the reader may read it: a note's personal numbers masked (decision 0073)."""
    book = ExportWorkbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.title = roster.due.label[:31]
    title = _("%(name)s %(label)s提交情况（截止日期 %(due)s；截至%(day)s，%(n)s/%(total)s 个单位已提交）") % {
        "name": roster.campaign.name, "label": roster.due.label, "due": clock.day(roster.due.day),
        "n": roster.submitted, "total": len(roster.rows), "day": clock.day(roster.today)}
    if owed_again := roster.count(RETURNED):  # owed again: not among those handed in (decision 0075)
        title = title[:-1] + _("，%(n)s 个已退回待重交）") % {"n": owed_again}
    titled_table(sheet, title, [_("序号"), _("单位"), _("状态"), _("逾期"), _("提交时间"), _("提交人"), _("文件"),
                                _("版本数"), _("说明"), _("退回原因")], WIDTHS)
    for n, row in enumerate(roster.rows, start=1):
        current, returned = row.current, row.returned
        sheet.table_row([
            n, row.unit.name, row.state_label, _("逾期") if row.late else "",
            clock.minute(current.submitted_at) if current else "",
            current.submitter if current else "", current.file_name if current else "",
            len(row.versions) if current else "", masker.text(current.note, current) if current else "",
            masker.text(returned.reason, returned) if returned else ""])
    return book.to_bytes()
