"""The weekly 问题清单 and 建议清单 (seed 002 §五2) and the monthly 会商 agenda (seed 000 §三(二) 每月一会商)."""

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font

from zoufang import clock
from zoufang.cases import workflow
from zoufang.cases.models import Case
from zoufang.cases.presenters import CasePresenter, village_name
from zoufang.core.progress import Progress, report
from zoufang.core.tabular import ExportWorkbook

S = Case.Status
COLUMNS = [
    gettext_lazy(label) for label in
    ("序号", "编号", "类别", "内容", "村（社区）", "反映人", "收集日期", "承办单位", "办理期限", "状态", "办理结果")
]
WIDTHS = [6, 10, 18, 48, 14, 10, 12, 14, 12, 12, 36]
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
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
        chosen = chosen.filter(category__code__startswith=category)
    if status == "open":
        chosen = chosen.exclude(status__in=(*workflow.ANSWERED, S.CLOSED))
    elif status in S.values:
        chosen = chosen.filter(status=status)
    return chosen.select_related("category", "region__parent__parent", "unit", "target__region", "campaign__scope").order_by(
        "category__sort_order", "raised_at", "id"
    )


def iter_rows(cases: QuerySet[Case] | Iterable[Case], user: Any) -> Iterator[list[Any]]:
    """The list's rows one at a time; a queryset is read through a server-side cursor (a whole town's cases)."""
    presenter = CasePresenter(user)
    chosen = cases.iterator(chunk_size=CHUNK) if isinstance(cases, QuerySet) and cases._result_cache is None else cases
    for n, c in enumerate(chosen, start=1):
        yield [
            n, c.number, f"{c.category.code} {c.category.title}" if c.category else "", presenter.text(c, c.description),
            village_name(c), presenter.raiser(c)["name"],
            clock.local(c.raised_at).date(), c.unit.name if c.unit else "", c.handling_due,
            str(c.get_status_display()), presenter.text(c, c.resolution or c.explanation),
        ]


def rows(cases: QuerySet[Case] | Iterable[Case], user: Any) -> list[list[Any]]:
    return list(iter_rows(cases, user))


def write_xlsx(out: IO[bytes], title: str, table: Iterable[list[Any]], columns: list[Any] | None = None,
               widths: list[int] | None = None, *, progress: Progress | None = None, total: int = 0) -> int:
    """One sheet streamed to `out`: the title, the bold headers (the weekly list's unless given), the rows
    (dates as dates), as they come; returns how many rows. `progress` is told the rows written of `total`."""
    book = ExportWorkbook(streaming=True)
    sheet = book.create_sheet(title[:31])
    sheet.set_widths(widths or WIDTHS)
    sheet.freeze_panes = "A3"
    sheet.append([title], font=Font(bold=True, size=14))
    sheet.append([str(label) for label in columns or COLUMNS], font=Font(bold=True))
    count = 0
    for count, row in enumerate(table, start=1):
        sheet.append([sheet.stream_cell(value, alignment=WRAP_TOP, **(
            {"number_format": "yyyy-mm-dd"} if isinstance(value, dt.date) else {})) for value in row])
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


@dataclass
class UnitLine:
    unit: str
    open: int = 0
    overdue: list[Case] = field(default_factory=list)
    resolved_in_month: int = 0


@dataclass
class Agenda:
    month: dt.date
    signoff: list[Case]
    escalated: dict[str, list[Case]]
    units: list[UnitLine]
    late_drafts: int


def monthly_agenda(cases: QuerySet[Case], month: dt.date) -> Agenda:
    """每月一会商: open escalations by route, overdue cases by unit, each unit's open and finished counts."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    related = cases.select_related("unit", "region__parent__parent", "category", "signoff_leader", "campaign__scope")
    signoff = list(related.filter(status=S.SIGNOFF).order_by("raised_at"))
    escalated: dict[str, list[Case]] = {}
    for route, label in Case.Route.choices:
        chosen = list(related.filter(status__in=workflow.UPPER_QUEUE, escalation_route=route).order_by("raised_at"))
        if chosen:
            escalated[str(label)] = chosen
    units: dict[str, UnitLine] = {}
    for case in related.filter(status__in=workflow.HANDLING):
        line = units.setdefault(case.unit.name if case.unit else "—", UnitLine(case.unit.name if case.unit else "—"))
        line.open += 1
        if case.overdue_since is not None:
            line.overdue.append(case)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(following, dt.time()))
    for case in related.filter(resolved_at__gte=start, resolved_at__lt=end).exclude(unit=None):
        name = case.unit.name if case.unit else "—"
        units.setdefault(name, UnitLine(name)).resolved_in_month += 1
    ordered = sorted(units.values(), key=lambda u: (-len(u.overdue), -u.open, u.unit))
    late = related.filter(status=S.DRAFT, registration_due__lt=min(following, _today())).count()
    return Agenda(first, signoff, escalated, ordered, late)


def _today() -> dt.date:
    from zoufang import clock

    return clock.today()
