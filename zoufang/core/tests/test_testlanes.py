"""The late lane of the suite's scheduler (zoufang/core/testlanes.py), run against stand-ins for xdist's workers."""

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from xdist.scheduler import LoadScheduling

from zoufang.core import testlanes
from zoufang.core.testsnap import ENV


@dataclass(eq=False)
class Worker:
    """What the scheduler uses of xdist's WorkerController: its id, the tests sent, a shutdown."""

    number: int
    sent: list[int] = field(default_factory=list)
    queue: list[int] = field(default_factory=list)
    shutting_down: bool = False

    @property
    def gateway(self) -> Any:
        return SimpleNamespace(id=f"gw{self.number}")

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent += indices
        self.queue += indices

    def shutdown(self) -> None:
        self.shutting_down = True


class Config:
    def __init__(self, workers: int) -> None:
        self.workers = workers

    def getvalue(self, name: str) -> Any:
        assert name == "tx"
        return [f"{self.workers}*popen"]

    def getoption(self, name: str) -> Any:
        return None


def run(workers: int, early: int, total: int, record: bool, tmp_path: Any, monkeypatch: Any,
        pace: dict[int, int] | None = None) -> list[Worker]:
    """Schedule a collection of `total` tests over `workers` stand-ins and run it to the end, each worker
    finishing a test in turn (or `pace[worker]` tests a turn); the workers, with the tests each was sent."""
    monkeypatch.setenv(ENV, str(tmp_path))
    if record:
        testlanes._record(early, total)  # noqa: SLF001 - what the workers' collection writes
    scheduler = testlanes.scheduler(LoadScheduling, 4)(Config(workers))
    nodes = [Worker(number) for number in range(workers)]
    collection = [f"test_{index}" for index in range(total)]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, collection)
    scheduler.schedule()
    for _turn in range(10 * total):
        if scheduler.tests_finished and all(not node.queue for node in nodes):
            break
        for node in nodes:
            for _ in range((pace or {}).get(node.number, 1)):
                if node.queue:
                    scheduler.mark_test_complete(node, node.queue.pop(0))
    assert sorted(index for node in nodes for index in node.sent) == list(range(total))  # each test once
    return nodes


def test_the_last_worker_runs_the_late_lane_first_and_the_others_run_every_other_test_first(tmp_path, monkeypatch):
    first, second, late = run(3, 80, 100, True, tmp_path, monkeypatch)
    assert late.sent[:20] == list(range(80, 100))  # the whole lane, in order, from the start
    for worker in (first, second):
        ran = worker.sent
        early = [index for index in ran if index < 80]
        assert ran[:len(early)] == early  # none of the lane before its own tests
    assert first.sent[:10] == list(range(10))  # the first runs as `spread` counts them: a quarter of a share
    assert second.sent[:10] == list(range(10, 20))
    assert all(worker.shutting_down for worker in (first, second, late))


def test_a_worker_out_of_tests_takes_the_other_lane_s_last_tests(tmp_path, monkeypatch):
    # The late lane's worker is fast: its lane done, it takes the others' last tests, from the end.
    _first, _second, late = run(3, 80, 100, True, tmp_path, monkeypatch, pace={2: 5})
    taken = late.sent[20:]
    assert taken
    assert all(index < 80 for index in taken)
    assert taken[:2] == [79, 78]
    # The others are fast: out of their own tests, they take the lane's last ones, after their own.
    first, second, late = run(3, 80, 100, True, tmp_path, monkeypatch, pace={0: 5, 1: 5})
    assert late.sent[:2] == [80, 81]
    stolen = [index for index in first.sent + second.sent if index >= 80]
    assert stolen
    assert max(stolen) == 99
    for worker in (first, second):
        lane = [position for position, index in enumerate(worker.sent) if index >= 80]
        assert not lane or all(index >= 80 for index in worker.sent[lane[0]:])


@pytest.mark.parametrize(("workers", "record"), [(2, True), (3, False)])
def test_without_three_workers_or_a_record_the_run_is_scheduled_as_before(tmp_path, monkeypatch, workers, record):
    nodes = run(workers, 80, 100, record, tmp_path, monkeypatch)
    assert all(node.sent[0] < 80 for node in nodes)  # nobody starts on the lane
    assert testlanes.recorded(101) is None  # a record of another collection is not read as this one's


def test_the_workers_order_puts_the_transactional_tests_last_and_records_where_they_begin(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, str(tmp_path))

    def item(name: str, fixtures: tuple[str, ...] = ()) -> Any:
        return SimpleNamespace(nodeid=name, fixturenames=fixtures, get_closest_marker=lambda _name: None)

    items = [item("a", ("db",)), item("b", ("live_server",)), item("c"), item("d", ("transactional_db",))]
    ordered = testlanes.order(items, 3, lambda early, workers: list(reversed(early)))
    assert [i.nodeid for i in ordered] == ["c", "a", "b", "d"]
    assert testlanes.recorded(4) == 2
    assert [i.nodeid for i in testlanes.order(items, 2, lambda early, workers: early)] == ["a", "b", "c", "d"]


def test_a_chunk_takes_the_rest_of_its_module_when_that_is_short():
    collection = [f"m{index // 10}.py::test_{index}" for index in range(100)]  # ten modules of ten tests
    pending = list(range(12, 100))
    assert testlanes.to_module_end(collection, pending, 4) == 8  # 12..15, then 16..19: the rest of m1
    assert testlanes.to_module_end(collection, pending, 8) == 8  # already ends with its module
    assert testlanes.to_module_end(collection, pending, 4, tail=3) == 4  # the rest is longer than the tail
    assert testlanes.to_module_end(collection, pending, 88) == 88
    assert testlanes.to_module_end(collection, pending, 0) == 0


def test_the_workers_take_turns_by_module_and_finish_in_small_chunks(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, str(tmp_path))
    scheduler = testlanes.scheduler(LoadScheduling, 4)(Config(2))
    nodes = [Worker(0), Worker(1)]
    collection = [f"m{index // 10}.py::test_{index}" for index in range(200)]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, collection)
    scheduler.schedule()
    scheduler.maxschedchunk = 4  # as the suite's FirstRunsThenSmallChunks sets it after the first runs
    while not (scheduler.tests_finished and all(not node.queue for node in nodes)):
        for node in nodes:
            if node.queue:
                scheduler.mark_test_complete(node, node.queue.pop(0))
    assert sorted(index for node in nodes for index in node.sent) == list(range(200))
    modules_run = {node.number: {collection[i].split("::")[0] for i in node.sent} for node in nodes}
    early = set(modules_run[0]) & set(modules_run[1])
    # Outside the first runs (cut where xdist cuts them) and the last fifth, no module is run by both workers.
    shared = {module for module in early if int(module[1:-3]) * 10 < 160 and int(module[1:-3]) > 2}
    assert not shared, shared
