"""What changes when kept counts follow rows: each row's recorded contribution against its contribution now.

Kept counts (oversight.case_counters, ratings.tallies) record per counted row what it adds to its tallies. A
change reads the recorded contributions (row-locked), computes the new ones, and moves the difference: the old
contribution subtracted, the new one added, and the record deleted, created or rewritten. `moves` is that
comparison, the one place it is made; the callers spread the deltas over their own tallies and write their own
records.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


@dataclass
class Moves(Generic[K, V]):
    gone: list[K] = field(default_factory=list)  # counted before, not now: delete the record
    created: list[tuple[K, V]] = field(default_factory=list)  # counted now, not before: write a record
    changed: list[tuple[K, V]] = field(default_factory=list)  # counted both times, differently: rewrite it


def moves(ids: Iterable[K], before: Mapping[K, V], now: Mapping[K, V], spread: Callable[[V, int], None]) -> Moves[K, V]:
    """Compare each id's contribution recorded (`before`) with its contribution now; `spread(part, sign)` is
    called with -1 for each contribution that goes and +1 for each that comes, so the caller adds the
    difference to its tallies. An id whose contribution did not change costs nothing."""
    found: Moves[K, V] = Moves()
    for key in ids:
        old, new = before.get(key), now.get(key)
        if old == new:
            continue
        if old is not None:
            spread(old, -1)
        if new is None:
            found.gone.append(key)
            continue
        spread(new, +1)
        (found.changed if old is not None else found.created).append((key, new))
    return found
