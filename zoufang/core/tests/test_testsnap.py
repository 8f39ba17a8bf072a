"""The fixture snapshots (zoufang/core/testsnap.py) write back exactly the rows a build wrote."""

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from zoufang.accounts.models import AuditChain
from zoufang.core import testsnap
from zoufang.regions.models import Region


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(testsnap.ENV, str(tmp_path))
    return tmp_path


def _build() -> int:
    """New rows of several kinds of value (text, dates, nulls, JSON), and a change to a row the database held."""
    town = Region.objects.create(name="锦溪镇\t试\\验", level=Region.Level.TOWN)
    Region.objects.create(name="上下塘社区", level=Region.Level.VILLAGE, parent=town)
    head = AuditChain.objects.first() or AuditChain.objects.create()
    head.last_seq += 7
    head.save()
    return town.pk


def _state() -> dict[str, Any]:
    return {name: table.rows for name, table in testsnap._read().items()}  # noqa: SLF001


@pytest.mark.django_db
def test_a_written_back_state_is_the_built_one_row_for_row(folder):
    AuditChain.objects.get_or_create()
    with transaction.atomic():
        built_pk = testsnap.built("towns", _build)
        built = _state()
        transaction.set_rollback(True)
    assert list(folder.glob("towns-*.pickle")), "the build was recorded"
    with transaction.atomic():
        assert testsnap.built("towns", lambda: pytest.fail("built again instead of written back")) == built_pk
        assert _state() == built
        # The ids move on past the written rows, as after the build.
        assert Region.objects.create(name="新村", level=Region.Level.VILLAGE).pk > built_pk
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_snapshot_is_written_back_only_onto_the_state_it_was_built_on(folder):
    with transaction.atomic():
        testsnap.built("towns", _build)
        transaction.set_rollback(True)
    Region.objects.create(name="另一个镇", level=Region.Level.TOWN)
    calls = []
    with transaction.atomic():
        testsnap.built("towns", lambda: calls.append(1))
        transaction.set_rollback(True)
    assert calls == [1], "another starting point: built, not written back"


@pytest.mark.django_db
def test_a_build_that_deletes_rows_is_built_every_time_not_recorded(folder):
    Region.objects.create(name="要删除的镇", level=Region.Level.TOWN)

    def build() -> str:
        Region.objects.filter(name="要删除的镇").delete()
        return "built"

    with transaction.atomic():
        assert testsnap.built("deleting", build) == "built"
        transaction.set_rollback(True)
    assert not list(folder.glob("deleting-*.pickle"))


@pytest.mark.django_db
def test_without_a_run_folder_it_simply_builds(monkeypatch):
    monkeypatch.delenv(testsnap.ENV, raising=False)
    assert testsnap.built("towns", lambda: "built") == "built"


def _items(modules: dict[str, tuple[int, bool]]) -> list[Any]:
    from types import SimpleNamespace

    return [SimpleNamespace(nodeid=f"{module}::test_{n}", fixturenames=("demo",) if demo else ("db",))
            for module, (count, demo) in modules.items() for n in range(count)]


def test_each_worker_gets_one_block_of_the_demo_s_tests_whole_modules_first_opening_later_closing_its_run():
    from zoufang.conftest import spread

    items = _items({"a.py": (30, False), "demo_1.py": (4, True), "b.py": (20, False), "demo_2.py": (3, True),
                    "demo_3.py": (3, True), "c.py": (20, False)})
    ordered = spread(items, workers=2)
    assert sorted(map(id, ordered)) == sorted(map(id, items)), "every test once"
    run = len(items) // 2 // 4  # what pytest-xdist's --dist load first hands each worker
    first, second = ordered[:run], ordered[run:2 * run]
    assert [i.nodeid.split("::")[0] for i in first[:4]] == ["demo_1.py"] * 4
    assert all("demo" not in i.nodeid for i in first[4:])
    assert [i.nodeid.split("::")[0] for i in second[-6:]] == ["demo_2.py"] * 3 + ["demo_3.py"] * 3
    assert all("demo" not in i.nodeid for i in ordered[2 * run:])


def test_with_one_worker_or_blocks_too_big_for_a_run_the_demo_s_tests_come_first():
    from zoufang.conftest import spread

    items = _items({"a.py": (10, False), "demo_1.py": (4, True), "demo_2.py": (4, True)})
    for workers in (1, 2):
        ordered = spread(items, workers)
        assert all("demo" in i.nodeid for i in ordered[:8])
        assert all("demo" not in i.nodeid for i in ordered[8:])


def test_the_modules_of_one_demo_layer_follow_one_another_where_the_first_was(monkeypatch):
    from types import SimpleNamespace

    from zoufang import conftest

    monkeypatch.setitem(conftest.DEMO_LAYERS, "a_layer", lambda demo: None)
    layered = {"demo_1.py", "demo_3.py", "demo_5.py"}
    items = [SimpleNamespace(nodeid=f"{module}::test_{n}",
                             fixturenames=("demo", "a_layer") if module in layered and n else ("demo",))
             for module in ("demo_1.py", "demo_2.py", "demo_3.py", "demo_4.py", "demo_5.py") for n in range(2)]
    blocks = conftest._blocks(items, workers=1)  # noqa: SLF001
    assert [[i.nodeid.split("::")[0] for i in block][::2] for block in blocks] == [
        ["demo_1.py", "demo_3.py", "demo_5.py", "demo_2.py", "demo_4.py"]]


@pytest.mark.django_db
def test_a_demo_layer_is_built_once_for_the_modules_that_follow_one_another_each_rolled_back_alone(
        town, django_db_blocker, monkeypatch):
    """The layer stays under the modules that ask for it, each module's writes rolled back at its end; the layer
    itself goes before a module that does not ask for it."""
    from zoufang import conftest

    builds = []

    def build(demo: Any) -> dict[str, int]:
        builds.append(demo.pk)
        return {"village": Region.objects.create(name="层里的村", level=Region.Level.VILLAGE, parent=demo.scope).pk}

    monkeypatch.setitem(conftest.DEMO_LAYERS, "a_layer", build)
    shared = conftest.SharedDemo(django_db_blocker)
    shared._campaign = town.campaign.pk  # noqa: SLF001 - the test's small town stands for the demo

    def names() -> set[str]:
        return set(Region.objects.values_list("name", flat=True))

    for module in ("第一个模块", "第二个模块"):
        shared.keep_layer("a_layer")
        with conftest.rolled_back(django_db_blocker):
            result = shared.layer("a_layer")
            assert Region.objects.get(pk=result["village"]).name == "层里的村"
            assert "第一个模块" not in names(), "the module before rolled back alone"
            result["village"] = 0  # a module's copy of the result is its own
            Region.objects.create(name=module, level=Region.Level.TOWN)
    assert builds == [town.campaign.pk], "built once"
    assert "层里的村" in names()
    assert "第二个模块" not in names()
    shared.keep_layer(None)
    assert "层里的村" not in names(), "gone before a module that does not ask for it"
    shared.keep_layer("a_layer")
    assert len(builds) == 2, "built again"
    assert "层里的村" in names()
    shared.roll_back()
    assert "层里的村" not in names()


@pytest.mark.django_db
def test_a_fresh_state_is_written_back_only_onto_a_new_database_s_rows(folder):
    """`fresh`: the town most tests start from, recorded from a database that holds only what a new test database
    holds, written back there row for row; built, and not recorded, where any other row is there first."""
    from zoufang.conftest import make_town

    with transaction.atomic():
        made = testsnap.built("town", make_town, fresh=True)
        built = _state()
        transaction.set_rollback(True)
    with transaction.atomic():
        again = testsnap.built("town", lambda: pytest.fail("built again instead of written back"), fresh=True)
        assert _state() == built
        assert again.users["office"].pk == made.users["office"].pk
        assert again.users["office"] is not made.users["office"]  # each test its own objects
        transaction.set_rollback(True)
    recorded = set(folder.glob("town-*.pickle"))
    Region.objects.create(name="另一个镇", level=Region.Level.TOWN)
    calls = []
    with transaction.atomic():
        testsnap.built("town", lambda: calls.append(1), fresh=True)
        transaction.set_rollback(True)
    assert calls == [1], "another fixture wrote first: built"
    assert set(folder.glob("town-*.pickle")) == recorded, "and not recorded"


@pytest.mark.django_db
def test_a_fresh_state_is_known_by_the_seeded_rows_themselves_not_their_count(folder):
    """The audit chain's head is a row a new database may hold: the same count with another content is another
    starting point."""
    head = AuditChain.objects.first() or AuditChain.objects.create()
    with transaction.atomic():
        testsnap.built("heads", lambda: Region.objects.create(name="镇", level=Region.Level.TOWN).pk, fresh=True)
        transaction.set_rollback(True)
    head.last_seq += 1
    head.save()
    calls = []
    with transaction.atomic():
        testsnap.built("heads", lambda: calls.append(1), fresh=True)
        transaction.set_rollback(True)
    assert calls == [1]
