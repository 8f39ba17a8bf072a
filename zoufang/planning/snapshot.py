"""What the planner reads, in one pass: villages, targets in walking order, visitors, tables, assignments."""

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Q

from zoufang.campaigns.models import Campaign
from zoufang.planning.models import Assignment, FixedQuota
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit

# A visitor: a cadre of a unit, or a unit that sends only counts (cadre None).
Slot = tuple[int, int | None]
_DIGITS = re.compile(r"(\d+)")


def address_key(address: str) -> tuple[Any, ...]:
    """“第2居民小组10号” after “第2居民小组9号”: numbers compared as numbers.

    The split by a capturing group alternates text (even places, never a digit) and digits (odd places).
    """
    parts: list[Any] = _DIGITS.split(address)
    parts[1::2] = map(int, parts[1::2])
    return tuple(parts)


@dataclass
class Held:
    """An existing assignment, as the planner sees it."""

    slot: Slot
    pinned: bool


HOUSEHOLD = "household"  # seed 002's 群众家庭: registered and resident households together
HOUSEHOLD_KINDS = (Target.Kind.REGISTERED_HOUSEHOLD, Target.Kind.RESIDENT_HOUSEHOLD)


@dataclass(frozen=True)
class TargetClass:
    """What the planner counts: a target kind, both household kinds together, or a filtered part of a kind."""

    key: str  # "enterprise", "household", "enterprise|区镇重点企业"
    kinds: tuple[str, ...]
    filters: tuple[tuple[str, Any], ...] = ()

    def matches(self, kind: str, is_key: bool, scale: str) -> bool:
        if kind not in self.kinds:
            return False
        values = {"is_key": is_key, "scale": scale}
        return all(values.get(name) == value for name, value in self.filters)


def role_keys(config: dict[str, Any]) -> list[str]:
    """The campaign's roles in the planner's order: by cadre role as the seeds list them (镇领导, 部门党员干部,
    村干部, 其他), then by key. Never the configuration's order of keys: a campaign read back from PostgreSQL has
    its jsonb's order (shorter keys first), one loaded from its file the file's, and both must plan alike."""
    roles = config.get("roles") or {}
    ranks: dict[str, int] = {role: rank for rank, role in enumerate(Cadre.Role.values)}
    return sorted(roles, key=lambda key: (ranks.get(str((roles[key] or {}).get("cadre_role")), len(ranks)), key))


def quotas_in_order(config: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(role, quota) in `role_keys`' order (a quota of no role, which validation refuses, after them by key)."""
    quotas = config.get("quotas") or {}
    roles = role_keys(config)
    return [(key, quotas[key] or {}) for key in [*roles, *sorted(set(quotas) - set(roles))] if key in quotas]


def target_classes(config: dict[str, Any]) -> list[TargetClass]:
    """The campaign's kinds as the planner counts them, filtered classes before the rest of their kind."""
    kinds = list(config.get("target_kinds") or [k.value for k in Target.Kind])
    per_person = [quota.get("per_person") or {} for _role, quota in quotas_in_order(config)]
    classes: list[TargetClass] = []
    merged = any(HOUSEHOLD in p for p in per_person) and all(k in kinds for k in HOUSEHOLD_KINDS)
    if merged:
        classes.append(TargetClass(HOUSEHOLD, HOUSEHOLD_KINDS))
    for kind in kinds:
        if merged and kind in HOUSEHOLD_KINDS:
            continue
        for rules in per_person:
            for rule in _as_list(rules.get(kind)):
                filters = tuple(sorted((k, v) for k, v in rule.items() if k in ("is_key", "scale")))
                key = f"{kind}|{rule.get('label', '')}"
                if filters and key not in {c.key for c in classes}:
                    classes.append(TargetClass(key, (kind,), filters))
        classes.append(TargetClass(kind, (kind,)))
    return classes


def _as_list(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return [value] if isinstance(value, dict) else []


@dataclass
class Snapshot:  # noqa: PLR0902 - one record of everything the planner reads
    campaign: Campaign
    kinds: list[str]  # the target classes' keys, in planning order
    villages: list[Region]
    # kind -> village id -> target ids in walking order (group, grid, address)
    targets: dict[str, dict[int, list[int]]]
    target_place: dict[int, tuple[str, int, int]]  # target id -> (class key, village id, position)
    real_kind: dict[int, str]  # target id -> its kind
    groups: dict[int, list[tuple[int, int]]]  # village id -> (group region id, first position) in walking order
    interviewee: dict[int, int]  # target id (kind cadre) -> the cadre it stands for
    units: dict[int, Unit]
    cadres: dict[int, Cadre]  # active cadres
    cadres_by_unit: dict[int, list[int]]
    linked_villages: dict[int, list[int]]  # cadre id -> 挂钩 villages
    committee_of_village: dict[int, int]  # village id -> village committee unit id
    fixed: list[FixedQuota]
    assignments: dict[int, Held] = field(default_factory=dict)

    @property
    def town_id(self) -> int:
        """Targets of the town itself (村（社区） left blank: 全镇) count under this id, as if a village."""
        return self.campaign.scope_id

    def village_name(self, village_id: int | None) -> str:
        if village_id == self.town_id:
            return self.campaign.scope.name
        return self.village_by_id[village_id].name if village_id in self.village_by_id else ""

    @cached_property
    def village_by_id(self) -> dict[int, Region]:
        return {v.pk: v for v in self.villages}


def take_snapshot(campaign: Campaign) -> Snapshot:
    town = campaign.scope
    villages = list(Region.objects.filter(path__startswith=town.path, level=Region.Level.VILLAGE)
                    .order_by("sort_order", "path"))
    village_paths = {v.path: v.pk for v in villages}
    depth = len(villages[0].path) if villages else 0
    group_depth = depth + Region.PATH_STEP + 1
    region_village: dict[int, int] = {}
    region_path: dict[int, str] = {}
    path_region: dict[str, int] = {}
    for pk, path in Region.objects.filter(path__startswith=town.path).values_list("id", "path"):
        region_path[pk] = path
        path_region[path] = pk
        # Targets of the town itself (cadres as interviewees, notable persons) count under the town.
        region_village[pk] = village_paths.get(path[:depth], town.pk) if len(path) >= depth else town.pk
    classes = target_classes(campaign.config)
    kinds = sorted({k for c in classes for k in c.kinds})
    rows: dict[str, dict[int, list[tuple[Any, ...]]]] = {c.key: {} for c in classes}
    real_kind: dict[int, str] = {}
    interviewee: dict[int, int] = {}
    class_of: dict[tuple[str, bool, str], str] = {}  # (kind, is_key, scale) -> the first class matching it
    for pk, kind, region_id, address, is_key, scale, cadre_id in (
        Target.objects.filter(kind__in=kinds, archived_on__isnull=True, region__path__startswith=town.path)
        .order_by().values_list("id", "kind", "region_id", "address", "is_key", "scale", "cadre_id")
        .iterator(chunk_size=20000)
    ):
        village = region_village.get(region_id)
        if village is None:
            continue
        key = class_of.get((kind, is_key, scale))
        if key is None:
            key = class_of[(kind, is_key, scale)] = next(c.key for c in classes if c.matches(kind, is_key, scale))
        rows[key].setdefault(village, []).append((region_path[region_id], address_key(address), pk))
        real_kind[pk] = kind
        if cadre_id is not None:
            interviewee[pk] = cadre_id
    targets: dict[str, dict[int, list[int]]] = {}
    place: dict[int, tuple[str, int, int]] = {}
    groups: dict[int, list[tuple[int, int]]] = {}
    for key, by_village in rows.items():
        targets[key] = {}
        for village, items in by_village.items():
            items.sort()
            ids = [item[-1] for item in items]
            targets[key][village] = ids
            for position, pk in enumerate(ids):
                place[pk] = (key, village, position)
            if key == HOUSEHOLD or key == Target.Kind.REGISTERED_HOUSEHOLD:
                starts: list[tuple[int, int]] = []
                for position, item in enumerate(items):
                    group = path_region.get(item[0][:group_depth])
                    if group is not None and (not starts or starts[-1][0] != group):
                        starts.append((group, position))
                groups.setdefault(village, starts)
    fixed = list(FixedQuota.objects.filter(campaign=campaign).prefetch_related("units")
                 .order_by("source", "row_number"))
    # The town's own units, and the outside ones its tables name (苏州市妇联 has no region in the town).
    named = {u.pk for q in fixed for u in q.units.all()} | set(
        Cadre.objects.filter(pk__in=[q.cadre_id for q in fixed if q.cadre_id]).values_list("unit_id", flat=True))
    units = {u.pk: u for u in Unit.objects.filter(archived_on__isnull=True)
             .filter(Q(region__path__startswith=town.path) | Q(pk__in=named))}
    cadres = {c.pk: c for c in Cadre.objects.filter(archived_on__isnull=True, unit__in=list(units))
              .order_by("sort_order", "id")}
    by_unit: dict[int, list[int]] = {}
    for cadre in cadres.values():
        by_unit.setdefault(cadre.unit_id, []).append(cadre.pk)
    linked: dict[int, list[int]] = {}
    for cadre_id, region_id in Cadre.linked_regions.through.objects.filter(
            cadre_id__in=list(cadres)).order_by("id").values_list("cadre_id", "region_id"):
        village = region_village.get(region_id)
        if village is not None and village not in linked.setdefault(cadre_id, []):
            linked[cadre_id].append(village)
    committees: dict[int, int] = {}
    for unit in sorted(units.values(), key=lambda u: (u.sort_order, u.pk)):
        if unit.kind == Unit.Kind.VILLAGE_COMMITTEE and unit.region_id in region_village:
            committees.setdefault(region_village[unit.region_id], unit.pk)
    held = {
        target_id: Held((unit_id, cadre_id), pinned)
        for target_id, unit_id, cadre_id, pinned in Assignment.objects.filter(campaign=campaign)
        .values_list("target_id", "unit_id", "cadre_id", "pinned").iterator(chunk_size=20000)
    }
    return Snapshot(campaign, [c.key for c in classes], villages, targets, place, real_kind, groups, interviewee,
                    units, cadres, by_unit, linked, committees, fixed, held)
