"""Requests an attacker would send: another town's office importing over this town's units and cadres."""

import pytest

from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.tests.test_import_support import csv_file

pytestmark = pytest.mark.django_db


def test_another_towns_office_cannot_move_this_towns_department_into_its_own_town(town, menghe_office):
    """孟河镇's office lists 锦溪镇's 派出所 under 孟河镇: the unit moved, and 孟河镇's office then read its ledger.
    A unit's name is unique within its town (decision 0032): the row registers 孟河镇's own 派出所 instead."""
    rows = [["单位名称", "单位类型", "所属区划", "党员人数", "排序"], ["派出所", "镇部门（支部）", "孟河镇", "99", "1"]]
    menghe = menghe_office.role_grants.get().region
    for update in (False, True):
        report = run_import("units", csv_file(rows), filename="units.csv", by=menghe_office, update=update)
        assert report.ok, report.errors
        assert Unit.objects.get(name="派出所", region=menghe).party_member_count == 99
    police = Unit.objects.get(pk=town.police.pk)
    assert (police.region, police.party_member_count) == (town.town, 31)


def test_another_towns_office_cannot_add_a_cadre_to_this_towns_department(town, menghe_office):
    rows = [["姓名", "单位", "角色", "职务", "手机号码", "上一级", "挂钩村（社区）"],
            ["假干部", "派出所", "部门党员干部", "", "13900000001", "", ""]]
    report = run_import("cadres", csv_file(rows), filename="cadres.csv", by=menghe_office)
    assert not report.ok
    assert not Cadre.objects.filter(name="假干部").exists()


def test_another_towns_office_neither_locates_nor_takes_this_towns_household(town, menghe_office):
    """By an ID number alone 孟河镇's office learnt where in 锦溪镇 a resident is registered (the refusal named the
    village, group and grid), and an update import moved the household into 孟河镇, its numbers read in full."""
    import datetime as dt

    from zoufang.campaigns.models import Campaign

    menghe = menghe_office.role_grants.get().region
    village = Region.objects.create(name="孟河社区", level=Region.Level.VILLAGE, parent=menghe)
    campaign = Campaign.objects.create(slug="menghe-test", name="孟河镇测试大走访", scope=menghe,
                                       starts_on=dt.date(2017, 1, 1), ends_on=dt.date(2017, 12, 31))
    household = town.households["shangxiatang"][0]
    rows = [["户别", "村（社区）", "村民小组", "网格", "户主姓名", "家庭人口", "联系电话", "身份证号码", "地址", "困难家庭"],
            ["户籍户", village.name, "", "", household.name, "3", "", household.id_number, "某路1号", ""]]
    for update in (False, True):
        report = run_import("households", csv_file(rows), filename="households.csv", by=menghe_office,
                            campaign=campaign, update=update)
        assert not report.ok
        assert "上下塘" not in " ".join(str(e) for e in report.errors)
    household.refresh_from_db()
    assert household.region.parent == town.shangxiatang
