"""What the planner reads, in one pass: villages, targets in walking order, visitors, tables, assignments."""

import re
from dataclasses import dataclass, field
from typing import Any

from zoufang.campaigns.models import Campaign
from zoufang.planning.models import Assignment, FixedQuota
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit

# A visitor: a cadre of a unit, or a unit that sends only counts (cadre None).
Slot = tuple[int, int | None]
_DIGITS = re.compile(r"(\d+)")


def address_key(address: str) -> tuple[Any, ...]:
    """“第2居民小组10号” after “第2居民小组9号”: numbers compared as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(address))


@dataclass
class Held:
    """An existing assignment, as the planner sees it."""

    slot: Slot
    pinned: bool


@dataclass
class Snapshot:
    campaign: Campaign
    kinds: list[str]
    villages: list[Region]
    # kind -> village id -> target ids in walking order (group, grid, address)
    targets: dict[str, dict[int, list[int]]]
    target_place: dict[int, tuple[str, int, int]]  # target id -> (kind, village id, position)
    units: dict[int, Unit]
    cadres: dict[int, Cadre]  # active cadres
    cadres_by_unit: dict[int, list[int]]
    linked_villages: dict[int, list[int]]  # cadre id -> 挂钩 villages
    committee_of_village: dict[int, int]  # village id -> village committee unit id
    fixed: list[FixedQuota]
    assignments: dict[int, Held] = field(default_factory=dict)

    def village_name(self, village_id: int | None) -> str:
        return self.village_by_id[village_id].name if village_id in self.village_by_id else ""

    @property
    def village_by_id(self) -> dict[int, Region]:
        return {v.pk: v for v in self.villages}


def take_snapshot(campaign: Campaign) -> Snapshot:
    town = campaign.scope
    villages = list(Region.objects.filter(path__startswith=town.path, level=Region.Level.VILLAGE)
                    .order_by("sort_order", "path"))
    village_paths = {v.path: v.pk for v in villages}
    depth = len(villages[0].path) if villages else 0
    region_village: dict[int, int] = {}
    region_path: dict[int, str] = {}
    for pk, path in Region.objects.filter(path__startswith=town.path).values_list("id", "path"):
        region_path[pk] = path
        if path[:depth] in village_paths:
            region_village[pk] = village_paths[path[:depth]]
    kinds = list(campaign.config.get("target_kinds") or [k.value for k in Target.Kind])
    rows: dict[str, dict[int, list[tuple[Any, ...]]]] = {kind: {} for kind in kinds}
    for pk, kind, region_id, address in (
        Target.objects.filter(kind__in=kinds, archived_on__isnull=True, region__path__startswith=town.path)
        .order_by().values_list("id", "kind", "region_id", "address").iterator(chunk_size=20000)
    ):
        village = region_village.get(region_id)
        if village is None:
            continue
        rows[kind].setdefault(village, []).append((region_path[region_id], address_key(address), pk))
    targets: dict[str, dict[int, list[int]]] = {}
    place: dict[int, tuple[str, int, int]] = {}
    for kind, by_village in rows.items():
        targets[kind] = {}
        for village, items in by_village.items():
            items.sort()
            ids = [item[-1] for item in items]
            targets[kind][village] = ids
            for position, pk in enumerate(ids):
                place[pk] = (kind, village, position)
    units = {u.pk: u for u in Unit.objects.filter(archived_on__isnull=True)}
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
    fixed = list(FixedQuota.objects.filter(campaign=campaign).prefetch_related("units")
                 .order_by("source", "row_number"))
    held = {
        target_id: Held((unit_id, cadre_id), pinned)
        for target_id, unit_id, cadre_id, pinned in Assignment.objects.filter(campaign=campaign)
        .values_list("target_id", "unit_id", "cadre_id", "pinned").iterator(chunk_size=20000)
    }
    return Snapshot(campaign, kinds, villages, targets, place, units, cadres, by_unit, linked, committees,
                    fixed, held)
