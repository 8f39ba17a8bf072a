"""Importing cadres: keyed by unit and name, supervisors anywhere in the file, linked villages."""

import pytest

from zoufang.registry.imports import run_import
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.tests.test_import_support import csv_file, make_town

HEADER = ["姓名", "单位", "角色", "职务", "手机号码", "上一级", "挂钩村（社区）"]


@pytest.fixture
def campaign(db):
    campaign = make_town(["周家浜村", "马援庄村", "三联村"])
    Unit.objects.create(name="镇党政班子", kind=Unit.Kind.TOWN_LEADERSHIP, region=campaign.scope)
    Unit.objects.create(name="派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=campaign.scope)
    return campaign


@pytest.mark.django_db
def test_it_imports_leaders_with_supervisors_and_linked_villages(campaign):
    rows = [HEADER,
            ["吴  恽", "镇党政班子", "镇党政领导", "副组长", "13912345678", "镇党政班子/王文", "三联村"],
            ["王  文", "镇党政班子", "镇党政领导", "组长", "", "", "周家浜村、马援庄村"],
            ["张三", "派出所", "部门党员干部", "", "", "王文", ""]]
    report = run_import("cadres", csv_file(rows), filename="cadres.csv", campaign=campaign, mark_demo=True)
    assert (report.created, report.updated) == (3, 0), report.errors
    wang, wu, zhang = (Cadre.objects.get(name=n) for n in ("王文", "吴恽", "张三"))
    assert wu.supervisor == wang
    assert zhang.supervisor == wang
    assert wu.is_demo
    assert sorted(r.name for r in wang.linked_regions.all()) == ["周家浜村", "马援庄村"]

    again = run_import("cadres", csv_file(rows), filename="cadres.csv", campaign=campaign)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    rows[2][6] = "周家浜村"
    changed = run_import("cadres", csv_file(rows), filename="cadres.csv", campaign=campaign)
    assert (changed.updated, changed.unchanged) == (1, 2)
    wang.refresh_from_db()
    assert [r.name for r in wang.linked_regions.all()] == ["周家浜村"]
    assert wang.version == 2


@pytest.mark.django_db
def test_it_refuses_unknown_units_roles_phones_supervisors_and_villages(campaign):
    rows = [HEADER,
            ["李四", "不存在单位", "镇党政领导", "", "", "", ""],
            ["王五", "派出所", "科员", "", "0512-123", "", ""],
            ["赵六", "派出所", "部门党员干部", "", "", "钱七", "不存在村"],
            ["赵六", "派出所", "部门党员干部", "", "", "", ""]]
    report = run_import("cadres", csv_file(rows), filename="cadres.csv", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "单位"), (3, "角色"), (3, "手机号码"), (4, "上一级"), (4, "挂钩村（社区）"), (5, "姓名")]
    assert not Cadre.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_ring_of_supervisors_and_writes_nothing(campaign):
    rows = [HEADER,
            ["王文", "镇党政班子", "镇党政领导", "组长", "", "吴恽", ""],
            ["吴恽", "镇党政班子", "镇党政领导", "副组长", "", "陈勇", ""],
            ["陈勇", "镇党政班子", "镇党政领导", "", "", "王文", ""],
            ["张三", "派出所", "部门党员干部", "", "", "王文", ""]]
    report = run_import("cadres", csv_file(rows), filename="cadres.csv", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第2行【上一级】：上一级形成循环：王文 → 吴恽 → 陈勇 → 王文，须有一人没有上一级或上一级在循环之外"]
    assert not Cadre.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_ring_closed_through_the_registry(campaign):
    """The file only names 王文's 上一级, but 吴恽 is already registered under 王文: a ring of two."""
    rows = [HEADER, ["王文", "镇党政班子", "镇党政领导", "", "", "", ""],
            ["吴恽", "镇党政班子", "镇党政领导", "", "", "王文", ""]]
    assert run_import("cadres", csv_file(rows), filename="cadres.csv", campaign=campaign).ok
    report = run_import("cadres", csv_file([HEADER, ["王文", "镇党政班子", "镇党政领导", "", "", "吴恽", ""]]),
                        filename="cadres.csv", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第2行【上一级】：上一级形成循环：王文 → 吴恽 → 王文，须有一人没有上一级或上一级在循环之外"]
    assert Cadre.objects.get(name="王文").supervisor is None
