"""A lane of its own for the transactional tests, beside the others (tests only, never the product).

pytest-django runs a worker's transactional tests (the live servers and the browser driving them) after all its
other tests. With every worker doing so, a run ended with every worker in the browser's tests at once: on two cores
the SQLite half's last 150 s had the workers' own processes at a fifth of a core while Chromium drew and waited,
and the cores half idle. With one worker more than the machine has cores, the last worker takes the transactional
tests from the start while the others take the rest, so the browser's waits fall where the others' work fills the
cores. A worker that runs out of its own tests takes the late lane's last tests, after its own, as pytest-django's
order wants. The late lane's worker, its lane done, takes the others' last tests: against pytest-django's order,
but harmless here, as a transactional test leaves its database flushed, as empty as a new test database (the
migrations add no rows to an empty database, and SQLite's test tables are made from the models).

A module's tests stay together where that is cheap: a worker handed a few tests is handed the rest of their module
with them, up to MODULE_TAIL more (`to_module_end`), so that a module-scoped fixture (the hostile crawler's town,
15 s on PostgreSQL) is built once and not again each time the workers' chunks take turns in the module: the
PostgreSQL half built the crawler's town three times, 孟河镇's planning fixture five, a new town's seven. In the
last fifth of the run the chunks stay small, so that the workers finish together.

The workers order their collection (`order`: every other test first, the transactional ones last) and write where
the late lane begins into the run's folder; the controller's scheduler (`LaneScheduling`) reads it there. With
fewer than three workers, or no such record, the run is scheduled as before.
"""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from zoufang.core.testsnap import ENV

MIN_WORKERS = 3  # the late lane's worker and at least two others
MODULE_TAIL = 24  # a module's tests handed out with a chunk that begins it, at most this many more
ALIGNED_UNTIL = 5  # chunks end with their module until a fifth of the collection is left
RECORD = "lanes"


def is_late(item: pytest.Item) -> bool:
    """A transactional test, in pytest-django's sense: it commits, so it runs after the others on its worker."""
    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    return transactional or "transactional_db" in fixtures or "live_server" in fixtures


def order(items: list[pytest.Item], workers: int,
          early_order: Callable[[list[pytest.Item], int], list[pytest.Item]]) -> list[pytest.Item]:
    """The worker's collection: `early_order` of the others among `workers - 1` workers, then the late lane; where
    the lane begins is recorded for the scheduler. With fewer workers, `early_order` of all among `workers`."""
    late = [item for item in items if is_late(item)]
    if workers < MIN_WORKERS or not late or len(late) == len(items):
        return early_order(items, workers)
    early = early_order([item for item in items if not is_late(item)], workers - 1)
    _record(len(early), len(items))
    return early + late


def _record(early: int, total: int) -> None:
    folder = os.environ.get(ENV)
    if not folder:
        return
    path = Path(folder) / RECORD
    partial = path.with_name(f"{RECORD}.{os.getpid()}")
    partial.write_text(f"{early} {total}")
    partial.replace(path)  # every worker writes the same record: the last one stays, whole


def recorded(total: int) -> int | None:
    """Where the late lane begins in a collection of `total` tests, as the workers recorded it; None if they did
    not (fewer workers, no transactional test, another run's record)."""
    folder = os.environ.get(ENV)
    path = Path(folder) / RECORD if folder else None
    if path is None or not path.exists():
        return None
    early, recorded_total = (int(part) for part in path.read_text().split())
    return early if recorded_total == total else None


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def to_module_end(collection: list[str], pending: list[int], count: int, tail: int = MODULE_TAIL) -> int:
    """How many of `pending` to hand out for a chunk of `count`: the chunk and the rest of its last test's module,
    if that rest is at most `tail` tests; else `count`."""
    if not 0 < count < len(pending):
        return count
    module = module_of(collection[pending[count - 1]])
    end = count
    while end < len(pending) and end - count <= tail and module_of(collection[pending[end]]) == module:
        end += 1
    return end if end - count <= tail else count


def scheduler(base: type, chunk: int) -> type:
    """`base` (an xdist LoadScheduling) with the late lane: its worker fed from the lane, a few tests at a time; the
    others fed by `base` from the rest, then taking the lane's last tests once the rest is handed out."""

    class LaneScheduling(base):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.late: list[int] = []  # the late lane's tests not handed out yet
            self.late_node: Any = None  # its worker, once the lanes are set

        @property
        def tests_finished(self) -> bool:
            return not self.late and super().tests_finished

        @property
        def has_pending(self) -> bool:
            return bool(self.late) or super().has_pending

        def schedule(self) -> None:
            if self.collection is None and self.collection_is_completed and self._lanes():
                return
            super().schedule()

        def _lanes(self) -> bool:
            collection = next(iter(self.node2collection.values()))
            early = recorded(len(collection))
            if early is None or len(self.nodes) < MIN_WORKERS or not self._check_nodes_have_same_collection():
                return False
            self.collection = collection
            self.pending[:] = range(early)
            self.late[:] = range(early, len(collection))
            *others, self.late_node = sorted(self.nodes, key=lambda node: int(node.gateway.id.lstrip("gw") or 0))
            # The first runs as `spread` counts them (a quarter of each worker's share), then small chunks.
            for node in others:
                self._send_tests(node, max(early // len(others) // 4, 2))
            self._send(self.late_node, self.late, 2, from_end=False)
            self.maxschedchunk = chunk
            return True

        def _send_tests(self, node: Any, num: int) -> None:
            if self.collection is not None and self.maxschedchunk == chunk and \
                    len(self.pending) > len(self.collection) // ALIGNED_UNTIL:
                num = to_module_end(self.collection, self.pending, num)
            super()._send_tests(node, num)

        def check_schedule(self, node: Any, duration: float = 0) -> None:
            if self.late_node is None or (node is not self.late_node and self.pending):
                super().check_schedule(node, duration)
                return
            if node.shutting_down:
                return
            queued = len(self.node2pending[node])
            if queued >= 2:
                return
            if node is self.late_node and self.late:
                self._send(node, self.late, 2 - queued, from_end=False)
            elif node is self.late_node and self.pending:
                self._send(node, self.pending, 1, from_end=True)
            elif self.late:
                self._send(node, self.late, 1, from_end=True)
            else:
                node.shutdown()

        def _send(self, node: Any, tests: list[int], count: int, *, from_end: bool) -> None:
            taken = [tests.pop() for _ in range(min(count, len(tests)))] if from_end else tests[:count]
            if not from_end:
                del tests[:count]
            if taken:
                self.node2pending[node].extend(taken)
                node.send_runtest_some(taken)

    return LaneScheduling
