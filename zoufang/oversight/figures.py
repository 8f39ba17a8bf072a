"""The campaign's oversight figures: coverage, pace, case results. One definition each (docs/oversight.md).

Coverage and the weekly curve read the counts kept with every visit (oversight.counters, decision 0005) for
the parts `assignments()` marks, and recount any other queryset in one grouped query; case figures aggregate
in the database. All return plain dataclasses that the pages, the API and the xlsx exports read. Drill-downs
(`*_rows`) return the querysets behind a figure.
"""

import datetime as dt
import functools
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Case as Switch
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import (
    Cast,
    Coalesce,
    Collate,
    NullIf,
    TruncDate,
    TruncMonth,
    TruncWeek,
)
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.campaigns.models import Campaign, CaseCategory
from zoufang.cases import deadlines
from zoufang.cases.models import Case, CaseEvent
from zoufang.cases.workflow import ANSWERED, HANDLING
from zoufang.core import paging
from zoufang.core.rawrows import Columns, prepared_rows
from zoufang.oversight.counters import KINDS, NO_CADRE
from zoufang.oversight.models import CadreCoverage, CoverageTally, GivenLaterTally, WeeklyTally, kind_columns
from zoufang.oversight.pace import (
    Later,
    PaceRule,
    due_sql,
    given_later,
    later_classes,
    later_than_plan,
    next_checkpoint,
    pace_due,
    pace_rule,
)
from zoufang.planning.models import Assignment
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.visits.models import Visit

S = Case.Status

# ---------------------------------------------------------------------------------------------- coverage


@dataclass
class KindCount:
    kind: str
    label: str
    assigned: int = 0
    visited: int = 0


@dataclass
class Pace:
    """One row's standing against the rule on `today` (only the rule's target kinds count)."""

    assigned: int
    visited: int
    due_today: int
    due_next: int  # due by the rule's next checkpoint (`pace.next_checkpoint`: seed 000, the month's end)
    projected_finish: dt.date | None
    next_on: dt.date | None = None  # that checkpoint; None where campaigns of different checkpoints are added up
    today: dt.date | None = None  # the day the standing is read on

    @property
    def behind(self) -> int:
        """Short of what the rule wanted by today (periods ended, milestones passed)."""
        return max(0, self.due_today - self.visited)

    @property
    def next_gap(self) -> int:
        """Still to visit by the next checkpoint to meet its requirement."""
        return max(0, self.due_next - self.visited)

    @property
    def remaining(self) -> int:
        return max(0, self.assigned - self.visited)

    @property
    def due_percent(self) -> float | None:
        """进度完成比: visited ÷ what the rule wanted by today (None while nothing is due yet)."""
        return round(100 * self.visited / self.due_today, 1) if self.due_today else None


@dataclass
class CoverageRow:
    key: Any  # a Region, Unit or Cadre (or None for targets with no such level / cadre)
    label: str
    kinds: dict[str, KindCount] = field(default_factory=dict)
    pace: Pace | None = None
    # Of the assigned, what was given after the plan day: day given → count per kind (decision 0042; `_add_later`)
    later: dict[dt.date, dict[str, int]] = field(default_factory=dict)

    def add_later(self, day: dt.date, kind: str, n: int) -> None:
        counts = self.later.setdefault(day, {})
        counts[kind] = counts.get(kind, 0) + n

    @property
    def assigned(self) -> int:
        return sum(k.assigned for k in self.kinds.values())

    @property
    def visited(self) -> int:
        return sum(k.visited for k in self.kinds.values())

    @property
    def unvisited(self) -> int:
        return self.assigned - self.visited

    @property
    def percent(self) -> float:
        return round(100 * self.visited / self.assigned, 1) if self.assigned else 0.0

    def kind(self, kind: str) -> KindCount:
        return self.kinds.get(kind) or KindCount(kind, str(Target.Kind(kind).label))


@dataclass
class Coverage:
    by: str  # "village", "group", "town", "unit", "cadre"
    today: dt.date
    rule: PaceRule
    rows: list[CoverageRow]
    total: CoverageRow
    kinds: list[tuple[str, str]]
    count: int = -1  # the grouping's rows over every page (`rows` may hold one page of them); -1: len(rows)
    start: int = 0  # how many rows of the table come before `rows`

    def __post_init__(self) -> None:
        if self.count < 0:
            self.count = len(self.rows)

    def behind(self, keyed: bool | None = None) -> list[CoverageRow]:
        """Rows behind pace, worst first (most targets short, then lowest share done); with `keyed` only the nodes'
        (units, cadres, villages), with `keyed=False` only the row of what no node holds (未落实到人, （未填村））:
        that row is listed with them, and is not one of them when they are counted."""
        late = [row for row in self.rows if row.pace is not None and row.pace.behind
                and (keyed is None or (row.key is not None) == keyed)]
        return sorted(late, key=_behind_order)


def _behind_order(row: CoverageRow) -> tuple[Any, ...]:
    """Most targets short first, then the lowest share visited, then the node's id (`figures.behind` orders
    the same in SQL); the row of targets under no node last among equals."""
    assert row.pace is not None  # noqa: S101
    share = row.visited / row.assigned if row.assigned else 0.0
    return (-row.pace.behind, share, row.key is None, getattr(row.key, "pk", row.key) or 0)


def day_end(day: dt.date) -> dt.datetime:
    """The first moment after `day` in Beijing time: visits before it were made by the end of `day`."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def visited_condition(campaign: Campaign, target_field: str = "target_id", until: dt.date | None = None) -> Exists:
    """A target counts as visited once any visit of this campaign names it, whoever made it. A visit moved to
    another target or campaign counts for the one it names now; a deleted visit no longer counts.
    With `until`, only visits made by the end of that (Beijing) day count."""
    visits = Visit.objects.filter(campaign=campaign, target_id=OuterRef(target_field))
    if until is not None:
        visits = visits.filter(visited_at__lt=day_end(until))
    return Exists(visits)


@dataclass(frozen=True)
class Part:
    """Which of a campaign's assignments a queryset from `assignments()` holds, so coverage can read the kept
    counts (oversight.counters) for exactly those. Any further filter makes a new queryset without it."""

    unit: Unit | None = None
    cadre: Cadre | None = None
    region: Region | None = None


PART = "_oversight_part"
M = TypeVar("M", bound=Model)


def _filtered_later(model: type[M], *args: Any, **kwargs: Any) -> QuerySet[M]:
    """`model.objects.filter(*args, **kwargs)` whose filter is built only when the queryset is evaluated or
    narrowed (the ORM's deferred filter, as Django's related managers use it): the same statement then, and none
    built for a kept read, which needs only the mark `assignments` and `case_rows` set (building it was a tenth to
    a third of a small kept figure)."""
    rows = model._default_manager.all()
    rows._defer_next_filter = True  # type: ignore[attr-defined]
    return rows.filter(*args, **kwargs)


def assignments(campaign: Campaign, *, unit: Unit | None = None, cadre: Cadre | None = None,
                region: Region | None = None) -> QuerySet[Assignment]:
    where: dict[str, Any] = {"campaign": campaign}  # one filter() call: a cadre's page builds this on every view
    if unit is not None:
        where["unit"] = unit
    if cadre is not None:
        where["cadre"] = cadre
    if region is not None:
        where["target__region__path__startswith"] = region.path
    rows = _filtered_later(Assignment, **where)
    setattr(rows, PART, Part(unit, cadre, region))  # a clone (filter, values …) starts without it
    return rows


# Every level of the region tree (a target sits in a village, a 村民小组 or a 网格), the organisation, the kind.
REGION_LEVELS = {str(level): level for level in Region.LEVEL_ORDER}
GROUPINGS = {**{level: "target__region_id" for level in REGION_LEVELS}, "unit": "unit_id", "cadre": "cadre_id",
             "kind": "target__kind"}


def _kind_labels() -> dict[str, str]:
    """The kinds' labels in the active language, in the choices' order (asked for every table and figure)."""
    return _labels_in(get_language())


@functools.lru_cache(maxsize=8)
def _labels_in(language: str | None) -> dict[str, str]:
    return {str(kind): str(label) for kind, label in Target.Kind.choices}


def _ancestor_at(regions: dict[int, Region], region_id: int, level: str) -> Region | None:
    """The region itself or its ancestor at `level`, from the bulk-loaded map of every region on the paths."""
    region = regions.get(region_id)
    if region is None:
        return None
    for part in region.path.split("."):
        ancestor = regions.get(int(part)) if part else None
        if ancestor is not None and ancestor.level == level:
            return ancestor
    return None


# What a row's key is read for (labels, order, links): thousands of rows load no more.
KEY_FIELDS = {"unit": ("public_id", "name", "sort_order"),
              "cadre": ("public_id", "name", "sort_order", "unit__public_id", "unit__name", "unit__sort_order"),
              "region": ("public_id", "name", "level", "path", "sort_order")}


def _keys(by: str, ids: set[Any], *, exact: bool = False) -> dict[Any, Any]:
    """The objects the grouped ids stand for, in one query (regions: every region on their paths, unless the
    ids are `exact`ly the regions of the level asked, as the kept counts give them)."""
    wanted = [i for i in ids if i]
    if by == "unit":
        return Unit.objects.only(*KEY_FIELDS["unit"]).in_bulk(wanted)
    if by == "cadre":
        return Cadre.objects.select_related("unit").only(*KEY_FIELDS["cadre"]).in_bulk(wanted)
    regions = Region.objects.only(*KEY_FIELDS["region"])
    if exact:
        return regions.in_bulk(wanted)
    leaves = Region.objects.filter(pk__in=wanted).values_list("path", flat=True)
    return regions.in_bulk({int(p) for path in leaves for p in path.split(".") if p})


@functools.cache
def _key_columns(by: str) -> tuple[Columns[Any], Columns[Unit] | None]:
    """The columns of the grouping's key table that `_keys` loads (SQL alias k), and of a cadre's unit (alias u):
    for the statements that read the keys beside the figures and make the objects `_keys` would, without a query
    of their own."""
    fields = KEY_FIELDS["region" if by in REGION_LEVELS else by]
    own = Columns(KEY_ORDER[by][0], "k", [*(f for f in fields if "__" not in f), *(["unit_id"] if by == "cadre" else [])])
    if by != "cadre":
        return own, None
    return own, Columns(Unit, "u", [f.removeprefix("unit__") for f in fields if f.startswith("unit__")])


def _key_paths(by: str) -> list[str]:
    """`_key_columns` as field paths from the key table, in the order `_key_object` reads them."""
    own, unit = _key_columns(by)
    return [f.attname for f in own.fields] + ([f"unit__{f.attname}" for f in unit.fields] if unit is not None else [])


def _key_object(by: str, row: Sequence[Any], start: int, db: Any, units: dict[int, Unit] | None = None) -> Any:
    """The key object of `_key_columns`' values in `row` from `start` (a cadre with its unit, one object per unit
    in `units` when given); None where a LEFT JOIN found none (a node whose key was deleted: counted in the row
    without a key, as `_keys` leaves it)."""
    own, unit = _key_columns(by)
    key = own.load_joined(row, start, using=db)
    if key is not None and unit is not None:
        mine = units.get(key.unit_id) if units is not None else None
        if mine is None:
            mine = unit.load(row, start + own.width, using=db)
            if units is not None:
                units[key.unit_id] = mine
        key.unit = mine
    return key


def _label(by: str, key: Any) -> str:
    if key is None:
        if by in REGION_LEVELS and by != Region.Level.VILLAGE:
            return _("（未细分到%(level)s）") % {"level": Region.Level(by).label}
        return {"cadre": _("未落实到人"), "unit": _("未定单位")}.get(by, _("（未填村）"))
    if by == "cadre":
        return f"{key.name}（{key.unit.name}）"
    return str(key.name)


def _sort_key(by: str, row: CoverageRow) -> tuple[Any, ...]:
    key = row.key
    if key is None:
        return (1, "")
    if by == "unit":
        return (0, key.sort_order, key.name)
    if by == "cadre":
        return (0, key.unit.sort_order, key.unit.name, key.sort_order, key.name)
    if by == "kind":
        return (0, Target.Kind.values.index(key))
    return (0, key.path)


def coverage_order(by: str) -> Any:
    """A coverage row's place in its table, unique (the API's keyset cursor names it)."""
    return lambda row: (*_sort_key(by, row), str(getattr(row.key, "pk", row.key) or ""))


def projected_finish(rule: PaceRule, visited: int, assigned: int, today: dt.date) -> dt.date | None:
    """At the rate since the rule's start (visited ÷ days elapsed), the day the last target would be visited."""
    if assigned and visited >= assigned:
        return None
    days = (today - rule.starts_on).days + 1
    if visited <= 0 or days <= 0:
        return None
    per_day = visited / days
    try:
        return today + dt.timedelta(days=math.ceil((assigned - visited) / per_day))
    except OverflowError:  # a handful of visits over years: no foreseeable day to name
        return None


def pace_of(row: CoverageRow, rule: PaceRule, today: dt.date) -> Pace:
    """The row's standing: each part of its work due from the day it was given (`row.later`, decision 0042)."""
    counted = {kind: count for kind, count in row.kinds.items() if kind in rule.kinds}
    by_kind = {kind: count.assigned for kind, count in counted.items()}
    later: Later = {day: {kind: n for kind, n in counts.items() if kind in rule.kinds}
                    for day, counts in row.later.items()}
    assigned = sum(by_kind.values())
    visited = sum(count.visited for count in counted.values())
    next_on = next_checkpoint(rule, today)
    return Pace(
        assigned=assigned, visited=visited, due_today=pace_due(rule, by_kind, today, later),
        due_next=pace_due(rule, by_kind, next_on, later), next_on=next_on, today=today,
        projected_finish=projected_finish(rule, visited, assigned, today),
    )


def coverage(campaign: Campaign, by: str, today: dt.date, rows: QuerySet[Assignment] | None = None,
             until: dt.date | None = None, *, page: tuple[int, int | None] | None = None,
             after: tuple[Any, ...] | None = None, keys: list[Any] | None = None) -> Coverage:
    """Assigned vs visited targets per kind, grouped `by` a region level, a unit or a cadre; with pace.

    One grouped query over the campaign's assignments (or the given subset), one for the group objects.
    With `until`, a target counts as visited only by a visit made by the end of that day (a past month's end).
    With `page` (offset, size), only those rows of the table's order (`coverage_order`), after the row the
    `after` cursor names (that order's values) when given; `count` is every page's rows and `start` the rows
    before the page. With `keys` (units, cadres or villages), only their rows. By unit, cadre or village over kept
    counts, the page is ordered and cut in the database (`_kept_coverage_page`): a page of a city's 10,000 cadres
    builds 200 rows.
    A cursor of another order raises ValueError.
    """
    if by not in GROUPINGS:
        raise ValueError(by)
    rule = pace_rule(campaign)
    # The kept counts hold every visit to this moment; a past day's figure (`until`) is recounted.
    kept = _part(rows) if until is None else None
    # A unit's cadres (tens of rows): one statement written once, ordered and cut here (`_kept_unit_cadres`).
    unit = _cadres_of_unit(kept, by)
    found = _kept_coverage_page(campaign, by, kept, page or (0, None), after, keys) \
        if kept is not None and by in KEY_ORDER and unit is None else None
    if found is not None:
        ordered, total, count, start = found
    else:
        data: list[dict[str, Any]] | None
        objects: dict[int, Any] | None = None
        if unit is not None:
            data, objects = _kept_unit_cadres(campaign, unit)
        else:
            data = kept_counts(campaign, by, kept) if kept is not None else None
        exact = data is not None
        if data is None:
            data = recounted(campaign, by, rows, until=until)
        ordered, total = _rows_of(by, data, exact, objects)
        if keys is not None:
            wanted = {getattr(key, "pk", key) for key in keys}
            ordered = [row for row in ordered if getattr(row.key, "pk", None) in wanted]
        count = len(ordered)
        ordered, start = _cut(ordered, coverage_order(by), page, after)
    if given_later(campaign):
        if unit is not None:  # the unit's rows of its work given later, as its kept counts were read
            _placed_later(ordered, total, _unit_later(campaign, unit, {item[GROUPINGS["cadre"]] for item in data or ()}))
        elif kept is None or not _kept_later(campaign, by, kept, ordered, total):
            _add_later(campaign, by, ordered, total, rows, whole=len(ordered) == count)
    for row in [*ordered, total]:
        row.pace = pace_of(row, rule, today)
    kinds = [(kind, label) for kind, label in _kind_labels().items() if kind in total.kinds]
    return Coverage(by=by, today=today, rule=rule, rows=ordered, total=total, kinds=kinds, count=count, start=start)


def _placed_later(shown: list[CoverageRow], total: CoverageRow, found: Mapping[Any, Later],
                  whole: Later | None = None) -> None:
    """Each row's work given later from `found` (node id → day → kind → count; None: what no node holds), and the
    total's: `whole`, else all of `found`."""
    placed = {getattr(row.key, "pk", row.key): row for row in shown}
    for key, days in found.items():
        for day, counts in days.items():
            for kind, n in counts.items():
                if n and whole is None:
                    total.add_later(day, kind, n)
                if n and key in placed:
                    placed[key].add_later(day, kind, n)
    for day, counts in (whole or {}).items():
        for kind, n in counts.items():
            total.add_later(day, kind, n)


def _kept_later(campaign: Campaign, by: str, part: Part, shown: list[CoverageRow], total: CoverageRow) -> bool:
    """The rows' (and the total's) work given after the plan day from the kept GivenLaterTally rows of the nodes the
    kept counts were read at (`_kept_nodes`), in one statement: the part's total, the page's nodes and, where the
    row no node holds is shown, every node's sum (that row is the total less it). False where the kept rows do not
    hold the part and grouping (by kind: the assignments are read, `_add_later`)."""
    found = _kept_nodes(campaign, by, part, GivenLaterTally)
    if found is None:
        return False
    later_total, nodes, column = found
    keys = [row.key.pk for row in shown if row.key is not None]
    unkeyed = any(row.key is None for row in shown) and nodes is not later_total
    sums = {"n": Sum("assigned")}
    parts: list[tuple[int, QuerySet[Any]]] = [(0, later_total.values("given_on", "kind").annotate(**sums).order_by())]
    if unkeyed:
        parts.append((1, nodes.values("given_on", "kind").annotate(**sums).order_by()))
    if keys:
        parts.append((2, nodes.filter(**{f"{column}__in": keys}).values(column, "given_on", "kind")
                      .annotate(**sums).order_by()))
    connection = connections[router.db_for_read(GivenLaterTally)]
    quote = connection.ops.quote_name
    statements: list[str] = []
    params: list[Any] = []
    for which, query in parts:
        sql, more = query.query.sql_with_params()
        key = f"q.{quote(column)}" if which == 2 else "CAST(NULL AS INTEGER)"
        statements.append(f"SELECT {which} AS p, {key} AS k, q.{quote('given_on')} AS d, q.{quote('kind')} AS t, "  # noqa: S608
                          f"q.{quote('n')} AS n FROM ({sql}) q")
        params += more
    rows: dict[Any, dict[dt.date, dict[str, int]]] = {}
    held: dict[dt.date, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(statements), params)
        for which, key, day, kind, n in cursor.fetchall():
            day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
            if which == 1:
                held.setdefault(day, {})[kind] = int(n)
                continue
            counts = rows.setdefault(None if which == 0 else key, {}).setdefault(day, {})
            counts[kind] = counts.get(kind, 0) + int(n)
    whole = rows.pop(None, {})
    if unkeyed:  # what no node holds: the total less every node's
        rows[None] = {day: {kind: n - held.get(day, {}).get(kind, 0) for kind, n in counts.items()}
                      for day, counts in whole.items()}
    _placed_later(shown, total, rows, whole)
    return True


def later_given(campaign: Campaign, rows: QuerySet[Assignment] | None, *extra: str) -> QuerySet[Any]:
    """The part's assignments given after the plan day (`rows`, else the whole campaign's) as (`extra` …, kind,
    day given, count) groups: read through `assignment_campaign_given`, costing what the later work is."""
    source = assignments(campaign) if rows is None else rows
    return source.filter(later_than_plan(campaign)).values(*extra, "target__kind", "given_on") \
        .annotate(n=Count("id")).order_by()


def _add_later(campaign: Campaign, by: str, shown: list[CoverageRow], total: CoverageRow,
               rows: QuerySet[Assignment] | None, *, whole: bool) -> None:
    """Each row's (and the total's) work given after the plan day, by day and kind (`CoverageRow.later`): a row's
    targets in the grouping's node, the rest in the row without a node. On a page (`whole` False) the groups of
    rows not shown are left out."""
    regions = by in REGION_LEVELS
    found = list(later_given(campaign, rows, "target__region__path" if regions else GROUPINGS[by]))
    if not found:
        return
    placed = {getattr(row.key, "pk", row.key): row for row in shown if row.key is not None}
    unkeyed = next((row for row in shown if row.key is None), None)
    keyed_elsewhere: set[int] = set()
    if regions and not whole:  # a region of the level not on this page: its rows are not the unkeyed row's
        parts = {int(p) for item in found for p in (item["target__region__path"] or "").split(".") if p}
        keyed_elsewhere = set(Region.objects.filter(pk__in=parts - set(placed), level=by).values_list("pk", flat=True))
    for item in found:
        kind, day, n = item["target__kind"], item["given_on"], item["n"]
        total.add_later(day, kind, n)
        if regions:
            path = [int(p) for p in (item["target__region__path"] or "").split(".") if p]
            row = next((placed[p] for p in path if p in placed), None)
            if row is None and any(p in keyed_elsewhere for p in path):
                continue
        else:
            key = kind if by == "kind" else item[GROUPINGS[by]]
            row = placed.get(key)
            if row is None and key is not None and not whole:
                continue
        target = row if row is not None else unkeyed
        if target is not None:
            target.add_later(day, kind, n)


def _part(rows: QuerySet[Assignment] | None) -> Part | None:
    return Part() if rows is None else getattr(rows, PART, None)


def _cadres_of_unit(part: Part | None, by: str) -> Unit | None:
    """The unit, where the figure is one unit's assignments by cadre: tens of rows, read whole by one statement
    (`_kept_unit_cadres`) and ordered, cut and ranked behind pace in Python."""
    if part is None or by != "cadre" or part.cadre is not None or part.region is not None:
        return None
    return part.unit


def _rows_of(by: str, data: list[dict[str, Any]], exact: bool,
             objects: dict[Any, Any] | None = None) -> tuple[list[CoverageRow], CoverageRow]:
    """Coverage rows (in the grouping's order) and their total from grouped numbers in `recounted`'s shape; the
    grouping's objects by id when already read (`_keys` otherwise)."""
    labels = _kind_labels()
    if objects is None:
        objects = _keys(by, {item[GROUPINGS[by]] for item in data}, exact=exact) if by != "kind" else {}
    result: dict[Any, CoverageRow] = {}
    total = CoverageRow(None, _("合计"))
    for item in data:
        raw = item[GROUPINGS[by]]
        kind = item["target__kind"]
        key: Any
        if by in REGION_LEVELS:
            key = _ancestor_at(objects, raw, REGION_LEVELS[by])
        elif by == "kind":
            key = raw
        else:
            key = objects.get(raw)
        ident = getattr(key, "pk", key)
        row = result.get(ident)
        if row is None:
            label = labels.get(key, key) if by == "kind" else _label(by, key)
            row = result[ident] = CoverageRow(key, str(label))
        for target in (row, total):
            count = target.kinds.setdefault(kind, KindCount(kind, labels.get(kind, kind)))
            count.assigned += item["assigned"]
            count.visited += item["visited"]
    return sorted(result.values(), key=coverage_order(by)), total


Row = Any


def _cut(rows: list[Row], order: Any, page: tuple[int, int | None] | None,
         after: tuple[Any, ...] | None) -> tuple[list[Row], int]:
    """A whole table's rows (sorted by `order`) cut to `page` (offset, size) after the row the `after` cursor
    names, and how many rows come before the cut; ValueError for a cursor of another order."""
    start = 0
    if after is not None:
        try:
            start = sum(1 for row in rows if order(row) <= tuple(after))
        except TypeError:  # a cursor of another grouping's order
            raise ValueError(after) from None
    if page is not None:
        start += page[0]
        return rows[start:None if page[1] is None else start + page[1]], start
    return rows[start:], start


# The key tables' columns in their rows' order (`_sort_key`, `_case_sort`; text in code-point order, as Python
# compares the labels), the id as text last (`coverage_order`, `case_order`): how a page is cut in the database.
KEY_ORDER: dict[str, tuple[Any, tuple[str, ...]]] = {
    "unit": (Unit, ("sort_order", "name")),
    "cadre": (Cadre, ("unit__sort_order", "unit__name", "sort_order", "name")),
    "village": (Region, ("path",)),
}


def code_points(connection: Any) -> str:
    """The collation that orders text by code point, as Python sorts the labels."""
    return "C" if connection.vendor == "postgresql" else "BINARY"


def _in_order(by: str) -> tuple[QuerySet[Any], list[str]]:
    """The grouping's key table annotated with its order's columns (o0, o1, …; the id as text last) and ordered
    by them, and their names."""
    model, columns = KEY_ORDER[by]
    collation = code_points(connections[router.db_for_read(model)])
    names: dict[str, Any] = {f"o{n}": F(column) if column.endswith("sort_order") else Collate(F(column), collation)
                             for n, column in enumerate(columns)}
    names[f"o{len(columns)}"] = Collate(Cast("id", CharField(max_length=20)), collation)
    return model.objects.annotate(**names).order_by(*names), list(names)


def _beyond(by: str, names: list[str], cursor: tuple[Any, ...]) -> Q | None:
    """The keyed rows after the row `cursor` names (a `coverage_order` / `case_order` value) as a condition on
    `_in_order`'s columns; None when the cursor names the row without a key (nothing follows it). ValueError
    for a cursor of another order."""
    columns = KEY_ORDER[by][1]
    if len(cursor) != len(names) + 1 or cursor[0] not in (0, 1) or not all(
            isinstance(value, int if column.endswith("sort_order") else str) and not isinstance(value, bool)
            for column, value in zip([*columns, "id"], cursor[1:], strict=True)):
        raise ValueError(cursor)
    if cursor[0] == 1:
        return None
    return functools.reduce(operator.or_, paging.following([(name, False, False) for name in names], cursor[1:]))


def _kept_coverage_page(campaign: Campaign, by: str, part: Part, page: tuple[int, int | None],
                        after: tuple[Any, ...] | None, keys: list[Any] | None,
                        ) -> tuple[list[CoverageRow], CoverageRow, int, int] | None:
    """A page of coverage by unit, cadre or village from the kept counts, ordered and cut in the database: the page's
    rows, the total, how many rows the table has and how many come before the page; None where the kept counts do
    not hold the part and grouping.

    One statement groups the nodes' tally rows per key (a column per kind), joins the key's table for its order,
    cuts the page and counts and sums every keyed row beside it: the node rows are read once, and only the page's
    key objects are built. Then the part's total (the row without a key — targets no cadre
    holds yet — is the total less the keyed rows) and the page's objects; a cursor (`after`) costs a count of the
    rows up to it. The whole campaign's cadres (100,000 at a city's scale) are not all read: the kept number of
    cadres each unit has (UnitCadres), added up in the table's order, names the units the page falls in, and only
    their cadres' nodes are grouped (`_cadre_units`, decision 0011)."""
    found = _kept_nodes(campaign, by, part)
    if found is None:
        return None
    total_nodes, nodes, column = found
    ordered, names = _in_order(by)
    if keys is not None:
        ordered = ordered.filter(pk__in=[getattr(key, "pk", key) for key in keys])
    windowed = by == "cadre" and part == Part() and keys is None
    if windowed:  # the total and the rows no cadre holds (a node of its own) in one read
        both = CoverageTally.objects.filter(campaign=campaign, assigned__gt=0, region=0, unit=0,
                                            cadre__in=(0, NO_CADRE)).values_list("cadre", "kind", "assigned", "visited")
        split: dict[int, dict[str, tuple[int, int]]] = {0: {}, NO_CADRE: {}}
        for cadre, kind, assigned, visited in both:
            split[cadre][kind] = (assigned, visited)
        totals = split[0]
    else:
        totals = _sums(total_nodes)
    kinds = list(totals)
    if not kinds:  # nothing assigned in the part: no row
        return [], CoverageRow(None, _("合计")), 0, page[0]
    start: int | None = page[0]
    if after is not None:
        beyond = _beyond(by, names, after)
        keyed = ordered.filter(pk__in=nodes.values(column))
        if beyond is None:
            start = None
        elif windowed:
            start = page[0] + _cadres_before(campaign, nodes, ordered, beyond, after)
        else:
            start = page[0] + keyed.exclude(beyond).count()
    size = page[1]
    held: dict[str, tuple[int, int]] = {}
    counts: dict[int, dict[str, tuple[int, int]]] = {}
    objects: dict[int, Any] = {}  # the page's keys, read in the same statement
    their_units: dict[int, Unit] = {}  # the page's cadres' units, one object each
    count = -1
    skip = start
    if windowed:
        held = _less(totals, split[NO_CADRE])  # the keyed rows: the total less the rows no cadre holds
        window = _cadre_units(campaign, start, size) if start is not None else None
        if window is not None and start is not None:
            count, units, before = window
            nodes, ordered, skip = nodes.filter(unit__in=units), ordered.filter(unit_id__in=units), start - before
    if skip is not None and (not windowed or count > 0):
        grouped = nodes.values(column).annotate(**{
            f"{measure}{n}": Sum(measure, filter=Q(kind=kind))
            for n, kind in enumerate(kinds) for measure in ("assigned", "visited")}).order_by()
        connection = connections[router.db_for_read(CoverageTally)]
        quote = connection.ops.quote_name
        sums = [quote(f"{measure}{n}") for n in range(len(kinds)) for measure in ("assigned", "visited")]
        grouped_sql, grouped_params = grouped.query.sql_with_params()
        fields = {f"f{n}": F(path) for n, path in enumerate(_key_paths(by))}
        key_sql, key_params = ordered.annotate(**fields).values("id", *names, *fields).order_by().query.sql_with_params()
        with connection.cursor() as cursor:
            # The keyed rows once (a CTE read twice is computed once): the page cut from them (a top-N sort), their
            # count and sums beside it.
            order = ", ".join(f"r.{quote(name)}" for name in names)
            cursor.execute(
                f"WITH r AS (SELECT g.*, {', '.join(f'k.{quote(name)}' for name in [*names, *fields])} "  # noqa: S608
                f"FROM ({grouped_sql}) g JOIN ({key_sql}) k ON k.{quote('id')} = g.{quote(column)}) "
                f"SELECT r.{quote(column)}, {', '.join(f'r.{name}' for name in [*sums, *map(quote, fields)])}, w.* "
                f"FROM r CROSS JOIN "
                f"(SELECT COUNT(*) AS n, {', '.join(f'SUM(r.{name}) AS s{n}' for n, name in enumerate(sums))} FROM r) w "
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                [*grouped_params, *key_params, 2**31 if size is None else size, skip])
            for ident, *values in cursor.fetchall():
                pairs = [int(v or 0) for v in values[:len(sums)]]
                counts[ident] = {kind: (pairs[2 * n], pairs[2 * n + 1]) for n, kind in enumerate(kinds)}
                objects[ident] = _key_object(by, values, len(sums), connection, their_units)
                if not windowed:
                    figures_of = [int(v or 0) for v in values[len(sums) + len(fields):]]
                    count = figures_of[0]
                    every = figures_of[1:]
                    held = {kind: (every[2 * n], every[2 * n + 1]) for n, kind in enumerate(kinds)}
    if count < 0:  # no keyed row on the page (past them, or none): counted and summed alone
        if windowed:
            count = _cadre_count(campaign)
        else:
            count = ordered.filter(pk__in=nodes.values(column)).count()
            held = _sums(nodes) if keys is None else {}  # with `keys`, no row without a key is shown
    rest = _less(totals, held)
    unkeyed = keys is None and any(a for a, _v in rest.values())
    if start is None:  # the cursor named the row without a key: nothing follows it
        start = count + unkeyed + page[0]
    labels = _kind_labels()
    result = [CoverageRow(objects[ident], _label(by, objects[ident]),
                          {kind: KindCount(kind, labels.get(kind, kind), a, v) for kind, (a, v) in mine.items() if a})
              for ident, mine in counts.items()]
    if unkeyed and start <= count and (size is None or count < start + size):  # the row without a key comes last
        result.append(CoverageRow(None, _label(by, None), {kind: KindCount(kind, labels.get(kind, kind), a, v)
                                                           for kind, (a, v) in rest.items() if a}))
    total = CoverageRow(None, _("合计"), {kind: KindCount(kind, labels.get(kind, kind), a, v)
                                          for kind, (a, v) in totals.items()})
    return result, total, count + unkeyed, start


def _unit_groups(campaign: Campaign) -> tuple[str, list[Any]]:
    """The campaign's units holding cadres (UnitCadres) with, in the by-cadre table's order of units, the rows up
    to and including their group of units (units of one sort order and name: their cadres interleave) and the
    group's rows — as SQL `w(unit, upto, grp, n)`, n every unit's rows — and its parameters."""
    from zoufang.oversight.models import UnitCadres

    connection = connections[router.db_for_read(UnitCadres)]
    quote = connection.ops.quote_name
    name = f"o.{quote('name')} COLLATE {quote(code_points(connection))}"
    group = f"o.{quote('sort_order')}, {name}"
    sql = (f"SELECT c.{quote('unit')} AS unit, SUM(c.cadres) OVER (ORDER BY {group}) AS upto, "  # noqa: S608
           f"SUM(c.cadres) OVER (PARTITION BY {group}) AS grp, SUM(c.cadres) OVER () AS n, "
           f"o.{quote('sort_order')} AS s, {name} AS m "
           f"FROM {quote(UnitCadres._meta.db_table)} c JOIN {quote(Unit._meta.db_table)} o ON o.id = c.{quote('unit')} "
           f"WHERE c.campaign_id = %s AND c.cadres > 0")
    return sql, [campaign.pk]


def _cadre_units(campaign: Campaign, start: int, size: int | None) -> tuple[int, list[int], int] | None:
    """The by-cadre table's rows (cadres holding assignments), the units whose cadres rows `start` to `start +
    size` are, and how many rows come before the first of them; None past the last row. One statement over the
    kept counts of cadres per unit (a city's 2,000 rows), not over its 100,000 cadres."""
    sql, params = _unit_groups(campaign)
    with connections[router.db_for_read(CoverageTally)].cursor() as cursor:
        cursor.execute(f"SELECT w.unit, w.upto - w.grp, w.n FROM ({sql}) w "  # noqa: S608
                       "WHERE w.upto > %s AND w.upto - w.grp < %s",
                       [*params, start, 2**62 if size is None else start + size])
        found = cursor.fetchall()
    if not found:
        return None
    return int(found[0][2]), [unit for unit, _before, _n in found], min(int(before) for _u, before, _n in found)


def _cadre_count(campaign: Campaign) -> int:
    from zoufang.oversight.models import UnitCadres

    return int(UnitCadres.objects.filter(campaign=campaign).aggregate(n=Coalesce(Sum("cadres"), 0))["n"])


def _cadres_before(campaign: Campaign, nodes: QuerySet[CoverageTally], ordered: QuerySet[Any], beyond: Q,
                   cursor: tuple[Any, ...]) -> int:
    """The whole campaign's by-cadre rows up to the cursor's row, in one statement: every row of the units before
    its unit's group in the table's order (the kept counts per unit), and those of its group up to it."""
    from zoufang.oversight.models import UnitCadres

    connection = connections[router.db_for_read(UnitCadres)]
    quote = connection.ops.quote_name
    name = f"o.{quote('name')} COLLATE {quote(code_points(connection))}"
    sort, label = cursor[1], cursor[2]
    group = Unit.objects.filter(sort_order=sort, name=label).values("id")
    mine = ordered.filter(unit_id__in=group, pk__in=nodes.filter(unit__in=group).values("cadre")).exclude(beyond)
    mine_sql, mine_params = mine.values("id").order_by().query.sql_with_params()
    with connection.cursor() as db:
        db.execute(f"SELECT (SELECT COALESCE(SUM(c.cadres), 0) FROM {quote(UnitCadres._meta.db_table)} c "  # noqa: S608
                   f"JOIN {quote(Unit._meta.db_table)} o ON o.id = c.{quote('unit')} WHERE c.campaign_id = %s "
                   f"AND (o.sort_order < %s OR (o.sort_order = %s AND {name} < %s))) + "
                   f"(SELECT COUNT(*) FROM ({mine_sql}) m)", [campaign.pk, sort, sort, label, *mine_params])
        return int(db.fetchone()[0])


def _sums(tallies: QuerySet[CoverageTally]) -> dict[str, tuple[int, int]]:
    """Assigned and visited per kind over the tally rows."""
    return {row["kind"]: (row["assigned"], row["visited"]) for row in tallies.values("kind").annotate(
        assigned=Sum("assigned"), visited=Sum("visited")).order_by()}


def behind(campaign: Campaign, by: str, today: dt.date, rows: QuerySet[Assignment] | None = None,
           limit: int | None = 20, offset: int = 0, *, keyed: bool = False) -> tuple[list[CoverageRow], int]:
    """The `limit` rows furthest behind pace (all with None) after the first `offset`, worst first
    (`Coverage.behind`'s order), and how many are behind; with `keyed` only the units, cadres or regions (not the
    row of what no node holds: 未落实到人 is no cadre behind pace but its own figure, `unnamed`).

    Where the kept counts hold the part and grouping, the database computes each node's pace due (the rule's
    formula in SQL, `pace.due_sql`), orders and counts them, and only the rows shown are built: a campaign of
    10,000 cadres answers as fast as one of 50. A unit's cadres are paced from the numbers of the unit's one
    statement, and only the rows shown are built (`_unit_behind`). Anything else is `coverage(...).behind()` cut
    to `limit`. A download of every row reads them a page at a time instead (`behind_pages`)."""
    late_nodes = _late_nodes(campaign, by, today, rows)
    if late_nodes is None:
        unit = _cadres_of_unit(_part(rows), by)
        if unit is not None:
            return _unit_behind(campaign, unit, today, limit, offset, keyed=keyed)
        late = coverage(campaign, by, today, rows).behind(True if keyed else None)
        return late[offset:None if limit is None else offset + limit], len(late)
    stop = None if limit is None else offset + limit
    nodes, rest, ids = late_nodes.ids(stop)
    if keyed:  # `ids` holds up to `stop` nodes' ids beside the None of the row no node holds
        return late_nodes.page([key for key in ids if key is not None][offset:stop]), nodes
    return late_nodes.page(ids[offset:stop]), nodes + rest


def behind_pages(campaign: Campaign, by: str, today: dt.date, rows: QuerySet[Assignment] | None = None, *,
                 keyed: bool = False) -> tuple[int, Callable[[int, int], list[CoverageRow]]]:
    """Every row behind pace, for a download: how many, and `read(offset, size)` giving the rows of that page in
    `behind`'s order (with `keyed`, as `behind`'s). Where the database orders the nodes (`_late_nodes`), only their
    ids are held (a city's 100,000 cadres after the deadline: a list of ints, not 100,000 rows with their objects);
    each page's rows are built when it is read. Elsewhere (a unit's tens of cadres) the rows are built at once."""
    late_nodes = _late_nodes(campaign, by, today, rows)
    if late_nodes is None:
        late, count = behind(campaign, by, today, rows, limit=None, keyed=keyed)
        return count, lambda start, size: late[start:start + size]
    nodes, rest, ids = late_nodes.ids(None)
    if keyed:
        ids = [key for key in ids if key is not None]
    return len(ids), lambda start, size: late_nodes.page(ids[start:start + size])


UNNAMED_GROUPINGS = ("unit", "village")


def unnamed(campaign: Campaign, by: str, today: dt.date, rows: QuerySet[Assignment] | None = None) -> Coverage:
    """未落实到人: the part's assigned targets that no cadre holds yet (a unit given only a count — an upper-level
    unit — names its people later), per kind, assigned and visited (whoever visited), by unit or village. No cadre
    and not paced as one: the office's to act on (have them assigned), beside the cadres' rankings, not in them.

    By unit over the whole campaign or one unit from the kept counts (a unit's node less its cadres' nodes, each
    proven equal to a recount by `oversight verify`), read only when the campaign's node of what no cadre holds
    is not empty; anything else recounted over the assignments with no cadre (`assignment_campaign_cadre`)."""
    if by not in UNNAMED_GROUPINGS:
        raise ValueError(by)
    part = _part(rows)
    data = _kept_unnamed(campaign, part) \
        if by == "unit" and part is not None and part.cadre is None and part.region is None else None
    if data is None:
        data = recounted(campaign, by, unnamed_assignments(campaign, rows))
    found, total = _rows_of(by, data, exact=False)
    kinds = [(kind, label) for kind, label in _kind_labels().items() if kind in total.kinds]
    return Coverage(by=by, today=today, rule=pace_rule(campaign), rows=found, total=total, kinds=kinds)


def _kept_unnamed(campaign: Campaign, part: Part) -> list[dict[str, Any]]:
    """`unnamed` by unit from the kept counts, in `recounted`'s shape: per unit and kind, the unit's node (cadre 0)
    less its cadres' nodes."""
    if part.unit is None and not CoverageTally.objects.filter(campaign=campaign, region=0, unit=0, cadre=NO_CADRE,
                                                              assigned__gt=0).exists():
        return []
    tallies = CoverageTally.objects.filter(campaign=campaign, region=0, unit__gt=0, cadre__gte=0)
    if part.unit is not None:
        tallies = tallies.filter(unit=part.unit.pk)
    sign = Switch(When(cadre=0, then=Value(1)), default=Value(-1))
    grouped = (tallies.values("unit", "kind").order_by()
               .annotate(a=Sum(F("assigned") * sign), v=Sum(F("visited") * sign)).filter(a__gt=0))
    return [{GROUPINGS["unit"]: row["unit"], "target__kind": row["kind"], "assigned": row["a"], "visited": row["v"]}
            for row in grouped]


@dataclass
class _LateNodes:
    """The nodes of a grouping behind pace, as the database orders them (`ordered`: the node's id in `column`,
    how many targets `short`, the `share` visited), and how to build their rows."""

    by: str
    today: dt.date
    rule: PaceRule
    selected: QuerySet[CoverageTally]
    column: str
    ordered: QuerySet[Any]
    rest: dict[str, tuple[int, int]]  # per kind, what no node holds
    counted: QuerySet[Any] | None = None  # the nodes behind, to count, where `ordered` is not grouped
    # Where work was given after the plan day: the nodes behind as SQL over the kept counts and that work
    # (`_late_ranking`: key, short, share), the nodes' work given later (GivenLaterTally rows like `selected`) and
    # what of it no node holds
    ranking: tuple[str, list[Any]] | None = None
    later: QuerySet[GivenLaterTally] | None = None
    later_rest: dict[dt.date, dict[str, int]] = field(default_factory=dict)

    def rows(self, keys: list[Any], *, with_rest: bool) -> list[CoverageRow]:
        """The rows of these nodes (and of what no node holds), with their pace, in the grouping's order."""
        sums = {"assigned": Sum("assigned"), "visited": Sum("visited")}
        column = self.column
        data = [{GROUPINGS[self.by]: row[column], "target__kind": row["kind"], "assigned": row["assigned"],
                 "visited": row["visited"]}
                for row in self.selected.filter(**{f"{column}__in": keys}).values(column, "kind").annotate(**sums)
                .order_by()] if keys else []
        if with_rest:
            data += [{GROUPINGS[self.by]: None, "target__kind": kind, "assigned": a, "visited": v}
                     for kind, (a, v) in self.rest.items() if a]
        shown, _sum = _rows_of(self.by, data, exact=True)
        if self.later is not None:
            placed = {getattr(row.key, "pk", row.key): row for row in shown}
            column = self.column
            for item in (self.later.filter(**{f"{column}__in": keys}).values(column, "kind", "given_on")
                         .annotate(n=Sum("assigned")).order_by() if keys else []):
                if item[column] in placed:
                    placed[item[column]].add_later(item["given_on"], item["kind"], item["n"])
            if None in placed:
                for day, counts in self.later_rest.items():
                    for kind, n in counts.items():
                        placed[None].add_later(day, kind, n)
        for row in shown:
            row.pace = pace_of(row, self.rule, self.today)
        return shown

    def ids(self, stop: int | None) -> tuple[int, bool, list[Any]]:
        """How many nodes are behind, whether the row no node holds is too, and the first `stop` rows (all with
        None) as their nodes' ids worst first, None standing for the row no node holds where `_behind_order` puts
        it (after the nodes it ties with). Only ids: a deep page of a city's 100,000 cadres builds its own rows
        (`page`), not every row before it.

        How many comes with the rows (a window over the grouped rows), or, where the nodes are rows of their own
        (`counted`: the whole campaign's cadres), from a count of its own when more rows are behind than fetched:
        a window over 100,000 rows behind holds them all before the first is sorted out."""
        rest = next((row for row in self.rows([], with_rest=True) if row.pace and row.pace.behind), None)
        mark = _behind_order(rest)[:2] if rest is not None else None
        columns = (self.column, "short", "share")
        found: Any
        if self.ranking is not None:
            found = self._ranked(stop)
        elif self.counted is not None:
            found = self.ordered.values_list(*columns)
        else:
            found = self.ordered.annotate(n=Window(Count("*"))).values_list(*columns, "n")
        ids: list[Any] = []
        count = fetched = 0
        # A page's rows in one fetch (a server-side cursor would keep PostgreSQL from a parallel plan); every row in
        # chunks (a download's 100,000 ids).
        for key, short, share, *behind_nodes in (found if self.ranking is not None else
                                                 found.iterator(2000) if stop is None else list(found[:stop])):
            count = behind_nodes[0] if behind_nodes else 0
            if mark is not None and (-short, share) > mark:
                ids.append(None)
                mark = None
            ids.append(key)
            fetched += 1
        if mark is not None and (stop is None or fetched < stop):  # after every node: it sorts last
            ids.append(None)
        if self.counted is not None:
            count = self.counted.count() if stop is not None and fetched == stop else fetched
        return count, rest is not None, ids

    def _ranked(self, stop: int | None) -> list[tuple[Any, ...]]:
        """`ranking`'s first `stop` nodes (all with None) worst first, each with how many are behind: the nodes
        behind computed once (a CTE read twice), counted beside the top-N sort that cuts the page."""
        assert self.ranking is not None  # noqa: S101
        sql, params = self.ranking
        limit = "" if stop is None else f" LIMIT {int(stop)}"
        with connections[router.db_for_read(CoverageTally)].cursor() as cursor:
            cursor.execute(f"WITH s AS ({sql}) SELECT s.k, s.short, s.share, c.n FROM s "  # noqa: S608
                           f"CROSS JOIN (SELECT COUNT(*) AS n FROM s) c ORDER BY s.short DESC, s.share, s.k{limit}",
                           params)
            return cursor.fetchall()

    def page(self, ids: list[Any]) -> list[CoverageRow]:
        """The rows of these ids (`ids`' None: the row no node holds), in their order."""
        place = {key: n for n, key in enumerate(ids)}
        shown = self.rows([key for key in ids if key is not None], with_rest=None in place)
        return sorted(shown, key=lambda row: place.get(getattr(row.key, "pk", None), len(ids)))


def _late_nodes(campaign: Campaign, by: str, today: dt.date, rows: QuerySet[Assignment] | None) -> _LateNodes | None:
    """Where the kept counts hold the part and grouping with thousands of nodes (the whole campaign's cadres, a
    town's units): the nodes behind pace, ordered in the database. None for a unit's cadres (tens, one statement:
    `coverage`), by kind or town, or a part the kept counts do not hold."""
    if by not in GROUPINGS:
        raise ValueError(by)
    part = _part(rows)
    nodes = _kept_nodes(campaign, by, part) \
        if part is not None and by not in ("kind", "town") and _cadres_of_unit(part, by) is None else None
    if nodes is None:
        return None
    rule = pace_rule(campaign)
    total, selected, column = nodes
    # The assigned count of each rule per kind (one, seed 000's, for most campaigns), its due summed in SQL.
    parts = {part.kinds: f"pa{n}" for n, part in enumerate(rule.parts)}
    whole_cadres = by == "cadre" and part == Part()
    if whole_cadres:
        # The whole campaign's cadres: a row each with their counts by kind (CadreCoverage), not their tally rows
        # by unit and kind grouped; what no cadre holds is a node of its own (NO_CADRE).
        late = _late_cadres(campaign, rule, today)
        rest = _sums(CoverageTally.objects.filter(campaign=campaign, assigned__gt=0, region=0, unit=0, cadre=NO_CADRE))
        if not given_later(campaign):
            return _LateNodes(by, today, rule, selected, column, _worst_first(late, column), rest, counted=late)
        grouped = _cadre_counts(campaign, rule).annotate(
            **{name: _added(kinds, 0) for kinds, name in parts.items()}).values(column, *parts.values(), "pv", "a", "v")
    else:
        pace_kinds = Q(kind__in=rule.kinds)
        grouped = (selected.values(column).order_by()
                   .annotate(**{name: Coalesce(Sum("assigned", filter=Q(kind__in=kinds)), 0)
                                for kinds, name in parts.items()},
                             pv=Coalesce(Sum("visited", filter=pace_kinds), 0),
                             a=Sum("assigned"), v=Sum("visited")))
        # What no node holds (a unit's targets not yet given to a cadre) is one more row, behind or not.
        rest = _rest(total, selected)
        if not given_later(campaign):
            late = grouped.annotate(short=due_sql(rule, today, lambda kinds: F(parts[kinds])) - F("pv")) \
                .filter(short__gt=0)
            return _LateNodes(by, today, rule, selected, column, _worst_first(late, column), rest)
    # Work given after the plan day is due from its own day (decision 0042): each node's, per group of days the rule
    # counts alike, from the kept GivenLaterTally rows of the same nodes, summed in SQL beside the kept counts.
    later_nodes = _kept_nodes(campaign, by, part, GivenLaterTally) if part is not None else None
    assert later_nodes is not None  # noqa: S101 — the same part and grouping
    later_total, later_selected, _column = later_nodes
    if whole_cadres:
        later_total = GivenLaterTally.objects.filter(campaign=campaign, assigned__gt=0, region=0, unit=0,
                                                     cadre=NO_CADRE)
        later_rest = _later_sums(later_total)
    else:
        later_rest = _later_sums(later_total, less=_later_sums(later_selected))
    ranking = _late_ranking(campaign, rule, today, grouped, column, parts, later_selected)
    return _LateNodes(by, today, rule, selected, column, selected.none(), rest, ranking=ranking,
                      later=later_selected, later_rest=later_rest)


def _later_sums(rows: QuerySet[GivenLaterTally],
                less: dict[dt.date, dict[str, int]] | None = None) -> dict[dt.date, dict[str, int]]:
    """Per day given and kind, the rows' work given after the plan day (less `less`'s)."""
    found: dict[dt.date, dict[str, int]] = {}
    for day, kind, n in rows.values_list("given_on", "kind").annotate(n=Sum("assigned")).order_by():
        found.setdefault(day, {})[kind] = n - (less or {}).get(day, {}).get(kind, 0)
    return {day: {kind: n for kind, n in counts.items() if n} for day, counts in found.items()
            if any(counts.values())}


def _late_ranking(campaign: Campaign, rule: PaceRule, today: dt.date, grouped: QuerySet[Any], column: str,
                  parts: dict[tuple[str, ...], str], later: QuerySet[GivenLaterTally]) -> tuple[str, list[Any]]:
    """The nodes behind pace where work was given after the plan day, as SQL (key, short, share): each node's kept
    counts (`grouped`: `column`, the assigned of each rule's kinds `parts`, pv, a, v) joined to its work given later
    (`later`, grouped by node: the whole of it per rule, `lt`, and per group of days the rule counts alike by
    `today`, `later_classes`), its due the plan's schedule's for the rest and each group's for its work (`due_sql`),
    as `pace_due` counts it. The work given later is a small table (its rows, not the campaign's): the statement
    reads what the SQL path without it read, and that."""
    connection = connections[router.db_for_read(CoverageTally)]
    quote = connection.ops.quote_name
    days = GivenLaterTally.objects.filter(campaign=campaign, assigned__gt=0, region=0, unit=0, cadre=0) \
        .values_list("given_on", flat=True).distinct()
    classes = later_classes(rule, list(days), today)
    index = {kinds: n for n, kinds in enumerate(parts)}
    sums = {f"lt{n}": Sum("assigned", filter=Q(kind__in=kinds)) for kinds, n in index.items()}
    sums.update({f"l{c}_{n}": Sum("assigned", filter=Q(kind__in=kinds, given_on__in=given))
                 for c, (_moved, given) in enumerate(classes) for kinds, n in index.items()})
    later_sql, later_params = later.values(column).annotate(**sums).order_by().query.sql_with_params()
    grouped_sql, grouped_params = grouped.query.sql_with_params()

    def column_of(sql: str) -> Any:
        return RawSQL(sql, [], output_field=IntegerField())  # noqa: S611 — quoted column names only

    short = due_sql(rule, today, lambda kinds: column_of(
        f"(g.{quote(parts[kinds])} - COALESCE(l.{quote(f'lt{index[kinds]}')}, 0))"))
    for c, (moved, _given) in enumerate(classes):
        def given_in(kinds: tuple[str, ...], c: int = c) -> Any:
            return column_of(f"COALESCE(l.{quote(f'l{c}_{index[kinds]}')}, 0)")

        short = short + due_sql(moved, today, given_in)
    short = short - column_of(f"g.{quote('pv')}")
    share = Cast(column_of(f"g.{quote('v')}"), FloatField()) / \
        Cast(NullIf(column_of(f"g.{quote('a')}"), Value(0)), FloatField())
    query = CoverageTally.objects.none().query
    compiler = query.get_compiler(connection=connection)
    (short_sql, short_params), (share_sql, share_params) = (
        compiler.compile(expression.resolve_expression(query)) for expression in (short, share))
    key = quote(column)
    return (f"SELECT * FROM (SELECT g.{key} AS k, {short_sql} AS short, {share_sql} AS share "  # noqa: S608
            f"FROM ({grouped_sql}) g LEFT JOIN ({later_sql}) l ON l.{key} = g.{key}) r WHERE r.short > 0",
            [*short_params, *share_params, *grouped_params, *later_params])


def _added(kinds: Sequence[str], which: int) -> Any:
    """CadreCoverage's assigned (`which` 0) or visited (1) of these kinds added up in the row."""
    columns = [F(kind_columns(kind)[which]) for kind in KINDS if kind in kinds]
    return functools.reduce(operator.add, columns) if columns else Value(0)


def _cadre_counts(campaign: Campaign, rule: PaceRule) -> QuerySet[CadreCoverage]:
    """The whole campaign's cadres' rows of counts by kind: the pace's kinds' columns and every kind's added up in
    the row (pv; a, v)."""
    return (CadreCoverage.objects.filter(campaign=campaign)
            .annotate(pv=_added(rule.kinds, 1), a=_added(KINDS, 0), v=_added(KINDS, 1)))


def _late_cadres(campaign: Campaign, rule: PaceRule, today: dt.date) -> QuerySet[CadreCoverage]:
    """The whole campaign's cadres behind pace (`_cadre_counts`), how many short (`short`)."""
    return _cadre_counts(campaign, rule) \
        .annotate(short=due_sql(rule, today, lambda kinds: _added(kinds, 0)) - F("pv")).filter(short__gt=0)


def _worst_first(late: QuerySet[Any], column: str) -> QuerySet[Any]:
    """Nodes behind (annotated with a, v and short) in `behind`'s order: most short, lowest share, the node's id."""
    return late.annotate(share=Cast(F("v"), FloatField()) / Cast(NullIf(F("a"), 0), FloatField())) \
        .order_by("-short", "share", column)


def recounted(campaign: Campaign, by: str, rows: QuerySet[Assignment] | None = None,
              until: dt.date | None = None) -> list[dict[str, Any]]:
    """Coverage's grouped numbers counted afresh: the given assignments against the campaign's visits (one
    GROUP BY with an EXISTS per assignment). Also the baseline of `make bench` and the oracle of the tests."""
    source = assignments(campaign) if rows is None else rows
    return list(
        source.values(GROUPINGS[by], "target__kind")
        .annotate(assigned=Count("id"), visited=Count("id", filter=visited_condition(campaign, until=until)))
        .order_by()
    )


def kept_counts(campaign: Campaign, by: str, part: Part) -> list[dict[str, Any]] | None:
    """Coverage's grouped numbers read from the kept counts (CoverageTally), in `recounted`'s shape; None for
    a part and grouping they do not hold (a cadre's targets by region; a region's by unit or cadre).

    The rows of the grouping's nodes, plus one row under None per kind for what no node of that level holds
    (the part's total less the nodes': targets directly under a village when grouped by 村民小组, a unit's
    targets not yet given to a cadre)."""
    if by == "kind":
        return _kept_kinds(campaign, part)
    found = _kept_nodes(campaign, by, part)
    if found is None:
        return None
    total, nodes, column = found
    name = GROUPINGS[by]
    sums = {"assigned": Sum("assigned"), "visited": Sum("visited")}
    grouped = nodes.values(column, "kind").annotate(**sums).order_by()
    data = [{name: row[column], "target__kind": row["kind"], "assigned": row["assigned"], "visited": row["visited"]}
            for row in grouped]
    if nodes is total:  # the nodes are the part's total (a unit by unit): nothing is left for no node to hold
        return data
    rest = {row["kind"]: [row["assigned"], row["visited"]] for row in total.values("kind").annotate(**sums)
            .order_by()}
    for row in data:
        left = rest.setdefault(row["target__kind"], [0, 0])
        left[0] -= row["assigned"]
        left[1] -= row["visited"]
    data += [{name: None, "target__kind": kind, "assigned": a, "visited": v} for kind, (a, v) in rest.items() if a]
    return data


_KIND_SQL: dict[tuple[str, bool], str] = {}


def _kept_kinds(campaign: Campaign, part: Part) -> list[dict[str, Any]] | None:
    """By kind, the part's own node — the whole campaign's, a region's, a unit's — or a cadre's rows in every unit
    they hold assignments in (我的进度, on every cadre's page): one statement written once per process and prepared
    on PostgreSQL (`rawrows.prepared_rows`), as `_kept_nodes` would select them. None for a part the kept counts
    do not hold (a cadre's within a unit or region, a unit's within a region)."""
    unit, cadre, region = part.unit, part.cadre, part.region
    if (cadre is not None and (unit is not None or region is not None)) or (unit is not None and region is not None):
        return None
    connection = connections[router.db_for_read(CoverageTally)]  # the replica, inside a dashboard's request
    every_unit = cadre is not None
    sql = _KIND_SQL.get((connection.vendor, every_unit))
    if sql is None:
        quote = connection.ops.quote_name
        sql = _KIND_SQL[(connection.vendor, every_unit)] = (
            f"SELECT kind, SUM(assigned), SUM(visited) FROM {quote(CoverageTally._meta.db_table)} "  # noqa: S608
            f"WHERE campaign_id = %s AND assigned > 0 AND region = %s AND cadre = %s"
            f"{'' if every_unit else ' AND unit = %s'} GROUP BY kind")
    params = [campaign.pk, region.pk if region is not None else 0, cadre.pk if cadre is not None else 0]
    if not every_unit:
        params.append(unit.pk if unit is not None else 0)
    return [{GROUPINGS["kind"]: kind, "target__kind": kind, "assigned": assigned, "visited": visited}
            for kind, assigned, visited in prepared_rows(connection, sql, params)]


@functools.cache
def _unit_cadres_sql(vendor: str) -> str:
    """`_kept_unit_cadres`' statement, written once per process and kind of database."""
    quote = connections[router.db_for_read(CoverageTally)].ops.quote_name
    return (f"SELECT t.cadre, t.kind, t.assigned, t.visited, {_key_columns('cadre')[0].sql} "  # noqa: S608
            f"FROM {quote(CoverageTally._meta.db_table)} t "
            f"LEFT JOIN {quote(Cadre._meta.db_table)} k ON k.{quote(Cadre._meta.pk.column)} = t.cadre "
            "WHERE t.campaign_id = %s AND t.region = 0 AND t.unit = %s AND t.assigned > 0")


def _unit_cadre_rows(campaign: Campaign, unit: Unit) -> tuple[Sequence[Sequence[Any]], Any]:
    """A unit's own tally rows (cadre 0: its total) and its cadres', each with its cadre's columns (`_key_columns`)
    after the first four (cadre, kind, assigned, visited): one statement written once per process and prepared on
    PostgreSQL (`rawrows.prepared_rows`); and the connection it was read on."""
    connection = connections[router.db_for_read(CoverageTally)]
    return prepared_rows(connection, _unit_cadres_sql(connection.vendor), [campaign.pk, unit.pk]), connection


def _kept_unit_cadres(campaign: Campaign, unit: Unit, read: tuple[Sequence[Sequence[Any]], Any] | None = None,
                      only: set[int | None] | None = None,
                      load: bool = True) -> tuple[list[dict[str, Any]], dict[int, Cadre]]:
    """A unit's coverage by cadre from the kept counts (`_unit_cadre_rows`, or those `read` already), in
    `recounted`'s shape, and its cadres, for the unit page's table and its behind-pace list. A cadre of the unit is
    given the unit object asked with; one who belongs to another unit (assigned across units) has theirs read
    after. What no cadre holds is the total less the cadres' rows, under None, as `kept_counts` gives it; a node
    whose cadre was deleted is counted there too, as `_keys` does. With `only`, the rows of those cadres alone
    (None: the row no cadre holds); without `load`, no objects (the numbers alone)."""
    rows, connection = read or _unit_cadre_rows(campaign, unit)
    columns = _key_columns("cadre")[0]
    name = GROUPINGS["cadre"]
    data: list[dict[str, Any]] = []
    objects: dict[int, Cadre] = {}
    rest: dict[str, list[int]] = {}
    for row in rows:
        cadre, kind, assigned, visited = row[:4]
        left = rest.setdefault(kind, [0, 0])
        sign = 1 if cadre == 0 else -1  # the unit's own row, or one of its cadres'
        left[0] += sign * assigned
        left[1] += sign * visited
        key = cadre if cadre and columns.matched(row, 4) else None
        if cadre == 0 or (only is not None and key not in only):
            continue
        data.append({name: key, "target__kind": kind, "assigned": assigned, "visited": visited})
        if load and key is not None and key not in objects:
            objects[key] = columns.load(row, 4, using=connection)
    others = _keys("unit", {c.unit_id for c in objects.values() if c.unit_id != unit.pk})
    cached = Cadre._meta.get_field("unit")
    for found in objects.values():  # each cadre's own unit (its unit_id), cached as select_related caches it
        cached.set_cached_value(found, unit if found.unit_id == unit.pk else others[found.unit_id])
    if only is None or None in only:
        data += [{name: None, "target__kind": kind, "assigned": a, "visited": v} for kind, (a, v) in rest.items() if a]
    return data, objects


def _unit_behind(campaign: Campaign, unit: Unit, today: dt.date, limit: int | None, offset: int, *,
                 keyed: bool) -> tuple[list[CoverageRow], int]:
    """`behind` for a unit's cadres: each cadre's pace from the numbers of the unit's one statement, and the rows
    (objects, kinds, pace) of the page shown only: a unit of 50 cadres none of whom is behind builds no row."""
    rule = pace_rule(campaign)
    read = _unit_cadre_rows(campaign, unit)
    numbers, _none = _kept_unit_cadres(campaign, unit, read, load=False)
    sums: dict[int | None, list[int]] = {}  # the cadre (None: the row no cadre holds) → pv, a, v
    paced: dict[int | None, dict[str, int]] = {}  # the cadre → assigned per kind of the rule
    for item in numbers:
        key, kind = item[GROUPINGS["cadre"]], item["target__kind"]
        counts = sums.setdefault(key, [0, 0, 0])
        if kind in rule.kinds:
            mine = paced.setdefault(key, {})
            mine[kind] = mine.get(kind, 0) + item["assigned"]
            counts[0] += item["visited"]
        counts[1] += item["assigned"]
        counts[2] += item["visited"]
    later = _unit_later(campaign, unit, set(sums)) if given_later(campaign) else {}
    late = []
    for key, (pace_visited, assigned, visited) in sums.items():
        short = pace_due(rule, paced.get(key, {}), today, later.get(key)) - pace_visited
        if short > 0:  # `_behind_order`'s
            late.append(((-short, visited / assigned if assigned else 0.0, key is None, key or 0), key))
    late.sort()
    if keyed:
        late = [(order, key) for order, key in late if key is not None]
    count = len(late)
    shown = {key for _order, key in late[offset:None if limit is None else offset + limit]}
    if not shown:
        return [], count
    data, objects = _kept_unit_cadres(campaign, unit, read, only=shown)
    rows, _total = _rows_of("cadre", data, True, objects)
    for row in rows:
        row.later = later.get(getattr(row.key, "pk", None), {})
        row.pace = pace_of(row, rule, today)
    return sorted(rows, key=_behind_order), count


def _unit_later(campaign: Campaign, unit: Unit, keys: set[int | None]) -> dict[int | None, dict[dt.date, dict[str, int]]]:
    """The unit's work given after the plan day per cadre (None: what no cadre of `keys` holds), day and kind, from
    its GivenLaterTally rows (as `_kept_unit_cadres` reads the unit's kept counts)."""
    found: dict[int | None, dict[dt.date, dict[str, int]]] = {}

    def add(key: int | None, day: dt.date, kind: str, n: int) -> None:
        counts = found.setdefault(key, {}).setdefault(day, {})
        counts[kind] = counts.get(kind, 0) + n

    rows = GivenLaterTally.objects.filter(campaign=campaign, region=0, unit=unit.pk, assigned__gt=0)
    for cadre, kind, day, n in rows.values_list("cadre", "kind", "given_on", "assigned"):
        if cadre == 0:  # the unit's own row: its cadres' are taken from it below
            add(None, day, kind, n)
            continue
        add(None, day, kind, -n)
        add(cadre if cadre in keys else None, day, kind, n)
    return found


def _rest(total: QuerySet[CoverageTally], nodes: QuerySet[CoverageTally]) -> dict[str, tuple[int, int]]:
    """Per kind, the part's total less what its nodes hold (two grouped sums, no row per node)."""
    return _less(_sums(total), _sums(nodes))


def _less(totals: dict[str, tuple[int, int]], held: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    return {kind: (a - held.get(kind, (0, 0))[0], v - held.get(kind, (0, 0))[1]) for kind, (a, v) in totals.items()}


def _kept_nodes(campaign: Campaign, by: str, part: Part,
                model: type[Any] = CoverageTally) -> tuple[QuerySet[Any], QuerySet[Any], str] | None:
    """The tally rows of the part's total and of its nodes at the grouping `by`, and the tally column that
    names a node; None where the kept counts do not hold that part and grouping. By kind: `_kept_kinds`. The
    work given after the plan day (`GivenLaterTally`, `model`) has the same nodes."""
    if by == "kind":
        return None
    base = model.objects.filter(campaign=campaign, assigned__gt=0)
    level_ids = Region.objects.filter(level=by).values("id") if by in REGION_LEVELS else None
    unit, cadre, region = part.unit, part.cadre, part.region
    if cadre is not None:
        if unit is not None or region is not None or by not in ("unit", "cadre"):
            return None
        total = base.filter(region=0, cadre=cadre.pk)
        nodes, column = total, by
    elif unit is not None:
        if region is not None:
            return None
        total = base.filter(region=0, unit=unit.pk, cadre=0)
        if level_ids is not None:
            nodes, column = base.filter(unit=unit.pk, cadre=0, region__in=level_ids), "region"
        elif by == "cadre":
            nodes, column = base.filter(region=0, unit=unit.pk, cadre__gt=0), "cadre"
        else:
            nodes, column = total, by
    elif region is not None:
        if level_ids is None or Region.level_rank(by) <= Region.level_rank(region.level):
            return None
        total = base.filter(region=region.pk, unit=0, cadre=0)
        below = level_ids.filter(path__startswith=region.path)
        nodes, column = base.filter(unit=0, cadre=0, region__in=below), "region"
    else:
        total = base.filter(region=0, unit=0, cadre=0)
        if level_ids is not None:
            nodes, column = base.filter(unit=0, cadre=0, region__in=level_ids), "region"
        elif by == "unit":
            nodes, column = base.filter(region=0, cadre=0).exclude(unit=0), "unit"
        elif by == "cadre":
            nodes, column = base.filter(region=0, cadre__gt=0), "cadre"
        else:
            return None
    return total, nodes, column


def visited_targets(campaign: Campaign) -> int:
    """Distinct targets with at least one visit in the campaign (assigned or not): the direct count."""
    return Visit.objects.filter(campaign=campaign).values("target_id").distinct().count()


@dataclass
class WeekPoint:
    week: dt.date  # the Monday
    visits: int
    cumulative: int
    due: int


def weekly_visits(campaign: Campaign, today: dt.date, rows: QuerySet[Assignment] | None = None) -> list[WeekPoint]:
    """First visits to assigned targets per week (a target counts in the week of its first visit), cumulated,
    against the pace rule's due count at each week's Sunday."""
    rule = pace_rule(campaign)
    if rows is None or getattr(rows, PART, None) == Part():
        assigned, counts = kept_weeks(campaign, rule)
    else:
        assigned, counts = recounted_weeks(campaign, rule, rows)
    later: dict[dt.date, dict[str, int]] = {}
    if given_later(campaign):
        for item in later_given(campaign, rows):
            later.setdefault(item["given_on"], {})[item["target__kind"]] = item["n"]
    points: list[WeekPoint] = []
    monday = rule.starts_on - dt.timedelta(days=rule.starts_on.weekday())
    end = min(today, rule.complete_by or campaign.ends_on)
    cumulative = sum(n for week, n in counts.items() if week < monday)  # visits before the rule's start count
    while monday <= end:
        cumulative += counts.get(monday, 0)
        sunday = monday + dt.timedelta(days=6)
        points.append(WeekPoint(monday, counts.get(monday, 0), cumulative, pace_due(rule, assigned, sunday, later)))
        monday += dt.timedelta(days=7)
    return points


def recounted_weeks(campaign: Campaign, rule: PaceRule, rows: QuerySet[Assignment] | None = None,
                    ) -> tuple[dict[str, int], dict[dt.date, int]]:
    """The rule's assigned targets per kind, and how many had their first visit in each (Beijing) week: counted afresh
    (each target's first visit, then one grouped query, a row per week)."""
    source = (assignments(campaign) if rows is None else rows).filter(target__kind__in=rule.kinds)
    first = Visit.objects.filter(campaign=campaign, target_id=OuterRef("target_id")).order_by("visited_at") \
        .values("visited_at")[:1]
    weeks = (
        source.annotate(first_at=Subquery(first, output_field=DateTimeField())).filter(first_at__isnull=False)
        .annotate(week=TruncWeek("first_at")).values("week").annotate(n=Count("id")).order_by()
    )
    counts: dict[dt.date, int] = {}
    for item in weeks:
        week = item["week"]
        monday = _local_date(week) if isinstance(week, dt.datetime) else week
        counts[monday] = counts.get(monday, 0) + item["n"]
    by_kind = source.values("target__kind").annotate(n=Count("id")).order_by()
    return {item["target__kind"]: item["n"] for item in by_kind}, counts


def kept_weeks(campaign: Campaign, rule: PaceRule) -> tuple[dict[str, int], dict[dt.date, int]]:
    """`recounted_weeks` for the whole campaign, read from the kept counts (CoverageTally, WeeklyTally)."""
    tallies = CoverageTally.objects.filter(campaign=campaign, region=0, unit=0, cadre=0, kind__in=rule.kinds) \
        .values("kind").annotate(n=Sum("assigned")).order_by()
    assigned = {item["kind"]: item["n"] for item in tallies if item["n"]}
    weeks = WeeklyTally.objects.filter(campaign=campaign, kind__in=rule.kinds).exclude(first_visits=0) \
        .values("week").annotate(n=Sum("first_visits")).order_by()
    return assigned, {item["week"]: item["n"] for item in weeks}


def _local_date(moment: dt.datetime) -> dt.date:
    return clock.local(moment).date()


# ---------------------------------------------------------------------------------------------- cases


SATISFIED = (Case.Satisfaction.SATISFIED, Case.Satisfaction.FAIRLY)


@dataclass
class CaseRow:
    key: Any
    label: str
    total: int = 0
    registered: int = 0
    registered_on_time: int = 0
    dispatched: int = 0
    due_or_done: int = 0
    done_on_time: int = 0
    answered: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0
    open: int = 0
    overdue: int = 0
    escalated: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def registration_rate(self) -> float | None:
        """登记及时率: registered within the deadline ÷ registered."""
        return self._rate(self.registered_on_time, self.registered)

    @property
    def on_time_rate(self) -> float | None:
        """按时办结率: answered by the handling deadline ÷ dispatched cases answered or past their deadline."""
        return self._rate(self.done_on_time, self.due_or_done)

    @property
    def resolution_rate(self) -> float | None:
        """解决率: answered with a 办理结果 (not only 解释说明) ÷ dispatched."""
        return self._rate(self.resolved, self.dispatched)

    @property
    def response_rate(self) -> float | None:
        """回复率（响应率）: answered (resolved, explained or replied) ÷ dispatched."""
        return self._rate(self.answered, self.dispatched)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: 满意 or 基本满意 ÷ cases called back with a rating."""
        return self._rate(self.satisfied, self.rated)


CASE_GROUPINGS = {"unit": "unit_id", "village": "region_id", "cadre": "cadre", "category": "top",
                  "week": "period", "month": "period", "status": "status"}


CASE_PART = "_oversight_case_part"
NOT_MERGED = ~Q(status=S.MERGED)  # a merged case is counted in the case it was merged into


def case_rows(campaign: Campaign, *, unit: Unit | None = None) -> QuerySet[Case]:
    """The cases the figures count: the campaign's (or a unit's of it), except those merged into another (counted
    there). Marked with the part it holds, so `case_figures` reads the kept counts (oversight.case_counters) for
    it; any further filter makes a queryset without the mark, which is recounted."""
    # The conditions passed apart, not combined here (combining copies them): the same statement all the same.
    rows = _filtered_later(Case, Q(campaign=campaign), NOT_MERGED, *(() if unit is None else (Q(unit=unit),)))
    setattr(rows, CASE_PART, unit.pk if unit is not None else 0)
    return rows


def cases_raised(campaign: Campaign, starts_on: dt.date, ends_on: dt.date) -> QuerySet[Case]:
    """The counted cases collected (`raised_at`, Beijing days) from `starts_on` to `ends_on` inclusive."""
    return case_rows(campaign).filter(raised_at__gte=day_end(starts_on - dt.timedelta(days=1)),
                                      raised_at__lt=day_end(ends_on))


def with_cadre(campaign: Campaign, cases: QuerySet[Case]) -> QuerySet[Case]:
    """`cadre`: the cadre the case's target is assigned to in the campaign (a cadre's cases, as the drill-down
    and `access.Reach` read them); None for a case without a target or whose target no cadre holds."""
    holder = Assignment.objects.filter(campaign=campaign, target_id=OuterRef("target_id")).values("cadre_id")[:1]
    return cases.annotate(cadre=Subquery(holder))


def with_answer_day(cases: QuerySet[Case]) -> QuerySet[Case]:
    """`answered_on`: the (Beijing) day of the latest 办结 or 解释说明 in the case's history, else of `resolved_at`."""
    latest = CaseEvent.objects.filter(case=OuterRef("pk"), to_status__in=(S.RESOLVED, S.EXPLAINED)) \
        .order_by("-at", "-id").values("at")[:1]
    return cases.annotate(answered_on=TruncDate(Coalesce(Subquery(latest), F("resolved_at"))))


# Each case result as a condition on one case (with `answered_on`), the definition both the kept counts
# (oversight.case_counters) and the recount read. These do not depend on the day asked:
CASE_MEASURES: dict[str, Q] = {
    "total": Q(),
    "registered": Q(registered_on__isnull=False),
    "registered_on_time": Q(registered_on__isnull=False, registered_late=False),
    "dispatched": Q(dispatched_on__isnull=False),
    "done_on_time": Q(dispatched_on__isnull=False, status__in=ANSWERED) & (
        Q(handling_due__isnull=True) | Q(answered_on__isnull=False, handling_due__gte=F("answered_on"))),
    "answered": Q(dispatched_on__isnull=False, status__in=ANSWERED),
    "resolved": Q(dispatched_on__isnull=False, status__in=ANSWERED) & ~Q(resolution=""),
    "rated": ~Q(satisfaction=""),
    "satisfied": Q(satisfaction__in=SATISFIED),
    "open": ~Q(status__in=(*ANSWERED, S.CLOSED)),
    "escalated": Q(status=S.ESCALATED) | ~Q(escalation_route=""),
}
# These count once `handling_due` is before the day asked (kept per deadline day, summed over the days before it):
# dispatched and not answered (due_or_done = answered + these), and overdue now.
CASE_DUE_MEASURES: dict[str, Q] = {
    "pending": Q(dispatched_on__isnull=False, handling_due__isnull=False) & ~Q(status__in=ANSWERED),
    "overdue": Q(status__in=HANDLING, paused_since__isnull=True, handling_due__isnull=False),
}


def _case_aggregates(today: dt.date) -> dict[str, Any]:
    """The case results over a queryset of cases, grouped in the database: the recount."""
    counts: dict[str, Any] = {name: Count("id", filter=condition) if name != "total" else Count("id")
                              for name, condition in CASE_MEASURES.items()}
    counts["due_or_done"] = Count("id", filter=Q(dispatched_on__isnull=False) & (
        Q(status__in=ANSWERED) | Q(handling_due__lt=today)))
    counts["overdue"] = Count("id", filter=overdue_condition(today))
    return counts


def overdue_condition(today: dt.date) -> Q:
    """Overdue now: being handled, clock running, past the handling deadline (cases.deadlines.is_overdue), the
    condition the case pages count too."""
    return deadlines.overdue_condition(today)


@dataclass
class CaseFigures:
    by: str
    today: dt.date
    rows: list[CaseRow]
    total: CaseRow
    count: int = -1  # the grouping's rows over every page (`rows` may hold one page of them); -1: len(rows)
    start: int = 0  # how many rows of the table come before `rows`

    def __post_init__(self) -> None:
        if self.count < 0:
            self.count = len(self.rows)


def case_figures(campaign: Campaign, by: str, today: dt.date, cases: QuerySet[Case] | None = None,
                 page: tuple[int, int] | None = None, after: tuple[Any, ...] | None = None) -> CaseFigures:
    """Case results grouped by unit, village, category (the top-level 六个一), week, month or status; with `page`
    (offset, size), only those rows of the table's order (`case_order`), after the row the `after` cursor names
    (that order's values) when given (`count` is every page's rows, `start` those before the page). A cursor of
    another order raises ValueError."""
    if by not in CASE_GROUPINGS:
        raise ValueError(by)
    scope = _case_part(cases)
    if scope is not None and by in KEPT_CASE_GROUPINGS:
        return kept_case_figures(campaign, by, today, scope, page, after)
    if page is not None or after is not None:
        every = case_figures(campaign, by, today, cases)
        every.rows, every.start = _cut(every.rows, case_order(by), page, after)
        return every
    source = with_answer_day(case_rows(campaign) if cases is None else cases)
    if by == "category":
        source = source.annotate(top=Coalesce(F("category__parent_id"), F("category_id")))
        field_name = "top"
    elif by in ("week", "month"):
        source = source.annotate(period=TruncWeek("raised_at") if by == "week" else TruncMonth("raised_at"))
        field_name = "period"
    elif by == "cadre":
        source = with_cadre(campaign, source)
        field_name = "cadre"
    else:
        field_name = CASE_GROUPINGS[by]
    aggregates = _case_aggregates(today)
    data = list(source.values(field_name).annotate(**aggregates).order_by())
    ids = {item[field_name] for item in data}
    if by == "unit":
        objects: dict[Any, Any] = _keys("unit", ids)
    elif by == "village":
        objects = _keys("village", {i for i in ids if i})
    elif by == "category":
        objects = CaseCategory.objects.in_bulk([i for i in ids if i])
    elif by == "cadre":
        objects = _keys("cadre", ids)
    else:
        objects = {}
    result: dict[Any, CaseRow] = {}
    for item in data:
        raw = item.pop(field_name)
        key: Any
        if by == "village":
            key = _ancestor_at(objects, raw, Region.Level.VILLAGE) if raw else None
        elif by in ("unit", "category", "cadre"):
            key = objects.get(raw)
        elif by in ("week", "month"):
            key = _local_date(raw) if isinstance(raw, dt.datetime) else raw
        else:
            key = raw
        ident = getattr(key, "pk", key)
        row = result.get(ident)
        if row is None:
            row = result[ident] = CaseRow(key, _case_label(by, key))
        for name, value in item.items():
            setattr(row, name, getattr(row, name) + value)
    rows = sorted(result.values(), key=lambda r: _case_sort(by, r))
    return CaseFigures(by, today, rows, _case_total(source, today))


def case_totals(campaign: Campaign, today: dt.date, cases: QuerySet[Case] | None = None) -> CaseRow:
    """The campaign's case results in one row (the 合计 of every `case_figures` grouping)."""
    scope = _case_part(cases)
    if scope is not None:
        return kept_case_figures(campaign, "total", today, scope).total
    return _case_total(with_answer_day(case_rows(campaign) if cases is None else cases), today)


def recounted_case_figures(campaign: Campaign, by: str, today: dt.date,
                           cases: QuerySet[Case] | None = None) -> CaseFigures:
    """`case_figures` grouped afresh over the cases (a clone drops the mark): the oracle and the bench's baseline."""
    return case_figures(campaign, by, today, (case_rows(campaign) if cases is None else cases).all())


# The groupings the kept counts hold (a cadre's cases hang on the assignments: recounted, they are few).
KEPT_CASE_GROUPINGS = ("unit", "village", "category", "week", "month", "status")


def _case_part(cases: QuerySet[Case] | None) -> int | None:
    """0 for the whole campaign's counted cases, a unit's id for its cases, None for any other queryset."""
    return 0 if cases is None else getattr(cases, CASE_PART, None)


# The groupings whose rows are ordered and cut to a page in the database (thousands of units, hundreds of villages):
# the table their key names and its columns in the table's order (`case_order`).
PAGED_CASE_GROUPINGS = {by: KEY_ORDER[by] for by in ("unit", "village")}


def kept_case_figures(campaign: Campaign, by: str, today: dt.date, unit: int = 0,
                      page: tuple[int, int] | None = None, after: tuple[Any, ...] | None = None) -> CaseFigures:
    """`case_figures` read from the kept counts: each node's CaseTally rows of the days before `today` summed (its
    timeless row and its deadline days), in one query (the categories joined in), and one for the units' or
    villages' objects. With `page` (offset, size) and a grouping of PAGED_CASE_GROUPINGS, only that page of rows in
    the table's order, cut in the database (`count` is the rows of every page): a page of a city's 2,000 units
    builds 200 rows; `after` (a cursor of `case_order`'s values) is counted in the database, the page starting
    after it."""
    groupings = ["total"] if by == "total" else [by, "total"]
    start = 0
    categories: dict[int, CaseCategory] = {}
    if page is not None and by in PAGED_CASE_GROUPINGS:
        found, count, start = _kept_case_page(campaign, by, today, unit, page, after)
    else:
        found, categories = _kept_case_rows(campaign, groupings, today, unit)
        count = None
    total = found.pop(("total", ""), None) or CaseRow(None, "")
    total.key, total.label = None, _("合计")
    rows = [row for (grouping, _key), row in found.items() if grouping == by]
    ids = {int(row.key) for row in rows if row.key and by in ("unit", "village", "category")}
    objects: dict[Any, Any] = {}
    if by == "unit":
        objects = _keys("unit", ids)
    elif by == "village":
        objects = _keys("village", ids, exact=True)
    elif by == "category":  # joined in the kept rows' query
        objects = categories if ids <= set(categories) else CaseCategory.objects.in_bulk(ids)
    for row in rows:
        raw = row.key
        if by in ("unit", "village", "category"):
            row.key = objects.get(int(raw)) if raw else None
        elif by in ("week", "month"):
            row.key = dt.date.fromisoformat(raw)
        row.label = _case_label(by, row.key)
    rows.sort(key=case_order(by))
    if count is None:
        count = len(rows)
        rows, start = _cut(rows, case_order(by), page, after)
    return CaseFigures(by, today, rows, total, count, start)


def _case_tally_names() -> list[str]:
    """CaseTally's timeless measure columns, in its order (a node's row of TIMELESS_DAY holds them)."""
    from zoufang.oversight.models import CaseTally

    return [f.name for f in CaseTally._meta.concrete_fields
            if f.name not in ("id", "campaign", "unit", "grouping", "key", "day", *CASE_DUE_MEASURES)]


def _case_row_of(names: list[str], values: tuple[Any, ...]) -> tuple[tuple[str, str], CaseRow]:
    """A kept row's node and CaseRow from (grouping, key, measures…[, pending due, overdue due])."""
    grouping, key, *counts = values
    row = CaseRow(key, "", **dict(zip(names, counts[:len(names)], strict=True)))
    row.due_or_done = row.answered + (counts[len(names)] if len(counts) > len(names) else 0)
    row.overdue = counts[len(names) + 1] if len(counts) > len(names) else 0
    return (grouping, key), row


def _kept_case_rows(campaign: Campaign, groupings: list[str], today: dt.date, unit: int,
                    ) -> tuple[dict[tuple[str, str], CaseRow], dict[int, CaseCategory]]:
    """Every kept row of the groupings, with the due sums over the deadline days before `today`, and the
    categories the category rows name (their columns joined in): one query, a prepared statement on PostgreSQL
    (`rawrows.prepared_rows`: a unit page reads it on every request, and planning it cost more than running it)."""
    from zoufang.oversight.models import CaseTally

    connection = connections[router.db_for_read(CaseTally)]  # the replica, inside a dashboard's request
    sql, names, fields = _kept_case_sql(connection, tuple(groupings))
    params = [campaign.pk, unit, *groupings, connection.ops.adapt_datefield_value(today)]
    found: dict[tuple[str, str], CaseRow] = {}
    categories: dict[int, CaseCategory] = {}
    width = len(fields)
    for values in prepared_rows(connection, sql, params):
        counted = values[:len(values) - width] if width else values
        node, row = _case_row_of(names, counted)
        found[node] = row
        if width and values[-width] is not None:
            category = values[-width:]
            categories[category[0]] = CaseCategory.from_db(connection.alias, fields, category)
    return found, categories


_KEPT_CASE_SQL: dict[tuple[str, tuple[str, ...]], tuple[str, list[str], list[str]]] = {}


def _kept_case_sql(connection: Any, groupings: tuple[str, ...]) -> tuple[str, list[str], list[str]]:
    """`_kept_case_rows`' statement for the groupings on the connection's database vendor, its measure names and
    the joined category's columns: written once per process (the same text each time, so one prepared statement)."""
    found = _KEPT_CASE_SQL.get((connection.vendor, groupings))
    if found is None:
        found = _KEPT_CASE_SQL[(connection.vendor, groupings)] = _write_kept_case_sql(connection, groupings)
    return found


def _write_kept_case_sql(connection: Any, groupings: tuple[str, ...]) -> tuple[str, list[str], list[str]]:
    from zoufang.oversight.models import CaseTally

    quote = connection.ops.quote_name
    names = _case_tally_names()
    grouping, key = quote("grouping"), quote("key")
    marks = ", ".join(["%s"] * len(groupings))
    concrete = CaseCategory._meta.concrete_fields if "category" in groupings else ()
    fields = [f.attname for f in concrete]
    width = len(names) + len(CASE_DUE_MEASURES)
    sums = ", ".join(f"SUM({quote(n)}) AS m{i}" for i, n in enumerate([*names, *CASE_DUE_MEASURES]))
    columns = ", ".join([f"t.{grouping}", f"t.{key}", *(f"t.m{i}" for i in range(width)),
                         *(f"c.{quote(f.column)}" for f in concrete)])
    joined = (f"LEFT JOIN {quote(CaseCategory._meta.db_table)} c ON t.{grouping} = 'category' "
              f"AND c.campaign_id = t.campaign_id AND t.{key} = CAST(c.id AS VARCHAR(20)) ") if fields else ""
    # One range of the node key per grouping (the unit's rows of the days before today: each node's timeless row
    # and its deadline days passed), summed per node; `total` is the timeless row's.
    sql = (f"SELECT {columns} FROM (SELECT campaign_id, {grouping}, {key}, {sums} "  # noqa: S608
           f"FROM {quote(CaseTally._meta.db_table)} WHERE campaign_id = %s AND unit = %s "
           f"AND {grouping} IN ({marks}) AND day < %s GROUP BY campaign_id, {grouping}, {key} "
           f"HAVING SUM(total) > 0) t {joined}")
    return sql, names, fields


def _kept_case_page(campaign: Campaign, by: str, today: dt.date, unit: int, page: tuple[int, int],
                    after: tuple[Any, ...] | None) -> tuple[dict[tuple[str, str], CaseRow], int, int]:
    """The total, one page of the grouping's rows in `case_order` (the key's object's columns, its id as text;
    the row without a key last) after the row the `after` cursor names, how many rows the grouping has and how
    many come before the page. The due sums are read for the rows shown only."""
    from zoufang.oversight.models import TIMELESS_DAY, CaseTally

    offset, size = page
    if after is not None:  # the rows up to the cursor's, counted in the database
        ordered, order_names = _in_order(by)
        keyed = ordered.filter(**{f"{order_names[-1]}__in": CaseTally.objects.filter(
            campaign=campaign, unit=unit, grouping=by, total__gt=0).exclude(key="").values("key")})
        beyond = _beyond(by, order_names, after)
        offset += keyed.count() + 1 if beyond is None else keyed.exclude(beyond).count()
    connection = connections[router.db_for_read(CaseTally)]  # the replica, inside a dashboard's request
    quote = connection.ops.quote_name
    model, order = PAGED_CASE_GROUPINGS[by]
    names = _case_tally_names()
    text = code_points(connection)
    ordering = ", ".join([*(f"o.{quote(c)} COLLATE {quote(text)}" if c == "name" else f"o.{quote(c)}"
                            for c in order), "CAST(o.id AS VARCHAR(20))"])
    tally, grouping, key = quote(CaseTally._meta.db_table), quote("grouping"), quote("key")
    columns = ", ".join([f"t.{grouping}", f"t.{key}", *(f"t.{quote(n)}" for n in names)])
    where = "t.campaign_id = %s AND t.unit = %s AND t.total > 0"
    with connection.cursor() as cursor:
        # The keyed rows of the page and how many there are; the total and the row without a key (未交办, 未填村).
        cursor.execute(f"SELECT {columns}, COUNT(*) OVER () FROM {tally} t "  # noqa: S608
                       f"JOIN {quote(model._meta.db_table)} o ON t.{key} = CAST(o.id AS VARCHAR(20)) "
                       f"WHERE {where} AND t.{grouping} = %s ORDER BY {ordering} LIMIT %s OFFSET %s",
                       [campaign.pk, unit, by, size, offset])
        keyed = cursor.fetchall()
        count = keyed[0][-1] if keyed else None
        if count is None:  # past the last keyed row, or none: count them alone
            cursor.execute(f"SELECT COUNT(*) FROM {tally} t WHERE {where} AND t.{grouping} = %s "  # noqa: S608
                           f"AND t.{key} <> ''", [campaign.pk, unit, by])
            count = cursor.fetchone()[0]
        cursor.execute(f"SELECT {columns} FROM {tally} t WHERE {where} AND "  # noqa: S608
                       f"(t.{grouping} = 'total' OR (t.{grouping} = %s AND t.{key} = ''))", [campaign.pk, unit, by])
        unkeyed = dict(_case_row_of(names, values) for values in cursor.fetchall())
    found = dict(_case_row_of(names, values[:-1]) for values in keyed)
    found[("total", "")] = unkeyed.pop(("total", ""), CaseRow("", ""))
    if unkeyed and offset <= count < offset + size:  # the row without a key comes last
        found.update(unkeyed)
    due = (CaseTally.objects.filter(campaign=campaign, unit=unit, day__gt=TIMELESS_DAY, day__lt=today)
           .filter(Q(grouping="total", key="") | Q(grouping=by, key__in=[k for g, k in found if g == by]))
           .values_list("grouping", "key").annotate(p=Sum("pending"), o=Sum("overdue")).order_by())
    for node_grouping, node_key, pending, overdue in due:
        row = found[(node_grouping, node_key)]
        row.due_or_done += pending
        row.overdue += overdue
    return found, count + len(unkeyed), offset


def _case_total(source: QuerySet[Case], today: dt.date) -> CaseRow:
    return CaseRow(None, _("合计"), **source.aggregate(**_case_aggregates(today)))


def _case_label(by: str, key: Any) -> str:
    if key is None:
        return {"unit": _("未交办"), "village": _("（未填村）"), "category": _("未分类"),
                "cadre": _("未落实到人")}.get(by, "")
    if by == "cadre":
        return _label("cadre", key)
    if by == "category":
        return str(key)
    if by == "week":  # a span of days and a month as the pages say them (decision 0045), not ISO's 2017-06-05, 2017-06
        return f"{clock.day(key)}—{clock.period_end(key, key + dt.timedelta(days=6))}"
    if by == "month":
        return clock.month(key)
    if by == "status":
        return str(S(key).label)
    return str(key.name)


def _case_sort(by: str, row: CaseRow) -> tuple[Any, ...]:
    key = row.key
    if key is None:
        return (1, "")
    if by == "unit":
        return (0, key.sort_order, key.name)
    if by == "cadre":
        return (0, key.unit.sort_order, key.unit.name, key.sort_order, key.name)
    if by == "village":
        return (0, key.path)
    if by == "category":
        return (0, key.sort_order, key.code)
    if by == "status":
        return (0, S.values.index(key))
    return (0, key)


def case_order(by: str) -> Any:
    """A case row's place in its table, unique (the API's keyset cursor names it)."""
    return lambda row: (*_case_sort(by, row), str(getattr(row.key, "pk", row.key) or ""))


def _day_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Beijing midnight of `start` to Beijing midnight after `end`: a period of whole days."""
    return (timezone.make_aware(dt.datetime.combine(start, dt.time())),
            timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time())))


def first_visited_between(campaign: Campaign, start: dt.date, end: dt.date,
                          rows: QuerySet[Assignment] | None = None) -> int:
    """Assigned targets (of the pace rule's kinds) whose first visit of the campaign fell in the period: what the
    period added to coverage, so the periods of a year add up to the year's coverage."""
    source = assignments(campaign) if rows is None else rows
    first = Visit.objects.filter(campaign=campaign, target_id=OuterRef("target_id")).order_by("visited_at") \
        .values("visited_at")[:1]
    since, until = _day_range(start, end)
    return source.filter(target__kind__in=pace_rule(campaign).kinds) \
        .annotate(first_at=Subquery(first, output_field=DateTimeField())) \
        .filter(first_at__gte=since, first_at__lt=until).count()


def cases_raised_between(campaign: Campaign, start: dt.date, end: dt.date) -> QuerySet[Case]:
    """The cases collected in the period (not merged into another): a period's case figures count these."""
    since, until = _day_range(start, end)
    return case_rows(campaign).filter(raised_at__gte=since, raised_at__lt=until)


def cases_answered_between(campaign: Campaign, start: dt.date, end: dt.date) -> QuerySet[Case]:
    """Dispatched cases answered (办结 or 解释说明, as `answered` counts them) on a day of the period."""
    return with_answer_day(case_rows(campaign)).filter(
        Q(answered_on__gte=start, answered_on__lte=end), dispatched_on__isnull=False, status__in=ANSWERED)


# ---------------------------------------------------------------------------------------------- drill-down


def unvisited_assignments(campaign: Campaign, rows: QuerySet[Assignment] | None = None) -> QuerySet[Assignment]:
    """The targets behind a coverage gap: assigned, with no visit of the campaign yet."""
    source = assignments(campaign) if rows is None else rows
    return source.exclude(visited_condition(campaign)).select_related("target__region", "unit", "cadre") \
        .order_by("target__region__path", "target__address", "id")


def unnamed_assignments(campaign: Campaign, rows: QuerySet[Assignment] | None = None) -> QuerySet[Assignment]:
    """The targets behind 未落实到人 (`unnamed`): assigned to a unit with no cadre yet, each marked `visited`
    (whoever visited), in the drill-downs' walking order."""
    source = assignments(campaign) if rows is None else rows
    return source.filter(cadre__isnull=True).annotate(visited=visited_condition(campaign)) \
        .select_related("target__region", "unit").order_by("target__region__path", "target__address", "id")


def visits_of(campaign: Campaign, rows: QuerySet[Assignment] | None = None) -> QuerySet[Visit]:
    """The visits behind a coverage count (to the given assignments' targets), latest first."""
    visits = Visit.objects.filter(campaign=campaign)
    if rows is not None:
        visits = visits.filter(target__in=rows.values("target"))
    return visits.select_related("target__region", "cadre__unit").order_by("-visited_at", "id")


def overdue_cases(campaign: Campaign, today: dt.date, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    source = case_rows(campaign) if cases is None else cases
    return source.filter(overdue_condition(today)).select_related("unit", "region", "category", "target__region") \
        .order_by("handling_due", "id")


def cadre_standing(campaign: Campaign, cadre: Cadre, today: dt.date) -> Pace:
    """A cadre's own pace on their assignments (their row of `coverage(by="cadre")`)."""
    row = coverage(campaign, "kind", today, assignments(campaign, cadre=cadre)).total
    assert row.pace is not None  # noqa: S101 — coverage always sets it
    return row.pace


# ---------------------------------------------------------------------------------------------- towns


@dataclass
class TownRow:
    """A town's campaigns of the period, added up: coverage and pace (each campaign against its own rule),
    and case results. The rates are recomputed from the summed counts, never averaged."""

    town: Region
    campaigns: list[Campaign]  # the most assigned first
    coverage: CoverageRow
    cases: CaseRow
    rank: int = 0

    @property
    def pace(self) -> Pace:
        assert self.coverage.pace is not None  # noqa: S101 — town_figures always sets it
        return self.coverage.pace


@dataclass
class TownFigures:
    region: Region  # the city or county the towns are under
    year: int
    today: dt.date
    order: str
    rows: list[TownRow]  # ranked by `order`, worst first
    total: TownRow
    idle: list[Region]  # towns under the region with no campaign in the year


def combined_pace(paces: list[Pace]) -> Pace:
    """Several campaigns' standing as one: the counts added; finished when the last of them finishes (unknown
    while any unfinished campaign has no visit to project from)."""
    unfinished = [p for p in paces if p.assigned and p.visited < p.assigned]
    finishes = [p.projected_finish for p in unfinished]
    return Pace(
        assigned=sum(p.assigned for p in paces), visited=sum(p.visited for p in paces),
        due_today=sum(p.due_today for p in paces), due_next=sum(p.due_next for p in paces),
        next_on=days.pop() if len(days := {p.next_on for p in paces}) == 1 else None,
        today=max((p.today for p in paces if p.today is not None), default=None),
        projected_finish=None if not finishes or None in finishes else max(f for f in finishes if f is not None),
    )


def _sum_rows(key: Any, label: str, coverages: list[CoverageRow], cases: list[CaseRow]) -> tuple[CoverageRow, CaseRow]:
    labels = _kind_labels()
    coverage_row = CoverageRow(key, label)
    for row in coverages:
        for kind, count in row.kinds.items():
            mine = coverage_row.kinds.setdefault(kind, KindCount(kind, labels.get(kind, kind)))
            mine.assigned += count.assigned
            mine.visited += count.visited
    coverage_row.pace = combined_pace([row.pace for row in coverages if row.pace is not None])
    case_row = CaseRow(key, label)
    for counted in cases:
        for name, value in vars(counted).items():
            if name not in ("key", "label"):
                setattr(case_row, name, getattr(case_row, name) + value)
    return coverage_row, case_row


def town_campaigns(town: Region, year: int) -> QuerySet[Campaign]:
    """A town's campaigns of the year: scoped to the town (or a part of it), running at some time in the year."""
    return Campaign.objects.filter(
        scope__path__startswith=town.path, starts_on__lte=dt.date(year, 12, 31), ends_on__gte=dt.date(year, 1, 1),
    ).select_related("scope").order_by("starts_on", "slug")


# How the towns are ranked: (heading, the figure, True when a higher figure is worse). Worst first; a town
# without the figure (no case to rate, nothing due yet) comes last.
TOWN_ORDERS: dict[str, tuple[str, Any, bool]] = {
    "pace": ("进度完成比", lambda r: r.pace.due_percent, False),
    "behind": ("逾期未完成", lambda r: r.pace.behind, True),
    "coverage": ("完成率", lambda r: r.coverage.percent if r.coverage.assigned else None, False),
    "registration": ("登记及时率", lambda r: r.cases.registration_rate, False),
    "on_time": ("按时办结率", lambda r: r.cases.on_time_rate, False),
    "resolution": ("解决率", lambda r: r.cases.resolution_rate, False),
    "response": ("回复率", lambda r: r.cases.response_rate, False),
    "satisfaction": ("满意率", lambda r: r.cases.satisfaction_rate, False),
    "overdue": ("超期", lambda r: r.cases.overdue, True),
    "escalated": ("上报", lambda r: r.cases.escalated, True),
}


def rank_towns(rows: list[TownRow], order: str) -> list[TownRow]:
    """Worst first by `order` (ties: more behind pace, then the name); `rank` numbers them 1, 2, …"""
    if order not in TOWN_ORDERS:
        raise ValueError(order)
    _heading, figure, higher_is_worse = TOWN_ORDERS[order]

    def key(row: TownRow) -> tuple[Any, ...]:
        value = figure(row)
        if value is None:
            return (1, 0, -row.pace.behind, row.town.name)
        return (0, -value if higher_is_worse else value, -row.pace.behind, row.town.name)

    ranked = sorted(rows, key=key)
    for index, row in enumerate(ranked, start=1):
        row.rank = index
    return ranked


def town_figures(region: Region, today: dt.date, *, year: int | None = None, order: str = "pace") -> TownFigures:
    """Every town under `region` side by side: each town's campaigns of the year added up (coverage by kind
    and pace, case results), ranked worst first by `order`; with the 合计 over the towns."""
    year = year or today.year
    towns = Region.objects.filter(path__startswith=region.path, level=Region.Level.TOWN).order_by("path")
    rows: list[TownRow] = []
    idle: list[Region] = []
    for town in towns:
        campaigns = list(town_campaigns(town, year))
        if not campaigns:
            idle.append(town)
            continue
        # Each campaign on its own (its own pace rule), the largest first: the town's row links to it.
        each = sorted(((c, coverage(c, "kind", today).total, case_totals(c, today)) for c in campaigns),
                      key=lambda item: (-item[1].assigned, item[0].slug))
        coverage_row, case_row = _sum_rows(town, town.name, [item[1] for item in each], [item[2] for item in each])
        rows.append(TownRow(town, [item[0] for item in each], coverage_row, case_row))
    coverage_total, case_total = _sum_rows(None, _("合计"), [r.coverage for r in rows], [r.cases for r in rows])
    total = TownRow(region, [c for r in rows for c in r.campaigns], coverage_total, case_total)
    return TownFigures(region, year, today, order, rank_towns(rows, order), total, idle)


def added(rows: list[CoverageRow], label: str, rule: PaceRule, today: dt.date) -> CoverageRow | None:
    """Rows of one campaign added up per kind, paced on the sum (a unit's cadres without what no cadre holds);
    None for no row."""
    if not rows:
        return None
    total = CoverageRow(None, label)
    for row in rows:
        for kind, count in row.kinds.items():
            mine = total.kinds.setdefault(kind, KindCount(kind, count.label))
            mine.assigned += count.assigned
            mine.visited += count.visited
        for day, counts in row.later.items():
            for kind, n in counts.items():
                total.add_later(day, kind, n)
    total.pace = pace_of(total, rule, today)
    return total


def summed(rows: list[CoverageRow], label: str) -> CoverageRow:
    """Rows of different campaigns added up (an upper-level unit over its towns): counts per kind, and the pace
    figures each row already has under its own campaign's rule (`combined_pace`)."""
    return _sum_rows(None, label, rows, [])[0]
