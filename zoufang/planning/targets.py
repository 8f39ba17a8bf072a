"""Target level: named targets for every visitor's counts, keeping what is still valid and walking close by.

In each village and kind the targets stand in walking order (村民小组, 网格, address). A visitor
keeps the targets it already has up to its count (pinned ones always); what it still needs it
takes from the free targets nearest to those it keeps, or as one block in walking order.
"""

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field

from zoufang.planning.quotas import LineKey, slot_is_valid
from zoufang.planning.snapshot import Slot, Snapshot


@dataclass
class TargetPlan:
    assignment: dict[int, Slot] = field(default_factory=dict)  # target id -> visitor
    pinned: set[int] = field(default_factory=set)
    over_pinned: list[LineKey] = field(default_factory=list)


def slot_rank(snap: Snapshot, slot: Slot) -> tuple[int, int, int, int]:
    """Count-only units first (their blocks), then leaders, departments and village cadres by their order."""
    unit_id, cadre_id = slot
    unit = snap.units.get(unit_id)
    kind_rank = {"city_department": 0, "outside_body": 0, "town_leadership": 1, "town_department": 2,
                 "village_committee": 3}.get(unit.kind if unit else "", 4)
    cadre = snap.cadres.get(cadre_id) if cadre_id is not None else None
    return (0 if cadre_id is None else 1 + kind_rank, unit.sort_order if unit else 0, unit_id,
            cadre.sort_order * 10_000_000 + cadre.pk if cadre else 0)


def plan_targets(snap: Snapshot, lines: dict[LineKey, int], direct: dict[int, Slot] | None = None) -> TargetPlan:
    """Named targets for every line; `direct` ones (a rule names the visitor) go as the rule says."""
    result = TargetPlan()
    wanted: dict[tuple[int, str], list[tuple[Slot, int]]] = defaultdict(list)
    for (slot, village, kind), count in lines.items():
        wanted[(village, kind)].append((slot, count))
    current: dict[tuple[int, str], dict[Slot, list[int]]] = defaultdict(lambda: defaultdict(list))
    pinned_at: set[int] = set()
    for target_id, held in snap.assignments.items():
        where = snap.target_place.get(target_id)
        if where is None:
            continue
        if held.pinned and slot_is_valid(snap, held.slot):
            pinned_at.add(target_id)
        current[(where[1], where[0])][held.slot].append(where[2])
    for kind, by_village in snap.targets.items():
        for village, ids in by_village.items():
            _plan_group(snap, result, ids, sorted(wanted.get((village, kind), []),
                                                  key=lambda item: slot_rank(snap, item[0])),
                        current.get((village, kind), {}), pinned_at, (village, kind))
    for target_id, slot in (direct or {}).items():
        if target_id not in result.pinned:
            result.assignment[target_id] = slot
    return result


def _plan_group(snap: Snapshot, result: TargetPlan, ids: list[int], wanted: list[tuple[Slot, int]],
                current: dict[Slot, list[int]], pinned_at: set[int], where: tuple[int, str]) -> None:
    taken = [False] * len(ids)
    kept: dict[Slot, list[int]] = {}
    need: dict[Slot, int] = dict(wanted)
    for slot, positions in current.items():
        pins = sorted(p for p in positions if ids[p] in pinned_at)
        others = sorted(p for p in positions if ids[p] not in pinned_at)
        room = max(0, need.get(slot, 0) - len(pins))
        keep = pins + others[:room]
        if len(pins) > need.get(slot, 0):
            result.over_pinned.append((slot, where[0], where[1]))
        for p in keep:
            taken[p] = True
            result.assignment[ids[p]] = slot
        result.pinned.update(ids[p] for p in pins)
        kept[slot] = keep
    free = [p for p, t in enumerate(taken) if not t]
    start = 0  # free[:start] already handed out in block mode (no anchor)
    gone: set[int] = set()
    for slot, count in wanted:
        missing = count - len(kept.get(slot, []))
        if missing <= 0:
            continue
        anchor_positions = sorted(kept.get(slot, []))
        if anchor_positions:
            chosen = _nearest(free, gone, anchor_positions[len(anchor_positions) // 2], missing)
        else:
            chosen = []
            while len(chosen) < missing and start < len(free):
                if free[start] not in gone:
                    chosen.append(free[start])
                start += 1
        for p in chosen:
            gone.add(p)
            result.assignment[ids[p]] = slot


def _nearest(free: list[int], gone: set[int], anchor: int, count: int) -> list[int]:
    """The `count` free positions closest to `anchor`, ties to the earlier one."""
    chosen: list[int] = []
    right = bisect_left(free, anchor)
    left = right - 1
    while len(chosen) < count and (left >= 0 or right < len(free)):
        while left >= 0 and free[left] in gone:
            left -= 1
        while right < len(free) and free[right] in gone:
            right += 1
        if left < 0 and right >= len(free):
            break
        if right >= len(free) or (left >= 0 and anchor - free[left] <= free[right] - anchor):
            chosen.append(free[left])
            gone.add(free[left])
            left -= 1
        else:
            chosen.append(free[right])
            gone.add(free[right])
            right += 1
    return chosen
