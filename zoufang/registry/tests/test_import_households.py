"""Importing households: the acceptance case (1,000 rows, one bad check digit), keys, regions, encodings."""

import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target
from zoufang.registry.tests.test_import_support import (
    csv_file,
    id_number,
    make_town,
    region,
    village,
    xlsx_file,
)

HEADER = ["户别", "村（社区）", "村民小组", "网格", "户主姓名", "家庭人口", "联系电话", "身份证号码", "地址", "困难家庭"]


def household_rows(count: int) -> list[list[object]]:
    villages = ["上下塘社区", "计家墩村"]
    return [HEADER] + [
        ["户籍户", villages[i % 2], "", "", f"户主{i}", 3, f"138{i:08d}", id_number(i, born=f"19{50 + i // 1000:02d}0101"),
         f"幸福路{i}号", "否"]
        for i in range(count)
    ]


@pytest.fixture
def campaign(db):
    return make_town()


@pytest.mark.django_db
def test_it_refuses_1000_rows_for_one_bad_check_digit_then_imports_them_once(campaign):
    rows = household_rows(1000)
    good = rows[500][7]
    rows[500][7] = good[:17] + ("0" if good[17] != "0" else "1")
    report = run_import("households", xlsx_file(rows), filename="households.xlsx", campaign=campaign)
    assert not report.ok
    assert Target.objects.count() == 0
    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error.row, error.column) == (501, "身份证号码")
    assert "校验码" in error.message
    assert str(error).startswith("第501行【身份证号码】：")

    rows[500][7] = good
    report = run_import("households", xlsx_file(rows), filename="households.xlsx", campaign=campaign)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (1000, 0, 0)
    assert Target.objects.filter(kind=Target.Kind.REGISTERED_HOUSEHOLD).count() == 1000

    report = run_import("households", xlsx_file(rows), filename="households.xlsx", campaign=campaign)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1000)
    assert Target.objects.count() == 1000
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == 2


@pytest.mark.django_db
def test_it_updates_changed_fields_and_bumps_the_version(campaign):
    rows = household_rows(3)
    run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    rows[2][8] = "幸福路99号"
    rows[2][9] = "是"
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    target = Target.objects.get(id_number=rows[2][7])
    assert (target.address, target.hardship, target.version) == ("幸福路99号", True, 2)


@pytest.mark.django_db
def test_it_places_households_in_groups_and_grids_and_names_missing_ones(campaign):
    sxt = village("上下塘社区")
    group = region("第1居民小组", Region.Level.GROUP, sxt)
    grid = region("第1网格", Region.Level.GRID, group)
    rows = [HEADER,
            ["非户籍常住户", "上下塘社区", "第1居民小组", "第1网格", "王  小明", "", "", "", "上下塘街1号", ""],
            ["户籍户", "上下塘社区", "第9居民小组", "", "李四", "", "", "", "上下塘街2号", ""],
            ["户籍户", "不存在村", "", "", "张三", "", "", "", "某路3号", ""]]
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(3, "村民小组"), (4, "村（社区）")]
    assert "第9居民小组" in report.errors[0].message
    assert Target.objects.count() == 0

    report = run_import("households", csv_file(rows[:2]), filename="h.csv", campaign=campaign)
    target = Target.objects.get()
    assert (target.region, target.kind, target.name) == (grid, Target.Kind.RESIDENT_HOUSEHOLD, "王小明")


@pytest.mark.django_db
def test_it_lists_every_bad_row_with_its_column_and_rule(campaign):
    rows = [HEADER,
            ["户口", "上下塘社区", "", "", "", "x", "12345", "110101199003077777", "", "也许"],
            ["户籍户", "上下塘社区", "", "", "赵六", "", "", id_number(1), "某路1号", ""],
            ["户籍户", "计家墩村", "", "", "钱七", "", "", id_number(1), "某路2号", ""]]
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "户别"), (2, "户主姓名"), (2, "地址"), (2, "家庭人口"), (2, "联系电话"), (2, "身份证号码"), (2, "困难家庭"),
        (4, "身份证号码")]
    assert "第3行" in report.errors[-1].message
    assert Target.objects.count() == 0


@pytest.mark.django_db
def test_it_names_unknown_and_missing_headers(campaign):
    rows = [["户别", "村（社区）", "户主", "籍贯"], ["户籍户", "上下塘社区", "张三", "江苏"]]
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    messages = [str(e) for e in report.errors]
    assert any("【籍贯】" in m and "未知列" in m for m in messages)
    assert any("【地址】" in m and "缺少必填列" in m for m in messages)


@pytest.mark.django_db
def test_it_reads_gb18030_csv_with_spaced_and_half_width_headers(campaign):
    rows = [["户别", " 村(社区) ", "户主姓名", "地址"], ["户籍户", "计家墩村", "孙八", "计家墩12号"]]
    report = run_import("households", csv_file(rows, encoding="gb18030"), filename="h.csv", campaign=campaign)
    assert report.ok, report.errors
    assert Target.objects.get().name == "孙八"


@pytest.mark.django_db
def test_it_asks_for_a_campaign_when_the_town_is_not_unique(campaign):
    region("周庄镇", Region.Level.TOWN, campaign.scope.parent)
    report = run_import("households", csv_file(household_rows(1)), filename="h.csv")
    assert [e.message for e in report.errors] == ["请指定走访活动（命令行加 --campaign 活动代号）"]


@pytest.mark.django_db
def test_it_validates_without_writing_on_a_dry_run(campaign):
    report = run_import("households", csv_file(household_rows(5)), filename="h.csv", campaign=campaign, dry_run=True)
    assert report.ok
    assert report.dry_run
    assert report.created == 5
    assert Target.objects.count() == 0
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_it_reports_progress(campaign):
    seen = []
    run_import("households", csv_file(household_rows(450)), filename="h.csv", campaign=campaign,
               progress=lambda done, total: seen.append((done, total)))
    assert seen == [(200, 450), (400, 450), (450, 450)]


@pytest.mark.django_db
def test_it_rolls_everything_back_when_the_database_fails_midway(campaign, monkeypatch):
    from django.db import DatabaseError

    from zoufang.registry.imports import runner

    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(runner.audit, "record", fail)
    report = run_import("households", csv_file(household_rows(20)), filename="h.csv", campaign=campaign)
    assert not report.ok
    assert "已全部撤销" in report.errors[0].message
    assert Target.objects.count() == 0


@pytest.mark.django_db
def test_a_household_moved_by_an_import_moves_its_coverage_counts(campaign):
    """bulk_update sends no signal: the import hands the moved targets to oversight's kept counts itself."""
    import datetime as dt

    from zoufang.oversight import counters, figures
    from zoufang.oversight.tests.conftest import visit
    from zoufang.planning.models import Assignment
    from zoufang.registry.tests.factories import CadreFactory, UnitFactory

    rows = household_rows(4)
    run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    unit = UnitFactory()
    cadre = CadreFactory(unit=unit)
    for target in Target.objects.order_by("pk"):
        Assignment.objects.create(campaign=campaign, target=target, unit=unit, cadre=cadre)
    first = Target.objects.get(id_number=rows[1][7])  # in 上下塘社区
    visit(campaign, first, cadre, "2017-05-02")
    rows[1][1], rows[1][0] = "计家墩村", "非户籍常住户"
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign, update=True)
    assert report.updated == 1
    assert counters.verify(campaign.pk).ok
    by_village = {row.label: (row.assigned, row.visited)
                  for row in figures.coverage(campaign, "village", dt.date(2017, 6, 15)).rows}
    assert by_village == {"上下塘社区": (1, 0), "计家墩村": (3, 1)}
