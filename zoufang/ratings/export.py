"""The ratings as an xlsx through the one writer (ExportWorkbook, streamed): departments, months, items, comments.

Every department and every comment is listed, read from the kept tallies and a chunk of comments at a time, and
written row by row at constant memory (no answer is grouped in Python).
"""

from typing import Any

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font

from zoufang import clock
from zoufang.accounts.masking import scrub
from zoufang.accounts.names import shown_name
from zoufang.core.sheetwriter import DAY_WIDTH, ExportWorkbook
from zoufang.ratings import figures, grades, services
from zoufang.ratings.figures import Tally

TOP = Alignment(vertical="top", wrap_text=True)
BOLD = Font(bold=True)


def _grade_cells(tally: Tally) -> list[Any]:
    return [tally.total, *[tally.count(g) for g in grades.GRADES], tally.favourable, tally.score]


def _append_entry(sheet: Any, name: str, entry: figures.UnitRatings, aspects: list[str],
                  font: Font | None = None) -> None:
    """A department's rows, or the campaign's 合计 (the page's 分项得分 合计: each aspect over every grade given):
    综合 first, then each aspect."""
    sheet.append([name, entry.answers, _("综合"), *_grade_cells(entry.overall)], font=font, alignment=TOP)
    for label in aspects:
        sheet.append([name, entry.answers, label, *_grade_cells(entry.aspect(label))], font=font, alignment=TOP)


def _sheet(book: ExportWorkbook, title: str, heading: str, headers: list[str], widths: list[int]) -> Any:
    sheet = book.create_sheet(title)
    sheet.set_widths(widths)
    sheet.freeze_panes = "B3"
    sheet.append([heading], font=Font(bold=True, size=14))
    sheet.append(headers, font=BOLD)
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
    _append_entry(sheet, _("合计"), ratings.total, ratings.aspects, font=BOLD)
    if ratings.total.old_answers:
        sheet.append([_("另有 %(n)d 份按旧版调查表（满意、基本满意、不满意）填写，未计入") % {"n": ratings.total.old_answers}])
    months = _sheet(book, _("按月"), _("企业评价按月趋势"), [_("月份"), *grade_headers], [10, 10, 8, 8, 8, 8, 10, 8])
    for month, tally in ratings.total.month_rows():
        months.append([month, *_grade_cells(tally)], alignment=TOP)
    listed = _sheet(book, _("督查事项"), _("督查事项（镇督查组跟踪）"),
                    [_("被评价部门"), _("评价项目"), _("督查内容"), _("督查责任人"), _("办结期限"), _("状态"), _("超期"),
                     _("落实情况"), _("办结日期")], [22, 10, 50, 12, DAY_WIDTH, 8, 6, 40, DAY_WIDTH])
    for item in services.supervision_items(reach).iterator(chunk_size=500):
        listed.append([item.unit.name, item.aspect_label, scrub(item.description),
                       shown_name(item.assignee, nobody=""),
                       item.due_on, item.get_status_display(), _("是") if item.overdue else "",
                       scrub(item.result), item.done_on], alignment=TOP)
    comments = _sheet(book, _("企业意见"), _("企业意见（号码已隐去）"),
                      [_("走访日期"), _("企业") if show_enterprise else _("被评价部门"), _("被评价部门"),
                       *ratings.aspects, _("具体事项"), _("意见建议")], [DAY_WIDTH, 24, 22, 10, 10, 10, 40, 40])
    for comment in figures.all_comments(campaign, reach.unit_ids):
        given = {r.aspect.label: r.grade_label for r in comment.ratings}
        comments.append([comment.day, comment.enterprise if show_enterprise else comment.unit.name,
                         comment.unit.name, *[given.get(label, "") for label in ratings.aspects], comment.reason,
                         comment.advice], alignment=TOP)
    return book.to_bytes()
