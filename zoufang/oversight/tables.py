"""The figures as labelled tables: the same rows on the page, in the xlsx download and in the API's `table`."""

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang.oversight.figures import (
    TOWN_ORDERS,
    CaseFigures,
    CaseRow,
    Coverage,
    CoverageRow,
    Pace,
    TownFigures,
    TownRow,
    WeekPoint,
)
from zoufang.oversight.pace import checkpoint_label

Cell = str | int | float | dt.date | None


class PagedRows(Sequence[list[Cell]]):
    """A long table's rows read a page at a time (`read(offset, size)` gives that page's cells): the xlsx download
    of a city's 2,000 units goes through them page by page, holding no list of every row. `pages`, where given,
    yields the pages in order from one statement (a server-side cursor) for the download to go through instead.

    The pages of one download must all be read at one moment — inside `snapshot.held()` (the queued jobs that write
    them: jobs/kinds.py): read at different moments, a row visited between two pages shifts the rows after it."""

    def __init__(self, count: int, read: Callable[[int, int], list[list[Cell]]], size: int,
                 pages: Callable[[], Iterator[list[list[Cell]]]] | None = None) -> None:
        self.length, self.read, self.size, self.pages = count, read, size, pages

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[list[Cell]]:
        if self.pages is not None:
            for page in self.pages():
                yield from page
            return
        for start in range(0, self.length, self.size):
            yield from self.read(start, self.size)

    @overload
    def __getitem__(self, index: int) -> list[Cell]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[Cell]]: ...

    def __getitem__(self, index: int | slice) -> list[Cell] | list[list[Cell]]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self.length)
            return self.read(start, max(0, stop - start))[::step]
        if not -self.length <= index < self.length:
            raise IndexError(index)
        return self.read(index % self.length, 1)[0]


@dataclass
class Table:
    key: str  # the download's name: coverage-village, cases-unit, …
    title: str
    headers: list[str]
    rows: Sequence[list[Cell]] = field(default_factory=list)  # a list, or PagedRows for a long table's download
    total: list[Cell] | None = None
    chart: str = ""  # a hint for static/web/charts.js: bar, line or funnel
    chart_series: str = ""  # the columns drawn (counted from 1), e.g. "2,3"; empty: every numeric column
    chart_line: str = ""  # the columns drawn as a dashed line over the chart (the pace line)
    links: list[str | None] = field(default_factory=list)  # per row: where its drill-down is
    numeric_from: int = 1  # columns from here on are figures (right-aligned)
    folded: bool = False  # shown closed on the page (<details>), for the figures read less often
    page: int = 1  # on the page: which of `pages` pages of ≤ 200 rows is shown (`paginate`); xlsx holds every row
    pages: int = 1
    count: int = 0  # the table's rows over every page (set by `paginate`)
    prev_query: str = ""  # the page's links to the table's previous and next pages (board.paginate)
    next_query: str = ""
    cut: bool = False  # `rows` are already the page shown, cut in the database (`shown_page`)
    empty: str = ""  # said in place of the table when it has no row, where EMPTY_TEXTS' would mislead
    # The page's header (the xlsx and the API keep `headers`): groups above the columns, (label, how many columns),
    # "" for columns whose own header spans both rows; and shorter headers by column, the full one in <abbr title>.
    groups: list[tuple[str, int]] = field(default_factory=list)
    short: dict[int, str] = field(default_factory=dict)
    # A long table folded on the page (`fold`): the columns whose larger figures put a row first, () when its own order
    # is worst first already; None: never folded.
    worst: tuple[int, ...] | None = None
    worst_note: str = ""  # the page's order when `worst` sorts it, said above the table
    shown: int = 0  # rows shown on the page before the rest are folded behind <details> (`fold`); 0: all

    @property
    def page_param(self) -> str:
        return f"p-{self.key}"

    def shown_page(self, number: int, count: int, size: int) -> None:
        """The rows are page `number` of a table of `count` rows, cut where they were counted."""
        self.page, self.pages, self.count, self.cut = number, max(1, -(-count // size)), count, True

    def paginate(self, number: int, size: int) -> None:
        """Keep the rows of page `number` only (the page's tables; the download builds its own)."""
        from zoufang.oversight.paged import page_of

        if self.cut:
            return
        self.count = len(self.rows)
        links = self.links or [None] * len(self.rows)
        self.rows, self.page, self.pages = page_of(self.rows, number, size)
        start = (self.page - 1) * size
        self.links = links[start:start + len(self.rows)] if self.links else []

    def fold(self, shown: int, slack: int) -> None:
        """On the page, a table whose rows all fit one page and are more than `shown` + `slack`: worst first
        (`worst`), the first `shown` rows in view, the rest behind a <details>. The download keeps its own order."""
        if self.worst is None or self.pages > 1 or isinstance(self.rows, PagedRows) or len(self.rows) <= shown + slack:
            return
        self.shown, columns = shown, self.worst
        if not columns:
            return
        links = self.links or [None] * len(self.rows)

        def figure(value: Cell) -> float:
            return value if isinstance(value, int | float) else 0

        pairs = sorted(zip(self.rows, links, strict=True),
                       key=lambda pair: tuple(-figure(pair[0][column]) for column in columns))
        self.rows = [row for row, _link in pairs]
        self.links = [link for _row, link in pairs] if self.links else []

    def head(self) -> list[list[dict[str, Any]]]:
        """The page's header rows: one, or two under `groups`; each cell's label, full name, spans and alignment."""
        def cell(column: int, rows: int = 1) -> dict[str, Any]:
            return {"label": self.short.get(column, self.headers[column]), "title": self.headers[column],
                    "columns": 1, "rows": rows, "num": column >= self.numeric_from}

        if not self.groups:
            return [[cell(column) for column in range(len(self.headers))]]
        top: list[dict[str, Any]] = []
        below: list[dict[str, Any]] = []
        column = 0
        for label, span in self.groups:
            if label:
                top.append({"label": label, "title": label, "columns": span, "rows": 1, "num": False, "group": True})
                below.extend(cell(c) for c in range(column, column + span))
            else:
                top.extend(cell(c, rows=2) for c in range(column, column + span))
            column += span
        return [top, below]

    @property
    def empty_text(self) -> str:
        """What the page says in place of the table when it has no row: why, not a bare 暂无."""
        return self.empty or str(EMPTY_TEXTS.get(self.key.split("-")[0], _("没有符合条件的数据。")))

    def lines(self) -> list[tuple[str | None, Cell, list[Cell]]]:
        """(drill-down link, first cell, other cells) per row, for the page."""
        links = self.links or [None] * len(self.rows)
        return [(link, row[0], row[1:]) for link, row in zip(links, self.rows, strict=True)]

    def first_lines(self) -> list[tuple[str | None, Cell, list[Cell]]]:
        return self.lines()[:self.shown] if self.shown else self.lines()

    def folded_lines(self) -> list[tuple[str | None, Cell, list[Cell]]]:
        """The rows behind the page's <details> (`fold`)."""
        return self.lines()[self.shown:] if self.shown else []


# Said in place of an empty table, by the first part of its key (coverage-village, cases-unit, …).
EMPTY_TEXTS = {
    "coverage": gettext_lazy("还没有分配的走访对象。分配完成后，这里列出应走访、已走访和进度。"),
    "cases": gettext_lazy("还没有登记的问题、意见。走访收集的问题登记后，这里统计办理情况。"),
    "weekly": gettext_lazy("还没有走访记录。登记走访后，这里按周统计。"),
    "towns": gettext_lazy("还没有开展走访活动的镇。"),
}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _day(value: dt.date | None) -> dt.date | str:
    """A day kept a date: the xlsx prints it 2017年6月5日 and keeps it a date, the page says it so, the API in ISO."""
    return "" if value is None else value


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
            pace.due_next, _finish(pace)]


def next_heading(rows: list[CoverageRow]) -> str:
    """What the column of `Pace.due_next` is: 本月底应累计 (seed 000), 截至6月30日应累计 — the rule's next checkpoint,
    when the rows share one; else 下一检查日应累计 (towns whose campaigns check on different days)."""
    days = {(row.pace.next_on, row.pace.today) for row in rows if row.pace is not None}
    if len(days) == 1:
        day, today = days.pop()
        if day is not None and today is not None:
            return checkpoint_label(day, today)
    return _("下一检查日应累计") if days else _("本月底应累计")


def _finish(pace: Pace) -> dt.date | str:
    """The day the last target would be visited at the rate so far, or why no day is named: all visited, no
    visit yet to take a rate from, or none foreseeable (a blank cell read as a figure missing)."""
    if pace.projected_finish is not None:
        return _day(pace.projected_finish)
    if not pace.assigned:
        return "—"
    if pace.visited >= pace.assigned:
        return _("已全部走访")
    return _("尚无走访") if pace.visited <= 0 else _("无法预计")


def coverage_table(coverage: Coverage, link: Callable[[CoverageRow], str | None] | None = None,
                   rows: list[CoverageRow] | None = None, title: str = "") -> Table:
    """Assigned, visited, unvisited, share; what the pace rule wants by today and by the month's end; behind."""
    if rows is None:
        return coverage_rows_table(coverage.by, coverage.rows, coverage.total, link, title)
    return coverage_rows_table(coverage.by, rows, None, link, title)


def coverage_rows_table(by: str, rows: list[CoverageRow], total: CoverageRow | None,
                        link: Callable[[CoverageRow], str | None] | None = None, title: str = "",
                        next_label: str = "") -> Table:
    """The coverage rows' table; `next_label` heads the column of the next checkpoint's due when `rows` cannot
    tell it (a download whose rows are read as it is written)."""
    return Table(
        key=f"coverage-{by}", title=title or _(COVERAGE_TITLES[by]),
        headers=[_(COVERAGE_HEADINGS[by]), _("应走访"), _("已走访"), _("未走访"), _("完成率"),
                 _("截至今日应完成"), _("逾期未完成"), next_label or next_heading([*rows, *([total] if total else [])]),
                 _("按目前速度预计完成")],
        rows=[_coverage_cells(row) for row in rows],
        total=_coverage_cells(total) if total is not None else None,
        chart="bar", chart_series="2,3", links=[link(row) if link else None for row in rows],
    )


UNNAMED_TITLES = {"unit": "尚未落实到人的走访对象（按单位，需指定走访干部）",
                  "village": "尚未落实到人的走访对象（按村，需指定走访干部）"}
UNIT_UNNAMED_TITLE = "本单位尚未落实到人的走访对象（按村，需指定走访干部）"  # a unit's page: its own villages


def unnamed_table(unnamed: Coverage, link: Callable[[CoverageRow], str | None] | None = None, *,
                  title: str | None = None) -> Table:
    """未落实到人 (`figures.unnamed`): how many targets no cadre holds yet, how many of them visited, per kind; by unit
    or village, each row's drill-down to the targets. Its own chart: counts of a unit given thousands by number
    would flatten a cadre's fifteen in one scale."""
    kinds = unnamed.kinds
    return Table(
        key=f"unnamed-{unnamed.by}", title=title or _(UNNAMED_TITLES[unnamed.by]),
        headers=[_(COVERAGE_HEADINGS[unnamed.by]), _("未落实到人"), _("其中已走访"), *(label for _kind, label in kinds)],
        rows=[[row.label, row.assigned, row.visited, *(row.kind(kind).assigned for kind, _label in kinds)]
              for row in unnamed.rows],
        total=[_("合计"), unnamed.total.assigned, unnamed.total.visited,
               *(unnamed.total.kind(kind).assigned for kind, _label in kinds)],
        chart="bar", chart_series="2", links=[link(row) if link else None for row in unnamed.rows],
    )


def weekly_table(points: list[WeekPoint]) -> Table:
    return Table(
        key="weekly", title=_("每周首次走访与进度要求（累计）"),
        headers=[_("周（自周一）"), _("当周首次走访"), _("累计已走访"), _("按进度要求累计应走访")],
        rows=[[_day(p.week), p.visits, p.cumulative, p.due] for p in points], chart="line",
        chart_series="3", chart_line="4",
    )


CASE_TITLES = {"town": "各镇问题办理情况", "unit": "各承办单位问题办理情况", "village": "各村（社区）问题办理情况",
               "cadre": "各走访干部所访对象的问题办理情况",
               "category": "各类别（六个一）问题办理情况", "week": "每周问题办理情况", "month": "每月问题办理情况",
               "status": "问题状态分布"}
CASE_HEADINGS = {"town": "镇", "unit": "承办单位", "village": "村（社区）", "cadre": "走访干部", "category": "类别", "week": "周", "month": "月份",
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
    """The way a case goes: collected → registered → dispatched → answered → resolved, each step within the one
    before. 回访满意 is no step of it: a problem settled on the spot (当场解决) is called back too without ever being
    dispatched, so the satisfied outnumbered the resolved and the funnel widened at its end (the demo: 126 satisfied,
    115 resolved); the satisfaction is the tables' 满意率, over every case called back."""
    steps = [(_("收集"), total.total), (_("登记"), total.registered), (_("交办"), total.dispatched),
             (_("答复（办结或解释说明）"), total.answered), (_("解决"), total.resolved)]
    return Table(key="cases-funnel", title=_("问题办理漏斗"), headers=[_("环节"), _("件数")],
                 rows=[[label, count] for label, count in steps], chart="funnel")


def _ranking_cells(row: TownRow) -> list[Cell]:
    pace, cases = row.pace, row.cases
    return [row.coverage.label, row.rank or None, row.coverage.assigned, row.coverage.visited,
            percent(row.coverage.percent), pace.due_today, pace.visited, pace.behind, percent(pace.due_percent),
            percent(cases.registration_rate), percent(cases.on_time_rate), percent(cases.resolution_rate),
            percent(cases.response_rate), percent(cases.satisfaction_rate), cases.overdue, cases.escalated]


def ranking_table(figures: TownFigures, link: Callable[[TownRow], str | None] | None = None) -> Table:
    """The towns side by side, worst first by the chosen figure: coverage, pace (due, done, behind) and the
    case results each town's campaigns add up to."""
    return Table(
        key="towns", title=_("各镇走访与问题办理排名（按%(figure)s，差者在前）") % {
            "figure": _(TOWN_ORDERS[figures.order][0])},
        headers=[_("镇"), _("排名"), _("应走访"), _("已走访"), _("完成率"), _("截至今日应完成"),
                 _("按进度已完成"), _("逾期未完成"), _("进度完成比"), _("登记及时率"), _("按时办结率"), _("解决率"),
                 _("回复率"), _("满意率"), _("超期"), _("上报")],
        rows=[_ranking_cells(row) for row in figures.rows], total=_ranking_cells(figures.total),
        links=[link(row) if link else None for row in figures.rows],
        # Sixteen columns read at 1280 px under three groups, the long headers shortened on the page (decision 0083).
        groups=[("", 2), (_("走访覆盖"), 3), (_("进度（截至今日）"), 4), (_("问题办理"), 7)],
        short={5: _("应完成"), 6: _("已完成"), 8: _("完成比")},
    )


def as_json(table: Table) -> dict[str, Any]:
    def cell(value: Cell) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    return {
        "key": table.key, "title": table.title, "headers": table.headers,
        "rows": [[cell(v) for v in row] for row in table.rows],
        "total": [cell(v) for v in table.total] if table.total else None,
    }
