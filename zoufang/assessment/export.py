"""The 考核 table as xlsx in an official layout: a title, the period, one row per unit (序号、单位、各项指标得分、
加减分、总分、名次、备注), the cadres' and villages' tables, then a detail sheet per unit showing how each score
was counted. Written through the one xlsx writer; laid out to print on landscape A4."""

import re
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from zoufang import clock
from zoufang.assessment import presenters
from zoufang.assessment.indicators import Indicator
from zoufang.assessment.models import Assessment, Score
from zoufang.assessment.scoring import LEVELS, level_name
from zoufang.assessment.services import indicators_of, scores
from zoufang.core.sheetwriter import GRID as BOX
from zoufang.core.sheetwriter import ExportWorkbook, fitted_height, print_on_a4

TITLE = Font(name="方正小标宋简体", size=18)
HEAD = Font(name="黑体", size=11)
BODY = Font(name="宋体", size=11)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
SHEET_TITLES = {"unit": "单位考核表", "cadre": "走访干部考核表", "village": "村（社区）考核表"}


def _sheet_name(text: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "－", text)[:28]
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:26]}{n}", n + 1
    taken.add(name)
    return name


DETAIL_WIDTHS = [6, 28, 8, 40, 10, 12]  # a unit's detail sheet: 序号、考核指标、权重、计算口径、指标得分、加权得分


def _print_setup(sheet: Any, header_row: int, widths: list[int]) -> None:
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    print_on_a4(sheet, title_rows=f"{header_row}:{header_row}")
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)


def _heading(sheet: Any, title: str, subtitle: str, columns: int) -> None:
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet["A1"].font, sheet["A1"].alignment = TITLE, CENTRE
    sheet.row_dimensions[1].height = 60 if "\n" in title else 36
    sheet.append([subtitle])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns)
    sheet["A2"].font, sheet["A2"].alignment = BODY, CENTRE
    sheet.row_dimensions[2].height = 24


def _box(sheet: Any, first: int, last: int, columns: int, *, head: bool = False, left: int | None = None) -> None:
    """Borders and fonts over a block; the `left` column (the remarks) reads left-aligned."""
    for row in sheet.iter_rows(min_row=first, max_row=last, max_col=columns):
        for cell in row:
            cell.border = BOX
            cell.font = HEAD if head else BODY
            cell.alignment = LEFT if not head and cell.column == left else CENTRE


def _subtitle(assessment: Assessment) -> str:
    state = _("已定稿") if assessment.is_frozen else _("待审定（草稿）")
    return _("考核期：%(start)s 至 %(end)s　数据截至：%(as_of)s　第%(n)s版　%(state)s") % {
        "start": clock.day(assessment.starts_on), "end": clock.day(assessment.ends_on),
        "as_of": clock.day(assessment.as_of), "n": assessment.number, "state": state}


def _level_sheet(book: ExportWorkbook, assessment: Assessment, level: str, indicators: list[Indicator],
                 taken: set[str]) -> None:
    sheet = book.create_sheet(_sheet_name(_(SHEET_TITLES[level]), taken))
    headers = [_("序号"), level_name(level), *[_("%(label)s\n（权重%(weight)s）") % {
        "label": i.label, "weight": i.weight,
    } for i in indicators],
               _("指标得分"), _("加减分"), _("总分"), _("名次"), _("备注")]
    _heading(sheet, f"{assessment.campaign.name}\n{assessment.title}{_(SHEET_TITLES[level])}", _subtitle(assessment),
             len(headers))
    sheet.append(headers)
    header_row = sheet.max_row
    sheet.row_dimensions[header_row].height = 80
    widths = [6, 24 if level != "cadre" else 30, *[12] * len(indicators), 10, 8, 10, 7, 30]
    for number, line in enumerate(presenters.lines(assessment, list(scores(assessment, level)), indicators), 1):
        score = line.score
        _row(sheet, [number, score.label, *[v if v is not None else "—" for v in line.values],
                     _number(score.base_total), _number(score.adjustment) if score.adjustment else "",
                     _number(score.total), score.rank or "—", line.remark], widths)
    last = sheet.max_row
    _box(sheet, header_row, header_row, len(headers), head=True)
    _box(sheet, header_row + 1, last, len(headers), left=len(headers))
    for row in sheet.iter_rows(min_row=header_row + 1, max_row=last, min_col=3, max_col=len(headers) - 2):
        for cell in row:
            cell.number_format = "0.00" if cell.column > 2 + len(indicators) else "0.0"
    _footer(sheet, assessment, indicators, sum(widths))
    _print_setup(sheet, header_row, widths)


def _row(sheet: Any, values: list[Any], widths: list[int]) -> None:
    """A row as tall as its longest text wraps to in its column (a 备注, a 计算口径): spreadsheet programs do not grow
    a stored row when they open it, and a cut 备注 prints over the next row."""
    sheet.append(values)
    sheet.row_dimensions[sheet.max_row].height = fitted_height(values, widths)


def _number(value: Any) -> Any:
    return float(value) if value is not None else "—"


def _footer(sheet: Any, assessment: Assessment, indicators: list[Indicator], width: int) -> None:
    sheet.append([])
    notes = [
        _("说明：各项指标满分 100 分，总分 = Σ（指标得分 × 权重）÷ Σ权重（无数据的指标不计分，其权重按比例分配给其余指标）"
          " + 加减分；计算口径见《考核指标说明》（docs/assessment.md）。"),
        presenters.absent_note(indicators),
        _("制表：%(by)s　　制表时间：%(at)s") % {
            "by": _("考核管理组"), "at": clock.minute(assessment.frozen_at or assessment.created_at)},
    ]
    for note in filter(None, notes):
        sheet.append([note])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row,
                          end_column=len(indicators) + 7)
        cell = sheet.cell(row=sheet.max_row, column=1)
        cell.font, cell.alignment = BODY, LEFT
        sheet.row_dimensions[sheet.max_row].height = max(30, fitted_height([note], [width]) or 0)


def _detail_sheet(book: ExportWorkbook, assessment: Assessment, unit_score: Score, cadres: list[Score],
                  indicators: list[Indicator], taken: set[str]) -> None:
    sheet = book.create_sheet(_sheet_name(_("明细-%(name)s") % {"name": unit_score.label}, taken))
    headers = [_("序号"), _("考核指标"), _("权重"), _("计算口径"), _("指标得分"), _("加权得分")]
    _heading(sheet, _("%(name)s考核得分明细") % {"name": unit_score.label}, _subtitle(assessment), len(headers))
    sheet.append(headers)
    header_row = sheet.max_row
    weights = sum(i.weight for i in indicators if unit_score.cells[i.key].get("value") is not None)
    for number, indicator in enumerate(indicators, 1):
        cell = unit_score.cells[indicator.key]
        value = cell.get("value")
        weighted = round(value * indicator.weight / weights, 2) if value is not None and weights else "—"
        # A long 计算口径 (群众满意 names both its sources) wraps: the row grows to show it, on screen and on paper.
        _row(sheet, [number, indicator.label, indicator.weight, presenters.cell_text(indicator, cell),
                     value if value is not None else "—", weighted], DETAIL_WIDTHS)
    line = presenters.lines(assessment, [unit_score], indicators)[0]
    _row(sheet, ["", _("指标得分"), "", "", "", _number(unit_score.base_total)], DETAIL_WIDTHS)
    _row(sheet, ["", _("加减分"), "", line.remark, "", f"{unit_score.adjustment:+.2f}" if unit_score.adjustment else "0"],
         DETAIL_WIDTHS)
    _row(sheet, ["", _("总分（名次）"), "", "", "", f"{presenters.total_text(unit_score.total)}（{unit_score.rank or '—'}）"],
         DETAIL_WIDTHS)
    _box(sheet, header_row, header_row, len(headers), head=True)
    _box(sheet, header_row + 1, sheet.max_row, len(headers))
    if cadres:
        sheet.append([])
        sheet.append([_("本单位走访干部得分")])
        sheet.cell(row=sheet.max_row, column=1).font = HEAD
        # In the columns of the table above: the name over 考核指标 and 权重, the 备注 in the wide 计算口径, the
        # figures under the figures.
        sheet.append([_("序号"), _("走访干部"), None, _("备注"), _("总分"), _("名次")])
        first = sheet.max_row
        for number, cadre_line in enumerate(presenters.lines(assessment, cadres, indicators), 1):
            _row(sheet, [number, cadre_line.score.cadre.name if cadre_line.score.cadre else cadre_line.score.label,
                         None, cadre_line.remark, _number(cadre_line.score.total), cadre_line.score.rank or "—"],
                 DETAIL_WIDTHS)
        for row in range(first, sheet.max_row + 1):
            sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        _box(sheet, first, first, len(headers), head=True)
        _box(sheet, first + 1, sheet.max_row, len(headers), left=4)
    _print_setup(sheet, header_row, DETAIL_WIDTHS)


def workbook(assessment: Assessment) -> bytes:
    """The whole assessment: the units' table first (the year's 考核 table), then cadres, villages, unit details."""
    indicators = indicators_of(assessment)
    book = ExportWorkbook()
    first = book.active
    if first is not None:
        book.remove(first)
    taken: set[str] = set()
    for level in LEVELS:
        _level_sheet(book, assessment, level, indicators, taken)
    cadres: dict[Any, list[Score]] = {}
    for score in scores(assessment, "cadre"):
        cadres.setdefault(score.unit_id, []).append(score)
    for unit_score in scores(assessment, "unit"):
        _detail_sheet(book, assessment, unit_score, cadres.get(unit_score.unit_id, []), indicators, taken)
    return book.to_bytes()
