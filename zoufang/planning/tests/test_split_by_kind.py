"""Allocation tables whose 走访户数 an office split by kind: 户籍户 and 外来常住户 side by side under a merged
走访户数, 序号, 走访领导 … merged over both header rows. Each kind's figure is kept as its own quota where the
campaign plans the kinds apart (千灯镇: the leaders visit 30 registered and 10 resident households); where it
does not, the table is refused, naming the columns and what to do, and nothing is written."""

from pathlib import Path

import docx
import openpyxl
import pytest

from zoufang.planning.check import check_plan, is_clean
from zoufang.planning.export import write_docx
from zoufang.planning.export import write_workbook as write_workbook_of
from zoufang.planning.models import Assignment, FixedQuota
from zoufang.planning.services import run_plan
from zoufang.planning.tests.qiandeng import CONFIG, FIGURES, FILES, SLUG, TOWN, write_workbook
from zoufang.planning.tests.towns import REGISTRY_STEPS, build_town
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import

REGISTERED, RESIDENT = "registered_household", "resident_household"


@pytest.fixture
def qiandeng(db, tmp_path: Path):
    return build_town(tmp_path, TOWN, SLUG, FIGURES, FILES, REGISTRY_STEPS, config=CONFIG)


def _annex3_1(path: Path, rows: list[list[object]], total: list[object] | None, *,
              kinds=("户籍户", "外来常住户")) -> Path:
    return write_workbook(path, [
        ["附件3-1"], ["镇领导班子成员大走访分配表（居民户）"],
        ["序号", "走访领导", "走访村（社区）", "走访户数", None, "备注"],
        ["序号", "走访领导", "走访村（社区）", *kinds, "备注"],
        *rows, *([["合    计", None, None, *total, None]] if total else []),
    ], merges=["A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:F4"], sheet="附件3-1")


LEADER_ROWS = [[1, "沈  斌", "歇马桥村", 20, 5, None], [None, None, "石浦社区", "10户", None, None],
               [2, "周晓东", "大唐村", 30, "10", None], [3, "陆雯", "炎武社区", 30, 10, "新任"]]


def _quotas(campaign) -> list[tuple[int, str, str, int]]:
    return [(q.row_number, q.region.name if q.region else "", q.target_kind, q.count)
            for q in FixedQuota.objects.filter(campaign=campaign).order_by("row_number", "target_kind", "part")]


def test_it_keeps_a_leader_table_split_by_kind_as_one_quota_per_kind_and_plans_it(qiandeng, tmp_path):
    report = run_import("leader_households", _annex3_1(tmp_path / "附件3-1.xlsx", LEADER_ROWS, ["90户", "25户"]),
                        campaign=qiandeng)

    assert report.ok, [str(e) for e in report.errors]
    assert "“走访户数”分为“户籍户”、“外来常住户”，各列按该类对象分配" in report.notes
    assert (report.created, report.total_rows) == (4, 4)
    assert _quotas(qiandeng) == [
        (5, "歇马桥村", REGISTERED, 20), (5, "歇马桥村", RESIDENT, 5),
        (6, "石浦社区", REGISTERED, 10), (6, "石浦社区", RESIDENT, 0),  # a blank under 外来常住户 is 0
        (7, "大唐村", REGISTERED, 30), (7, "大唐村", RESIDENT, 10),
        (8, "炎武社区", REGISTERED, 30), (8, "炎武社区", RESIDENT, 10)]

    plan = run_plan(qiandeng)

    assert plan.applied, plan.failures
    assert is_clean(check_plan(qiandeng))
    village = Region.objects.get(name="大唐村")
    held = Assignment.objects.filter(campaign=qiandeng, cadre__name="周晓东", target__region__path__startswith=village.path)
    assert held.filter(target__kind=RESIDENT).count() == 10
    assert held.filter(target__kind=REGISTERED).count() == 30


def test_importing_the_split_table_again_changes_nothing(qiandeng, tmp_path):
    path = _annex3_1(tmp_path / "附件3-1.xlsx", LEADER_ROWS, ["90户", "25户"])
    assert run_import("leader_households", path, campaign=qiandeng).ok

    again = run_import("leader_households", path, campaign=qiandeng)

    assert (again.created, again.updated, again.unchanged, again.deleted) == (0, 0, 4, 0)
    assert FixedQuota.objects.filter(campaign=qiandeng).count() == 8


def test_it_reads_an_upper_level_table_split_by_kind_and_shares_a_joint_row_per_kind(qiandeng, tmp_path):
    path = write_workbook(tmp_path / "附件1.xlsx", [
        ["附件1"], ["苏州市级机关部门大走访居民户分配表"],
        ["序号", "走访单位", "村（社区）名称", "户籍总户数（户）", "走访户数", None, None],
        [None, None, None, None, "户籍户口", "外来常住户", "小计"],
        [1, "苏州市总工会", "歇马桥村", 260, 30, 10, 40],
        [2, "市住建局（人防办）、市农业农村局", "大唐村", 180, 21, 9, 30],
        ["合计", None, None, "440户", "51户", "19户", "70户"],
    ], merges=["A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:G3"], sheet="附件1")

    report = run_import("allocation", path, campaign=qiandeng)

    assert report.ok, [str(e) for e in report.errors]
    assert _quotas(qiandeng) == [
        (5, "歇马桥村", REGISTERED, 30), (5, "歇马桥村", RESIDENT, 10),
        (6, "大唐村", REGISTERED, 11), (6, "大唐村", REGISTERED, 10),
        (6, "大唐村", RESIDENT, 5), (6, "大唐村", RESIDENT, 4)]


def test_it_names_the_column_of_a_figure_that_is_no_count_and_a_total_that_does_not_add_up(qiandeng, tmp_path):
    rows = [[1, "沈斌", "歇马桥村", 20, "五户", None], [2, "周晓东", "大唐村", 30, 10, None]]
    bad_figure = run_import("leader_households", _annex3_1(tmp_path / "附件3-1.xlsx", rows, None),
                            campaign=qiandeng)
    rows[0][4] = 5
    bad_total = run_import("leader_households", _annex3_1(tmp_path / "附件3-1.xlsx", rows, ["50户", "12户"]),
                           campaign=qiandeng)

    assert [str(e) for e in bad_figure.errors] == ["第5行【走访户数（外来常住户）】：应为不小于0的整数，表中为“五户”"]
    assert [str(e) for e in bad_total.errors] == ["第7行【走访户数（外来常住户）】：合计为12户，各行之和为15户，相差3户"]
    assert not FixedQuota.objects.exists()


def test_it_refuses_a_sub_column_that_is_no_kind_naming_it(qiandeng, tmp_path):
    path = _annex3_1(tmp_path / "附件3-1.xlsx", LEADER_ROWS, ["90户", "25户"], kinds=("户籍户", "其中困难户"))

    [error] = run_import("leader_households", path, campaign=qiandeng).errors

    assert str(error).startswith("第4行【其中困难户】：“走访户数”下的E列“其中困难户”不是走访对象的类型，无法导入：")
    assert not FixedQuota.objects.exists()


def test_it_refuses_a_split_the_campaign_plans_as_one_kind_saying_to_add_the_columns(qiandeng, tmp_path):
    qiandeng.config["quotas"]["party_member"]["per_person"] = {"household": {"min": 30, "label": "群众家庭"}}
    qiandeng.save()

    [error] = run_import("leader_households", _annex3_1(tmp_path / "附件3-1.xlsx", LEADER_ROWS, ["90户", "25户"]),
                         campaign=qiandeng).errors

    assert str(error) == (
        "第4行【走访户数】：本活动按“群众家庭”分配居民户，不分户籍户和非户籍常住户（活动配置 quotas 中为 household），"
        "表中“走访户数”分为“户籍户”、“外来常住户”两列，无法按类型分配：请把这几列相加，合为一列“走访户数”后再导入")
    assert not FixedQuota.objects.exists()


def test_it_refuses_a_kind_the_campaign_does_not_visit_naming_its_column(qiandeng, tmp_path):
    qiandeng.config["target_kinds"] = ["registered_household", "enterprise", "project", "notable_person"]
    qiandeng.save()

    [error] = run_import("leader_households", _annex3_1(tmp_path / "附件3-1.xlsx", LEADER_ROWS, ["90户", "25户"]),
                         campaign=qiandeng).errors

    assert str(error).startswith("第4行【外来常住户】：本活动的走访对象（活动配置 target_kinds）不含非户籍常住户，"
                                 "表中“走访户数”下的“外来常住户”一列无法导入：请删去这一列")
    assert not FixedQuota.objects.exists()


def test_the_export_prints_a_split_table_as_it_was_issued(qiandeng, tmp_path):
    assert run_import("leader_households", _annex3_1(tmp_path / "附件3-1.xlsx", LEADER_ROWS, ["90户", "25户"]),
                      campaign=qiandeng).ok
    assert run_plan(qiandeng).applied
    out = tmp_path / "plan.xlsx"
    write_workbook_of(qiandeng, out)

    sheet = openpyxl.load_workbook(out)["附件3-1"]
    rows = [[cell for cell in row] for row in sheet.iter_rows(min_row=2, max_row=8, values_only=True)]
    assert rows[:3] == [["序号", "走访领导", "走访村、社区", "走访户数", None, "备 注"],
                        [None, None, None, "户籍户口", "外来常住户", None],
                        ["1", "沈  斌", "歇马桥村", 20, 5, None]]
    assert rows[-1] == ["合计", None, None, "90户", "25户", None]
    assert {str(r) for r in sheet.merged_cells.ranges} >= {"D2:E2", "A2:A3", "B2:B3", "C2:C3", "F2:F3"}
    write_docx(qiandeng, tmp_path / "plan.docx", walk_lists=False)
    table = next(t for t in docx.Document(str(tmp_path / "plan.docx")).tables if t.cell(0, 1).text == "走访领导")
    assert [c.text for c in table.rows[1].cells][3:5] == ["户籍户口", "外来常住户"]
    assert [c.text for c in table.rows[2].cells][3:5] == ["20", "5"]


def test_a_department_s_two_household_rows_both_count_where_households_are_one_class():
    """A town planning 群众家庭 as one class that stored its departments' 户籍户 and 外来常住户 as two tables: the
    department's decided count is their sum (the second row replaced the first when rows were keyed by unit)."""
    from types import SimpleNamespace

    from zoufang.planning.quotas import decided_departments
    from zoufang.planning.snapshot import HOUSEHOLD

    def row(unit: int, kind: str, count: int, source: str, table: str = FixedQuota.Table.UNIT_HOUSEHOLDS):
        units = [SimpleNamespace(pk=unit)]
        return SimpleNamespace(table=table, target_kind=kind, count=count, source=source,
                               units=SimpleNamespace(all=lambda: units))

    fixed = [row(1, REGISTERED, 36, "户籍户表"), row(2, REGISTERED, 30, "户籍户表"), row(1, RESIDENT, 60, "外来户表"),
             row(1, "enterprise", 3, "附件4-2", FixedQuota.Table.UNIT_ENTERPRISES),
             row(3, REGISTERED, 99, "附件1", FixedQuota.Table.UPPER_LEVEL)]  # an upper-level unit's row: not decided
    assert decided_departments(fixed, HOUSEHOLD) == {1: (96, "户籍户表"), 2: (30, "户籍户表")}
    assert decided_departments(fixed, REGISTERED) == {1: (36, "户籍户表"), 2: (30, "户籍户表")}
    assert decided_departments(fixed, RESIDENT) == {1: (60, "外来户表")}
