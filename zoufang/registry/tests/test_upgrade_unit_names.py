"""The upgrade to `registry/0008` on a database that already holds one name twice within a town (decision 0032's
second addendum): a real migration run on a scratch database of the same engine, from 0007 with clashing units
written by the historical models, forward through 0008. It finishes, renames, merges nothing and audits each rename.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import load_backend

from zoufang.accounts.audit import digest

pytestmark = pytest.mark.django_db

BEFORE = [("registry", "0007_unit_name_unique_within_town"), ("accounts", "0004_audit_chain_and_append_only")]
AFTER = [("registry", "0008_unit_town")]


@contextmanager
def scratch_database(tmp_path: Any) -> Iterator[None]:
    """While open, `default` is a new, empty database of the test database's engine: the migrations' RunPython
    functions (some read the default database) run on it alone, and the test database is left as it was."""
    real = connections["default"]
    settings = {**real.settings_dict}
    if real.vendor == "postgresql":
        settings["NAME"] = f"{real.settings_dict['NAME']}_upgrade_{uuid.uuid4().hex[:8]}"
        with real._nodb_cursor() as cursor:  # noqa: SLF001
            cursor.execute(f'CREATE DATABASE "{settings["NAME"]}"')
    else:
        settings["NAME"] = str(tmp_path / "upgrade.sqlite3")
    scratch = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, alias="default")
    connections["default"] = scratch
    try:
        yield
    finally:
        scratch.close()
        connections["default"] = real
        if real.vendor == "postgresql":
            with real._nodb_cursor() as cursor:  # noqa: SLF001
                cursor.execute(f'DROP DATABASE "{settings["NAME"]}"')


def migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate the scratch database to `targets`; the historical apps as they stand there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def region(apps: Any, name: str, level: str, parent: Any = None) -> Any:
    """A region written as 0007's code would (the historical model does not compute the materialised path)."""
    made = apps.get_model("regions", "Region").objects.create(name=name, level=level, parent=parent)
    made.path = f"{parent.path if parent else ''}{made.pk:06d}."
    made.save(update_fields=["path"])
    return made


def test_an_upgrade_renames_the_units_one_town_holds_twice_and_merges_nothing(tmp_path, capsys):
    with scratch_database(tmp_path):
        apps = migrate(BEFORE)
        Unit, Cadre = apps.get_model("registry", "Unit"), apps.get_model("registry", "Cadre")
        county = region(apps, "昆山市", "county")
        jinxi, zhouzhuang = region(apps, "锦溪镇", "town", county), region(apps, "周庄镇", "town", county)
        jijiadun, shangxiatang = region(apps, "计家墩村", "village", jinxi), region(apps, "上下塘社区", "village", jinxi)
        group_1, group_2 = region(apps, "第1村民小组", "group", jijiadun), region(apps, "第1村民小组", "group", shangxiatang)

        def unit(name: str, where: Any, kind: str = "town_department") -> Any:
            made = Unit.objects.create(name=name, kind=kind, region=where)
            Cadre.objects.create(name=f"{where.name if where else '共用'}{name}干部", unit=made, role="party_member")
            return made

        towns = unit("综治办", jinxi)  # the town's own: keeps its name
        villages = [unit("综治办", jijiadun, "village_committee"), unit("综治办", shangxiatang, "village_committee")]
        groups = [unit("网格站", group_1), unit("网格站", group_2)]  # two villages' groups of one name
        others = [unit("综治办", zhouzhuang), unit("综治办", None, "outside_body"), unit("派出所", jinxi)]
        taken = unit("网格站（第1村民小组）", jijiadun)  # the first name a group's unit would get is taken

        apps = migrate(AFTER)

        Unit, Cadre = apps.get_model("registry", "Unit"), apps.get_model("registry", "Cadre")
        names = dict(Unit.objects.values_list("pk", "name"))
        assert names[towns.pk] == "综治办"
        assert [names[u.pk] for u in villages] == ["综治办（计家墩村）", "综治办（上下塘社区）"]
        assert [names[u.pk] for u in groups] == ["网格站（计家墩村/第1村民小组）", "网格站（上下塘社区/第1村民小组）"]
        assert [names[u.pk] for u in [*others, taken]] == ["综治办", "综治办", "派出所", "网格站（第1村民小组）"]
        assert Unit.objects.get(pk=villages[0].pk).version == 2
        assert Unit.objects.get(pk=towns.pk).version == 1
        # Nothing merged: every unit and every cadre where it was.
        assert Unit.objects.count() == 9
        assert {c.unit_id for c in Cadre.objects.all()} == set(names)
        assert set(Unit.objects.filter(town_id=jinxi.pk).values_list("pk", flat=True)) == {
            towns.pk, *[u.pk for u in villages], *[u.pk for u in groups], others[2].pk, taken.pk}

        events = list(apps.get_model("accounts", "AuditEvent").objects.order_by("seq"))
        assert [(e.seq, e.action, e.object_type, e.actor_id) for e in events] == [
            (n, "update", "registry.Unit", None) for n in range(1, 5)]
        assert events[0].object_id == str(Unit.objects.get(pk=villages[0].pk).public_id)
        assert events[0].changes == {"name": ["综治办", "综治办（计家墩村）"]}
        assert "锦溪镇内有不止一个单位叫“综治办”" in events[0].summary
        assert all(e.hash == digest(e) for e in events)
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        head = apps.get_model("accounts", "AuditChain").objects.get(pk=1)
        assert (head.last_seq, head.last_hash) == (4, events[-1].hash)
        shown = capsys.readouterr().out
        assert "4 unit(s) shared a name within a town" in shown
        assert "锦溪镇: 综治办 -> 综治办（计家墩村）" in shown

        with pytest.raises(IntegrityError), transaction.atomic():  # the constraint now holds
            Unit.objects.create(name="综治办", kind="village_committee", region_id=jijiadun.pk, town_id=jinxi.pk)


def test_an_upgrade_without_clashes_renames_and_audits_nothing(tmp_path, capsys):
    with scratch_database(tmp_path):
        apps = migrate(BEFORE)
        Unit = apps.get_model("registry", "Unit")
        county = region(apps, "昆山市", "county")
        jinxi, zhouzhuang = region(apps, "锦溪镇", "town", county), region(apps, "周庄镇", "town", county)
        for where in (jinxi, zhouzhuang, county):
            Unit.objects.create(name="派出所", kind="town_department", region=where)

        apps = migrate(AFTER)

        Unit = apps.get_model("registry", "Unit")
        assert set(Unit.objects.values_list("name", "town__name")) == {
            ("派出所", None), ("派出所", "周庄镇"), ("派出所", "锦溪镇")}
        assert not apps.get_model("accounts", "AuditEvent").objects.exists()
        assert "renamed" not in capsys.readouterr().out
