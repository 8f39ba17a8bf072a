"""Pure arithmetic of the planner: splitting a total within per-person ranges, and placing demands in villages.

No database here: keys are plain hashables so that the same functions place units in villages,
cadres in their unit's villages, and the benchmark's generated city.
"""

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Key = Any  # a unit, a cadre, a village: anything hashable


@dataclass
class RangeSplit:
    """A total split over people, each within (low, high); `relaxed` holds who had to go outside it."""

    counts: dict[Key, int]
    shortfall: int = 0  # what the people could not take even at their maximum
    relaxed: dict[Key, int] = field(default_factory=dict)  # person -> count outside their range


def split_in_range(total: int, people: Sequence[Key], low: int, high: int | None, *,
                   must_take_all: bool = False) -> RangeSplit:
    """Everyone gets `low`, then one more each in the given order until the total is reached.

    Ten people at 8–9 with 84 to share → the first four get 9, the other six 8. A total below
    everyone's minimum gives the last people less (relaxed); above everyone's maximum the rest is
    the shortfall, unless `must_take_all` (a decided table), when the first people take more (relaxed).
    """
    counts = dict.fromkeys(people, 0)
    if not people:
        return RangeSplit(counts, shortfall=total)
    n = len(people)
    if total < low * n:  # the decided total cannot give everyone the minimum
        base, extra = divmod(total, n)
        for i, person in enumerate(people):
            counts[person] = base + (1 if i < extra else 0)
        return RangeSplit(counts, relaxed={p: c for p, c in counts.items() if c < low})
    top = high if high is not None else total
    room = top - low
    left = total - low * n
    for person in people:
        take = min(room, left)
        counts[person] = low + take
        left -= take
    result = RangeSplit(counts, shortfall=left)
    if left and must_take_all:
        base, extra = divmod(left, n)
        for i, person in enumerate(people):
            counts[person] += base + (1 if i < extra else 0)
        result.shortfall = 0
        result.relaxed = {p: c for p, c in counts.items() if c > top}
    return result


def spread_evenly(total: int, room: Sequence[int]) -> list[int]:
    """`total` over places with the given room, as evenly as the room allows; the first places get the odd ones.

    50 over five villages with room → 10 each (the seed's 附件3-1 for 王文); 50 over three → 17, 17, 16;
    a place with no room gets 0, and what one cannot take goes to the others. The sum is at most `total`.
    """
    counts = [0] * len(room)
    left = total
    open_ = [i for i, r in enumerate(room) if r > 0]
    while left > 0 and open_:
        share = left // len(open_)
        if share == 0:
            for i in open_[:left]:
                counts[i] += 1
            left = 0
            break
        for i in open_:
            take = min(share, room[i] - counts[i])
            counts[i] += take
            left -= take
        open_ = [i for i in open_ if counts[i] < room[i]]
    return counts


def place(demands: Mapping[Key, int], supplies: Mapping[Key, int], *,
          held: Mapping[tuple[Key, Key], int] | None = None,
          preferred: Mapping[Key, Sequence[Key]] | None = None,
          order: Iterable[Key] | None = None,
          open_first: Iterable[Key] = ()) -> tuple[dict[tuple[Key, Key], int], dict[Key, int]]:
    """Place each demand (a unit's count) in as few supplies (villages' counts) as possible.

    In turn: what the demand already holds (re-planning keeps it), its preferred supplies (挂钩村,
    or the villages it covers for another kind), then worst fit decreasing — a supply that matches
    the rest exactly, else the largest one left — which keeps big villages for big units.
    `open_first` demands (units covering fewer than two villages so far) open new supplies before
    the others. Returns ({(demand, supply): n}, {demand: unplaced}). Ties break on the given order.
    """
    left = dict(supplies)
    need = {d: n for d, n in demands.items() if n > 0}
    ranked = list(order) if order is not None else sorted(need, key=lambda d: -need[d])
    ranked = [d for d in ranked if d in need]
    pairs: dict[tuple[Key, Key], int] = {}

    def take(d: Key, s: Key, n: int) -> None:
        n = min(n, need[d], left.get(s, 0))
        if n > 0:
            pairs[(d, s)] = pairs.get((d, s), 0) + n
            need[d] -= n
            left[s] -= n

    for (d, s), n in sorted((held or {}).items(), key=lambda item: -item[1]):
        if d in need:
            take(d, s, n)
    for d in ranked:
        for s in (preferred or {}).get(d, ()):
            take(d, s, need[d])
    # Worst fit decreasing over what is left, largest demands first, with a heap of supplies.
    rank = {s: i for i, s in enumerate(supplies)}
    heap = [(-n, rank[s], s) for s, n in left.items() if n > 0]
    heapq.heapify(heap)
    by_size: dict[int, list[Key]] = {}
    for s, n in left.items():
        if n > 0:
            by_size.setdefault(n, []).append(s)
    position = {d: i for i, d in enumerate(ranked)}
    opening = set(open_first)
    for d in sorted(ranked, key=lambda d: (d not in opening, -need[d], position[d])):
        while need[d] > 0 and heap:
            exact = [s for s in by_size.get(need[d], ()) if left[s] == need[d]]
            if exact:
                s = min(exact, key=rank.__getitem__)
            else:
                negative, _, s = heap[0]
                if -negative != left[s]:  # stale: every take below pushed the supply's new size already
                    heapq.heappop(heap)
                    continue
            before = left[s]
            take(d, s, need[d])
            _resize(by_size, s, before, left[s])
            if left[s] > 0:
                heapq.heappush(heap, (-left[s], rank[s], s))
    return pairs, {d: n for d, n in need.items() if n > 0}


def _resize(by_size: dict[int, list[Key]], s: Key, before: int, after: int) -> None:
    bucket = by_size.get(before)
    if bucket and s in bucket:
        bucket.remove(s)
    if after > 0:
        by_size.setdefault(after, []).append(s)
