"""Positions: the optional 经度/纬度 (or 坐标) import columns, validated; the gazetteer filling the rest."""

from decimal import Decimal

import pytest

from zoufang.regions.models import Region
from zoufang.regions.positions import distance_m, fill_missing
from zoufang.registry.imports import run_import
from zoufang.registry.models import PositionSource, Target
from zoufang.registry.tests.test_import_support import csv_file, make_town, region, village

pytestmark = pytest.mark.django_db
HEADER = ["户别", "村（社区）", "村民小组", "户主姓名", "地址", "经度", "纬度", "坐标"]


def row(name: str, lon: str = "", lat: str = "", both: str = "", place: str = "计家墩村", group: str = "",
        address: str = "幸福路1号") -> list[str]:
    return ["户籍户", place, group, name, address, lon, lat, both]


@pytest.fixture
def campaign(db):
    campaign = make_town()
    jjd = village("计家墩村")
    jjd.latitude, jjd.longitude = Decimal("31.170000"), Decimal("120.880000")
    jjd.save()
    group = region("第3村民小组", Region.Level.GROUP, jjd)
    group.latitude, group.longitude = Decimal("31.172000"), Decimal("120.884000")
    group.save()
    return campaign


def test_positions_are_imported_in_either_layout_and_the_rest_filled_from_the_gazetteer(campaign):
    rows = [HEADER, row("甲", "120.881234", "31.171234"), row("乙", both="31.175,120.885"),
            row("丙", both="120.886，31.176"), row("丁", address="计家墩村第3村民小组12号"),
            row("戊", place="上下塘社区")]
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    assert report.ok, report.errors
    got = {t.name: (t.latitude, t.longitude, t.position_source) for t in Target.objects.all()}
    assert got["甲"] == (Decimal("31.171234"), Decimal("120.881234"), PositionSource.IMPORTED)
    assert got["乙"] == (Decimal("31.175000"), Decimal("120.885000"), PositionSource.IMPORTED)
    assert got["丙"] == (Decimal("31.176000"), Decimal("120.886000"), PositionSource.IMPORTED)
    # The address names a positioned group of its village; the village's own position otherwise.
    assert got["丁"] == (Decimal("31.172000"), Decimal("120.884000"), PositionSource.ADDRESS)
    assert got["戊"] == (None, None, "")  # 上下塘社区 has no position: nothing is made up


def test_bad_positions_are_refused_naming_row_and_column(campaign):
    rows = [HEADER, row("甲", "120.88", ""), row("乙", "12O.88", "31.17"), row("丙", "20.88", "31.17"),
            row("丁", both="120.88"), row("戊", "120.88", "31.17", "120.88,31.17")]
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "同时填写" in messages[(2, "纬度")]
    assert "应为数字" in messages[(3, "经度")]
    assert "不在中国境内" in messages[(4, "经度")]
    assert "两个数" in messages[(5, "坐标")]
    assert "坐标列应留空" in messages[(6, "坐标")]
    assert Target.objects.count() == 0


def test_a_village_position_reaches_its_targets_but_never_overwrites_an_imported_one(campaign):
    rows = [HEADER, row("甲", "120.881234", "31.171234"), row("乙", place="上下塘社区")]
    assert run_import("households", csv_file(rows), filename="h.csv", campaign=campaign).ok
    regions = [["上级区划", "名称", "层级", "坐标"], ["锦溪镇", "上下塘社区", "社区", "120.905,31.185"]]
    assert run_import("regions", csv_file(regions), filename="r.csv", campaign=campaign).ok
    sxt = Target.objects.get(name="乙")
    assert (sxt.latitude, sxt.longitude, sxt.position_source) == (
        Decimal("31.185000"), Decimal("120.905000"), PositionSource.VILLAGE)
    assert Target.objects.get(name="甲").position_source == PositionSource.IMPORTED
    assert fill_missing(campaign.scope) == 0  # nothing left to change


def test_distance_is_in_metres():
    # One thousandth of a degree of latitude is about 111 m.
    assert 110 < distance_m(31.170, 120.88, 31.171, 120.88) < 112
