"""Planning actions: run (or preview) the planner, pin and unpin, store a decided department table."""

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.campaigns.models import Campaign
from zoufang.core.bulk import BATCH, write_rows
from zoufang.core.progress import Progress
from zoufang.core.progress import report as report_progress
from zoufang.oversight import counters
from zoufang.planning import proof
from zoufang.planning.check import check_plan, failures, member_mismatch_text
from zoufang.planning.models import Assignment, Quota, mark_given_later
from zoufang.planning.quotas import CONCENTRATION, QuotaPlan, class_label, plan_quotas
from zoufang.planning.snapshot import HOUSEHOLD, Slot, Snapshot, take_snapshot
from zoufang.planning.targets import TargetPlan, plan_targets
from zoufang.registry.imports import ImportReport, run_import
from zoufang.registry.models import Target, Unit

RUN_STEPS = 5  # what run_plan's progress counts: read, quotas, targets, written, proven


class PlanningError(Exception):
    pass


class PlanRejected(PlanningError):
    """The plan did not prove 不重不漏 inside its own transaction, so nothing of it was written."""

    def __init__(self, report: "PlanReport") -> None:
        self.report = report
        super().__init__(report.refusal())


@dataclass
class Move:
    target_id: int
    kind: str
    village: str
    before: str  # visitor's name, "" when it was unassigned
    after: str  # "" when it becomes unassigned


@dataclass
class PlanReport:
    applied: bool
    kept: int = 0
    added: int = 0
    moved: int = 0
    released: int = 0
    moves: list[Move] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    relaxed: list[dict[str, Any]] = field(default_factory=list)
    pairs: int = 0
    spread_units: list[dict[str, Any]] = field(default_factory=list)  # units over the concentration limit
    failures: list[str] = field(default_factory=list)  # why `plan check` would fail on this plan; empty: proven
    member_mismatches: list[dict[str, Any]] = field(default_factory=list)  # 党员人数 ≠ party members imported

    @property
    def changed(self) -> int:
        return self.added + self.moved + self.released

    def refusal(self) -> str:
        """The plain-Chinese reason a plan is not applied: every failure of the check, then what the planner said."""
        lines = [_("分配未通过核验（不重不漏），未写入："), *(f"  {f}" for f in self.failures[:30])]
        if len(self.failures) > 30:
            lines.append(_("  …… 共%(n)d项") % {"n": len(self.failures)})
        if self.notes:
            lines.append(_("分配说明："))
            lines.extend(f"  {note}" for note in self.notes[:30])
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "applied": self.applied, "kept": self.kept, "added": self.added, "moved": self.moved,
            "released": self.released, "notes": self.notes, "relaxed": self.relaxed, "unit_village_pairs": self.pairs,
            "units_over_two_villages": self.spread_units, "failures": self.failures,
            "member_mismatches": self.member_mismatches,
            "moves": [m.__dict__ for m in self.moves],
        }


def visitor_name(snap: Snapshot, slot: Slot | None, former: dict[int, tuple[str, str]] | None = None) -> str:
    """“派出所 张三”, or the unit alone for count-only units; `former` names cadres and units who left."""
    if slot is None:
        return ""
    unit_id, cadre_id = slot
    unit = snap.units[unit_id].name if unit_id in snap.units else (former or {}).get(-unit_id, ("", "?"))[1]
    if cadre_id is None:
        return unit
    cadre = snap.cadres.get(cadre_id)
    return f"{unit} {cadre.name}" if cadre else f"{unit} {(former or {}).get(cadre_id, ('', f'#{cadre_id}'))[1]}"


def run_plan(campaign: Campaign, *, by: Any = None, dry_run: bool = False,
             progress: Progress | None = None) -> PlanReport:
    """Plan the whole campaign again from the registry and the tables; keep what still holds.

    The plan is written, then proven by `plan check`'s own check in the same transaction; a preview,
    or a plan that does not prove 不重不漏, is rolled back. Not proven and not a preview: PlanRejected.
    `progress` is told the steps done of RUN_STEPS (read, quotas, targets, written, proven).
    """
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one planner at a time
        report_progress(progress, 0, RUN_STEPS)
        snap = take_snapshot(campaign)
        report_progress(progress, 1, RUN_STEPS)
        quotas = plan_quotas(snap)
        report_progress(progress, 2, RUN_STEPS)
        targets = plan_targets(snap, quotas.lines, quotas.direct)
        report_progress(progress, 3, RUN_STEPS)
        report = _compare(snap, quotas, targets, applied=False)
        _apply(snap, quotas, targets)
        report_progress(progress, 4, RUN_STEPS)
        result = check_plan(campaign)
        report.failures = failures(result)
        report.member_mismatches = result["member_mismatches"]
        report.notes.extend(member_mismatch_text(row) for row in report.member_mismatches)
        report.applied = not dry_run and not report.failures
        if report.applied:
            proof.store(campaign, result)  # the proof of the plan just written: the page reads it
            _mark_given(campaign, by=by)
            audit.record(by, AuditEvent.Action.UPDATE, campaign, summary=_("重新分配：保留%(kept)d，新增%(added)d，调整%(moved)d，释放%(released)d")
                         % {"kept": report.kept, "added": report.added, "moved": report.moved,
                            "released": report.released},
                         changes={"notes": report.notes[:50], "pairs": report.pairs})
        else:
            transaction.set_rollback(True)
    report_progress(progress, RUN_STEPS, RUN_STEPS)
    if report.failures and not dry_run:
        raise PlanRejected(report)
    return report


def _mark_given(campaign: Campaign, *, by: Any) -> None:
    """The first plan that gives any target dates the campaign's lists: the pace counts from that day when the
    rule's own start is earlier (oversight/pace.py). A later plan keeps the day. The day moves every figure of pace,
    so its setting is audited on its own (who, old → new), as the admin's change of it is."""
    if not Assignment.objects.filter(campaign=campaign).exists():
        return
    given = clock.today()
    if Campaign.objects.filter(pk=campaign.pk, plan_given_on__isnull=True).update(plan_given_on=given):
        audit.record(by, AuditEvent.Action.UPDATE, campaign, changes={"plan_given_on": [None, given.isoformat()]},
                     summary=_("分配下达日期：%(day)s（进度自此日起计算）") % {"day": clock.day(given)})
        counters.rebuild_later(campaign.pk)  # work dated before the plan day now counts with the plan
    # Work given before the plan (by hand) counts with it: no day after the plan's is left (decision 0042).
    Campaign.objects.filter(pk=campaign.pk, given_later_on__lte=given, plan_given_on=given).update(given_later_on=None)
    campaign.plan_given_on, campaign.given_later_on = Campaign.objects.values_list(
        "plan_given_on", "given_later_on").get(pk=campaign.pk)


def _compare(snap: Snapshot, quotas: QuotaPlan, targets: TargetPlan, *, applied: bool) -> PlanReport:
    report = PlanReport(applied=applied, notes=list(quotas.notes), relaxed=list(quotas.relaxed))
    former = _former_visitors(snap)
    for target_id in sorted(set(snap.assignments) | set(targets.assignment)):
        old = snap.assignments.get(target_id)
        new = targets.assignment.get(target_id)
        if old is not None and old.slot == new:
            report.kept += 1
            continue
        if old is None:
            report.added += 1
        elif new is None:
            report.released += 1
        else:
            report.moved += 1
        if old is not None:  # a first assignment is not a move; every change of an existing one is listed
            _class, village, _position = snap.target_place.get(target_id, ("", 0, 0))
            kind = snap.real_kind.get(target_id, "")
            report.moves.append(Move(target_id, kind, snap.village_name(village), visitor_name(snap, old.slot, former),
                                     visitor_name(snap, new)))
    villages_of: dict[int, set[int]] = defaultdict(set)
    by_kind: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for (slot, village, kind), _n in quotas.lines.items():
        if village == snap.town_id:  # the town's own targets are no village to concentrate in
            continue
        villages_of[slot[0]].add(village)
        by_kind[slot[0]][kind].add(village)
    departments = [u for u in snap.units.values() if u.kind == Unit.Kind.TOWN_DEPARTMENT]
    report.pairs = sum(len(villages_of[u.pk]) for u in departments)
    for unit in sorted(departments, key=lambda u: (u.sort_order, u.name)):
        if len(villages_of[unit.pk]) > CONCENTRATION:
            kinds = {class_label(k): sorted(snap.village_name(v) for v in vs)
                     for k, vs in by_kind[unit.pk].items()}
            report.spread_units.append({
                "unit": unit.name, "villages": sorted(snap.village_name(v) for v in villages_of[unit.pk]),
                "by_kind": kinds,
                "reason": _("所在村的各类对象余量不一：") + "；".join(_("%(k)s在%(v)s") % {
                    "k": k, "v": '、'.join(v),
                } for k, v in kinds.items()),
            })
    if report.spread_units:
        report.notes.append(_("%(n)d个部门走访超过2个村（社区）：剩余户数分散在各村，无法全部集中；已按最少的单位—村组合分配")
                            % {"n": len(report.spread_units)})
    return report


def _former_visitors(snap: Snapshot) -> dict[int, tuple[str, str]]:
    """Names of cadres (by id) and units (by -id) that still hold assignments but have left."""
    from zoufang.registry.models import Cadre

    cadres = {a.slot[1] for a in snap.assignments.values() if a.slot[1] is not None} - set(snap.cadres)
    units = {a.slot[0] for a in snap.assignments.values()} - set(snap.units)
    names: dict[int, tuple[str, str]] = {pk: ("", name) for pk, name in
                                         Cadre.objects.filter(pk__in=cadres).values_list("id", "name")}
    names.update({-pk: ("", name) for pk, name in Unit.objects.filter(pk__in=units).values_list("id", "name")})
    return names


def _apply(snap: Snapshot, quotas: QuotaPlan, targets: TargetPlan) -> None:
    campaign = snap.campaign
    # The plan's counts as named: per visitor, village and kind (classes such as 群众家庭 split back).
    counts: dict[tuple[Slot, int, str], int] = defaultdict(int)
    sources: dict[tuple[Slot, int, str], str] = {}
    for target_id, slot in targets.assignment.items():
        key_class, village, _position = snap.target_place[target_id]
        key = (slot, village, snap.real_kind[target_id])
        counts[key] += 1
        if key not in sources:
            sources[key] = ("上下谈一级" if target_id in quotas.direct
                            else quotas.sources.get((slot, village, key_class), ""))
    for (slot, village, key_class), count in quotas.lines.items():  # a leader's 挂钩 village with nothing left
        kind = key_class.partition("|")[0]
        kind = Target.Kind.REGISTERED_HOUSEHOLD if kind == HOUSEHOLD else kind
        if count == 0 and (slot, village, kind) not in counts:
            counts[(slot, village, kind)] = 0
            sources[(slot, village, kind)] = quotas.sources.get((slot, village, key_class), "")
    Quota.objects.filter(campaign=campaign).delete()
    write_rows(Quota, ["campaign_id", "unit_id", "cadre_id", "region_id", "target_kind", "count", "source"],
               [(campaign.pk, slot[0], slot[1], village, kind, count, sources[(slot, village, kind)])
                for (slot, village, kind), count in sorted(counts.items(), key=lambda item: str(item[0]))])
    stale = [t for t in snap.assignments if targets.assignment.get(t) != snap.assignments[t].slot]
    with counters.paused():  # the kept coverage counts are rebuilt once, below
        for chunk in _chunks(stale, 5000):
            Assignment.objects.filter(campaign=campaign, target_id__in=chunk).delete()
    fresh = [(t, slot) for t, slot in sorted(targets.assignment.items())
             if t not in snap.assignments or snap.assignments[t].slot != slot]
    insert_assignments(campaign.pk, fresh)
    if fresh and campaign.plan_given_on is not None:  # a later plan: what it adds or moves is given today
        mark_given_later(campaign.pk, clock.today())
    if stale or fresh:
        counters.rebuild_tallies(campaign.pk)


ANALYZE_FROM = 50_000  # new assignment rows after which the planner refreshes the table's statistics


def insert_assignments(campaign_id: int, rows: list[tuple[int, Slot]]) -> None:
    """New assignments as plain rows, never model instances (a city's million would spend minutes in them).

    PostgreSQL: one COPY fed with text lines built here (public ids from one urandom read): several times
    faster than batched INSERTs, and than psycopg's per-row COPY. SQLite: executemany in batches.
    """
    meta = Assignment._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ["public_id", "created_at", "modified_at", "version", "campaign_id", "target_id", "unit_id",
               "cadre_id", "pinned", "given_on"]
    now = clock.now()
    given = clock.today()
    if connection.vendor == "postgresql":
        head = f"\t{now.isoformat()}\t{now.isoformat()}\t1\t{int(campaign_id)}\t"
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for start in range(0, len(rows), BATCH):
                batch = rows[start:start + BATCH]
                copy.write("".join(
                    f"{public_id}{head}{int(target)}\t{int(unit)}\t{NULL if cadre is None else int(cadre)}\tf\t"
                    f"{given.isoformat()}\n"
                    for public_id, (target, (unit, cadre)) in zip(uuid4_hex(len(batch)), batch, strict=True)))
        if len(rows) >= ANALYZE_FROM:
            # The proof and the tallies query these rows in this same transaction: without fresh statistics
            # (autovacuum has not seen them) PostgreSQL plans a million rows as a handful (nested loops).
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {table}")
        return
    stamp = meta.get_field("created_at").get_db_prep_value(now, connection)
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        write_rows(Assignment, columns, [
            (public_id, stamp, stamp, 1, campaign_id, target, unit, cadre, False, given)
            for public_id, (target, (unit, cadre)) in zip(uuid4_hex(len(batch)), batch, strict=True)])


NULL = "\\N"  # COPY's text format


def uuid4_hex(n: int) -> list[str]:
    """`n` random (version 4) UUIDs as 32 hex digits, from one urandom read: uuid.uuid4() a row costs more
    than the row's whole COPY line. Both databases take the hex form (SQLite stores exactly this)."""
    raw = bytearray(os.urandom(16 * n))
    raw[6::16] = bytes((b & 0x0F) | 0x40 for b in raw[6::16])  # version 4
    raw[8::16] = bytes((b & 0x3F) | 0x80 for b in raw[8::16])  # RFC 4122 variant
    digits = raw.hex()
    return [digits[i:i + 32] for i in range(0, 32 * n, 32)]


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def set_pinned(assignment: Assignment, pinned: bool, *, by: Any) -> Assignment:
    """Pin an assignment so re-planning keeps it, or release the pin."""
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.pinned != pinned:
            locked.pinned = pinned
            locked.save(update_fields=["pinned", "modified_at"])
            audit.record(by, AuditEvent.Action.UPDATE, locked,
                         summary=("锁定分配" if pinned else "解锁分配")
                         + f"：{locked.target_id} → {locked.cadre_id or locked.unit_id}",
                         changes={"pinned": [not pinned, pinned]})
    return locked


def reassign(assignment: Assignment, cadre_id: int, *, by: Any) -> Assignment:
    """The office gives a target to another cadre by hand: the assignment is pinned, and given today (the cadre's pace
    counts it from today, decision 0042)."""
    from zoufang.registry.models import Cadre

    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        cadre = Cadre.objects.get(pk=cadre_id, archived_on__isnull=True)
        before = {"cadre": locked.cadre_id, "unit": locked.unit_id, "pinned": locked.pinned,
                  "given_on": locked.given_on}
        if locked.cadre_id != cadre.pk:
            locked.given_on = clock.today()
        locked.cadre, locked.unit, locked.pinned = cadre, cadre.unit, True
        locked.save(update_fields=["cadre", "unit", "pinned", "given_on", "modified_at"])
        audit.record(by, AuditEvent.Action.UPDATE, locked, summary="人工调整走访人", changes=audit.diff(
            before, {"cadre": cadre.pk, "unit": cadre.unit_id, "pinned": True, "given_on": locked.given_on}))
    return locked


def store_department_table(campaign: Campaign, source: Path | IO[bytes], *, label: str, by: Any = None,
                           filename: str | None = None) -> ImportReport:
    """A department table the town has decided (附件4-1 or 附件4-2), as the office imports it on the imports page: its
    counts stored as fixed quotas under `label` (matched on re-import, audited), then its 党员人数 through the
    departments kind. Refused whole, writing nothing, with the report's first errors."""
    if filename is None:
        filename = source.name if isinstance(source, Path) else getattr(source, "name", None)
    with transaction.atomic():
        report = run_import("department_quotas", source, filename=filename, campaign=campaign, by=by,
                            source_label=label)
        if report.ok:
            if not isinstance(source, Path):
                source.seek(0)
            members = run_import("departments", source, filename=filename, campaign=campaign, by=by)
            report.errors = members.errors
        if not report.ok:
            transaction.set_rollback(True)
    if not report.ok:
        raise PlanningError("；".join(str(issue) for issue in report.errors[:10]))
    return report
