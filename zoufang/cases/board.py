"""The office's 交办台: one column per thing the office must do, what needs action now at the top.

In every column a case past its deadline comes first (earliest deadline first), then a new arrival (newest
first: it reached the column since the start of the previous working day), then the rest by deadline. The
first two are always shown, however many; the rest fill the column up to BOARD_ROWS. Each column counts
its cases, its overdue ones and its new arrivals, so nothing waits unseen behind 查看全部.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Case as Choose
from django.db.models import Count, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _lazy

from zoufang.cases import workflow
from zoufang.cases.models import Case, CaseEvent
from zoufang.workdays.calendar import add_working_days

S = Case.Status
BOARD_ROWS = 8
OVERDUE, NEW, WAITING = 0, 1, 2


@dataclass(frozen=True)
class Column:
    key: str
    title: Promise
    cases: Q
    deadline: str  # the date field the column's work runs against
    runs_late: bool = True  # False where the deadline is already met (handled cases waiting for the reply)

    def overdue(self, today: dt.date) -> Q:
        if not self.runs_late:
            return Q(pk__in=[])
        if self.deadline == "registration_due":
            return Q(registration_due__lt=today)
        return Q(overdue_since__isnull=False) | Q(handling_due__lt=today)


# Each column is also a filter of the full list (/cases/?status=key).
COLUMNS = [
    Column("draft", _lazy("待登记"), Q(status=S.DRAFT), "registration_due"),
    # Sent back by the city office with its instructions: the town dispatches it again.
    Column("to_dispatch", _lazy("待交办"), Q(status__in=(S.REGISTERED, S.RETURNED, S.UPPER_RETURNED)), "handling_due"),
    Column("extension", _lazy("延期待审批"),
           Q(requested_extension_days__isnull=False, status__in=workflow.HANDLING), "handling_due"),
    Column("overdue", _lazy("超期未办结"), Q(overdue_since__isnull=False, status__in=workflow.HANDLING), "handling_due"),
    # Waiting for a signature, for coordination or the leadership, or at the city office.
    Column("escalated", _lazy("上报待办"), Q(status__in=(S.SIGNOFF, S.ESCALATED, S.UPPER_ACCEPTED)), "handling_due"),
    Column("to_answer", _lazy("待回复、回访、结案"),
           Q(status__in=(S.RESOLVED, S.EXPLAINED, S.REPLIED, S.CALLED_BACK)), "handling_due", runs_late=False),
]
GROUPS: dict[str, tuple[Promise, Q]] = {c.key: (c.title, c.cases) for c in COLUMNS}


def new_since(today: dt.date) -> dt.datetime:
    """New arrivals reached their column since the start of the previous working day (Beijing time)."""
    day = add_working_days(today, -1).date
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


def _ranked(cases: Any, column: Column, today: dt.date, since: dt.datetime) -> Any:
    arrived = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-id").values("at")[:1]
    return (
        cases.filter(column.cases)
        .annotate(arrived_at=Subquery(arrived))
        .annotate(rank=Choose(When(column.overdue(today), then=Value(OVERDUE)),
                              When(arrived_at__gte=since, then=Value(NEW)), default=Value(WAITING)))
        .annotate(by_deadline=Choose(When(rank=NEW, then=Value(None)), default=F(column.deadline),
                                     output_field=models.DateField()))
        .order_by("rank", F("by_deadline").asc(nulls_last=True), F("arrived_at").desc(nulls_last=True),
                  "raised_at", "id")
    )


def columns(cases: Any, today: dt.date, related: tuple[str, ...]) -> list[dict[str, Any]]:
    """The board's columns with their counts, in a fixed number of queries whatever the number of cases."""
    since = new_since(today)
    counts = {}
    for column in COLUMNS:
        ranked = _ranked(cases, column, today, since)
        counts[column.key] = ranked.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(rank=OVERDUE)),
                                              new=Count("pk", filter=Q(rank=NEW)))
    result = []
    for column in COLUMNS:
        count = counts[column.key]
        shown = max(BOARD_ROWS, count["overdue"] + count["new"])
        first = list(_ranked(cases, column, today, since).select_related(*related)[:shown])
        result.append({"key": column.key, "title": column.title, "cases": first, **count})
    return result


def desk_inbox(cases: Any, today: dt.date) -> Any:
    """The unit's 承办台 in the same spirit: overdue first, then the cases waiting for 签收 (newest first: they
    just arrived), then the rest by deadline. Each case carries `rank` (OVERDUE, NEW or WAITING)."""
    return (
        cases.filter(status__in=workflow.HANDLING)
        .annotate(rank=Choose(When(Q(overdue_since__isnull=False) | Q(handling_due__lt=today), then=Value(OVERDUE)),
                              When(status=S.DISPATCHED, then=Value(NEW)), default=Value(WAITING)))
        .annotate(by_deadline=Choose(When(rank=NEW, then=Value(None)), default=F("handling_due"),
                                     output_field=models.DateField()))
        .order_by("rank", F("by_deadline").asc(nulls_last=True), F("dispatched_on").desc(nulls_last=True), "id")
    )
