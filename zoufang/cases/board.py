"""The office's 交办台: one column per thing the office must do, what needs action now at the top.

In every column a case past its deadline comes first (earliest deadline first), then a new arrival (newest
first: it reached the column since the start of the previous working day), then the rest by deadline; the
column shows the first BOARD_ROWS of them. Each column counts its cases, its overdue ones and its new arrivals,
so nothing waits unseen behind 查看全部.

What it costs (issue 14): every figure on the board (the page's total, the late drafts, three per column) comes
from one pass over the visible cases; a second pass numbers each column's cases (a window per column, over ids
and sort keys only) and keeps the first BOARD_ROWS of each, and only those are loaded. A new arrival is a case with an event since the start, found through the `case_event_recent` index
(a day or two of events, not every case's history), so no count or sort runs a subquery per case; among cases
with the same rank and deadline, a recent arrival comes first, then the earliest raised.
"""

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db import models
from django.db.models import Case as Choose
from django.db.models import Count, F, OuterRef, Q, Subquery, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _lazy

from zoufang.cases import deadlines, workflow
from zoufang.cases.models import Case, CaseEvent
from zoufang.workdays.calendar import add_working_days

S = Case.Status
BOARD_ROWS = 8
OVERDUE, NEW, WAITING = 0, 1, 2
OUTSIDE = 3  # not in the column: after all of its cases


@dataclass(frozen=True)
class Column:
    key: str
    title: Promise
    cases: Q | Callable[[dt.date], Q]  # the column's cases; a function of the day where they depend on it
    deadline: str  # the date field the column's work runs against
    runs_late: bool = True  # False where the deadline is already met (handled cases waiting for the reply)

    def holds(self, today: dt.date) -> Q:
        """The column's cases on `today`."""
        return self.cases(today) if callable(self.cases) else self.cases

    def overdue(self, today: dt.date) -> Q:
        if not self.runs_late:
            return Q(pk__in=[])
        if self.deadline == "registration_due":
            return Q(registration_due__lt=today)
        return deadlines.overdue_condition(today)


# Each column is also a filter of the full list (/cases/?status=key).
COLUMNS = [
    Column("draft", _lazy("待登记"), Q(status=S.DRAFT), "registration_due"),
    # Sent back by the city office with its instructions: the town dispatches it again.
    Column("to_dispatch", _lazy("待交办"), Q(status__in=(S.REGISTERED, S.RETURNED, S.UPPER_RETURNED)), "handling_due"),
    # Where the office may decide it: not while the leader's signature is pending (the leader answers first).
    Column("extension", _lazy("延期待审批"),
           Q(requested_extension_days__isnull=False,
             status__in=[s for s, action in workflow.TABLE if action == workflow.Action.APPROVE_EXTENSION]),
           "handling_due"),
    # Overdue now (`deadlines.overdue_condition`), not the mark the daily tick sets: a deadline passed this morning
    # is here before the tick runs, a paused case is not.
    Column("overdue", _lazy("超期未办结"), deadlines.overdue_condition, "handling_due"),
    # Waiting for a signature, for coordination or the leadership, or at the city office.
    Column("escalated", _lazy("上报待办"), Q(status__in=(S.SIGNOFF, S.ESCALATED, S.UPPER_ACCEPTED)), "handling_due"),
    Column("to_answer", _lazy("待回复、回访、结案"),
           Q(status__in=(S.RESOLVED, S.EXPLAINED, S.REPLIED, S.CALLED_BACK)), "handling_due", runs_late=False),
]
GROUPS: dict[str, Column] = {c.key: c for c in COLUMNS}


def new_since(today: dt.date) -> dt.datetime:
    """New arrivals reached their column since the start of the previous working day (Beijing time)."""
    day = add_working_days(today, -1).date
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


def _arrivals(since: dt.datetime) -> Any:
    """The cases that reached a column since `since`: those with an event since (a day or two of events)."""
    return CaseEvent.objects.filter(at__gte=since).values("case_id")


def _new(column: Column, today: dt.date, since: dt.datetime) -> Q:
    return ~column.overdue(today) & Q(pk__in=_arrivals(since)) if column.runs_late else Q(pk__in=_arrivals(since))


def counts(cases: Any, today: dt.date) -> dict[str, Any]:
    """Every figure of the board in one query: the visible cases, the late drafts, and each column's cases,
    overdue ones and new arrivals."""
    since = new_since(today)
    figures = {"total": Count("pk"), "late_drafts": Count("pk", filter=Q(status=S.DRAFT, registration_due__lt=today))}
    for column in COLUMNS:
        held = column.holds(today)
        figures[f"{column.key}__total"] = Count("pk", filter=held)
        if column.runs_late:
            figures[f"{column.key}__overdue"] = Count("pk", filter=held & column.overdue(today))
        figures[f"{column.key}__new"] = Count("pk", filter=held & _new(column, today, since))
    row = cases.order_by().aggregate(**figures)
    return {
        "since": since, "total": row["total"], "late_drafts": row["late_drafts"],
        "columns": {c.key: {"total": row[f"{c.key}__total"], "overdue": row.get(f"{c.key}__overdue", 0),
                            "new": row[f"{c.key}__new"]} for c in COLUMNS},
    }


def _arrivals_first(cases: Any, since: dt.datetime) -> Any:
    # The latest event is read only for the cases that have one since `since` (CASE evaluates it row by row).
    latest = CaseEvent.objects.filter(case=OuterRef("pk"), at__gte=since).order_by("-at", "-id").values("at")[:1]
    return cases.annotate(arrived_at=Choose(When(Q(pk__in=_arrivals(since)), then=Subquery(latest)), default=None,
                                            output_field=models.DateTimeField()))


def _rank(column: Column, today: dt.date, since: dt.datetime) -> Choose:
    """OVERDUE, NEW or WAITING in the column; OUTSIDE for a case not in it."""
    held = column.holds(today)
    return Choose(When(held & column.overdue(today), then=Value(OVERDUE)),
                  When(held & Q(pk__in=_arrivals(since)), then=Value(NEW)),
                  When(held, then=Value(WAITING)), default=Value(OUTSIDE))


def _by_deadline(column: Column, rank: str) -> Choose:
    # A new arrival is ordered by its arrival alone.
    return Choose(When(**{rank: NEW}, then=Value(None)), default=F(column.deadline), output_field=models.DateField())


def _order(rank: str, by_deadline: str) -> list[Any]:
    return [F(rank).asc(), F(by_deadline).asc(nulls_last=True), F("arrived_at").desc(nulls_last=True),
            F("raised_at").asc(), F("id").asc()]


def columns(cases: Any, today: dt.date, related: tuple[str, ...],
            counted: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The board's columns, each with its first BOARD_ROWS cases and its counts (`counts`, unless given): the
    counts, the positions of the cases shown in every column (one pass with a window per column) and those cases:
    three queries (and the working-day calendar's) whatever the number of cases."""
    counted = counted or counts(cases, today)
    since, figures = counted["since"], counted["columns"]
    placed = _arrivals_first(cases.filter(reduce(or_, (c.holds(today) for c in COLUMNS))), since)
    for i, column in enumerate(COLUMNS):
        placed = placed.annotate(**{f"rank_{i}": _rank(column, today, since)})
        placed = placed.annotate(**{f"by_deadline_{i}": _by_deadline(column, f"rank_{i}")})
        placed = placed.annotate(**{f"at_{i}": Window(RowNumber(), order_by=_order(f"rank_{i}", f"by_deadline_{i}"))})
    shown = reduce(or_, (Q(**{f"rank_{i}__lt": OUTSIDE, f"at_{i}__lte": BOARD_ROWS}) for i in range(len(COLUMNS))))
    ranks = [f"rank_{i}" for i in range(len(COLUMNS))]
    places = [f"at_{i}" for i in range(len(COLUMNS))]
    rows = list(placed.filter(shown).order_by().values_list("pk", *ranks, *places))
    loaded = Case.objects.select_related(*related).in_bulk([row[0] for row in rows])
    result = []
    for i, column in enumerate(COLUMNS):
        first = sorted((row for row in rows if row[1 + i] < OUTSIDE and row[1 + len(COLUMNS) + i] <= BOARD_ROWS),
                       key=lambda row: row[1 + len(COLUMNS) + i])
        # A case may head two columns (an overdue case that asks for an extension) with a rank in each.
        shown_cases = [copy.copy(loaded[row[0]]) for row in first]
        for case, row in zip(shown_cases, first, strict=True):
            case.rank = row[1 + i]  # type: ignore[attr-defined]
        result.append({"key": column.key, "title": column.title, **figures[column.key], "cases": shown_cases})
    return result


def _desk_rank(today: dt.date) -> Choose:
    """A case's place on the 承办台 (OVERDUE, NEW: waiting for 签收, or WAITING): the one rule the desk orders by
    and the handler's home counts by."""
    return Choose(When(deadlines.overdue_condition(today), then=Value(OVERDUE)),
                  When(status=S.DISPATCHED, then=Value(NEW)), default=Value(WAITING))


def desk_inbox(cases: Any, today: dt.date) -> Any:
    """The unit's 承办台 in the same spirit: overdue first, then the cases waiting for 签收 (newest first: they
    just arrived), then the rest by deadline. Each case carries `rank` (OVERDUE, NEW or WAITING)."""
    return (
        cases.filter(status__in=workflow.HANDLING)
        .annotate(rank=_desk_rank(today))
        .annotate(by_deadline=Choose(When(rank=NEW, then=Value(None)), default=F("handling_due"),
                                     output_field=models.DateField()))
        .order_by("rank", F("by_deadline").asc(nulls_last=True), F("dispatched_on").desc(nulls_last=True), "id")
    )


def desk_counts(cases: Any, today: dt.date) -> dict[str, int]:
    """The 承办台's figures in one query, counted by the desk's own rank: the cases to handle, of them overdue and
    waiting for 签收; and the handled cases waiting for the reply to the person."""
    handling = Q(status__in=workflow.HANDLING)
    return cases.order_by().annotate(desk_rank=_desk_rank(today)).aggregate(
        todo=Count("pk", filter=handling), overdue=Count("pk", filter=handling & Q(desk_rank=OVERDUE)),
        arrived=Count("pk", filter=handling & Q(desk_rank=NEW)),
        to_answer=Count("pk", filter=Q(status__in=(S.RESOLVED, S.EXPLAINED))))
