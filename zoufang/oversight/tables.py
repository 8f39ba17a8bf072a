"""The figures as labelled tables: the same rows on the page, in the xlsx download and in the API's `table`."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from zoufang.oversight.figures import CaseFigures, CaseRow, Coverage, CoverageRow, WeekPoint

Cell = str | int | float | dt.date | None


@dataclass
class Table:
    key: str  # the download's name: coverage-village, cases-unit, …
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    total: list[Cell] | None = None
    chart: str = ""  # a hint for static/web/charts.js: bar, line or funnel
    chart_series: str = ""  # the columns drawn (counted from 1), e.g. "2,3"; empty: every numeric column
    chart_line: str = ""  # the columns drawn as a dashed line over the chart (the pace line)
    links: list[str | None] = field(default_factory=list)  # per row: where its drill-down is
    numeric_from: int = 1  # columns from here on are figures (right-aligned)
    folded: bool = False  # shown closed on the page (<details>), for the figures read less often

    def lines(self) -> list[tuple[str | None, Cell, list[Cell]]]:
        """(drill-down link, first cell, other cells) per row, for the page."""
        links = self.links or [None] * len(self.rows)
        return [(link, row[0], row[1:]) for link, row in zip(links, self.rows, strict=True)]


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _day(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d}"


COVERAGE_TITLES = {
    "city": "全市走访覆盖与进度", "county": "各区县走访覆盖与进度", "grid": "各网格走访覆盖与进度",
    "village": "各村（社区）走访覆盖与进度", "group": "各村（居）民小组走访覆盖与进度", "town": "各镇走访覆盖与进度",
    "unit": "各单位走访覆盖与进度", "cadre": "各走访干部覆盖与进度", "kind": "各类对象走访覆盖",
}
COVERAGE_HEADINGS = {"city": "市", "county": "区县", "grid": "网格", "village": "村（社区）", "group": "村（居）民小组",
                     "town": "镇", "unit": "走访单位",
                     "cadre": "走访干部", "kind": "对象类型"}


def _coverage_cells(row: CoverageRow) -> list[Cell]:
    pace = row.pace
    assert pace is not None  # noqa: S101 — figures.coverage always sets it
    return [row.label, row.assigned, row.visited, row.unvisited, percent(row.percent), pace.due_today, pace.behind,
            pace.due_month_end, _day(pace.projected_finish)]


def coverage_table(coverage: Coverage, link: Callable[[CoverageRow], str | None] | None = None,
                   rows: list[CoverageRow] | None = None, title: str = "") -> Table:
    """Assigned, visited, unvisited, share; what the pace rule wants by today and by the month's end; behind."""
    chosen = coverage.rows if rows is None else rows
    table = Table(
        key=f"coverage-{coverage.by}", title=title or _(COVERAGE_TITLES[coverage.by]),
        headers=[_(COVERAGE_HEADINGS[coverage.by]), _("应走访"), _("已走访"), _("未走访"), _("完成率"),
                 _("截至今日应完成"), _("逾期未完成"), _("本月底应累计"), _("按目前速度预计完成")],
        rows=[_coverage_cells(row) for row in chosen],
        total=_coverage_cells(coverage.total) if rows is None else None,
        chart="bar", chart_series="2,3", links=[link(row) if link else None for row in chosen],
    )
    return table


def weekly_table(points: list[WeekPoint]) -> Table:
    return Table(
        key="weekly", title=_("每周首次走访与进度要求（累计）"),
        headers=[_("周（自周一）"), _("当周首次走访"), _("累计已走访"), _("按进度要求累计应走访")],
        rows=[[_day(p.week), p.visits, p.cumulative, p.due] for p in points], chart="line",
        chart_series="3", chart_line="4",
    )


CASE_TITLES = {"unit": "各承办单位问题办理情况", "village": "各村（社区）问题办理情况",
               "cadre": "各走访干部所访对象的问题办理情况",
               "category": "各类别（六个一）问题办理情况", "week": "每周问题办理情况", "month": "每月问题办理情况",
               "status": "问题状态分布"}
CASE_HEADINGS = {"unit": "承办单位", "village": "村（社区）", "cadre": "走访干部", "category": "类别", "week": "周", "month": "月份",
                 "status": "状态"}


def _case_cells(row: CaseRow) -> list[Cell]:
    return [row.label, row.total, row.registered, percent(row.registration_rate), row.dispatched,
            percent(row.response_rate), percent(row.on_time_rate), percent(row.resolution_rate),
            percent(row.satisfaction_rate), row.open, row.overdue, row.escalated]


def case_table(figures: CaseFigures, link: Callable[[CaseRow], str | None] | None = None) -> Table:
    """The 12345 platforms' measures: 响应率（回复率）, 按时办结率, 解决率, 满意率; plus 登记及时率, overdue, escalated."""
    return Table(
        key=f"cases-{figures.by}", title=_(CASE_TITLES[figures.by]),
        headers=[_(CASE_HEADINGS[figures.by]), _("问题总数"), _("已登记"), _("登记及时率"), _("已交办"),
                 _("响应率（回复率）"), _("按时办结率"), _("解决率"), _("满意率"), _("未办结"), _("超期"), _("上报")],
        rows=[_case_cells(row) for row in figures.rows], total=_case_cells(figures.total),
        chart="bar", chart_series="2,10,11", links=[link(row) if link else None for row in figures.rows],
    )


def funnel_table(total: CaseRow) -> Table:
    """The way a case goes: collected → registered → dispatched → answered → resolved → satisfied."""
    steps = [(_("收集"), total.total), (_("登记"), total.registered), (_("交办"), total.dispatched),
             (_("答复（办结或解释说明）"), total.answered), (_("解决"), total.resolved),
             (_("回访满意"), total.satisfied)]
    return Table(key="cases-funnel", title=_("问题办理漏斗"), headers=[_("环节"), _("件数")],
                 rows=[[label, count] for label, count in steps], chart="funnel")


def as_json(table: Table) -> dict[str, Any]:
    def cell(value: Cell) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    return {
        "key": table.key, "title": table.title, "headers": table.headers,
        "rows": [[cell(v) for v in row] for row in table.rows],
        "total": [cell(v) for v in table.total] if table.total else None,
    }
