"""The town leaders' tables 附件3-1 (by village, with continuation and 0 rows) and 附件3-2 (enterprises)."""


import pytest

from zoufang.planning.models import FixedQuota
from zoufang.registry.imports import run_import
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.registry.tests.test_import_support import (
    csv_file,
    imported_unchanged,
    make_town,
    stored_state,
    village,
    xlsx_file,
)

ANNEX31 = [
    ["镇党政班子领导“六个一”走访调研分配表（居民户）"],
    ["序号", "走访领导", "走访村、社区", "走访户数", "备 注"],
    ["1", "王  文", "周家浜村", "10", "\u3000"],
    ["", "", "马援庄村    ", "40", ""],
    ["2", "吴  洁", "上下塘社区   ", "50", ""],
    ["", "", "干家甸社区", "0", ""],
    ["合计", "", "100户", ""],
]
ANNEX32 = [
    ["镇党政班子领导“六个一”走访调研分配表（企业）"],
    ["序号", "走访领导", "走访企业数", "备 注"],
    ["1", "王  文", "20", ""],
    ["2", "吴  洁", "20", ""],
    ["合计", "40家", ""],
]


@pytest.fixture
def campaign(db):
    campaign = make_town(["周家浜村", "马援庄村", "上下塘社区", "干家甸社区"])
    leadership = Unit.objects.create(name="镇党政班子", kind=Unit.Kind.TOWN_LEADERSHIP)
    for name in ("王文", "吴洁"):
        Cadre.objects.create(name=name, unit=leadership, role=Cadre.Role.TOWN_LEADER)
    return campaign


@pytest.mark.django_db
def test_it_stores_annex_3_1_with_continuation_and_zero_rows(campaign):
    report = run_import("leader_households", csv_file(ANNEX31), filename="附件3-1.csv", campaign=campaign)
    assert (report.total_rows, report.created) == (4, 4), report.errors
    rows = list(FixedQuota.objects.filter(source="附件3-1").order_by("row_number"))
    assert [(q.cadre.name, q.region.name, q.count, q.serial) for q in rows] == [
        ("王文", "周家浜村", 10, "1"), ("王文", "马援庄村", 40, ""), ("吴洁", "上下塘社区", 50, "2"),
        ("吴洁", "干家甸社区", 0, "")]
    assert (rows[1].table, rows[1].target_kind, rows[1].label) == (
        FixedQuota.Table.LEADER_HOUSEHOLDS, Target.Kind.REGISTERED_HOUSEHOLD, "王  文")
    assert rows[3].region == village("干家甸社区")
    again = run_import("leader_households", csv_file(ANNEX31), filename="附件3-1.csv", campaign=campaign)
    assert (again.created, again.unchanged) == (0, 4)


@pytest.mark.django_db
def test_it_refuses_unknown_leaders_and_a_wrong_total(campaign):
    rows = [*ANNEX31[:4], ["2", "陈  勇", "上下塘社区", "50", ""], ["合计", "", "90户", ""]]
    report = run_import("leader_households", csv_file(rows), filename="附件3-1.csv", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第5行【走访领导】：没有名为“陈勇”的镇党政领导，请先导入走访干部",
        "第6行【走访户数】：合计为90户，各行之和为100户，相差10户",
    ]
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_it_stores_annex_3_2_enterprise_counts(campaign):
    report = run_import("leader_enterprises", csv_file(ANNEX32), filename="附件3-2.csv", campaign=campaign)
    assert report.created == 2, report.errors
    quota = FixedQuota.objects.get(source="附件3-2", cadre__name="吴洁")
    assert (quota.table, quota.target_kind, quota.region, quota.count) == (
        FixedQuota.Table.LEADER_ENTERPRISES, Target.Kind.ENTERPRISE, None, 20)


@pytest.mark.django_db
def test_it_refuses_an_enterprise_total_that_disagrees(campaign):
    rows = [*ANNEX32[:-1], ["合计", "300家", ""]]
    report = run_import("leader_enterprises", csv_file(rows), filename="附件3-2.csv", campaign=campaign)
    assert [str(e) for e in report.errors] == ["第5行【走访企业数】：合计为300家，各行之和为40家，相差260家"]


@pytest.mark.django_db
def test_it_refuses_the_leaders_table_under_a_second_label(campaign):
    assert run_import("leader_households", csv_file(ANNEX31), filename="附件3-1.csv", campaign=campaign).ok
    report = run_import("leader_households", csv_file(ANNEX31), filename="领导.csv", campaign=campaign)
    assert "本表“镇党政班子领导“六个一”走访调研分配表（居民户）”（领导.csv）与已导入的来源表“附件3-1”" in str(report.errors[0])
    assert "第3—6行（共4行）所分配的，已由“附件3-1”分配，如王文在周家浜村的户籍户（“附件3-1”第3行）" in str(
        report.errors[0])
    assert "网页导入时把文件名改为“附件3-1.csv”" in str(report.errors[0])
    assert FixedQuota.objects.count() == 4


@pytest.mark.django_db
def test_it_finds_no_change_in_the_leaders_tables_laid_out_otherwise(campaign):
    assert run_import("leader_households", csv_file(ANNEX31), filename="附件3-1.csv", campaign=campaign).ok
    assert run_import("leader_enterprises", csv_file(ANNEX32), filename="附件3-2.csv", campaign=campaign).ok
    before = stored_state()
    # 吴洁 first, each leader written on every row, the columns in another order, numbered again.
    relaid = [ANNEX31[0], ["走访村、社区", "走访领导", "走访户数", "备 注", "序号"],
              ["上下塘社区", "吴  洁", "50", "", "1"], ["干家甸社区", "吴  洁", "0", "", "2"],
              ["马援庄村", "王  文", "40", "", "3"], ["周家浜村", "王  文", "10", "", "4"], ["合计", "", "100户", "", ""]]
    report = run_import("leader_households", csv_file(relaid), filename="附件3-1.csv", campaign=campaign)
    assert (report.created, report.updated, report.unchanged, report.deleted) == (0, 0, 4, 0), report.errors
    relaid = [["附件3-2"], ANNEX32[0], ["走访领导", "序号", "备 注", "走访企业数"],
              ["吴  洁", "1", "", "20"], ["王  文", "2", "", "20"], ["合计", "", "", "40家"]]
    report = run_import("leader_enterprises", csv_file(relaid), filename="企业.csv", campaign=campaign)
    assert (report.created, report.updated, report.unchanged, report.deleted) == (0, 0, 2, 0), report.errors
    imported_unchanged(2)
    assert stored_state() == before
    relaid[4][3], relaid[5][3] = "25", "45家"
    report = run_import("leader_enterprises", csv_file(relaid), filename="企业.csv", campaign=campaign)
    assert (report.created, report.updated, report.unchanged, report.deleted) == (0, 1, 1, 0), report.errors
    assert [str(change) for change in report.changes] == ["第5行 王文在本镇的企业：走访数“20”→“25”"]
    assert [(q.cadre.name, q.row_number, q.count, q.version) for q in FixedQuota.objects.filter(
        source="附件3-2").order_by("row_number")] == [("吴洁", 4, 20, 1), ("王文", 5, 25, 2)]


@pytest.mark.django_db
def test_a_hidden_row_and_an_uncomputed_total_are_named_not_read_as_meant(campaign):
    out = xlsx_file(ANNEX32, setup=lambda sheet: setattr(sheet.row_dimensions[4], "hidden", True))  # 吴  洁's line, hidden instead of deleted
    report = run_import("leader_enterprises", out, filename="附件3-2.xlsx", campaign=campaign)
    assert len(report.errors) == 1
    assert report.errors[0].message.startswith("第4行在表格中是隐藏的")

    rows = [*ANNEX32[:4], ["合计", "=SUM(C3:C4)", ""]]  # a program's export: the formula's result not saved
    report = run_import("leader_enterprises", xlsx_file(rows), filename="附件3-2.xlsx", campaign=campaign)
    assert [(error.row, error.column) for error in report.errors] == [(5, "B列")]
    assert "没有保存它的计算结果" in report.errors[0].message
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_a_note_or_serial_longer_than_a_quota_keeps_is_refused_not_cut(campaign):
    rows = [list(row) for row in ANNEX32]
    rows[3][3] = "备" * 201
    rows[2][0] = "1" * 11
    report = run_import("leader_enterprises", csv_file(rows), filename="附件3-2.csv", campaign=campaign)
    assert [str(error) for error in report.errors] == ["第3行【序号】：不能超过10个字，表中为11个字",
                                                       "第4行【备注】：不能超过200个字，表中为201个字"]
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_a_long_title_is_no_reason_to_refuse_a_table_whose_quotas_keep_none(campaign):
    rows = [["附件3-2"], ["镇党政班子领导" + "走访调研" * 50], *ANNEX32[1:]]  # 207 characters, kept by no quota
    report = run_import("leader_enterprises", csv_file(rows), filename="附件3-2.csv", campaign=campaign)
    assert report.ok, report.errors
    assert FixedQuota.objects.filter(source="附件3-2").count() == 2
