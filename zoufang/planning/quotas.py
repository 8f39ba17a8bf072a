"""Quota level and person level: how many targets of each kind every visitor takes in every village.

Order per kind: the upper levels' and leaders' decided tables (fixed), leaders without a table in
their 挂钩 villages, the departments under the per-person rule (or their decided table), the
count-only rows placed where targets are left, and the 兜底 role takes the rest of each village.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from zoufang.campaigns.values import count_bounds
from zoufang.core.tabular import compact
from zoufang.planning.allocate import place, split_in_range, spread_evenly
from zoufang.planning.models import FixedQuota
from zoufang.planning.snapshot import HOUSEHOLD, HOUSEHOLD_KINDS, Slot, Snapshot, quotas_in_order, role_keys
from zoufang.registry.models import Cadre, Target, Unit

LineKey = tuple[Slot, int, str]  # (visitor, village id, kind)
COMPUTED = "计算"
REMAINDER = "兜底"
LEADS = "牵头"
CONCENTRATION = 2  # seed 002 §四2: 各办局中心对1～2个村（社区）开展集中走访
DECIDED_UNIT_TABLES = (FixedQuota.Table.UNIT_HOUSEHOLDS, FixedQuota.Table.UNIT_ENTERPRISES)


def of_class(stored_kind: str, kind: str) -> bool:
    """Whether a table row stored for `stored_kind` is planned in the class `kind`: a town that plans 群众家庭 as one
    class (seed 002) plans the rows stored per household kind (an imported 附件 is stored as 户籍户) in it."""
    return stored_kind == kind or (kind == HOUSEHOLD and stored_kind in HOUSEHOLD_KINDS)


def class_label(key: str) -> str:
    """“企业（区镇重点企业）”, “群众家庭”, or the kind's own label."""
    kind, _, label = key.partition("|")
    if kind == HOUSEHOLD:
        return "群众家庭"
    name = str(Target.Kind(kind).label) if kind in Target.Kind.values else kind
    return f"{name}（{label}）" if label else name


@dataclass
class QuotaPlan:
    lines: dict[LineKey, int] = field(default_factory=dict)
    direct: dict[int, Slot] = field(default_factory=dict)  # target id -> visitor, decided by rule (上下谈一级)
    sources: dict[LineKey, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # every rule that could not hold, and what was done
    relaxed: list[dict[str, Any]] = field(default_factory=list)

    def add(self, key: LineKey, count: int, source: str, *, keep_zero: bool = False) -> None:
        """`keep_zero`: a leader's row in a 挂钩 village with nothing left stays, as 0 (the seed's 附件3-1)."""
        if count > 0 or keep_zero:
            self.lines[key] = self.lines.get(key, 0) + count
            self.sources.setdefault(key, source)


@dataclass
class Roles:
    leader: str | None = None
    department: str | None = None
    remainder: str | None = None
    leads: dict[str, str] = field(default_factory=dict)  # target kind -> the role whose unit leads it
    config: dict[str, Any] = field(default_factory=dict)

    def per_person(self, role: str | None, kind: str) -> tuple[int, int | None] | None:
        """(min, max) per person for a target class: "enterprise", "household" or "enterprise|区镇重点企业"."""
        if role is None:
            return None
        kind, _, label = kind.partition("|")
        value = (self.config.get("quotas", {}).get(role) or {}).get("per_person", {}).get(kind)
        if isinstance(value, dict) and ("is_key" in value or "scale" in value):
            value = [value]
        if isinstance(value, list):  # filtered quotas: each counts in its own class
            match = [v for v in value if v.get("label", "") == label] if label else []
            return count_bounds(match[0]) if match else None
        if value is None or label:
            return None
        return count_bounds(value)

    def linked_groups(self, role: str | None) -> int:
        """Seed 002: each leader takes 3 村民小组 of the village they are posted to (0 when not a rule)."""
        linked = ((self.config.get("quotas", {}).get(role) or {}).get("linked_regions") or {}) if role else {}
        if linked.get("level") != "group":
            return 0
        return count_bounds(linked.get("count", 0))[0]


def campaign_roles(config: dict[str, Any]) -> Roles:
    roles = Roles(config=config)
    for key in role_keys(config):
        role = config["roles"][key] or {}
        quota = (config.get("quotas") or {}).get(key) or {}
        if quota.get("leads"):
            roles.leads.update(dict.fromkeys(quota["leads"], key))
        elif quota.get("remainder"):
            roles.remainder = key
        elif role.get("cadre_role") == Cadre.Role.TOWN_LEADER:
            roles.leader = key
        elif role.get("cadre_role") == Cadre.Role.PARTY_MEMBER:
            roles.department = key
    return roles


def unapplied_rules(config: dict[str, Any]) -> list[str]:
    """The campaign's quota rules the planner does not apply, each said once in the plan's notes: a campaign file
    may say more than the planner reads (per_unit, a fourth visiting role, a 兜底 of some kinds only, 网格 links),
    and nothing is relaxed silently."""
    roles = campaign_roles(config)
    planned = {roles.leader, roles.department, roles.remainder, *roles.leads.values()}
    names = config.get("roles") or {}
    notes: list[str] = []
    for key, quota in quotas_in_order(config):
        name = (names.get(key) or {}).get("name", key)
        if key not in planned:
            notes.append(_("quotas.%(key)s：角色“%(name)s”的走访数量未参与自动分配（自动分配只有镇党政领导、部门党员干部、"
                           "兜底和牵头四种角色，同类角色只取代号按字母排在最后的一个）；其对象由兜底角色走访，或由走访办人工调整") % {"key": key, "name": name})
            continue
        if quota.get("per_unit"):
            notes.append(_("quotas.%(key)s.per_unit：按单位规定的数量未参与自动分配，只按 per_person 分配") % {"key": key})
        if isinstance(quota.get("remainder"), list):
            notes.append(_("quotas.%(key)s.remainder：只兜底%(remainder)s，自动分配仍由该角色兜底全部类型") % {
                "key": key, "remainder": '、'.join(quota['remainder']),
            })
        linked = quota.get("linked_regions") or {}
        if linked.get("level") == "grid":
            notes.append(_("quotas.%(key)s.linked_regions：挂钩网格未参与自动分配") % {"key": key})
        elif key == roles.department and "count" in linked and count_bounds(linked["count"]) != (1, CONCENTRATION):
            low, high = count_bounds(linked["count"])
            notes.append(_("quotas.%(key)s.linked_regions.count：各部门集中的村数按1～%(concentration)s个安排，"
                           "未按%(low)s～%(high)s个") % {
                "key": key, "concentration": CONCENTRATION, "low": low, "high": high if high is not None else '',
            })
    return notes


HeldCounts = dict[str, dict[Slot, dict[int, int]]]  # kind -> visitor -> village -> n


def held_lines(snap: Snapshot) -> HeldCounts:
    """Existing assignments that are still valid, counted per kind, visitor and village."""
    held: HeldCounts = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    valid: dict[Slot, bool] = {}
    for target_id, assignment in snap.assignments.items():
        where = snap.target_place.get(target_id)
        if where is None:
            continue
        slot = assignment.slot
        if slot not in valid:
            valid[slot] = slot_is_valid(snap, slot)
        if valid[slot]:
            held[where[0]][slot][where[1]] += 1
    return held


def slot_is_valid(snap: Snapshot, slot: Slot) -> bool:
    unit_id, cadre_id = slot
    if unit_id not in snap.units:
        return False
    return cadre_id is None or (cadre_id in snap.cadres and snap.cadres[cadre_id].unit_id == unit_id)


def plan_quotas(snap: Snapshot) -> QuotaPlan:
    """The plan whose departments spread least: the kinds are tried with each departmental kind first.

    A unit's first kind decides its villages and the later kinds follow it where they can, so the
    order matters (锦溪镇: registered first leaves 6 departments in 3–4 villages, resident first 4).
    Scored by units over two villages, then by unit–village pairs; ties keep the campaign's order.
    """
    roles = campaign_roles(snap.campaign.config)
    held = held_lines(snap)
    best: tuple[tuple[int, int], QuotaPlan] | None = None
    for order in _kind_orders(snap, roles):
        plan = _plan_in_order(snap, roles, held, order)
        score = spread_score(snap, plan)
        if best is None or score < best[0]:
            best = (score, plan)
    chosen = best[1] if best else QuotaPlan()
    chosen.notes[:0] = unapplied_rules(snap.campaign.config)
    return chosen


def _kind_orders(snap: Snapshot, roles: Roles) -> list[list[str]]:
    decided = {q.target_kind for q in snap.fixed if q.table in DECIDED_UNIT_TABLES}
    leading = [k for k in snap.kinds
               if roles.per_person(roles.department, k) or any(of_class(d, k) for d in decided)]
    orders = [list(snap.kinds)]
    for kind in leading:
        order = [kind] + [k for k in snap.kinds if k != kind]
        if order not in orders:
            orders.append(order)
    return orders


def spread_score(snap: Snapshot, plan: QuotaPlan) -> tuple[int, int]:
    """(departments in more than two villages, department–village pairs); the town's own targets are no village."""
    villages: dict[int, set[int]] = defaultdict(set)
    for (slot, village, _kind) in plan.lines:
        unit = snap.units.get(slot[0])
        if unit is not None and unit.kind == Unit.Kind.TOWN_DEPARTMENT and village != snap.town_id:
            villages[slot[0]].add(village)
    return sum(len(v) > CONCENTRATION for v in villages.values()), sum(len(v) for v in villages.values())


def _plan_in_order(snap: Snapshot, roles: Roles, held: "HeldCounts", order: list[str]) -> QuotaPlan:
    plan = QuotaPlan()
    covered: dict[Slot, dict[int, int]] = defaultdict(lambda: defaultdict(int))  # villages per visitor so far
    for kind in order:
        if kind == Target.Kind.CADRE:
            _plan_interviews(snap, plan)
            continue
        if kind in roles.leads and _plan_led(snap, plan, roles, kind):
            continue
        supply = {v.pk: len(snap.targets.get(kind, {}).get(v.pk, ())) for v in snap.villages}
        town_level = len(snap.targets.get(kind, {}).get(snap.town_id, ()))
        if town_level:
            supply[snap.town_id] = town_level
        _plan_kind(snap, plan, roles, kind, supply, held, covered)
    return plan


def _plan_led(snap: Snapshot, plan: QuotaPlan, roles: Roles, kind: str) -> bool:
    """Every target of the kind, in the villages and of the town itself, to the leading unit as one block.

    Seed 002 §四4: 名士 “由镇党委宣统口牵头”; the unit places its own people (and the leaders who go with
    it). False, with a note, when the town has no such unit: the kind is then planned like any other.
    """
    role = roles.config.get("roles", {}).get(roles.leads[kind], {})
    names = [compact(n) for n in role.get("units", [])]
    unit = next((u for u in sorted(snap.units.values(), key=lambda u: (u.sort_order, u.pk))
                 if compact(u.name) in names or any(compact(u.name).endswith(n) for n in names)), None)
    if unit is None:
        plan.notes.append(_("%(class_label)s：未找到牵头单位“%(units)s”，按一般规则分配") % {
            "class_label": class_label(kind), "units": '、'.join(role.get('units', [])),
        })
        return False
    for village, ids in snap.targets.get(kind, {}).items():
        plan.add(((unit.pk, None), village, kind), len(ids), LEADS)
    return True


def _plan_interviews(snap: Snapshot, plan: QuotaPlan) -> None:
    """上下谈一级 (seed 002 §四3): each cadre is interviewed by the one a level above.

    When that one has left, the next one up still in post takes the interview, and the report says so.
    """
    missing, passed_up = [], []
    departed: dict[int, tuple[int | None, str]] = {}  # cadres no longer in post: (supervisor, name), read once

    def above(cadre_id: int) -> tuple[int | None, str]:
        if cadre_id in snap.cadres:
            return snap.cadres[cadre_id].supervisor_id, snap.cadres[cadre_id].name
        if cadre_id not in departed:
            row = Cadre.objects.filter(pk=cadre_id).values_list("supervisor_id", "name").first()
            departed[cadre_id] = row if row else (None, f"#{cadre_id}")
        return departed[cadre_id]

    for target_id, cadre_id in sorted(snap.interviewee.items()):
        boss_id, name = above(cadre_id)
        seen: set[int] = set()
        while boss_id is not None and boss_id not in snap.cadres and boss_id not in seen:
            seen.add(boss_id)
            boss_id = above(boss_id)[0]
        if boss_id is None or boss_id not in snap.cadres:
            missing.append(name)
            continue
        if seen:
            passed_up.append(f"{name}→{snap.cadres[boss_id].name}")
        plan.direct[target_id] = (snap.cadres[boss_id].unit_id, boss_id)
    if passed_up:
        plan.notes.append(_("%(n_passed_up)s名干部的上一级已不在岗，由更上一级访谈：%(passed_up)s") % {
            "n_passed_up": len(passed_up), "passed_up": '、'.join(passed_up[:20]),
        })
    if missing:
        plan.notes.append(_("%(n_missing)s名干部无在岗的上一级，无人访谈：%(missing)s") % {
            "n_missing": len(missing), "missing": '、'.join(missing[:20]),
        })


def _plan_kind(snap: Snapshot, plan: QuotaPlan, roles: Roles, kind: str, supply: dict[int, int],
               held: HeldCounts, covered: dict[Slot, dict[int, int]]) -> None:
    label = class_label(kind)
    rows = [q for q in snap.fixed if of_class(q.target_kind, kind)]
    decided_leaders = False
    floating: list[tuple[Slot, int, str, list[int]]] = []  # count-only rows without a village
    for row in rows:
        if row.table in DECIDED_UNIT_TABLES:
            continue
        slot = _fixed_slot(snap, row)
        if slot is None:
            plan.notes.append(_("%(source)s第%(row_number)s行“%(row_label)s”：单位或领导已停用，未分配") % {
                "source": row.source, "row_number": row.row_number, "row_label": row.label,
            })
            continue
        decided_leaders |= row.cadre_id is not None
        if row.region_id is None:
            prefer = list(snap.linked_villages.get(row.cadre_id, [])) if row.cadre_id else []
            floating.append((slot, row.count, row.source, prefer))
            continue
        village = row.region_id
        take = min(row.count, supply.get(village, 0))
        if take < row.count:
            plan.notes.append(_("%(source)s第%(row_number)s行“%(row_label)s”%(village_name)s%(label)s"
                                "应为%(row_count)s，登记库只余%(take)s") % {
                "source": row.source, "row_number": row.row_number, "row_label": row.label,
                "village_name": snap.village_name(village), "label": label, "row_count": row.count, "take": take,
            })
        plan.add((slot, village, kind), take, row.source, keep_zero=row.cadre_id is not None)
        covered[slot][village] += take
        supply[village] = supply.get(village, 0) - take
    leader_rule = roles.per_person(roles.leader, kind)
    if leader_rule and not decided_leaders:
        _plan_leaders(snap, plan, kind, leader_rule[0], supply, covered)
    elif kind == HOUSEHOLD and roles.linked_groups(roles.leader) and not decided_leaders:
        _plan_leader_groups(snap, plan, kind, roles.linked_groups(roles.leader), supply, covered)
    floating_total = sum(count for _, count, _, _ in floating)
    # What the count-only rows and the 兜底 role still hold is kept for them: departments place around it.
    later = {slot for slot, _, _, _ in floating}
    protected: dict[int, int] = defaultdict(int)
    for slot, villages in held.get(kind, {}).items():
        unit = snap.units.get(slot[0])
        if slot in later or (unit is not None and unit.kind == Unit.Kind.VILLAGE_COMMITTEE):
            for village, n in villages.items():
                protected[village] += n
    _plan_departments(snap, plan, roles, kind, supply, held, covered, reserve=floating_total, protected=protected)
    for slot, count, source, prefer in floating:  # rows of the whole town: its own targets first
        prefer = [snap.town_id] + prefer + [v for v, _ in sorted(covered[slot].items(), key=lambda item: -item[1])]
        pairs, unplaced = place({slot: count}, supply, held=_held_for(held, [slot], kind),
                                preferred={slot: prefer})
        for (_slot, village), n in pairs.items():
            plan.add((slot, village, kind), n, source)
            supply[village] -= n
            covered[slot][village] += n
        if unplaced:
            plan.notes.append(_("%(source)s%(slot_name)s%(label)s应为%(count)s，登记库只余%(count2)s") % {
                "source": source, "slot_name": _slot_name(snap, slot), "label": label, "count": count,
                "count2": count - unplaced[slot],
            })
    _plan_town_rest(snap, plan, roles, kind, supply)
    _plan_remainder(snap, plan, roles, kind, supply)


def _fixed_slot(snap: Snapshot, row: FixedQuota) -> Slot | None:
    if row.cadre_id is not None:
        cadre = snap.cadres.get(row.cadre_id)
        return (cadre.unit_id, cadre.pk) if cadre else None
    units = sorted(u.pk for u in row.units.all() if u.pk in snap.units)
    return (units[0], None) if units else None


def _held_for(held: HeldCounts, slots: list[Any], kind: str) -> dict[tuple[Any, Any], int]:
    by_slot = held.get(kind, {})
    return {(slot, village): n for slot in slots for village, n in by_slot.get(slot, {}).items()}


def _slot_name(snap: Snapshot, slot: Slot) -> str:
    unit_id, cadre_id = slot
    if cadre_id is not None and cadre_id in snap.cadres:
        return snap.cadres[cadre_id].name
    return snap.units[unit_id].name if unit_id in snap.units else "?"


def _role_cadres(snap: Snapshot, role: str) -> list[int]:
    ordered_units = sorted(snap.units.values(), key=lambda u: (u.sort_order, u.name))
    return [c for unit in ordered_units for c in snap.cadres_by_unit.get(unit.pk, ())
            if snap.cadres[c].role == role]


def _plan_leaders(snap: Snapshot, plan: QuotaPlan, kind: str, each: int, supply: dict[int, int],
                  covered: dict[Slot, dict[int, int]]) -> None:
    """Each leader's count spread evenly over every 挂钩 village, a 0 row where one has nothing left.

    The seed's 附件3-1: 王文 10 in each of five villages, 吴洁 50 in 上下塘社区 and 0 in 干家甸社区. What
    the 挂钩 villages cannot give comes from the largest villages left (“兼顾其他村、社区”), after every
    leader has had their own villages. Households: a village with some left that no leader is linked to
    goes to the leader with the fewest villages (“所有村（社区）联系全覆盖”), and the report says so.
    """
    leaders = _role_cadres(snap, Cadre.Role.TOWN_LEADER)
    label = class_label(kind)
    # In the town's order of villages: the import keeps a leader's 挂钩 villages as a set.
    villages_of = {c: [v.pk for v in snap.villages if v.pk in snap.linked_villages.get(c, ())] for c in leaders}
    if kind in (HOUSEHOLD, *HOUSEHOLD_KINDS):
        _link_uncovered_villages(snap, plan, villages_of, supply, label)
    rest: dict[Slot, int] = {}
    for cadre_id in leaders:
        slot: Slot = (snap.cadres[cadre_id].unit_id, cadre_id)
        villages = villages_of[cadre_id]
        counts = spread_evenly(each, [supply.get(v, 0) for v in villages])
        for village, n in zip(villages, counts, strict=True):
            plan.add((slot, village, kind), n, COMPUTED, keep_zero=True)
            supply[village] -= n
            covered[slot][village] += n
        rest[slot] = each - sum(counts)
    others = {v.pk: supply.get(v.pk, 0) for v in snap.villages}  # the town's own are the departments' first
    pairs, unplaced = place(rest, others, order=list(rest))
    elsewhere: dict[Slot, list[str]] = defaultdict(list)
    for (visitor, village), n in pairs.items():
        plan.add((visitor, village, kind), n, COMPUTED)
        supply[village] -= n
        covered[visitor][village] += n
        elsewhere[visitor].append(f"{snap.village_name(village)}{n}")
    for visitor, places in elsewhere.items():
        if visitor[1] is not None and villages_of[visitor[1]]:
            plan.notes.append(_("%(slot_name)s：挂钩村（社区）%(label)s不足%(each)s，另在%(places)s") % {
                "slot_name": _slot_name(snap, visitor), "label": label, "each": each, "places": '、'.join(places),
            })
    for visitor, n in unplaced.items():
        plan.notes.append(_("%(slot_name)s：%(label)s应为%(each)s，登记库只余%(each2)s") % {
            "slot_name": _slot_name(snap, visitor), "label": label, "each": each, "each2": each - n,
        })


def _link_uncovered_villages(snap: Snapshot, plan: QuotaPlan, villages_of: dict[int, list[int]],
                             supply: dict[int, int], label: str) -> None:
    """Villages with some left and no leader linked go, one by one, to the leader with the fewest villages."""
    linked = {v for villages in villages_of.values() for v in villages}
    if not linked:  # the town links no leader to any village: nothing to complete
        return
    order = list(villages_of)
    for village in snap.villages:
        if supply.get(village.pk, 0) <= 0 or village.pk in linked:
            continue
        cadre_id = min(order, key=lambda c: (len(villages_of[c]), order.index(c)))
        villages_of[cadre_id].append(village.pk)
        plan.notes.append(_("%(village)s没有挂钩的镇领导，%(label)s由挂钩村（社区）最少的%(name)s走访") % {
            "village": village.name, "label": label, "name": snap.cadres[cadre_id].name,
        })


def _plan_leader_groups(snap: Snapshot, plan: QuotaPlan, kind: str, count: int, supply: dict[int, int],
                        covered: dict[Slot, dict[int, int]]) -> None:
    """Each leader takes whole 村民小组 of their first 挂钩 village, in walking order, the first ones free."""
    taken: dict[int, int] = defaultdict(int)  # village -> groups handed out
    for cadre_id in _role_cadres(snap, Cadre.Role.TOWN_LEADER):
        slot = (snap.cadres[cadre_id].unit_id, cadre_id)
        villages = snap.linked_villages.get(cadre_id, [])
        if not villages:
            plan.notes.append(_("%(name)s：没有蹲点联系的村（社区），未分配村民小组") % {"name": snap.cadres[cadre_id].name})
            continue
        village = villages[0]
        starts = snap.groups.get(village, [])
        size = len(snap.targets.get(kind, {}).get(village, ()))
        first = taken[village]
        chosen = starts[first:first + count]
        if len(chosen) < count:
            plan.notes.append(_("%(name)s：%(village_name)s只余%(n_chosen)s个村民小组") % {
                "name": snap.cadres[cadre_id].name, "village_name": snap.village_name(village),
                "n_chosen": len(chosen),
            })
        end = starts[first + count][1] if first + count < len(starts) else size
        households = end - (chosen[0][1] if chosen else end)
        taken[village] += len(chosen)
        plan.add((slot, village, kind), households, "蹲点村民小组")
        covered[slot][village] += households
        supply[village] -= households


def decided_departments(fixed: Iterable[FixedQuota], kind: str) -> dict[int, tuple[int, str]]:
    """Each department's decided count for the class `kind` (附件4-1/4-2), with the source first naming it. A town
    that plans 群众家庭 as one class and stored its 户籍户 and 外来常住户 in two tables holds two rows for one
    department: both count (one of them was dropped without a word when the rows were keyed by department)."""
    decided: dict[int, tuple[int, str]] = {}
    for quota in fixed:
        units = quota.units.all()
        if quota.table in DECIDED_UNIT_TABLES and of_class(quota.target_kind, kind) and units:
            count, source = decided.get(units[0].pk, (0, quota.source))
            decided[units[0].pk] = (count + quota.count, source)
    return decided


def _plan_departments(snap: Snapshot, plan: QuotaPlan, roles: Roles, kind: str, supply: dict[int, int],
                      held: HeldCounts, covered: dict[Slot, dict[int, int]], *, reserve: int,
                      protected: dict[int, int]) -> None:
    rule = roles.per_person(roles.department, kind)
    decided = decided_departments(snap.fixed, kind)
    if rule is None and not decided:
        return
    label = class_label(kind)
    low, high = rule or (0, None)
    if high is None and roles.remainder:
        high = low  # an open minimum (seed 002's “≥30”): the 兜底 role takes the rest
    cadres = _role_cadres(snap, Cadre.Role.PARTY_MEMBER)
    units = list(dict.fromkeys(snap.cadres[c].unit_id for c in cadres))
    held_counts = {slot[1]: sum(villages.values()) for slot, villages in held.get(kind, {}).items()
                   if slot[1] is not None}
    per_cadre: dict[int, int] = {}
    if decided:
        for unit_id in units:
            members = [c for c in snap.cadres_by_unit.get(unit_id, ()) if snap.cadres[c].role == Cadre.Role.PARTY_MEMBER]
            row = decided.get(unit_id)
            if row is None:
                plan.notes.append(_("%(name)s不在%(label)s分配表中，未分配%(label)s") % {
                    "name": snap.units[unit_id].name, "label": label,
                })
                continue
            count, row_source = row
            split = split_in_range(count, _by_held(members, held_counts), low, high, must_take_all=True)
            per_cadre.update(split.counts)
            _note_relaxed(snap, plan, split.relaxed, kind, low, high, row_source, count, len(members))
    else:
        total = max(0, sum(supply.values()) - reserve)
        split = split_in_range(total, _by_held(cadres, held_counts), low, high)
        per_cadre = split.counts
        if split.relaxed:
            plan.notes.append(_("%(label)s只余%(total)s，不足每人%(low)s：部分党员少于规定数") % {
                "label": label, "total": total, "low": low,
            })
            _note_relaxed(snap, plan, split.relaxed, kind, low, high, COMPUTED, total, len(cadres))
    source = next(iter(decided.values()))[1] if decided else COMPUTED
    unit_demand = {u: sum(per_cadre.get(c, 0) for c in snap.cadres_by_unit.get(u, ()) if c in per_cadre)
                   for u in units}
    unit_held: dict[tuple[Any, Any], int] = defaultdict(int)
    for slot, villages in held.get(kind, {}).items():
        if slot[1] in per_cadre:
            for village, n in villages.items():
                unit_held[(slot[0], village)] += n
    slots_of_unit: dict[int, list[Slot]] = defaultdict(list)
    for slot in covered:
        slots_of_unit[slot[0]].append(slot)
    town = [snap.town_id] if supply.get(snap.town_id, 0) > 0 else []  # no village cadre can take the town's own
    prefer = {u: town + _covered_villages(covered, slots_of_unit[u]) for u in units}
    around = {v: max(0, n - protected.get(v, 0)) for v, n in supply.items()}
    pairs, unplaced = place(unit_demand, around, held=unit_held, preferred=prefer, order=units)
    if unplaced:  # not enough around what others hold: take from it after all
        rest = {v: n - sum(m for (_, w), m in pairs.items() if w == v) for v, n in supply.items()}
        extra, unplaced = place(unplaced, rest, preferred=prefer, order=units)
        for key, n in extra.items():
            pairs[key] = pairs.get(key, 0) + n
    for unit_id, n in unplaced.items():
        plan.notes.append(_("%(name)s：%(label)s应为%(unit_demand)s，各村只余"
                            "%(unit_demand2)s") % {
            "name": snap.units[unit_id].name, "label": label, "unit_demand": unit_demand[unit_id],
            "unit_demand2": unit_demand[unit_id] - n,
        })
    by_unit: dict[Any, dict[Any, int]] = defaultdict(dict)  # in the pairs' order, as a filter per unit gave it
    for (u, v), n in pairs.items():
        by_unit[u][v] = n
    for unit_id in units:
        villages = by_unit.get(unit_id, {})
        for v, n in villages.items():
            supply[v] -= n
        members = [c for c in snap.cadres_by_unit.get(unit_id, ()) if per_cadre.get(c)]
        slots = [(unit_id, c) for c in members]
        cadre_pairs, _rest = place({(unit_id, c): per_cadre[c] for c in members}, villages,
                               held=_held_for(held, slots, kind),
                               preferred={s: _covered_villages(covered, [s]) for s in slots}, order=slots)
        for (slot, village), n in cadre_pairs.items():
            plan.add((slot, village, kind), n, source if decided else COMPUTED)
            covered[slot][village] += n


def _by_held(cadres: list[int], held_counts: dict[int, int]) -> list[int]:
    """Who holds more keeps more on re-planning; otherwise the table's order."""
    return sorted(cadres, key=lambda c: -held_counts.get(c, 0))


def _covered_villages(covered: dict[Slot, dict[int, int]], slots: list[Slot]) -> list[int]:
    total: dict[int, int] = defaultdict(int)
    for slot in slots:
        for village, n in covered.get(slot, {}).items():
            total[village] += n
    return [v for v, _ in sorted(total.items(), key=lambda item: -item[1])]


def _note_relaxed(snap: Snapshot, plan: QuotaPlan, relaxed: dict[Any, int], kind: str, low: int,
                  high: int | None, source: str, total: int, people: int) -> None:
    if not relaxed:
        return
    label = class_label(kind)
    # The rule is applied to the departments pooled: each of them is named, not the first relaxed cadre's alone.
    unit = "、".join(dict.fromkeys(snap.units[snap.cadres[c].unit_id].name for c in relaxed))
    span = f"{low}" if high == low else f"{low}～{high or ''}"
    plan.notes.append(_("%(unit)s：%(source)s%(label)s%(total)s，%(people)s人按每人%(span)s无法分尽，"
                        "%(n_relaxed)s人放宽为%(spans)s") % {
        "unit": unit, "source": source, "label": label, "total": total, "people": people, "span": span,
        "n_relaxed": len(relaxed), "spans": "、".join(str(n) for n in sorted(set(relaxed.values()))),
    })
    for cadre_id, count in relaxed.items():
        plan.relaxed.append({"unit": snap.units[snap.cadres[cadre_id].unit_id].name, "cadre": snap.cadres[cadre_id].name, "kind": kind, "planned": count,
                             "rule": span, "source": source})


def _plan_town_rest(snap: Snapshot, plan: QuotaPlan, roles: Roles, kind: str, supply: dict[int, int]) -> None:
    """The town's own targets (村（社区） blank: 全镇) that every quota left: no village cadre's to take.

    Seed 002 §四1: “其他的镇重点企业和中小企业由镇有关部门按计划进行走访”; seed 000 gives everything the
    upper levels leave to “我镇党政班子领导及各部门党员干部”. So the departments' party members take the
    rest, one more each, those with the fewest of the class first; without any, the town leaders. Above
    the per-person rule is a relaxation, reported like any other.
    """
    left = supply.get(snap.town_id, 0)
    if left <= 0:
        return
    label = class_label(kind)
    town = snap.village_name(snap.town_id)
    role, cadres = roles.department, _role_cadres(snap, Cadre.Role.PARTY_MEMBER)
    if not cadres:
        role, cadres = roles.leader, _role_cadres(snap, Cadre.Role.TOWN_LEADER)
    if not cadres:
        plan.notes.append(_("%(town)s未填村的%(label)s余%(left)s，本镇没有部门党员干部或镇领导，无人走访") % {
            "town": town, "label": label, "left": left,
        })
        return
    load = {c: 0 for c in cadres}
    for (slot, _village, line_kind), n in plan.lines.items():
        if line_kind == kind and slot[1] in load:
            load[slot[1]] += n
    ordered = sorted(cadres, key=lambda c: load[c])  # stable: the table's order among equals
    base, extra = divmod(left, len(ordered))
    for i, cadre_id in enumerate(ordered):
        n = base + (1 if i < extra else 0)
        plan.add(((snap.cadres[cadre_id].unit_id, cadre_id), snap.town_id, kind), n, REMAINDER)
        load[cadre_id] += n
    supply[snap.town_id] = 0
    rule = roles.per_person(role, kind)
    over = {c: n for c, n in load.items() if rule and rule[1] is not None and n > rule[1]}
    who = "部门党员干部" if role == roles.department else "镇领导"
    each = _("%(left)s人各增加1个") % {"left": min(left, len(ordered))} if base == 0 else \
        _("%(n_ordered)s人各增加%(base)s个") % {
            "n_ordered": len(ordered), "base": base,
        } if extra == 0 else _("%(n_ordered)s人各增加%(base)s～%(base2)s个") % {
            "n_ordered": len(ordered), "base": base, "base2": base + 1,
        }
    plan.notes.append(_("%(town)s未填村的%(label)s%(left)s个在各项分配后仍余，交%(who)s走访：%(each)s") % {
        "town": town, "label": label, "left": left, "who": who, "each": each,
    }
                      + (_("，其中%(n_over)s人超出每人%(rule)s～%(rule2)s") % {
                          "n_over": len(over), "rule": rule[0], "rule2": rule[1],
                      } if over and rule else ""))
    for cadre_id, n in over.items():
        plan.relaxed.append({"unit": snap.units[snap.cadres[cadre_id].unit_id].name, "cadre": snap.cadres[cadre_id].name,
                             "kind": kind, "planned": n, "rule": f"{rule[0]}-{rule[1]}" if rule else "",
                             "source": REMAINDER})


def _plan_remainder(snap: Snapshot, plan: QuotaPlan, roles: Roles, kind: str, supply: dict[int, int]) -> None:
    label = class_label(kind)
    for village in snap.villages:
        left = supply.get(village.pk, 0)
        if left <= 0:
            continue
        unit_id = snap.committee_of_village.get(village.pk) if roles.remainder else None
        members = [c for c in snap.cadres_by_unit.get(unit_id, ())
                   if snap.cadres[c].role == Cadre.Role.VILLAGE_CADRE] if unit_id else []
        if not members:
            plan.notes.append(_("%(village)s余%(left)s%(label)s无人兜底（无村、社区干部）") % {
                "village": village.name, "left": left, "label": label,
            })
            continue
        base, extra = divmod(left, len(members))
        for i, cadre_id in enumerate(members):
            plan.add(((unit_id or 0, cadre_id), village.pk, kind), base + (1 if i < extra else 0), REMAINDER)
        supply[village.pk] = 0


def unit_kind_label(unit: Unit) -> str:
    return str(Unit.Kind(unit.kind).label)
