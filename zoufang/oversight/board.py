"""The campaign's dashboard and a unit's page, as tables built from the figures (pages, xlsx and API share them)."""

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang.core import paging
from zoufang.core.queryparams import Asked, page_number
from zoufang.oversight import drill, figures, paged
from zoufang.oversight.access import Reach, supervised
from zoufang.oversight.drill import Narrowing
from zoufang.oversight.figures import CaseRow, CoverageRow
from zoufang.oversight.fullcoverage import requirements
from zoufang.oversight.pace import (
    PaceRule,
    checkpoint_label,
    describe,
    due_basis,
    month_end,
    next_checkpoint,
    pace_rule,
)
from zoufang.oversight.tables import (
    UNIT_UNNAMED_TITLE,
    PagedRows,
    Table,
    case_table,
    coverage_rows_table,
    coverage_table,
    funnel_table,
    unnamed_table,
    weekly_table,
)
from zoufang.registry.models import Unit

BEHIND_SHOWN = 20  # worst first on the page; the table's download holds them all
# The page's long tables show their first FOLD_SHOWN rows, worst first, the rest behind a <details> (not when those
# are FOLD_SLACK rows or fewer). Worst first: by these columns, larger first, or () where the table's own order is
# worst first already; the note says the page's order (decision 0083).
FOLD_SHOWN, FOLD_SLACK = 10, 5
_BEHIND_FIRST = ((6, 3), gettext_lazy("逾期未完成多者在前，其次未走访多者"))
FOLDS: dict[str, tuple[tuple[int, ...], Any]] = {
    "behind-unit": ((), ""), "behind-cadre": ((), ""), "overdue": ((), ""),
    "unnamed-unit": ((1,), gettext_lazy("未落实到人多者在前")), "unnamed-village": ((1,), gettext_lazy("未落实到人多者在前")),
    "coverage-village": _BEHIND_FIRST, "coverage-unit": _BEHIND_FIRST, "coverage-cadre": _BEHIND_FIRST,
    "cases-unit": ((10, 9), gettext_lazy("超期多者在前，其次未办结多者")),
    "cases-village": ((10, 9), gettext_lazy("超期多者在前，其次未办结多者")),
}


@dataclass
class Board:
    reach: Reach
    today: dt.date
    rule: PaceRule
    total: CoverageRow
    cases: CaseRow
    tables: dict[str, Table] = field(default_factory=dict)
    behind_units: int = 0
    behind_cadres: int = 0
    by_cadre: figures.Coverage | None = None  # a unit's board: its cadres' rows (the API reads them)
    unnamed: figures.Coverage | None = None  # 未落实到人: the targets no cadre holds yet (`figures.unnamed`)
    # The page's 全覆盖 panel: the campaign's requirements, named, linking to their figures on their own page. Not
    # counted here: the filtered requirements' figures read every selected target of the town (docs/oversight.md).
    full_coverage: list[Any] = field(default_factory=list)

    @property
    def pace(self) -> figures.Pace:
        assert self.total.pace is not None  # noqa: S101
        return self.total.pace

    @property
    def rule_text(self) -> str:
        """The pace rule as the campaign wrote it, and how the figures read it (under the figures)."""
        return describe(self.rule)

    @property
    def due_basis(self) -> str:
        return due_basis(self.rule)

    @property
    def next_label(self) -> str:
        return checkpoint_label(next_checkpoint(self.rule, self.today), self.today)

    @property
    def next_scope(self) -> str:
        """What the next checkpoint's figure holds: this month's requirement (seed 000), or that day's."""
        day = next_checkpoint(self.rule, self.today)
        return _("本月") if day == month_end(self.today) else _("该日")

    def ordered(self) -> list[Table]:
        """The tables in the page's order, each keyed as its download is (…/xlsx/<key>/)."""
        for key, table in self.tables.items():
            table.key = key
        return list(self.tables.values())


def paginate(board: Board, asked: Asked) -> None:
    """Each table on the page shows ≤ 200 rows (a city's 2,000 units page by page: ?p-<table>=N, links kept in the
    table's `prev_query` / `next_query`); the table's xlsx lists every row. A page number that is not one is the
    first page, with a notice (decision 0035). A long table whose rows are all on the page is then folded, worst first
    (`FOLDS`, decision 0083)."""
    for table in board.ordered():
        table.paginate(asked.number(table.page_param), paged.PAGE_MAX)
        if table.key in FOLDS:
            table.worst, note = FOLDS[table.key]
            table.worst_note = str(note)
            table.fold(FOLD_SHOWN, FOLD_SLACK)
        for name, page in (("prev_query", table.page - 1), ("next_query", table.page + 1)):
            if 1 <= page <= table.pages:
                query = asked.query.copy()
                query[table.page_param] = str(page)
                setattr(table, name, f"?{query.urlencode()}#t-{table.key}")


def rows_url(campaign: Any, narrowing: Narrowing) -> str:
    return reverse("oversight:rows", args=[campaign.slug]) + "?" + narrowing.query()


def _coverage_link(campaign: Any, by: str, unit: Unit | None = None) -> Callable[[CoverageRow], str | None]:
    def link(row: CoverageRow) -> str | None:
        if row.key is None or by == "kind":
            return None
        if by == "unit":
            return reverse("oversight:unit", args=[campaign.slug, row.key.public_id])
        if by == "cadre":
            return rows_url(campaign, Narrowing("unvisited", cadre=row.key))
        return rows_url(campaign, Narrowing("unvisited", region=row.key, unit=unit))

    return link


def _unnamed_link(campaign: Any, by: str, unit: Unit | None = None) -> Callable[[CoverageRow], str | None]:
    """A row of 未落实到人 to its targets: a unit's (the campaign's table by unit), a village's (by village), or a
    unit's in a village (the unit's page)."""
    def link(row: CoverageRow) -> str | None:
        if row.key is None:
            return None
        if by == "unit":
            return rows_url(campaign, Narrowing("unnamed", unit=row.key))
        return rows_url(campaign, Narrowing("unnamed", unit=unit, region=row.key))

    return link


def _case_link(campaign: Any, by: str) -> Callable[[CaseRow], str | None]:
    def link(row: CaseRow) -> str | None:
        if row.key is None:
            return None
        if by == "unit":
            return rows_url(campaign, Narrowing("cases", unit=row.key))
        if by == "village":
            return rows_url(campaign, Narrowing("cases", region=row.key))
        return None

    return link


Paged = TypeVar("Paged", figures.Coverage, figures.CaseFigures)


def _page(read: Callable[[tuple[int, int] | None], Paged], key: str, query: Any,
          streamed: bool = False) -> tuple[Paged, int]:
    """A long table's figures as a page shows them: with the page's `query`, only the asked page of ≤ 200 rows
    (`?p-<key>=N`), cut in the database by the figure (a city's 2,000 units build 200 rows); without one (the
    download), every row — or, `streamed`, the first page only (`_streamed` reads the others as they are written).
    The page's number (0 for every row)."""
    if query is None:
        return read((0, paged.PAGE_MAX) if streamed else None), 0
    number = page_number(query.get(f"p-{key}")) or 1  # a bad one: `paginate` says so on the page
    while True:
        result = read(((number - 1) * paged.PAGE_MAX, paged.PAGE_MAX))
        pages = max(1, -(-result.count // paged.PAGE_MAX))
        if number <= pages:
            return result, number
        number = pages  # past the last page: the last one, as `paged.page_of` does


def _streamed(table: Table, count: int, cells: Callable[[tuple[int, int]], Table], download: bool) -> Table:
    """A `download`'s table of `count` rows whose `cells((offset, size))` gives a page's table: its rows read a
    page at a time as the xlsx is written (PagedRows), no list of every row."""
    if download and count > len(table.rows):
        table.rows = PagedRows(count, lambda start, size: list(cells((start, size)).rows), paged.PAGE_MAX)
        table.links = []
    return table


def _shown(table: Table, number: int, count: int) -> Table:
    if number:
        table.shown_page(number, count, paged.PAGE_MAX)
    return table


def _behind_table(campaign: Any, by: str, today: dt.date, source: Any, limit: int | None, download: bool,
                  title: str) -> tuple[Table, int]:
    """The units or cadres behind pace, worst first, and how many: the page's `limit` of them; a download's every
    row, read a page at a time as the xlsx is written (`figures.behind_pages`: a city's 100,000 cadres after the
    deadline are held as ids, not as rows). Units and cadres only: the targets given to nobody (未落实到人) are no
    cadre behind pace but a table of their own (`unnamed_table`)."""
    link = _coverage_link(campaign, by)
    label = checkpoint_label(next_checkpoint(pace_rule(campaign), today), today)
    if not (download and limit is None):
        rows, count = figures.behind(campaign, by, today, source, limit=limit, keyed=True)
        return coverage_rows_table(by, rows, None, link, title=title, next_label=label), count
    count, read = figures.behind_pages(campaign, by, today, source, keyed=True)

    def cells(page: tuple[int, int]) -> Table:
        return coverage_rows_table(by, read(*page), None, next_label=label)

    # No rows built here: `_streamed` reads every page, the first among them, as the xlsx is written.
    return _streamed(coverage_rows_table(by, [], None, link, title=title, next_label=label), count, cells,
                     download), count


def campaign_board(reach: Reach, today: dt.date, user: Any, behind_limit: int | None = BEHIND_SHOWN,
                   query: Any = None, only: str | None = None) -> Board:
    """Coverage and pace by village, unit and cadre; behind-pace lists worst first; cases by unit, state, week.
    With the page's `query`, the coverage tables by village and by unit and the case tables by unit and by village
    hold only the page asked (`_page`). With `only`, the board holds that one table, built alone (a table's
    download: a city's behind lists are not ordered to write its villages); the other tables' counts stay 0."""
    campaign = reach.campaign
    source = reach.assignments()
    cases = reach.cases()
    streamed = reach.whole  # the download's long tables a page at a time, each cut in the database (kept counts)
    download = query is None and streamed

    def unit_coverage(page: tuple[int, int] | None) -> figures.Coverage:
        return figures.coverage(campaign, "unit", today, source, page=page)

    def village_coverage(page: tuple[int, int] | None) -> figures.Coverage:
        return figures.coverage(campaign, "village", today, source, page=page)

    def unit_cases(page: tuple[int, int] | None) -> figures.CaseFigures:
        return figures.case_figures(campaign, "unit", today, cases, page=page)

    def village_cases(page: tuple[int, int] | None) -> figures.CaseFigures:
        return figures.case_figures(campaign, "village", today, cases, page=page)

    # Each figure read once, when a table asked for it needs it (the header needs the first two).
    by_village = functools.cache(lambda: _page(village_coverage, "coverage-village", query, streamed))
    case_units = functools.cache(lambda: _page(unit_cases, "cases-unit", query, streamed))
    by_unit = functools.cache(lambda: _page(unit_coverage, "coverage-unit", query, streamed))
    case_villages = functools.cache(lambda: _page(village_cases, "cases-village", query, streamed))
    mine_keys = functools.cache(lambda: supervised(user) if user is not None else ({}, []))
    header = by_village()[0]
    board = Board(reach, today, header.rule, header.total, case_units()[0].total)

    def mine_villages() -> Table | None:
        villages = mine_keys()[0]
        mine = figures.coverage(campaign, "village", today, source, keys=list(villages)).rows if villages else []
        return coverage_table(by_village()[0], _coverage_link(campaign, "village"), mine,
                              title=_("我挂钩的村（社区）")) if mine else None

    def mine_units() -> Table | None:
        units = mine_keys()[1]
        mine = figures.coverage(campaign, "unit", today, source, keys=units).rows if units else []
        return coverage_table(by_unit()[0], _coverage_link(campaign, "unit"), mine,
                              title=_("我分管的单位")) if mine else None

    # Worst first, counted and cut in the database: a city's ten thousand cadres cost what fifty do.
    def behind_units() -> Table:
        table, board.behind_units = _behind_table(campaign, "unit", today, source, behind_limit, download,
                                                  _("进度落后的单位（落后多者在前）"))
        return table

    def behind_cadres() -> Table:
        table, board.behind_cadres = _behind_table(campaign, "cadre", today, source, behind_limit, download,
                                                   _("进度落后的走访干部（落后多者在前）"))
        return table

    def unnamed() -> Table | None:
        board.unnamed = figures.unnamed(campaign, "unit", today, source)
        return unnamed_table(board.unnamed, _unnamed_link(campaign, "unit")) if board.unnamed.rows else None

    def unnamed_villages() -> Table | None:
        by_village = figures.unnamed(campaign, "village", today, source)
        return unnamed_table(by_village, _unnamed_link(campaign, "village")) if by_village.rows else None

    def overdue() -> Table:
        table, count = drill.table(reach, Narrowing("cases", overdue=True), user, today, limit=BEHIND_SHOWN)
        if count > paging.COUNT_CAP:  # counted no further (drill._count)
            table.title = _("超期未办结的问题（超过 %(n)d 件，期限早者在前）") % {"n": paging.COUNT_CAP}
        else:
            table.title = _("超期未办结的问题（共 %(n)d 件，期限早者在前）") % {"n": count}
        return table

    def page_table(figure: Callable[[], tuple[Any, int]], make: Callable[..., Table], link: Any,
                   read: Callable[[tuple[int, int]], Any]) -> Callable[[], Table]:
        """A long table as the page shows it (its page asked), or as its download streams it (`_streamed`)."""
        def build() -> Table:
            result, number = figure()
            return _streamed(_shown(make(result, link), number, result.count), result.count,
                             lambda page: make(read(page)), download)

        return build

    builders: dict[str, tuple[Callable[[], Table | None], bool]] = {  # the page's order; True: folded
        "mine-village": (mine_villages, False),
        "mine-unit": (mine_units, False),
        "behind-unit": (behind_units, False),
        "behind-cadre": (behind_cadres, False),
        "unnamed-unit": (unnamed, False),
        "unnamed-village": (unnamed_villages, False),
        "overdue": (overdue, False),
        "coverage-village": (page_table(by_village, coverage_table, _coverage_link(campaign, "village"),
                                        village_coverage), False),
        "coverage-unit": (page_table(by_unit, coverage_table, _coverage_link(campaign, "unit"), unit_coverage),
                          False),
        "weekly": (lambda: weekly_table(figures.weekly_visits(campaign, today, source)), False),
        "cases-funnel": (lambda: funnel_table(case_units()[0].total), False),
        "cases-unit": (page_table(case_units, case_table, _case_link(campaign, "unit"), unit_cases), False),
        "coverage-kind": (lambda: coverage_table(figures.coverage(campaign, "kind", today, source)), True),
        "cases-village": (page_table(case_villages, case_table, _case_link(campaign, "village"), village_cases),
                          True),
        **{f"cases-{by}": (functools.partial(_case_figures_table, campaign, by, today, cases), True)
           for by in ("category", "status", "week", "month")},
    }
    for key, (build, folded) in builders.items():
        if only not in (None, key):
            continue
        table = build()
        if table is not None:
            table.folded = folded
            board.tables[key] = table
    if query is not None:  # the page (not a download): the 全覆盖 panel above the tables
        board.full_coverage = requirements(reach.campaign)
    return board


def _case_figures_table(campaign: Any, by: str, today: dt.date, cases: Any) -> Table:
    return case_table(figures.case_figures(campaign, by, today, cases))


def unit_board(reach: Reach, unit: Unit, today: dt.date) -> Board:
    """A unit's cadres against pace, its villages, and its cases (by category and month)."""
    campaign = reach.campaign
    source = figures.assignments(campaign, unit=unit)
    cases = figures.case_rows(campaign, unit=unit)  # the unit page is only shown to who may read the unit
    by_cadre = figures.coverage(campaign, "cadre", today, source)
    case_months = figures.case_figures(campaign, "month", today, cases)
    board = Board(reach, today, by_cadre.rule, by_cadre.total, case_months.total, by_cadre=by_cadre)
    board.behind_cadres = len(by_cadre.behind(keyed=True))  # cadres: not 未落实到人
    # The unit's own cadres by their names on its page and its download; one lent by another unit keeps its unit's
    # (the API's rows keep every cadre's unit, as the campaign's tables do). Cadres only, their own total: what no
    # cadre holds is the table below it.
    own = [replace(row, label=row.key.name) if row.key.unit_id == unit.pk else row
           for row in by_cadre.rows if row.key is not None]
    cadres = coverage_rows_table("cadre", own, figures.added(own, _("走访干部合计"), by_cadre.rule, today),
                                 _coverage_link(campaign, "cadre"), title=_("本单位走访干部的覆盖与进度"))
    board.unnamed = figures.unnamed(campaign, "village", today, source)
    if board.unnamed.rows and not own:
        cadres.empty = _("本单位分到的走访对象还没有落实到走访干部，见下表。")
    board.tables["coverage-cadre"] = cadres
    if board.unnamed.rows:
        board.tables["unnamed-village"] = unnamed_table(board.unnamed, _unnamed_link(campaign, "village", unit),
                                                        title=_(UNIT_UNNAMED_TITLE))
    board.tables["coverage-village"] = coverage_table(figures.coverage(campaign, "village", today, source),
                                                      _coverage_link(campaign, "village", unit),
                                                      title=_("本单位在各村（社区）的走访"))
    board.tables["cases-category"] = case_table(figures.case_figures(campaign, "category", today, cases))
    board.tables["cases-month"] = case_table(case_months)
    return board
