"""Kept case results: each case's contribution to its nodes, moved in the transaction that changes the case.

Decision 0005, addendum (case results). A counted case (not merged) sits under seven nodes of the whole
campaign — the total, its handling unit, its village, its top-level category (the 六个一), the week and the month
it was raised, its status — and the same seven inside its unit (the unit's page). `CaseTally` keeps per node, in
its row of `TIMELESS_DAY`, the results that do not depend on the day read (`figures.CASE_MEASURES`), and in a row
per handling-deadline day the cases that count once that day has passed (`figures.CASE_DUE_MEASURES`: 按时办结率's
denominator, overdue now), so a figure on any day sums the node's rows before it: one range of the node key.
`CaseCounted` records what each case contributes now: a change subtracts it and adds the new one.

- Hooks: a Case saved or deleted through the ORM (creation, the publication's saves) and a CaseEvent written
  (every transition in `cases.transition.run`, which writes the case with `QuerySet.update` and then its
  event) call `refresh` through the signals below, inside their transaction; `cases.tick` calls it after its
  own update of the deadline. `refresh` locks the case row (`run` and `tick` hold it already), recomputes the
  case's contribution with the figures' own conditions, and moves the difference.
- Tally rows change by `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`, in key order: no lost increment,
  no deadlock between two cases' changes.
- `zoufang oversight verify` recounts every case and compares; `--repair` (`rebuild`) rewrites from the recount.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save

from zoufang import clock
from zoufang.cases.models import Case, CaseEvent
from zoufang.core.bulk import add_to_rows, write_rows
from zoufang.core.moves import moves
from zoufang.core.rawrows import CompiledValues
from zoufang.oversight import counters, figures
from zoufang.oversight.models import TIMELESS_DAY, CaseCounted, CaseTally
from zoufang.regions.models import Region

# The order of the bits in CaseCounted.flags.
TIMELESS = ("total", "registered", "registered_on_time", "dispatched", "done_on_time", "answered", "resolved",
            "rated", "satisfied", "open", "escalated")
DUE = ("pending", "overdue")
MEASURES = TIMELESS + DUE
# A CaseTally row's node key: the campaign, the Node and the deadline day (TIMELESS_DAY for the timeless results).
KEYS = ["campaign_id", "unit", "grouping", "key", "day"]
GROUPINGS = ("total", "unit", "village", "category", "week", "month", "status")
CHUNK = 2000

Node = tuple[int, str, str]  # (unit scope: 0 or the unit's id, grouping, key)

@dataclass(frozen=True)
class Contribution:
    """What one counted case adds: its nodes' keys and its measures (one bit each, in MEASURES order)."""

    campaign: int
    unit: int
    village: int
    category: int
    week: dt.date
    month: dt.date
    status: str
    due: dt.date | None
    flags: int

    def nodes(self) -> list[Node]:
        keys = {"total": "", "unit": _id(self.unit), "village": _id(self.village), "category": _id(self.category),
                "week": self.week.isoformat(), "month": self.month.isoformat(), "status": self.status}
        scopes = (0, self.unit) if self.unit else (0,)
        return [(scope, grouping, keys[grouping]) for scope in scopes for grouping in GROUPINGS]

    def has(self, measure: str) -> bool:
        return bool(self.flags >> MEASURES.index(measure) & 1)

    @classmethod
    def of(cls, row: CaseCounted) -> "Contribution":
        return cls(row.campaign_id, row.unit, row.village, row.category, row.week, row.month, row.status, row.due,
                   row.flags)


def _id(value: int) -> str:
    return str(value) if value else ""


def _raised(moment: dt.datetime) -> tuple[dt.date, dt.date]:
    """The Beijing Monday and first of the month of a moment: TruncWeek / TruncMonth in the figures."""
    day = clock.local(moment).date()
    return day - dt.timedelta(days=day.weekday()), day.replace(day=1)


def _contribution_rows(rows: QuerySet[Case]) -> "QuerySet[Case, tuple[Any, ...]]":
    """Each case's nodes and measures, computed in the database with the figures' own conditions."""
    conditions = {**figures.CASE_MEASURES, **figures.CASE_DUE_MEASURES}
    # The village: the case's region or the ancestor at that level (a 村民小组 or 网格 is at most two below it).
    ancestry = ("region_id", "region__level", "region__parent_id", "region__parent__level",
                "region__parent__parent_id", "region__parent__parent__level")
    return (figures.with_answer_day(rows.exclude(status=Case.Status.MERGED))
            .annotate(top=Coalesce(F("category__parent_id"), F("category_id")))
            .values_list("pk", "campaign_id", "unit_id", *ancestry, "top", "raised_at", "status", "handling_due")
            .annotate(**{f"m_{name}": Count("id", filter=conditions[name] if name != "total" else Q())
                         for name in MEASURES})
            .order_by("pk"))


# One case's row, read for every case written (a visit's draft among them): compiled once per process.
_ONE_CASE = CompiledValues(lambda pk: _contribution_rows(Case.objects.filter(pk=pk)), arity=1)


def contributions(campaign_id: int | None = None,
                  case_ids: Iterable[int] | None = None) -> Iterator[tuple[int, Contribution]]:
    """(case id, Contribution) of the counted cases of a campaign or of the given ids, computed afresh in the
    database with the figures' own conditions (one row per case)."""
    ids = None if case_ids is None else list(case_ids)
    data: Iterable[tuple[Any, ...]]
    if campaign_id is None and ids is not None and len(ids) == 1:
        data = _ONE_CASE.rows(ids[0])
    else:
        rows = Case.objects.all()
        if campaign_id is not None:
            rows = rows.filter(campaign_id=campaign_id)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        # Up to a chunk of ids in one plain fetch; more, or a campaign's cases, through a server-side cursor,
        # whose declaration and fetches cost a few round trips more.
        found = _contribution_rows(rows)
        data = found if ids is not None and len(ids) <= CHUNK else found.iterator(CHUNK)
    for row in data:
        pk, campaign, unit = row[:3]
        regions = row[3:9]
        top, raised_at, status, due = row[9:13]
        measures = row[13:]
        village = next((regions[i] for i in (0, 2, 4) if regions[i + 1] == Region.Level.VILLAGE), None)
        week, month = _raised(raised_at)
        flags = sum(1 << index for index, n in enumerate(measures) if n)
        yield pk, Contribution(campaign, unit or 0, village or 0, top or 0, week, month, status,
                               due if flags >> len(TIMELESS) else None, flags)

# ---------------------------------------------------------------------------------------------- upkeep


def _spread(deltas: tuple[dict[Node, list[int]], dict[tuple[Node, dt.date], list[int]]], part: Contribution,
            sign: int) -> None:
    timeless, due = deltas
    values = [sign if part.has(name) else 0 for name in TIMELESS]
    pending = [sign if part.has(name) else 0 for name in DUE]
    for node in part.nodes():
        row = timeless[node]
        for index, value in enumerate(values):
            row[index] += value
        if part.due is not None and any(pending):
            dated = due[(node, part.due)]
            for index, value in enumerate(pending):
                dated[index] += value


def _new_deltas() -> tuple[dict[Node, list[int]], dict[tuple[Node, dt.date], list[int]]]:
    return defaultdict(lambda: [0] * len(TIMELESS)), defaultdict(lambda: [0] * len(DUE))


Deltas = tuple[dict[Node, list[int]], dict[tuple[Node, dt.date], list[int]]]


def _bump(campaign_id: int, deltas: Deltas) -> None:
    """Add the deltas to each node's rows (created when new), one statement a table, rows in key order; inside a
    `counters.written_last()` block (a visit submission drafting cases), added up and written when it ends, so
    the campaign's shared rows are locked only from there to the commit (decision 0009)."""
    held = counters.held_for("cases", dict, _write_held)
    if held is not None:
        kept_timeless, kept_due = held.setdefault(campaign_id, _new_deltas())
        for node, change in deltas[0].items():
            kept_timeless[node] = [a + b for a, b in zip(kept_timeless[node], change, strict=True)]
        for at, change in deltas[1].items():
            kept_due[at] = [a + b for a, b in zip(kept_due[at], change, strict=True)]
        return
    _write(campaign_id, deltas)


def _write_held(held: dict[int, Deltas]) -> None:
    for campaign_id, deltas in sorted(held.items()):
        _write(campaign_id, deltas)


def _write(campaign_id: int, deltas: Deltas) -> None:
    """One statement for the timeless and the dated rows alike, in node-key order (no deadlock between writers)."""
    add_to_rows(CaseTally, KEYS, list(MEASURES), ((campaign_id, *row) for row in sorted(_tally_rows(*deltas))))


def _tally_rows(timeless: dict[Node, Any], due: dict[tuple[Node, dt.date], Any]) -> Iterator[tuple[Any, ...]]:
    """CaseTally rows (node, day, the counts of MEASURES) of the nonzero timeless and dated counts."""
    no_due, no_timeless = (0,) * len(DUE), (0,) * len(TIMELESS)
    for node, counts in timeless.items():
        if any(counts):
            yield (*node, TIMELESS_DAY, *counts, *no_due)
    for (node, day), counts in due.items():
        if any(counts):
            yield (*node, day, *no_timeless, *counts)


# The cases whose contributions a `refreshed_last()` block moves as it ends; None outside one.
_later: ContextVar[set[int] | None] = ContextVar("case_counters_later", default=None)


@contextmanager
def refreshed_last() -> Iterator[None]:
    """A block of many case transitions (a day of the demo's cases, a bulk action): each case's kept contribution is
    moved once, by one `refresh_many` as the block ends, instead of after each save of the case and of each of its
    events (about two fifths of a transition's cost). Counts read inside the block do not show its changes yet; an
    exception rolls the block back with the enclosing transaction. A block inside another joins it."""
    with transaction.atomic(savepoint=False):
        if _later.get() is not None:
            yield
            return
        cases: set[int] = set()
        token = _later.set(cases)
        try:
            yield
        finally:
            _later.reset(token)
        refresh_many(cases)


def _refresh_soon(case_id: int, *, new: bool = False) -> None:
    """After a save: now, or as the enclosing `refreshed_last()` block ends (a new case then has no row yet either,
    which `refresh_many` finds)."""
    cases = _later.get()
    if cases is None:
        refresh(case_id, new=new)
    else:
        cases.add(case_id)


def refresh(case_id: int, *, new: bool = False) -> None:
    """Move the case's kept contribution to what it is now (in the caller's transaction); a `new` case has
    none yet."""
    refresh_many([case_id], new=new)


def refresh_many(case_ids: Iterable[int], *, new: bool = False) -> None:
    """Move the kept contributions of many cases to what they are now, in one pass (a few queries per CHUNK
    cases, one tally statement per campaign): the save signals for one case, and the bulk writes that bypass
    them (`CaseQuerySet.update`, `bulk_create`, `bulk_update`, and CaseEvent's) for thousands. `new` cases
    have no kept row yet."""
    ids = sorted(set(case_ids))
    with transaction.atomic(savepoint=False):
        for start in range(0, len(ids), CHUNK):
            _refresh_chunk(ids[start:start + CHUNK], new=new)


def _refresh_chunk(ids: list[int], *, new: bool) -> None:
    # Two writers of one case take turns on its counted row (and on the case row itself, which `run` and
    # `tick` lock first, as an UPDATE does; SQLite has one writer). Rows locked in case order: no deadlock
    # between two bulk writers. A new case has no row yet, and nobody else knows it.
    kept_rows = {} if new else {row.case: row for row in CaseCounted.objects.select_for_update()
                                .filter(case__in=ids).order_by("case")}
    now = dict(contributions(case_ids=ids))
    deltas: dict[int, Deltas] = {}

    def spread(part: Contribution, sign: int) -> None:
        _spread(deltas.setdefault(part.campaign, _new_deltas()), part, sign)

    found = moves(ids, {pk: Contribution.of(row) for pk, row in kept_rows.items()}, now, spread)
    for campaign_id, change in sorted(deltas.items()):
        _bump(campaign_id, change)
    found.store(CaseCounted, "case", kept_rows, _fields)


def _fields(part: Contribution) -> dict[str, Any]:
    return {"campaign_id": part.campaign, "unit": part.unit, "village": part.village, "category": part.category,
            "week": part.week, "month": part.month, "status": part.status, "due": part.due, "flags": part.flags}


def _case_saved(sender: Any, instance: Case, created: bool, **kwargs: Any) -> None:
    _refresh_soon(instance.pk, new=created)


def _case_deleted(sender: Any, instance: Case, **kwargs: Any) -> None:
    refresh(instance.pk)


ANSWERS = (Case.Status.RESOLVED, Case.Status.EXPLAINED)


def _event_saved(sender: Any, instance: CaseEvent, **kwargs: Any) -> None:
    """A transition (`run` writes the case with `QuerySet.update`, then its event); an event to 办结 or 解释说明
    also names the answer day. A case's first line (`record_creation`, no from-status) follows its creation,
    which the case's own post_save counted, and changes nothing unless it is such an answer."""
    if instance.from_status or instance.to_status in ANSWERS:
        _refresh_soon(instance.case_id)


def _event_deleted(sender: Any, instance: CaseEvent, **kwargs: Any) -> None:
    if Case.objects.filter(pk=instance.case_id).exists():
        refresh(instance.case_id)


def connect() -> None:
    post_save.connect(_case_saved, sender=Case, dispatch_uid="case-counters-case-saved")
    post_delete.connect(_case_deleted, sender=Case, dispatch_uid="case-counters-case-deleted")
    post_save.connect(_event_saved, sender=CaseEvent, dispatch_uid="case-counters-event-saved")
    post_delete.connect(_event_deleted, sender=CaseEvent, dispatch_uid="case-counters-event-deleted")


# ---------------------------------------------------------------------------------------------- recount


Row = tuple[int, str, str, dt.date]  # a CaseTally row's key within its campaign: (unit, grouping, key, day)
Counts = dict[Row, tuple[int, ...]]  # each row's counts, in MEASURES order; rows of zeros left out


def recount(campaign_id: int) -> tuple[Counts, dict[int, Contribution]]:
    """Every CaseTally row's counts afresh from the campaign's cases, and each case's contribution."""
    deltas = _new_deltas()
    cases: dict[int, Contribution] = {}
    for pk, part in contributions(campaign_id):
        cases[pk] = part
        _spread(deltas, part, +1)
    return {tuple(row[:4]): tuple(row[4:]) for row in _tally_rows(*deltas)}, cases


def kept(campaign_id: int) -> Counts:
    return {(unit, grouping, key, day): tuple(counts) for unit, grouping, key, day, *counts in CaseTally.objects
            .filter(campaign_id=campaign_id).values_list("unit", "grouping", "key", "day", *MEASURES)
            .iterator(10_000) if any(counts)}


def rebuild(campaign_id: int) -> None:
    """The campaign's CaseCounted rows and case tallies rewritten from a recount (verify --repair, migration)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # no transition of this campaign's cases half-seen
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(CaseCounted._meta.db_table)} "
                               "IN SHARE ROW EXCLUSIVE MODE")
        counted, cases = recount(campaign_id)
        for model in (CaseCounted, CaseTally):
            model.objects.filter(campaign_id=campaign_id).delete()
        # Plain rows (COPY on PostgreSQL): a city's campaign keeps hundreds of thousands of them, and model
        # instances cost more than the recount.
        day = connection.ops.adapt_datefield_value
        write_rows(CaseCounted, ["case", "campaign_id", "unit", "village", "category", "week", "month", "status", "due",
                                 "flags"],
                   ((pk, part.campaign, part.unit, part.village, part.category, day(part.week), day(part.month),
                     part.status, day(part.due), part.flags) for pk, part in cases.items()))
        write_rows(CaseTally, [*KEYS, *MEASURES],
                   ((campaign_id, unit, grouping, key, day(on), *counts)
                    for (unit, grouping, key, on), counts in counted.items()))


@dataclass
class CaseVerdict:
    """The case part of `zoufang oversight verify`: nodes and cases whose kept counts differ from the recount."""

    campaign_id: int
    nodes: list[tuple[Row, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)  # row, counted, kept
    cases: list[int] = field(default_factory=list)  # case ids whose CaseCounted row is missing, extra or stale

    @property
    def ok(self) -> bool:
        return not self.nodes and not self.cases


def verify(campaign_id: int) -> CaseVerdict:
    counted, cases = recount(campaign_id)
    stored_rows = kept(campaign_id)
    verdict = CaseVerdict(campaign_id)
    zero = (0,) * len(MEASURES)
    for row in sorted(set(counted) | set(stored_rows)):
        if counted.get(row, zero) != stored_rows.get(row, zero):
            verdict.nodes.append((row, counted.get(row, zero), stored_rows.get(row, zero)))
    stored = {row.case: Contribution.of(row) for row in CaseCounted.objects.filter(campaign_id=campaign_id)
              .iterator(10_000)}
    verdict.cases = sorted(pk for pk in set(cases) | set(stored) if cases.get(pk) != stored.get(pk))
    return verdict
