"""Importing the region tree: rows in order, paths, codes, levels; idempotent."""

import pytest

from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.tests.test_import_support import csv_file, make_town

HEADER = ["上级区划", "名称", "层级", "区划代码"]


@pytest.mark.django_db
def test_it_builds_a_tree_from_rows_that_refer_to_earlier_rows():
    rows = [HEADER,
            ["", "昆山市", "区县", "320583"],
            ["昆山市", "锦溪镇", "镇", "320583106"],
            ["锦溪镇", "上下塘社区", "社区", ""],
            ["锦溪镇/上下塘社区", "第1居民小组", "居民小组", ""],
            ["昆山市/锦溪镇/上下塘社区/第1居民小组", "第1网格", "网格", ""]]
    report = run_import("regions", csv_file(rows), filename="regions.csv", mark_demo=True)
    assert report.ok, report.errors
    assert report.created == 5
    grid = Region.objects.get(name="第1网格")
    assert [r.name for r in grid.ancestors()] == ["昆山市", "锦溪镇", "上下塘社区", "第1居民小组", "第1网格"]
    assert grid.level == Region.Level.GRID
    assert grid.is_demo
    assert Region.objects.get(name="上下塘社区").level == Region.Level.VILLAGE

    again = run_import("regions", csv_file(rows), filename="regions.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


@pytest.mark.django_db
def test_it_adds_a_code_to_a_stored_region_and_bumps_its_version():
    make_town(["上下塘社区"])
    rows = [HEADER, ["锦溪镇", "上下塘社区", "社区", "320583106001"]]
    report = run_import("regions", csv_file(rows), filename="regions.csv")
    assert (report.created, report.updated) == (0, 1)
    sxt = Region.objects.get(name="上下塘社区")
    assert (sxt.code, sxt.version) == ("320583106001", 2)


@pytest.mark.django_db
def test_it_refuses_bad_levels_parents_codes_and_duplicates():
    make_town(["上下塘社区"])
    rows = [HEADER,
            ["锦溪镇/上下塘社区", "某镇", "镇", ""],
            ["不存在镇", "某村", "村", ""],
            ["锦溪镇", "新村", "村", "12ab"],
            ["锦溪镇", "新村二", "乡村", ""],
            ["锦溪镇", "新村三", "村", ""],
            ["锦溪镇", "新村三", "村", ""]]
    report = run_import("regions", csv_file(rows), filename="regions.csv")
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "上级区划"), (3, "上级区划"), (4, "区划代码"), (5, "层级"), (7, "名称")]
    assert "第6行" in report.errors[-1].message
    assert not Region.objects.filter(name__startswith="新村").exists()
