"""The rows behind a figure: a coverage count's visits and unvisited targets, a case count's cases.

A drill-down names what it narrows to (unit, cadre, village, kind, overdue); the reader's Reach bounds it, so
a number can be explained only inside the viewer's scope. Personal data goes through the presenters.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.cases import lists as case_lists
from zoufang.cases.models import Case
from zoufang.core import paging, snapshot
from zoufang.core.queryparams import Asked
from zoufang.oversight import figures
from zoufang.oversight.access import Reach
from zoufang.oversight.tables import Table
from zoufang.planning.models import Assignment
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.registry.presenters import TargetPresenter

WHAT = {"unvisited": "未走访对象", "visits": "走访记录", "cases": "问题清单", "unnamed": "未落实到人的对象"}
LIMIT = 200  # rows on a page; the xlsx holds them all
QUERY_KEYS = ("what", "unit", "cadre", "region", "kind", "overdue")  # what a narrowing reads from a query


@dataclass
class Narrowing:
    what: str
    unit: Unit | None = None
    cadre: Cadre | None = None
    region: Region | None = None
    kind: str = ""
    overdue: bool = False

    @property
    def label(self) -> str:
        parts = [part for part in (
            self.region.name if self.region else "", self.unit.name if self.unit else "",
            self.cadre.name if self.cadre else "", str(Target.Kind(self.kind).label) if self.kind else "",
            _("超期") if self.overdue else "",
        ) if part]
        return "·".join([*parts, _(WHAT[self.what])])

    def query(self) -> str:
        params = QueryDict(mutable=True)
        params["what"] = self.what
        for name in ("unit", "cadre", "region"):
            value = getattr(self, name)
            if value is not None:
                params[name] = str(value.public_id)
        if self.kind:
            params["kind"] = self.kind
        if self.overdue:
            params["overdue"] = "1"
        return params.urlencode()


def find(model: Any, public_id: str) -> Any:
    """The object of this public id, or None (also for a malformed id: a missing one)."""
    try:
        return model.objects.filter(public_id=public_id).first()
    except (ValueError, ValidationError):
        return None


def _one(asked: Asked, model: Any, name: str, what: str, allowed: Callable[[Any], bool]) -> Any:
    """The object the parameter names, if the reader may see it; else none (a notice, or a 400: decision 0035)."""
    value = asked.text(name)
    if not value:
        return None
    found = find(model, value)
    if found is None or not allowed(found):
        asked.unseen(name, what)
        return None
    return found


def narrowing(reach: Reach, query: Any) -> Narrowing:
    """What the query narrows to: `Asked.page` on a page (a bad value dropped, with a notice), else strict."""
    asked = Asked.of(query)
    return Narrowing(
        what=asked.choice("what", WHAT, "unvisited", lambda key: _(WHAT[key])),
        unit=_one(asked, Unit, "unit", _("单位"), reach.may_read_unit),
        cadre=_one(asked, Cadre, "cadre", _("干部"), reach.may_read_cadre),
        region=_one(asked, Region, "region", _("区划"), reach.may_read_region),
        kind=asked.choice("kind", Target.Kind.values, ""),
        overdue=asked.text("overdue") == "1",
    )


def assignments(reach: Reach, n: Narrowing) -> QuerySet[Assignment]:
    rows = reach.assignments()
    if n.unit is not None:
        rows = rows.filter(unit=n.unit)
    if n.cadre is not None:
        rows = rows.filter(cadre=n.cadre)
    if n.region is not None:
        rows = rows.filter(target__region__path__startswith=n.region.path)
    if n.kind:
        rows = rows.filter(target__kind=n.kind)
    return rows


def cases(reach: Reach, n: Narrowing, today: dt.date) -> QuerySet[Case]:
    rows = reach.cases()
    if n.unit is not None:
        rows = rows.filter(unit=n.unit)
    if n.cadre is not None:
        rows = rows.filter(target__assignments__cadre=n.cadre, target__assignments__campaign=reach.campaign)
    if n.region is not None:
        rows = rows.filter(region__path__startswith=n.region.path)
    if n.overdue:
        rows = rows.filter(figures.overdue_condition(today))
    return rows.select_related("category", "region__parent__parent", "unit__region", "target__region", "campaign__scope") \
        .order_by("handling_due", "raised_at", "id")


def _village(region: Region, names: dict[int, Region]) -> str:
    for part in region.path.split("."):
        found = names.get(int(part)) if part else None
        if found is not None and found.level == Region.Level.VILLAGE:
            return found.name
    return ""


def _villages(regions: list[Region]) -> dict[int, Region]:
    ids = {int(p) for r in regions for p in r.path.split(".") if p}
    return Region.objects.filter(pk__in=ids, level=Region.Level.VILLAGE).in_bulk()


def chosen(reach: Reach, n: Narrowing, today: dt.date) -> QuerySet[Any]:
    """The rows behind the narrowing, in their table's order (ending in the id: a keyset order)."""
    if n.what == "cases":
        return cases(reach, n, today)
    if n.what == "visits":
        return figures.visits_of(reach.campaign, assignments(reach, n))
    if n.what == "unnamed":
        return figures.unnamed_assignments(reach.campaign, assignments(reach, n))
    return figures.unvisited_assignments(reach.campaign, assignments(reach, n))


def unvisited_parts(reach: Reach, rows: QuerySet[Assignment]) -> list[paging.Part]:
    """The unvisited rows in two parts, each in the table's order: the targets in the campaign's area, read from
    the region index where the area starts, then any whose target has since moved out of it.

    In one query PostgreSQL walks the region index in path order from the installation's first region, and a town
    whose regions sort late paid for every earlier town's targets before its first row (decision 0015). The second
    part is found from the campaign's own assignments, so it costs what they are; above COUNT_CAP such rows
    (not met in practice) it is the plain condition again. `rows`: the unvisited rows (`chosen`)."""
    inside = Q(target__region__path__startswith=reach.campaign.scope.path)

    def outside() -> QuerySet[Assignment] | None:
        ids = list(rows.exclude(inside).order_by().values_list("pk", flat=True)[:paging.COUNT_CAP + 1])
        if not ids:
            return None
        return rows.exclude(inside) if len(ids) > paging.COUNT_CAP else rows.filter(pk__in=ids)

    return [lambda: rows.filter(inside), outside]


def _count(rows: QuerySet[Any], shown: list[Any], offset: int, limit: int | None) -> int:
    """How many rows in all, counted no further than paging.COUNT_CAP + 1 (more): by the database only when a
    page leaves some out. A page shorter than its limit, or a download of every row, already holds the answer."""
    if not limit or len(shown) < limit and (shown or offset == 0):
        return offset + len(shown)
    return paging.bounded_count(rows, paging.COUNT_CAP + 1)


def parts(reach: Reach, n: Narrowing, rows: QuerySet[Any]) -> list[paging.Part]:
    """The rows behind the narrowing (`chosen`) in the parts they are read in (`paging.keyset_parts`): the
    unvisited rows in two (`unvisited_parts`), the others in one."""
    return unvisited_parts(reach, rows) if n.what == "unvisited" else [lambda: rows]


def table(reach: Reach, n: Narrowing, user: Any, today: dt.date, limit: int | None = LIMIT,
          offset: int = 0) -> tuple[Table, int]:
    """The rows (at most `limit`, from `offset`) and how many there are in all (bounded, as `_count`)."""
    rows = chosen(reach, n, today)
    if limit:
        shown, _following = paging.sliced_parts(parts(reach, n, rows), offset, limit)
    else:
        shown = [row for part in parts(reach, n, rows) if (made := part()) is not None for row in made][offset:]
    return rows_table(n, shown, user), _count(rows, shown, offset, limit)


@dataclass
class Page:
    table: Table
    count: int  # counted no further than paging.COUNT_CAP + 1
    next_cursor: str | None  # `after` for the following page; None on the last
    first: bool  # no cursor given

    @property
    def capped(self) -> bool:
        return self.count > paging.COUNT_CAP


def page(reach: Reach, n: Narrowing, user: Any, today: dt.date, after: str | None, size: int = LIMIT,
         offset: int = 0) -> Page:
    """A page of `size` rows after the cursor, read from the index where the row shown last left off (a later
    page costs what the first does), or from a bounded `offset` (the API's older clients); paging.BadCursor for
    a cursor this list did not write."""
    rows = chosen(reach, n, today)
    if after or not offset:
        keyset = paging.keyset_parts(parts(reach, n, rows), after, size)
        shown, next_cursor, first = keyset.rows, keyset.next_cursor, keyset.first
    else:
        shown, next_cursor = paging.sliced_parts(parts(reach, n, rows), offset, size)
        first = False
    count = _count(rows, shown, 0, size) if first else paging.bounded_count(rows, paging.COUNT_CAP + 1)
    return Page(rows_table(n, shown, user), count, next_cursor, first)


def rows_table(n: Narrowing, shown: list[Any], user: Any) -> Table:
    """The table of the rows shown: cases, visits or unvisited assignments, personal data through the presenters."""
    if n.what == "cases":
        return Table(key="cases", title=n.label, headers=[str(c) for c in case_lists.COLUMNS],
                     rows=case_lists.rows(shown, user), numeric_from=99)
    presenter = TargetPresenter(user)
    if n.what == "visits":
        names = _villages([v.target.region for v in shown])
        headers = [_("走访时间"), _("走访对象"), _("对象类型"), _("村（社区）"), _("地址"), _("走访人"), _("走访单位"),
                   _("走访方式")]
        rows: list[list[Any]] = [
            [clock.minute(v.visited_at), v.target.name, str(v.target.get_kind_display()),
             _village(v.target.region, names), v.target.address, v.cadre.name, v.cadre.unit.name,
             str(v.get_mode_display())]
            for v in shown
        ]
        return Table(key="visits", title=n.label, headers=headers, rows=rows, numeric_from=99)
    names = _villages([a.target.region for a in shown])
    with snapshot.writes():  # kept as it is written, not with a download's read transaction
        presenter.record_list_read([a.target for a in shown], summary=_("督查：%(what)s") % {"what": _(WHAT[n.what])})
    headers = [_("对象类型"), _("姓名（名称）"), _("村（社区）"), _("地址"), _("联系电话"), _("走访单位"),
               _("是否已走访") if n.what == "unnamed" else _("走访人")]
    rows = [
        [str(a.target.get_kind_display()), a.target.name, _village(a.target.region, names), a.target.address,
         presenter.phone(a.target), a.unit.name,
         (_("已走访") if a.visited else _("未走访")) if n.what == "unnamed"
         else a.cadre.name if a.cadre else _("未落实到人")]
        for a in shown
    ]
    return Table(key=n.what, title=n.label, headers=headers, rows=rows, numeric_from=99)
