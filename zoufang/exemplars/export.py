"""The published 典型 as an xlsx (序号、类型、标题、村（社区）、单位/干部、来源、事迹简介、发布时间), masked as published:
a printed table under its title, each row as tall as its text."""

from typing import Any

from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.core.sheetwriter import MINUTE_WIDTH, ExportWorkbook, titled_table
from zoufang.exemplars import presenters
from zoufang.exemplars.models import Exemplar

WIDTHS = (6, 14, 30, 14, 22, 18, 70, MINUTE_WIDTH)


def workbook(campaign: Any, exemplars: list[Exemplar]) -> bytes:
    book = ExportWorkbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.title = _("典型")
    titled_table(sheet, _("%(name)s 典型名单（%(day)s）") % {"name": campaign.name, "day": clock.day(clock.today())},
                 [_("序号"), _("类型"), _("标题"), _("村（社区）"), _("单位 / 干部"), _("来源"), _("事迹简介"), _("发布时间")],
                 WIDTHS)
    for n, exemplar in enumerate(exemplars, start=1):
        source = presenters.source(exemplar)
        sheet.table_row([n, exemplar.get_kind_display(), presenters.public_title(exemplar), source.village, source.who,
                         f"{source.label} {source.number or ''} {clock.day(source.day)}".replace("  ", " "),
                         presenters.public_text(exemplar),
                         clock.minute(exemplar.published_at) if exemplar.published_at else ""])
    return book.to_bytes()
