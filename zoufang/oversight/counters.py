"""Kept coverage counts: assigned and visited targets per node, moved in the transaction that changes them.

Decision 0005 (docs/decisions/0005-kept-coverage-counts.md). A target's assignment puts it under eleven-odd
nodes (the campaign; each region on its path; its unit; its cadre in that unit; its unit inside each region on
its path), and `CoverageTally` keeps assigned and visited per node and target kind. The dashboard reads a few
of those rows instead of grouping millions of assignments against millions of visits.

- A visit saved or deleted through the ORM (the visits service, the demo, a move to another campaign or
  target) moves the counts in its own transaction: Visit.save runs in `transaction.atomic`, and the signals
  here run inside it. The `VisitedTarget` row of (campaign, target) is inserted by the first visit (ON
  CONFLICT … DO UPDATE: a concurrent second visit waits on that row and only adds to its `visits`), so a
  target counts once whoever visited it, and the last visit removed uncounts it.
- Tally rows change by `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` in key order: increments are
  row-locked in the database, never read-modify-write in Python, and two visits lock shared rows in the same
  order (no deadlock between them).
- A visit takes the campaign's shared advisory lock (PostgreSQL), assignment changes and rebuilds its exclusive
  one: a visit never reads an assignment half-changed, and a rebuild never misses a visit in flight.
- A write many users make at once (a visit submission) runs inside `written_last()`: the tally and weekly
  increments of the block are added up and written when it ends, the transaction's last writes before the
  audit chain's, so the shared rows (the campaign's, the town's) stay locked for a few statements and the commit,
  not for the whole submission (decision 0009).
- run_plan writes assignments with COPY (no signals) and rebuilds the campaign's tallies from a recount in the
  same transaction; `zoufang oversight verify` recounts and compares, `--repair` rebuilds.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import TruncWeek
from django.db.models.signals import post_delete, post_save, pre_save

from zoufang import clock
from zoufang.core import locks
from zoufang.core.bulk import add_to_rows, write_rows
from zoufang.core.pipeline import sent_together
from zoufang.core.rawrows import prepared_rows
from zoufang.oversight.models import (
    CadreCoverage,
    CadreTally,
    CoverageTally,
    GivenLaterTally,
    UnitCadres,
    VisitedTarget,
    WeeklyTally,
    kind_columns,
)
from zoufang.planning.models import Assignment
from zoufang.regions.models import Region
from zoufang.registry.models import Target
from zoufang.visits.models import Visit

# (kind, region, unit, cadre): 0 means "not split by" (see CoverageTally)
Key = tuple[str, int, int, int]
# A node's work given on a day after the plan day (GivenLaterTally): (kind, region, unit, cadre, day given)
LaterKey = tuple[str, int, int, int, dt.date]
NO_CADRE = -1  # the cadre of the node (0, 0, NO_CADRE): the campaign's assignments given to no cadre
CHUNK = 2000  # ids a query when a bulk writer hands over many targets
KINDS = tuple(str(kind) for kind in Target.Kind)
KIND_COUNTS = [column for kind in KINDS for column in kind_columns(kind)]  # CadreCoverage's counts, kind by kind
LOCK_CLASS = 0x20F0  # pg_advisory_xact_lock(LOCK_CLASS, campaign id): this module's locks only

_paused: ContextVar[bool] = ContextVar("zoufang_counters_paused", default=False)


@dataclass
class _Held:
    """Increments a `written_last()` block holds until it ends, added up per row."""

    tallies: dict[int, dict[Key, list[int]]] = field(default_factory=dict)  # campaign → node → [assigned, visited]
    weeks: dict[tuple[int, str], dict[dt.date, int]] = field(default_factory=dict)  # (campaign, kind) → week → n
    # Other kept counts held in the same block (oversight.case_counters): name → (what they hold, how to write it)
    others: dict[str, tuple[Any, Callable[[Any], None]]] = field(default_factory=dict)


def held_for(name: str, make: Callable[[], Any], write: Callable[[Any], None]) -> Any:
    """Inside a `written_last()` block: the block's holder of another kind of kept counts (made by `make` on
    first use; `write(holder)` writes it when the block ends, after the coverage counts); None outside one."""
    held = _held.get()
    if held is None:
        return None
    if name not in held.others:
        held.others[name] = (make(), write)
    return held.others[name][0]


_held: ContextVar[_Held | None] = ContextVar("zoufang_counters_held", default=None)


@contextmanager
def written_last() -> Iterator[None]:
    """A transaction whose kept counts are written by its last statements (before an enclosing audit
    `chained_last()` chains its rows): the rows many visits share are locked only from there to the commit.

    Runs in `transaction.atomic(savepoint=False)`: an exception rolls back the enclosing transaction; the increments of the block are added up and written, campaign by campaign
    and row by row in key order, when it ends without an exception. Counts read inside the block do not show
    them yet. A block inside another joins it.
    """
    with transaction.atomic(savepoint=False):
        if _held.get() is not None:
            yield
            return
        held = _Held()
        token = _held.set(held)
        try:
            yield
        finally:
            _held.reset(token)
        with sent_together():  # one round trip for every row written here (core.pipeline)
            for campaign_id, deltas in sorted(held.tallies.items()):
                _bump(campaign_id, deltas)
            for (campaign_id, kind), changes in sorted(held.weeks.items()):
                _weekly(campaign_id, kind, changes)
            for _name, (holder, write) in sorted(held.others.items(), key=lambda item: item[0]):
                write(holder)


@contextmanager
def paused() -> Iterator[None]:
    """Bulk writers (run_plan) skip the per-row upkeep and call `rebuild` before they commit."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def is_paused() -> bool:
    """Inside `paused()`: a bulk writer that rebuilds what it changed itself."""
    return _paused.get()


def _lock(campaign_id: int, *, exclusive: bool) -> None:
    locks.hold(LOCK_CLASS, campaign_id, shared=not exclusive)  # SQLite: one writer at a time already


def nodes(kind: str, path: str, unit: int, cadre: int | None) -> list[Key]:
    """Every node an assignment of `kind` under the region `path`, given to `unit` (and `cadre`), counts in."""
    keys: list[Key] = [(kind, 0, 0, 0), (kind, 0, unit, 0)]
    keys.append((kind, 0, unit, cadre) if cadre else (kind, 0, 0, NO_CADRE))
    for region in (int(part) for part in path.split(".") if part):
        keys += [(kind, region, 0, 0), (kind, region, unit, 0)]
    return keys


def _bump(campaign_id: int, deltas: dict[Key, list[int]]) -> None:
    """Add (assigned, visited) to each node's row, creating it when new: one statement, rows in key order
    (held until a `written_last()` block ends, when inside one)."""
    held = _held.get()
    if held is not None:
        kept = held.tallies.setdefault(campaign_id, {})
        for key, (assigned, visited) in deltas.items():
            total = kept.setdefault(key, [0, 0])
            total[0] += assigned
            total[1] += visited
        return
    add_to_rows(CoverageTally, ["campaign_id", "region", "unit", "cadre", "kind"], ["assigned", "visited"],
                ((campaign_id, region, unit, cadre, kind, assigned, visited)
                 for (kind, region, unit, cadre), (assigned, visited)
                 in sorted(deltas.items(), key=lambda item: item[0][1:] + item[0][:1]) if assigned or visited))
    _count_cadres(campaign_id, deltas)
    _count_cadre_kinds(campaign_id, deltas)


def _count_cadres(campaign_id: int, deltas: dict[Key, list[int]]) -> None:
    """The cadres' assigned counts over every kind (CadreTally) follow their nodes' changes; a cadre that starts
    or stops holding assignments moves its unit's count of cadres (UnitCadres). Each CadreTally row is added to
    under its row lock and read back in the same statement, so two concurrent first assignments of one cadre see
    one another: exactly one of them finds the cadre new. Rows in key order, after the coverage rows."""
    changes: dict[tuple[int, int], int] = defaultdict(int)
    for (_kind, region, unit, cadre), (assigned, _visited) in deltas.items():
        if region == 0 and cadre > 0 and assigned:
            changes[(unit, cadre)] += assigned
    moved = sorted((key, n) for key, n in changes.items() if n)
    if not moved:
        return
    now = add_to_rows(CadreTally, ["campaign_id", "unit", "cadre"], ["assigned"],
                      ((campaign_id, unit, cadre, n) for (unit, cadre), n in moved), returning=True)
    units: dict[int, int] = defaultdict(int)
    for _campaign, unit, cadre, assigned in now:
        before = assigned - changes[(unit, cadre)]
        units[unit] += (assigned > 0) - (before > 0)
    add_to_rows(UnitCadres, ["campaign_id", "unit"], ["cadres"],
                ((campaign_id, unit, n) for unit, n in sorted(units.items()) if n))


def _count_cadre_kinds(campaign_id: int, deltas: dict[Key, list[int]]) -> None:
    """Each cadre's row of counts by kind over all their units (CadreCoverage) follows their nodes' changes: one
    statement, rows in cadre order, after the unit counts (every writer locks them in that order)."""
    changes = cadre_kinds((key, counts) for key, counts in deltas.items() if counts[0] or counts[1])
    add_to_rows(CadreCoverage, ["campaign_id", "cadre"], KIND_COUNTS,
                ((campaign_id, cadre, *_kind_row(changes[cadre])) for cadre in sorted(changes)))


def cadre_kinds(counts: Iterable[tuple[Key, Sequence[int]]]) -> dict[int, dict[str, tuple[int, int]]]:
    """From nodes' (assigned, visited): each cadre's per kind, added up over their units."""
    found: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for (kind, region, _unit, cadre), (assigned, visited) in counts:
        if region == 0 and cadre > 0:
            a, v = found[cadre].get(kind, (0, 0))
            found[cadre][kind] = (a + assigned, v + visited)
    return found


def _kind_row(kinds: dict[str, tuple[int, int]]) -> list[int]:
    """A cadre's counts by kind as CadreCoverage's columns (KIND_COUNTS)."""
    return [n for kind in KINDS for n in kinds.get(kind, (0, 0))]


_NODES_SQL: dict[str, str] = {}


def _assignment_nodes(campaign_id: int, target_id: int) -> list[Key]:
    """The nodes the target's assignment in the campaign counts in; written as SQL once per process (every first
    visit asks, and compiling the queryset cost more than the database spent on it)."""
    sql = _NODES_SQL.get(connection.vendor)
    if sql is None:
        quote = connection.ops.quote_name
        sql = _NODES_SQL[connection.vendor] = (
            f"SELECT t.kind, r.path, a.unit_id, a.cadre_id FROM {quote(Assignment._meta.db_table)} a "  # noqa: S608
            f"JOIN {quote(Target._meta.db_table)} t ON t.id = a.target_id "
            f"LEFT JOIN {quote(Region._meta.db_table)} r ON r.id = t.region_id "
            "WHERE a.campaign_id = %s AND a.target_id = %s ORDER BY a.id LIMIT 1")
    found = prepared_rows(connection, sql, [campaign_id, target_id])  # planned once per connection (decision 0013)
    if not found:
        return []  # an unassigned target: visited_targets counts it, coverage does not
    kind, path, unit, cadre = found[0]
    return nodes(kind, path or "", unit, cadre)


# ---------------------------------------------------------------------------------------------- visits


def monday(moment: dt.datetime) -> dt.date:
    """The Monday of a moment's Beijing week (the weekly curve's TruncWeek)."""
    day = clock.local(moment).date()
    return day - dt.timedelta(days=day.weekday())


def _weekly(campaign_id: int, kind: str, changes: dict[dt.date, int]) -> None:
    held = _held.get()
    if held is not None:
        weeks = held.weeks.setdefault((campaign_id, kind), {})
        for week, n in changes.items():
            weeks[week] = weeks.get(week, 0) + n
        return
    add_to_rows(WeeklyTally, ["campaign_id", "kind", "week"], ["first_visits"],
                ((campaign_id, kind, week, n) for week, n in sorted(changes.items()) if n))


def _first_moved(campaign_id: int, target_id: int, before: dt.datetime | None, after: dt.datetime | None) -> None:
    """The target's first visit moved (None: no visit): its assigned nodes' visited and its week follow."""
    if before is not None and after is not None and monday(before) == monday(after):
        return
    keys = _assignment_nodes(campaign_id, target_id)
    if not keys:
        return
    if (before is None) != (after is None):
        _bump(campaign_id, {key: [0, 1 if before is None else -1] for key in keys})
    changes: dict[dt.date, int] = defaultdict(int)
    if before is not None:
        changes[monday(before)] -= 1
    if after is not None:
        changes[monday(after)] += 1
    _weekly(campaign_id, keys[0][0], changes)


def _kept_visits(campaign_id: int, target_id: int) -> tuple[int, dt.datetime] | None:
    return VisitedTarget.objects.select_for_update().filter(campaign_id=campaign_id, target_id=target_id) \
        .values_list("visits", "first_at").first()


def visit_added(campaign_id: int, target_id: int, visited_at: dt.datetime) -> None:
    """One visit more of (campaign, target). The first inserts the target's row, taking the campaign's shared lock
    in the same statement (PostgreSQL): a first visit costs one statement here, a repeat three."""
    table = connection.ops.quote_name(VisitedTarget._meta.db_table)
    first_at = VisitedTarget._meta.get_field("first_at").get_db_prep_value(visited_at, connection)
    if connection.vendor == "postgresql":
        source, params = ("SELECT %s, %s, 1, %s FROM (SELECT pg_advisory_xact_lock_shared(%s, %s)) AS locked",
                          [campaign_id, target_id, first_at, LOCK_CLASS, campaign_id])
    else:
        source, params = "VALUES (%s, %s, 1, %s)", [campaign_id, target_id, first_at]
    while True:
        with connection.cursor() as cursor:  # a concurrent first visit makes this one wait, then do nothing
            cursor.execute(
                f"INSERT INTO {table} (campaign_id, target_id, visits, first_at) {source} "  # noqa: S608
                "ON CONFLICT (campaign_id, target_id) DO NOTHING RETURNING id", params)
            if cursor.fetchone() is not None:  # the target's first visit in the campaign
                _first_moved(campaign_id, target_id, None, visited_at)
                return
        found = _kept_visits(campaign_id, target_id)
        if found is not None:
            break
        # its last visit was removed (and the row deleted) between the two statements: insert again
    visits, first = found
    VisitedTarget.objects.filter(campaign_id=campaign_id, target_id=target_id).update(
        visits=visits + 1, first_at=min(first, visited_at))
    if visited_at < first:  # recorded late for an earlier day
        _first_moved(campaign_id, target_id, first, visited_at)


def visit_removed(campaign_id: int, target_id: int) -> None:
    """A visit no longer names (campaign, target): deleted, or moved to another campaign or target."""
    _lock(campaign_id, exclusive=False)
    found = _kept_visits(campaign_id, target_id)
    if found is None:
        return  # never counted: `oversight verify` would say so
    visits, first = found
    rows = VisitedTarget.objects.filter(campaign_id=campaign_id, target_id=target_id)
    if visits <= 1:
        rows.delete()
        _first_moved(campaign_id, target_id, first, None)
        return
    earliest = Visit.objects.filter(campaign_id=campaign_id, target_id=target_id).order_by("visited_at") \
        .values_list("visited_at", flat=True).first()
    rows.update(visits=visits - 1, first_at=earliest)
    if earliest is not None and earliest != first:
        _first_moved(campaign_id, target_id, first, earliest)


_VISIT_FIELDS = ("campaign_id", "target_id", "visited_at")


def _visit_saving(sender: Any, instance: Visit, **kwargs: Any) -> None:
    instance._counted_as = None  # type: ignore[attr-defined]
    if not instance._state.adding and instance.pk is not None and not _paused.get():
        instance._counted_as = Visit.objects.filter(pk=instance.pk).values_list(  # type: ignore[attr-defined]
            *_VISIT_FIELDS).first()


def _visit_saved(sender: Any, instance: Visit, created: bool, **kwargs: Any) -> None:
    if _paused.get():
        return
    now = (instance.campaign_id, instance.target_id, instance.visited_at)
    before = None if created else getattr(instance, "_counted_as", None)
    if before == now:
        return
    if before is not None:
        visit_removed(before[0], before[1])
    visit_added(*now)


def _visit_deleted(sender: Any, instance: Visit, **kwargs: Any) -> None:
    if not _paused.get():
        visit_removed(instance.campaign_id, instance.target_id)


# ---------------------------------------------------------------------------------------------- assignments


def _plan_day(campaign_id: int) -> tuple[bool, dt.date | None]:
    """Whether the campaign exists, and its plan day."""
    from zoufang.campaigns.models import Campaign

    found = Campaign.objects.filter(pk=campaign_id).values_list("plan_given_on", flat=True)
    return (True, found[0]) if found else (False, None)


def given_after_plan(plan_day: dt.date | None, given_on: dt.date | None) -> bool:
    """Work given on `given_on` counts from its own day (`pace.later_than_plan`'s condition, in Python)."""
    return given_on is not None and (plan_day is None or given_on > plan_day)


def _later_delta(campaign_id: int, changes: dict[tuple[str, str, int, int | None, dt.date | None], int]) -> None:
    """Assignments (kind, region path, unit, cadre, day given) counted (+n) or uncounted (−n): those given after the
    plan day move their nodes' GivenLaterTally rows, in key order (the writer holds the campaign's exclusive lock)."""
    if not any(given_on is not None for (_kind, _path, _unit, _cadre, given_on) in changes):
        return
    exists, plan_day = _plan_day(campaign_id)
    if not exists:
        return
    deltas: dict[LaterKey, int] = defaultdict(int)
    for (kind, path, unit, cadre, given_on), n in changes.items():
        if n and given_on is not None and given_after_plan(plan_day, given_on):
            for key in nodes(kind, path, unit, cadre):
                deltas[(*key, given_on)] += n
    add_to_rows(GivenLaterTally, ["campaign_id", "region", "unit", "cadre", "kind", "given_on"], ["assigned"],
                ((campaign_id, region, unit, cadre, kind, day, n) for (kind, region, unit, cadre, day), n
                 in sorted(deltas.items(), key=lambda item: item[0][1:4] + item[0][:1] + item[0][4:]) if n))


def _assignment_delta(campaign_id: int, target_id: int, unit: int, cadre: int | None, sign: int,
                      placed: tuple[str, str] | None = None, given_on: dt.date | None = None) -> None:
    """Count (+1) or uncount (−1) one assignment in its nodes, with the target's kind and region path as they
    are now, or as `placed` (kind, path) says they were; given on `given_on`, in its nodes' work given later when
    that is after the plan day (`_later_delta`)."""
    found = placed or Target.objects.filter(pk=target_id).values_list("kind", "region__path").first()
    if found is None:
        return
    kind, path = found
    _later_delta(campaign_id, {(kind, path or "", unit, cadre, given_on): sign})
    first = VisitedTarget.objects.filter(campaign_id=campaign_id, target_id=target_id) \
        .values_list("first_at", flat=True).first()
    _bump(campaign_id, {key: [sign, sign if first else 0] for key in nodes(kind, path or "", unit, cadre)})
    if first is not None:
        _weekly(campaign_id, kind, {monday(first): sign})


_ASSIGNMENT_FIELDS = ("campaign_id", "target_id", "unit_id", "cadre_id", "given_on")


def _assignment_saving(sender: Any, instance: Assignment, **kwargs: Any) -> None:
    instance._counted_as = None  # type: ignore[attr-defined]
    if not instance._state.adding and instance.pk is not None and not _paused.get():
        instance._counted_as = Assignment.objects.filter(pk=instance.pk).values_list(  # type: ignore[attr-defined]
            *_ASSIGNMENT_FIELDS).first()


def _assignment_saved(sender: Any, instance: Assignment, created: bool, **kwargs: Any) -> None:
    if _paused.get():
        return
    now = (instance.campaign_id, instance.target_id, instance.unit_id, instance.cadre_id, instance.given_on)
    before = None if created else getattr(instance, "_counted_as", None)
    if before == now:
        return
    _lock(instance.campaign_id, exclusive=True)
    if before is not None and before[:4] == now[:4]:  # given anew to the same holder: its day alone moved
        placed = Target.objects.filter(pk=instance.target_id).values_list("kind", "region__path").first()
        if placed is not None:
            kind, path = placed
            node = (kind, path or "", instance.unit_id, instance.cadre_id)
            _later_delta(instance.campaign_id, {(*node, before[4]): -1, (*node, now[4]): +1})
        return
    if before is not None:
        campaign_id, target_id, unit_id, cadre_id, given_on = before
        _lock(campaign_id, exclusive=True)
        _assignment_delta(campaign_id, target_id, unit_id, cadre_id, sign=-1, given_on=given_on)
    campaign_id, target_id, unit_id, cadre_id, given_on = now
    _assignment_delta(campaign_id, target_id, unit_id, cadre_id, sign=+1, given_on=given_on)


def _assignment_deleted(sender: Any, instance: Assignment, **kwargs: Any) -> None:
    if _paused.get():
        return
    _lock(instance.campaign_id, exclusive=True)
    _assignment_delta(instance.campaign_id, instance.target_id, instance.unit_id, instance.cadre_id, sign=-1,
                      given_on=instance.given_on)


def count_assignments(rows: QuerySet[Assignment], sign: int) -> None:
    """Assignments written in bulk counted (+1) or uncounted (−1) in one pass: the one function every bulk writer
    of assignments keeps the counts through (AssignmentQuerySet.delete, update, bulk_update, bulk_create: uncount
    before, count after). Their deltas summed per node in Python from one read, then one bump per campaign, where
    the receivers above would pay a handful of queries per row; the caller writes with the counts paused."""
    if _paused.get():
        return
    rows = rows.order_by()
    for campaign_id in sorted(set(rows.values_list("campaign_id", flat=True).distinct())):
        _lock(campaign_id, exclusive=True)  # before reading: no visit in flight counts against a stale row
    first = VisitedTarget.objects.filter(campaign_id=OuterRef("campaign_id"), target_id=OuterRef("target_id"))
    deltas: dict[int, dict[Key, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    weeks: dict[tuple[int, str], dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    later: dict[int, dict[tuple[str, str, int, int | None, dt.date | None], int]] = defaultdict(
        lambda: defaultdict(int))
    found = rows.annotate(first_at=Subquery(first.values("first_at")[:1])).values_list(
        "campaign_id", "target__kind", "target__region__path", "unit_id", "cadre_id", "first_at", "given_on")
    for campaign_id, kind, path, unit, cadre, first_at, given_on in found.iterator(chunk_size=CHUNK):
        later[campaign_id][(kind, path or "", unit, cadre, given_on)] += sign
        for key in nodes(kind, path or "", unit, cadre):
            change = deltas[campaign_id][key]
            change[0] += sign
            change[1] += sign if first_at else 0
        if first_at is not None:
            weeks[(campaign_id, kind)][monday(first_at)] += sign
    for campaign_id, changes in deltas.items():
        _bump(campaign_id, changes)
    for campaign_id, given in sorted(later.items()):
        _later_delta(campaign_id, given)
    for (campaign_id, kind), week_changes in sorted(weeks.items()):
        _weekly(campaign_id, kind, week_changes)


# ---------------------------------------------------------------------------------------------- targets


def placements(target_ids: Any) -> dict[int, tuple[str, str]]:
    """Each target's (kind, region path): what its assignments are counted under. Read it before a bulk write
    that may move targets or change their kind, and hand it to `targets_moved` after."""
    ids = list(target_ids)
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), CHUNK):  # a bounded number of parameters a query, whatever the file holds
        found.update((pk, (kind, path or "")) for pk, kind, path in Target.objects.filter(
            pk__in=ids[start:start + CHUNK]).values_list("pk", "kind", "region__path"))
    return found


def targets_moved(before: dict[int, tuple[str, str]]) -> None:
    """Targets whose region or kind changed since `placements` read `before`: each of their assignments is
    uncounted from the old nodes and counted in the new ones, in every campaign (bulk writers call this; a
    Target saved through the ORM does it by itself)."""
    if _paused.get() or not before:
        return
    now = placements(list(before))
    moved = [pk for pk, placed in before.items() if pk in now and now[pk] != placed]
    if not moved:
        return
    rows = sorted((row for start in range(0, len(moved), CHUNK) for row in Assignment.objects.filter(
        target_id__in=moved[start:start + CHUNK]).values_list("campaign_id", "target_id", "unit_id", "cadre_id",
                                                              "given_on")), key=lambda row: row[:4])
    locked: set[int] = set()
    for campaign_id, target_id, unit_id, cadre_id, given_on in rows:
        if campaign_id not in locked:
            _lock(campaign_id, exclusive=True)
            locked.add(campaign_id)
        _assignment_delta(campaign_id, target_id, unit_id, cadre_id, sign=-1, placed=before[target_id],
                          given_on=given_on)
        _assignment_delta(campaign_id, target_id, unit_id, cadre_id, sign=+1, placed=now[target_id],
                          given_on=given_on)


def _target_saving(sender: Any, instance: Target, **kwargs: Any) -> None:
    instance._placed_as = None  # type: ignore[attr-defined]
    if not instance._state.adding and instance.pk is not None and not _paused.get():
        instance._placed_as = placements([instance.pk])  # type: ignore[attr-defined]


def _target_saved(sender: Any, instance: Target, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_placed_as", None)
    if not created and before:
        targets_moved(before)


def connect() -> None:
    pre_save.connect(_target_saving, sender=Target, dispatch_uid="counters-target-saving")
    post_save.connect(_target_saved, sender=Target, dispatch_uid="counters-target-saved")
    pre_save.connect(_visit_saving, sender=Visit, dispatch_uid="counters-visit-saving")
    post_save.connect(_visit_saved, sender=Visit, dispatch_uid="counters-visit-saved")
    post_delete.connect(_visit_deleted, sender=Visit, dispatch_uid="counters-visit-deleted")
    pre_save.connect(_assignment_saving, sender=Assignment, dispatch_uid="counters-assignment-saving")
    post_save.connect(_assignment_saved, sender=Assignment, dispatch_uid="counters-assignment-saved")
    post_delete.connect(_assignment_deleted, sender=Assignment, dispatch_uid="counters-assignment-deleted")


# ---------------------------------------------------------------------------------------------- recount


def recount(campaign_id: int) -> dict[Key, tuple[int, int]]:
    """Every node's (assigned, visited) counted afresh from the assignments and the visits themselves: the
    assignments grouped by kind, leaf region, unit and cadre, joined to the campaign's distinct visited
    targets (one hash join, not a lookup per assignment), then spread over each group's nodes."""
    quote = connection.ops.quote_name
    sql = (
        f"SELECT t.kind, r.path, a.unit_id, a.cadre_id, COUNT(*), COUNT(v.target_id) "  # noqa: S608
        f"FROM {quote(Assignment._meta.db_table)} a JOIN {quote(Target._meta.db_table)} t ON t.id = a.target_id "
        f"LEFT JOIN {quote(Region._meta.db_table)} r ON r.id = t.region_id "
        f"LEFT JOIN (SELECT DISTINCT target_id FROM {quote(Visit._meta.db_table)} WHERE campaign_id = %s) v "
        "ON v.target_id = a.target_id WHERE a.campaign_id = %s GROUP BY t.kind, r.path, a.unit_id, a.cadre_id"
    )
    counts: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign_id, campaign_id])
        for kind, path, unit, cadre, assigned, seen in cursor.fetchall():
            for key in nodes(kind, path or "", unit, cadre):
                count = counts[key]
                count[0] += assigned
                count[1] += seen
    return {key: (a, v) for key, (a, v) in counts.items()}


def recount_later(campaign_id: int) -> dict[LaterKey, int]:
    """Every node's work given after the campaign's plan day, per day given, counted afresh from the assignments
    (through `assignment_campaign_given`): what GivenLaterTally keeps."""
    exists, plan_day = _plan_day(campaign_id)
    if not exists:
        return {}
    quote = connection.ops.quote_name
    after, params = ("a.given_on > %s", [connection.ops.adapt_datefield_value(plan_day)]) \
        if plan_day is not None else ("a.given_on IS NOT NULL", [])
    sql = (
        f"SELECT t.kind, r.path, a.unit_id, a.cadre_id, a.given_on, COUNT(*) "  # noqa: S608
        f"FROM {quote(Assignment._meta.db_table)} a JOIN {quote(Target._meta.db_table)} t ON t.id = a.target_id "
        f"LEFT JOIN {quote(Region._meta.db_table)} r ON r.id = t.region_id "
        f"WHERE a.campaign_id = %s AND {after} GROUP BY t.kind, r.path, a.unit_id, a.cadre_id, a.given_on"
    )
    counts: dict[LaterKey, int] = defaultdict(int)
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign_id, *params])
        for kind, path, unit, cadre, given_on, n in cursor.fetchall():
            day = given_on if isinstance(given_on, dt.date) else dt.date.fromisoformat(str(given_on))
            for key in nodes(kind, path or "", unit, cadre):
                counts[(*key, day)] += n
    return dict(counts)


def kept_later(campaign_id: int) -> dict[LaterKey, int]:
    rows = GivenLaterTally.objects.filter(campaign_id=campaign_id).exclude(assigned=0).values_list(
        "kind", "region", "unit", "cadre", "given_on", "assigned")
    return {(kind, region, unit, cadre, day): n for kind, region, unit, cadre, day, n in rows.iterator(10_000)}


def rebuild_later(campaign_id: int) -> None:
    """The campaign's GivenLaterTally rows rewritten from a recount (every rebuild; a plan that sets the plan day)."""
    with transaction.atomic():
        _lock(campaign_id, exclusive=True)
        counts = recount_later(campaign_id)
        GivenLaterTally.objects.filter(campaign_id=campaign_id).delete()
        write_rows(GivenLaterTally, ["campaign_id", "kind", "region", "unit", "cadre", "given_on", "assigned"],
                   ((campaign_id, kind, region, unit, cadre, day.isoformat(), counts[(kind, region, unit, cadre, day)])
                    for kind, region, unit, cadre, day in sorted(counts, key=lambda k: (k[3], k[1], k[2], k[0], k[4]))))


def cadre_counts(counts: dict[Key, tuple[int, int]]) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """From every node's counts: each (unit, cadre)'s assigned over the kinds, and each unit's cadres holding any."""
    held: dict[tuple[int, int], int] = defaultdict(int)
    for (_kind, region, unit, cadre), (assigned, _visited) in counts.items():
        if region == 0 and cadre > 0:
            held[(unit, cadre)] += assigned
    units: dict[int, int] = defaultdict(int)
    for (unit, _cadre), n in held.items():
        units[unit] += n > 0
    return {key: n for key, n in held.items() if n}, {unit: n for unit, n in units.items() if n}


def kept_cadres(campaign_id: int) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    held = CadreTally.objects.filter(campaign_id=campaign_id, assigned__gt=0)
    units = UnitCadres.objects.filter(campaign_id=campaign_id, cadres__gt=0)
    return ({(unit, cadre): n for unit, cadre, n in held.values_list("unit", "cadre", "assigned").iterator(10_000)},
            dict(units.values_list("unit", "cadres")))


def kept_cadre_kinds(campaign_id: int) -> dict[int, dict[str, tuple[int, int]]]:
    rows = CadreCoverage.objects.filter(campaign_id=campaign_id).values_list("cadre", *KIND_COUNTS)
    return {cadre: {kind: (n[2 * i], n[2 * i + 1]) for i, kind in enumerate(KINDS)}
            for cadre, *n in rows.iterator(10_000)}


def kept(campaign_id: int) -> dict[Key, tuple[int, int]]:
    rows = CoverageTally.objects.filter(campaign_id=campaign_id).values_list(
        "kind", "region", "unit", "cadre", "assigned", "visited")
    return {(kind, region, unit, cadre): (a, v) for kind, region, unit, cadre, a, v in rows.iterator(10_000)
            if a or v}


def recount_weekly(campaign_id: int) -> dict[tuple[str, dt.date], int]:
    """Assigned targets per kind and week of their first visit, from the VisitedTarget rows (which `verify`
    holds against the visits themselves): grouped by TruncWeek in the database, as the weekly curve was."""
    grouped = (
        VisitedTarget.objects.filter(campaign_id=campaign_id, target__assignments__campaign_id=campaign_id)
        .annotate(week=TruncWeek("first_at")).values_list("target__kind", "week").annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[str, dt.date], int] = defaultdict(int)
    for kind, week, n in grouped:
        counts[(kind, clock.local(week).date() if isinstance(week, dt.datetime) else week)] += n
    return dict(counts)


def kept_weekly(campaign_id: int) -> dict[tuple[str, dt.date], int]:
    rows = WeeklyTally.objects.filter(campaign_id=campaign_id).exclude(first_visits=0)
    return {(kind, week): n for kind, week, n in rows.values_list("kind", "week", "first_visits")}


def _visited_sql(campaign_id: int) -> tuple[str, str, list[Any]]:
    visits = connection.ops.quote_name(Visit._meta.db_table)
    table = connection.ops.quote_name(VisitedTarget._meta.db_table)
    counted = (f"SELECT campaign_id, target_id, COUNT(*) AS visits, MIN(visited_at) AS first_at FROM {visits} "  # noqa: S608
               "WHERE campaign_id = %s GROUP BY campaign_id, target_id")
    kept_rows = f"SELECT campaign_id, target_id, visits, first_at FROM {table} WHERE campaign_id = %s"  # noqa: S608
    return counted, kept_rows, [campaign_id]


@dataclass
class TargetDifference:
    target_id: int
    counted: tuple[int, dt.datetime] | None  # (visits, first) from the visits
    kept: tuple[int, dt.datetime] | None


def visited_differences(campaign_id: int, limit: int = 50) -> tuple[int, list[TargetDifference]]:
    """Targets whose VisitedTarget row differs from their visits (missing, extra, or other numbers)."""
    counted, kept_rows, params = _visited_sql(campaign_id)
    found: dict[int, TargetDifference] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(DISTINCT target_id) FROM (SELECT target_id FROM ({counted} EXCEPT {kept_rows}) "  # noqa: S608
                       f"AS a UNION ALL SELECT target_id FROM ({kept_rows} EXCEPT {counted}) AS b) AS d", params * 4)
        total = cursor.fetchone()[0]
        for side, first, second in (("counted", counted, kept_rows), ("kept", kept_rows, counted)):
            cursor.execute(f"SELECT * FROM ({first} EXCEPT {second}) AS d ORDER BY 2 LIMIT {int(limit)}",  # noqa: S608
                           params * 2)
            for _campaign, target, visits, first_at in cursor.fetchall():
                row = found.setdefault(target, TargetDifference(target, None, None))
                setattr(row, side, (visits, first_at))
    return total, sorted(found.values(), key=lambda d: d.target_id)[:limit]


def rebuild(campaign_id: int) -> None:
    """The campaign's VisitedTarget rows and tallies rewritten from a recount (run_plan; verify --repair)."""
    with transaction.atomic():
        _lock(campaign_id, exclusive=True)
        counted, _kept, params = _visited_sql(campaign_id)
        VisitedTarget.objects.filter(campaign_id=campaign_id).delete()
        table = connection.ops.quote_name(VisitedTarget._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} (campaign_id, target_id, visits, first_at) {counted}",  # noqa: S608
                           params)
        rebuild_tallies(campaign_id)


def rebuild_tallies(campaign_id: int) -> None:
    with transaction.atomic():
        _lock(campaign_id, exclusive=True)
        counts = recount(campaign_id)
        CoverageTally.objects.filter(campaign_id=campaign_id).delete()
        # Plain rows (COPY on PostgreSQL): a city's plan keeps tens of thousands of nodes, and model instances
        # cost run_plan more than the recount itself. In `tally_cadre`'s order (cadre, region, unit): the whole
        # campaign's cadres then lie on adjacent pages (the behind-pace list reads them all; migration 0007).
        write_rows(CoverageTally, ["campaign_id", "kind", "region", "unit", "cadre", "assigned", "visited"],
                   ((campaign_id, kind, region, unit, cadre, *counts[(kind, region, unit, cadre)])
                    for kind, region, unit, cadre in sorted(counts, key=lambda k: (k[3], k[1], k[2], k[0]))))
        held, units = cadre_counts(counts)
        CadreTally.objects.filter(campaign_id=campaign_id).delete()
        write_rows(CadreTally, ["campaign_id", "unit", "cadre", "assigned"],
                   ((campaign_id, unit, cadre, n) for (unit, cadre), n in held.items()))
        UnitCadres.objects.filter(campaign_id=campaign_id).delete()
        write_rows(UnitCadres, ["campaign_id", "unit", "cadres"], ((campaign_id, unit, n) for unit, n in units.items()))
        CadreCoverage.objects.filter(campaign_id=campaign_id).delete()
        by_kind = cadre_kinds(counts.items())
        write_rows(CadreCoverage, ["campaign_id", "cadre", *KIND_COUNTS],
                   ((campaign_id, cadre, *_kind_row(by_kind[cadre])) for cadre in sorted(by_kind)))
        rebuild_later(campaign_id)
        WeeklyTally.objects.filter(campaign_id=campaign_id).delete()
        WeeklyTally.objects.bulk_create(
            WeeklyTally(campaign_id=campaign_id, kind=kind, week=week, first_visits=n)
            for (kind, week), n in recount_weekly(campaign_id).items())


@dataclass
class Verdict:
    """`zoufang oversight verify` for one campaign: the nodes and targets whose kept counts differ."""

    campaign_id: int
    nodes: list[tuple[Key, tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # key, counted, kept
    targets: int = 0
    target_rows: list[TargetDifference] = field(default_factory=list)
    weeks: list[tuple[tuple[str, dt.date], int, int]] = field(default_factory=list)  # (kind, week), counted, kept
    # (unit, cadre) — cadre 0 for the unit's count of cadres — counted, kept
    cadres: list[tuple[tuple[int, int], int, int]] = field(default_factory=list)
    # (cadre, kind), counted (assigned, visited), kept: a cadre's row of counts by kind over their units
    cadre_kinds: list[tuple[tuple[int, str], tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    # (kind, region, unit, cadre, day given), counted, kept: a node's work given after the plan day
    later: list[tuple[LaterKey, int, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.nodes or self.targets or self.weeks or self.cadres or self.cadre_kinds or self.later)


def verify(campaign_id: int) -> Verdict:
    counted = recount(campaign_id)
    kept_counts = kept(campaign_id)
    verdict = Verdict(campaign_id)
    verdict.nodes = _differences(counted, kept_counts, (0, 0), order=lambda key: key[1:] + key[:1])
    verdict.targets, verdict.target_rows = visited_differences(campaign_id)
    (held, units), (kept_held, kept_units) = cadre_counts(counted), kept_cadres(campaign_id)
    verdict.cadres = _differences({**held, **{(unit, 0): n for unit, n in units.items()}},
                                  {**kept_held, **{(unit, 0): n for unit, n in kept_units.items()}}, 0)
    verdict.cadre_kinds = _differences(_by_cadre_and_kind(cadre_kinds(counted.items())),
                                       _by_cadre_and_kind(kept_cadre_kinds(campaign_id)), (0, 0))
    verdict.weeks = _differences(recount_weekly(campaign_id), kept_weekly(campaign_id), 0)
    verdict.later = _differences(recount_later(campaign_id), kept_later(campaign_id), 0,
                                 order=lambda key: key[1:4] + key[:1] + key[4:])
    return verdict


def _differences(counted: dict[Any, Any], kept_counts: dict[Any, Any], none: Any,
                 order: Callable[[Any], Any] | None = None) -> list[tuple[Any, Any, Any]]:
    """(key, counted, kept) for every key whose counts differ, a missing key counting `none`, in key order (or
    `order`'s)."""
    return [(key, counted.get(key, none), kept_counts.get(key, none))
            for key in sorted(set(counted) | set(kept_counts), key=order)
            if counted.get(key, none) != kept_counts.get(key, none)]


def _by_cadre_and_kind(counts: dict[int, dict[str, tuple[int, int]]]) -> dict[tuple[int, str], tuple[int, int]]:
    return {(cadre, kind): numbers for cadre, kinds in counts.items() for kind, numbers in kinds.items()}
