"""The weekly 问题清单 and 建议清单 (seed 002 §五2) and the monthly 会商 agenda (seed 000 §三(二) 每月一会商)."""

import datetime as dt
import io
import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_lazy

from zoufang import clock
from zoufang.accounts import scope
from zoufang.cases import access, deadlines, workflow
from zoufang.cases.board import GROUPS
from zoufang.cases.models import Case
from zoufang.cases.presenters import CasePresenter, unit_shown, village_name
from zoufang.core.progress import Progress, report
from zoufang.core.queryparams import Asked, page_number
from zoufang.core.sheetwriter import DAY_WIDTH, TITLE, ExportWorkbook, content_width
from zoufang.registry import unitnames
from zoufang.registry.models import Unit

S = Case.Status
COLUMNS = [
    gettext_lazy(label) for label in
    ("序号", "编号", "类别", "内容", "村（社区）", "反映人", "收集日期", "承办单位", "办理期限", "状态", "办理结果")
]
# A4 across at 8 pt or more holds 194 units (decision 0030): 类别 takes what its categories need up to CATEGORY_WIDEST
# (at 18, a sub-item of the seed's printed over 4 lines), the days DAY_WIDTH (2017年12月31日), 内容 and 办理结果 the rest.
WIDTHS = [6, 10, 18, 42, 12, 10, DAY_WIDTH, 14, DAY_WIDTH, 12, 29]
CATEGORY, CATEGORY_WIDEST = 2, 26
MEASURED_ROWS = 1000  # the rows the categories' width is measured on (held until written)
CHUNK = 2000


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def weekly(cases: QuerySet[Case], kind: str, monday: dt.date, category: str = "", status: str = "") -> QuerySet[Case]:
    """The cases of a kind collected in the week starting `monday`, not merged into another."""
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time()))
    end = start + dt.timedelta(days=7)
    chosen = cases.filter(kind=kind, raised_at__gte=start, raised_at__lt=end).exclude(status=S.MERGED)
    if category:
        # The category itself and its items (1 → 1, 1.1, 1.2 …), not a category whose code starts alike (10, 10.1).
        chosen = chosen.filter(Q(category__code=category) | Q(category__code__startswith=f"{category}."))
    if status == "open":
        chosen = chosen.exclude(status__in=(*workflow.ANSWERED, S.CLOSED))
    elif status in S.values:
        chosen = chosen.filter(status=status)
    return chosen.select_related("category", "region__parent__parent", "unit__region", "target__region", "campaign__scope").order_by(
        "category__sort_order", "raised_at", "id"
    )


def iter_rows(cases: QuerySet[Case] | Iterable[Case], user: Any, start: int = 1) -> Iterator[list[Any]]:
    """The list's rows one at a time, numbered from `start`; a queryset is read through a server-side cursor (a
    whole town's cases)."""
    presenter = CasePresenter(user)
    several = unitnames.sees_several_towns(user)  # “锦溪镇 派出所” where towns mix (decision 0032)
    chosen = cases.iterator(chunk_size=CHUNK) if isinstance(cases, QuerySet) and cases._result_cache is None else cases
    for n, c in enumerate(chosen, start=start):
        yield [
            n, c.number, str(c.category) if c.category else "", presenter.text(c, c.description),
            village_name(c), presenter.raiser(c)["name"],
            clock.local(c.raised_at).date(), unit_shown(c, several), presenter.deadline_cell(c),
            str(c.get_status_display()), presenter.text(c, c.resolution or c.explanation),
        ]


def rows(cases: QuerySet[Case] | Iterable[Case], user: Any, start: int = 1) -> list[list[Any]]:
    return list(iter_rows(cases, user, start))


def write_xlsx(out: IO[bytes], title: str, table: Iterable[list[Any]], columns: list[Any] | None = None,
               widths: list[int] | None = None, *, progress: Progress | None = None, total: int = 0) -> int:
    """One sheet streamed to `out`: the title, the bold headers (the weekly list's unless given), the rows
    (dates as dates), as they come; returns how many rows. `progress` is told the rows written of `total`."""
    book = ExportWorkbook(streaming=True)
    sheet = book.create_sheet(title[:31])
    if widths is None:  # the weekly list's columns: 类别 by its categories
        rest = iter(table)
        first = list(itertools.islice(rest, MEASURED_ROWS))
        table = itertools.chain(first, rest)
        measured: list[float] = list(WIDTHS)
        measured[CATEGORY] = content_width(str(COLUMNS[CATEGORY]), (row[CATEGORY] for row in first),
                                           widest=CATEGORY_WIDEST)
    sheet.set_widths(measured if widths is None else widths)
    sheet.freeze_panes = "A3"
    sheet.append([title], font=TITLE)
    sheet.table_row([str(label) for label in columns or COLUMNS], header=True)
    count = 0
    for count, row in enumerate(table, start=1):
        sheet.table_row(row)
        if count % CHUNK == 0:
            report(progress, count, total)
    book.save(out)
    report(progress, count, total or count)
    return count


def xlsx(title: str, table: list[list[Any]], columns: list[Any] | None = None,
         widths: list[int] | None = None) -> bytes:
    """The sheet of `write_xlsx` in memory, for the views that answer with it."""
    out = io.BytesIO()
    write_xlsx(out, title, table, columns, widths)
    return out.getvalue()


# The agenda page shows the oldest cases of each list and each unit's first overdue cases; the rest are behind a
# link to the case list filtered the same way (issue 14: the page costs what it shows, not what is stored).
AGENDA_LISTED = 10
OVERDUE_LISTED = 5
LISTED_RELATED = ("unit", "region__parent__parent", "category", "signoff_leader", "campaign__scope")


@dataclass
class Listed:
    """The first cases of a list and how many it holds; `route` names an escalation route's list."""

    cases: list[Case]
    total: int
    label: str = ""
    route: str = ""

    @property
    def more(self) -> int:
        return self.total - len(self.cases)


@dataclass
class UnitLine:
    """One unit's line of the agenda."""

    unit: Unit
    open: int
    overdue: int
    resolved_in_month: int
    overdue_cases: list[Case] = field(default_factory=list)  # the first by deadline

    @property
    def name(self) -> str:
        return self.unit.name

    @property
    def more_overdue(self) -> int:
        return self.overdue - len(self.overdue_cases)


@dataclass
class Agenda:
    month: dt.date
    signoff: Listed
    escalated: list[Listed]  # the routes that hold a case, in Case.Route's order
    units: list[UnitLine]  # the lines asked for: a page of them on the agenda page, all in the meeting papers
    late_drafts: int
    unit_pages: Page | None = None  # the page of unit lines shown, when paged
    unit_total: dict[str, int] | None = None  # 合计 of every unit line (open, overdue, resolved_in_month)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return (timezone.make_aware(dt.datetime.combine(first, dt.time())),
            timezone.make_aware(dt.datetime.combine(following, dt.time())))


def unit_figures(cases: QuerySet[Case], month: dt.date, today: dt.date) -> QuerySet[Case, dict[str, Any]]:
    """Each unit's 在办 (cases in a handling status), 超期 (those of them overdue on `today`) and 本月办结 (cases
    resolved in the month, whatever their status now, only those with a unit: not one settled on the spot), in
    one GROUP BY; worst first (most overdue, then most open, then by name). A case in a handling status always
    has its unit: only a dispatch (to a unit) or a reopen (guarded: to the unit it had) starts handling, and
    only a return (退单), which ends it, takes the unit off (test_workflow)."""
    chosen, counts = _unit_counts(month, today)
    return (
        cases.filter(chosen).order_by()
        .values("unit_id")
        .annotate(**counts)
        .order_by("-overdue", "-open", "unit__name", "unit_id")
    )


def unit_totals(cases: QuerySet[Case], month: dt.date, today: dt.date) -> dict[str, int]:
    """The 合计 of unit_figures' lines, all units (not only the page shown): one aggregate."""
    chosen, counts = _unit_counts(month, today)
    return cases.filter(chosen).order_by().aggregate(**counts)


def _unit_counts(month: dt.date, today: dt.date) -> tuple[Q, dict[str, Count]]:
    """The cases a unit line counts and its three counts, for the lines and their 合计 alike; 超期 is overdue on
    `today` (`deadlines.overdue_condition`), whatever the month shown."""
    start, end = month_bounds(month)
    handling = Q(status__in=workflow.HANDLING)
    resolved = Q(resolved_at__gte=start, resolved_at__lt=end, unit__isnull=False)
    return handling | resolved, {
        "open": Count("pk", filter=handling),
        "overdue": Count("pk", filter=deadlines.overdue_condition(today)),
        "resolved_in_month": Count("pk", filter=resolved),
    }


class _Counted(Paginator):
    """Django's paginator told its count: the page's own query read it (unit_page)."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known = count

    @cached_property
    def count(self) -> int:
        return self.known


def unit_page(figures: QuerySet[Case, dict[str, Any]], per_page: int, asked: Any) -> Page:
    """Page `asked` of the unit lines (the last one past the end) and how many lines there are, in one query: the
    number of groups is read beside them (COUNT(*) OVER ()), not by grouping every case a second time."""
    number = page_number(asked) or 1  # a huge one: the last page, below
    counted = figures.annotate(lines=Window(Count("*")))
    rows = list(counted[(number - 1) * per_page:number * per_page])
    if not rows and number > 1:
        number = max(1, math.ceil(figures.count() / per_page))
        rows = list(counted[(number - 1) * per_page:number * per_page])
    return Page(rows, number, _Counted(figures, per_page, rows[0]["lines"] if rows else 0))


def first_of_each(chosen: QuerySet[Case], by: str | None, order: list[Any], n: int | None) -> QuerySet[Case]:
    """The first `n` cases in `order` of each group of the field `by` (of the whole queryset without one; all of
    them with n=None), each carrying `place` in its group and the group's total `of`: one query."""
    partition = [F(by)] if by else None
    ranked = chosen.annotate(place=Window(RowNumber(), partition_by=partition, order_by=order),
                             of=Window(Count("pk"), partition_by=partition))
    return ranked.filter(place__lte=n) if n is not None else ranked


def oldest_lists(chosen: QuerySet[Case], by: str | None, n: int | None) -> dict[str, Listed]:
    """The oldest `n` cases of each group of `by` (one list keyed "" without one), with each group's total: the
    groups are ranked on the ids alone, then only the cases listed are read with what the page shows of them."""
    keys = [by] if by else []
    ranked = list(first_of_each(chosen, by, [F("raised_at").asc(), F("id").asc()], n)
                  .values_list("pk", "of", *keys).order_by(*keys, "place"))
    found = Case.objects.select_related(*LISTED_RELATED).in_bulk([pk for pk, *_rest in ranked])
    groups: dict[str, Listed] = {}
    for pk, of, *group in ranked:
        groups.setdefault(group[0] if group else "", Listed([], of)).cases.append(found[pk])
    return groups


def unit_lines(cases: QuerySet[Case], figures: Iterable[dict[str, Any]], overdue_listed: int | None,
               today: dt.date) -> list[UnitLine]:
    """The lines of `figures` (rows of unit_figures) with their units and the first `overdue_listed` cases of each
    overdue on `today`, earliest deadline first: two queries, whatever the number of lines."""
    figures = list(figures)
    units = Unit.objects.in_bulk([row["unit_id"] for row in figures])
    lines = [UnitLine(units[row["unit_id"]], row["open"], row["overdue"], row["resolved_in_month"])
             for row in figures]
    behind = [line for line in lines if line.overdue]
    if behind:
        overdue = cases.filter(deadlines.overdue_condition(today), unit_id__in=[line.unit.pk for line in behind]) \
            .only("public_id", "handling_due", "unit_id")
        by_unit: dict[int | None, list[Case]] = {}
        for case in first_of_each(overdue, "unit_id", [F("handling_due").asc(nulls_last=True), F("id").asc()],
                                  overdue_listed).order_by("unit_id", "place"):
            by_unit.setdefault(case.unit_id, []).append(case)
        for line in behind:
            line.overdue_cases = by_unit.get(line.unit.pk, [])
    return lines


def monthly_agenda(cases: QuerySet[Case], month: dt.date, *, listed: int | None = None,
                   overdue_listed: int | None = None, per_page: int | None = None, page: Any = None) -> Agenda:
    """每月一会商: escalations waiting for a signature, open escalations by route, each unit's open, overdue and
    finished counts with its overdue cases. `listed` bounds each list of cases (the oldest first), `overdue_listed`
    each unit's overdue cases, `per_page` the unit lines (page `page` of them); None: all. A fixed number of
    queries, whatever the number of cases."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    signoff = oldest_lists(cases.filter(status=S.SIGNOFF), None, listed).get("", Listed([], 0))
    upper = oldest_lists(cases.filter(status__in=workflow.UPPER_QUEUE), "escalation_route", listed)
    today = clock.today()
    figures = unit_figures(cases, first, today)
    pages = unit_page(figures, per_page, page) if per_page else None
    shown: Iterable[dict[str, Any]] = pages.object_list if pages is not None else figures
    late = cases.filter(status=S.DRAFT, registration_due__lt=min(following, today)).count()
    return Agenda(
        first, signoff,
        [Listed(upper[route].cases, upper[route].total, str(label), route)
         for route, label in Case.Route.choices if route in upper],
        unit_lines(cases, shown, overdue_listed, today), late, pages, unit_totals(cases, first, today),
    )


# ---------------------------------------------------------------- 问题办理's filters (the case list)

# The list's status filter: a status that is also a stage's key (待登记) is offered once, as the stage, which the
# filter reads first.
STATUS_CHOICES = [(value, label) for value, label in S.choices if value not in GROUPS]


@dataclass
class ListFilter:
    """The viewer's cases as 问题办理's filters narrow them, and the filters as read (a bad value noted, not used)."""

    cases: QuerySet[Case]
    asked: Asked
    status: str
    kind: str
    q: str
    unit: Unit | None
    route: str


def filtered(request: HttpRequest) -> ListFilter:
    """The case list's filters over the viewer's cases: the page reads them, and so does the 专报 taken from the
    filtered list (documents.views.picked, decision 0079)."""
    cases = access.visible_cases(request.user)
    asked = Asked.page(request)  # a filter value that is not one: every case, with a notice (decision 0035)
    labels = {**{key: str(c.title) for key, c in GROUPS.items()}, **{v: str(label) for v, label in STATUS_CHOICES}}
    status = asked.choice("status", labels, "", lambda key: labels[key])
    kind = asked.choice("kind", Case.Kind.values, "", lambda key: str(Case.Kind(key).label))
    q = asked.text("q").strip()
    if status in GROUPS:
        cases = cases.filter(GROUPS[status].holds(clock.today()))
    elif status in S.values:
        cases = cases.filter(status=status)
    if kind in Case.Kind.values:
        cases = cases.filter(kind=kind)
    # The agenda's links (cases/agenda.html): a unit's cases, the open escalations of a route.
    unit = _unit(request.user, asked.text("unit"))
    if unit is not None:
        cases = cases.filter(unit=unit)
    elif asked.text("unit"):
        asked.unseen("unit", gettext("单位"))
    route = asked.choice("route", Case.Route.values, "", lambda key: str(Case.Route(key).label))
    if route in Case.Route.values:
        cases = cases.filter(status__in=workflow.UPPER_QUEUE, escalation_route=route)
    if q:
        cases = cases.filter(access.description_search(request.user, cases, q) | Q(unit__name__icontains=q))
    return ListFilter(cases, asked, status, kind, q, unit, route)


# Where a clerk stands on 问题办理: its filters and its page, as asked. A case opened from the list carries them back
# with the picks (decision 0084), each value bounded (a hand-made link holds what it likes).
FILTER_KEYS = ("q", "status", "kind", "unit", "route")
PLACE_KEYS = (*FILTER_KEYS, "after")
PLACE_VALUE_MAX = 200


def place_on_list(query: QueryDict, picks: list[str]) -> QueryDict:
    """The list's filters and page read from `query`, and `picks`: the list's own query, to go back to it."""
    place = QueryDict(mutable=True)
    for key in PLACE_KEYS:
        value = str(query.get(key) or "")[:PLACE_VALUE_MAX]
        if value:
            place[key] = value
    if picks:
        place.setlist("pick", picks)
    return place


def _unit(user: Any, public_id: str) -> Unit | None:
    """The unit a case list is narrowed to, by its public id; None without one or for an id that names no unit the
    user sees (another town's unit is not named on the page)."""
    try:
        return scope.visible_units(user).filter(public_id=public_id).first() if public_id else None
    except ValidationError:
        return None
