"""The ratings as an xlsx through the one writer (ExportWorkbook, streamed): departments, months, items, comments.

Every department and every comment is listed, read from the kept tallies and a chunk of comments at a time, and
written row by row at constant memory (no answer is grouped in Python).
"""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts.masking import scrub
from zoufang.accounts.names import shown_name
from zoufang.core.sheetwriter import DAY_WIDTH, ExportWorkbook, titled_table
from zoufang.ratings import figures, grades, services
from zoufang.ratings.figures import Tally


def _grade_cells(tally: Tally) -> list[Any]:
    return [tally.total, *[tally.count(g) for g in grades.GRADES], tally.favourable, tally.score]


def _append_entry(sheet: Any, name: str, entry: figures.UnitRatings, aspects: list[str], *, bold: bool = False) -> None:
    """A department's rows, or the campaign's 合计 (the page's 分项得分 合计: each aspect over every grade given):
    综合 first, then each aspect."""
    sheet.table_row([name, entry.answers, _("综合"), *_grade_cells(entry.overall)], bold=bold)
    for label in aspects:
        sheet.table_row([name, entry.answers, label, *_grade_cells(entry.aspect(label))], bold=bold)


def _sheet(book: ExportWorkbook, title: str, heading: str, headers: list[str], widths: list[float]) -> Any:
    """A printed table named for its campaign, its title and headers on every page."""
    sheet = book.create_sheet(title)
    titled_table(sheet, heading, headers, widths, freeze="B3")
    return sheet


def xlsx(reach: services.Reach, *, show_enterprise: bool) -> bytes:
    campaign = reach.campaign
    ratings = figures.campaign_ratings(campaign, reach.unit_ids)
    book = ExportWorkbook(streaming=True)
    day = clock.day(clock.today())
    grade_headers = [_("次数"), *[str(grades.LABELS[g]) for g in grades.GRADES], _("好评率%"), _("得分")]
    sheet = _sheet(book, _("各部门"), _("%(name)s 企业评价（%(day)s）") % {"name": campaign.name, "day": day},
                   [_("部门"), _("调查表份数"), _("评价项目"), *grade_headers], [24, 10, 12, 10, 8, 8, 8, 8, 10, 8])
    for entry in ratings.units:
        _append_entry(sheet, entry.unit.name if entry.unit else "", entry, ratings.aspects)
    _append_entry(sheet, _("合计"), ratings.total, ratings.aspects, bold=True)
    if ratings.total.old_answers:
        sheet.append([_("另有 %(n)d 份按旧版调查表（满意、基本满意、不满意）填写，未计入") % {"n": ratings.total.old_answers}])
    months = _sheet(book, _("按月"), _("%(name)s 企业评价按月趋势") % {"name": campaign.name}, [_("月份"), *grade_headers],
                    [10, 10, 8, 8, 8, 8, 10, 8])
    for month, tally in ratings.total.month_rows():  # "2017-03"
        months.table_row([clock.month(dt.date.fromisoformat(f"{month}-01")), *_grade_cells(tally)])
    listed = _sheet(book, _("督查事项"), _("%(name)s 督查事项（镇督查组跟踪）") % {"name": campaign.name},
                    [_("被评价部门"), _("评价项目"), _("督查内容"), _("督查责任人"), _("办结期限"), _("状态"), _("超期"),
                     _("落实情况"), _("办结日期")], [22, 10, 50, 12, DAY_WIDTH, 8, 6, 40, DAY_WIDTH])
    for item in services.supervision_items(reach).iterator(chunk_size=500):
        listed.table_row([item.unit.name, item.aspect_label, scrub(item.description),
                          shown_name(item.assignee, nobody=""),
                          item.due_on, item.get_status_display(), _("是") if item.overdue else "",
                          scrub(item.result), item.done_on])
    comments = _sheet(book, _("企业意见"), _("%(name)s 企业意见（号码已隐去）") % {"name": campaign.name},
                      [_("走访日期"), _("企业") if show_enterprise else _("被评价部门"), _("被评价部门"),
                       *ratings.aspects, _("具体事项"), _("意见建议")], [DAY_WIDTH, 24, 22, 10, 10, 10, 40, 40])
    for comment in figures.all_comments(campaign, reach.unit_ids):
        given = {r.aspect.label: r.grade_label for r in comment.ratings}
        comments.table_row([comment.day, comment.enterprise if show_enterprise else comment.unit.name,
                            comment.unit.name, *[given.get(label, "") for label in ratings.aspects], comment.reason,
                            comment.advice])
    return book.to_bytes()
