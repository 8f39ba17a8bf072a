"""千灯镇: a third town with its own campaign rules (tests/files/qiandeng-2019.yaml) and tables laid out as its
offices lay them out: two-row merged headers, a 合计 column, spacer rows, numbers as text, units written with the
city's name or half-width brackets. What a clerk plainly meant is read; every other problem refuses the table,
naming the row, the column and the rule, and writes nothing. The planner then plans the town and proves it."""

from pathlib import Path

import pytest

from zoufang.planning.check import check_plan, is_clean
from zoufang.planning.models import FixedQuota
from zoufang.planning.services import PlanningError, run_plan, store_department_table
from zoufang.planning.tests.qiandeng import CONFIG, FIGURES, FILES, SLUG, TOWN, write_workbook
from zoufang.planning.tests.towns import REGISTRY_STEPS, build_town
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target

HEADER_MERGES = ["A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:F4"]


@pytest.fixture
def qiandeng(db, tmp_path: Path):
    return build_town(tmp_path, TOWN, SLUG, FIGURES, FILES, REGISTRY_STEPS, config=CONFIG)


def _annex1(path: Path, *, count: object = "３０") -> Path:
    """苏州市总工会's table: 走访任务 merged over two columns, numbers typed as text, a blank spacer row."""
    return write_workbook(path, [
        ["附件1"], ["苏州市总工会“大走访”居民户、企业分配表"],
        ["序号", "走访单位", "村（社区）名称", "走访任务", None, "备注"],
        [None, None, None, "户籍总户数(户)", "走访户数", None],
        [1, "苏州市总工会 ", "歇马桥村", "260", count, None],
        [None] * 6,
        [2, "苏州市总工会", "石浦社区", 420, "40户", None],
        [3, "苏州市总工会", "大唐村", "180", 20, None],
        ["合  计", None, None, "860户", "90户", None],
        ["苏州市总工会走访企业", "10家"],
    ], merges=[*HEADER_MERGES[:4], "F3:F4"], sheet="附件1")


def test_it_reads_a_two_row_merged_header_text_numbers_and_spacer_rows(qiandeng, tmp_path):
    report = run_import("allocation", _annex1(tmp_path / "总工会.xlsx"), campaign=qiandeng)

    assert report.ok, [str(e) for e in report.errors]
    quotas = FixedQuota.objects.filter(campaign=qiandeng, source="附件1").order_by("row_number")
    assert [(q.region.name if q.region else None, q.target_kind, q.count) for q in quotas] == [
        ("歇马桥村", "registered_household", 30), ("石浦社区", "registered_household", 40),
        ("大唐村", "registered_household", 20), (None, "enterprise", 10)]


def test_it_refuses_the_table_whose_total_the_rows_do_not_reach(qiandeng, tmp_path):
    report = run_import("allocation", _annex1(tmp_path / "附件1.xlsx", count=25), campaign=qiandeng)

    assert [str(e) for e in report.errors] == ["第9行【走访户数】：合计为90户，各行之和为85户，相差5户"]
    assert not FixedQuota.objects.filter(campaign=qiandeng).exists()


def test_it_takes_the_citys_full_name_and_half_width_brackets_and_refuses_the_rest(qiandeng, tmp_path):
    path = write_workbook(tmp_path / "附件2.xlsx", [
        ["昆山市级机关部门大走访分配表"],
        ["序号", "走访单位", "村、社区名称", "户籍总户数（户）", "走访户数", "合计"],
        [1, "昆山市住建局(人防办)", "炎武社区", 300, 100, 100],
        [2, "市农业农村局  ", "大唐村", 180, 50, 50],
        [3, "市农业农村局", "大唐村", 180, 10, 10],
        [4, "市农业农村局", "秦峰村", 200, 10, 12],
        ["合计", None, None, "860", "175", "175"],
    ], sheet="附件2")

    report = run_import("allocation", path, campaign=qiandeng)

    assert "第3行“昆山市住建局(人防办)”按已登记的单位“市住建局（人防办）”导入" in report.notes
    assert [str(e) for e in report.errors] == [
        "第5行【走访单位】：市农业农村局在大唐村已由第4行分配，同一单位在同一村、社区只能有一行（要增加户数请改第4行）",
        "第6行【合计】：本行合计为12，各列之和为10，相差2",
        "第6行【村、社区名称】：千灯镇没有名为“秦峰村”的村（社区），请先导入行政区划",
        "第7行【户籍总户数（户）】：合计为860户，各村、社区（重复出现的只计一次）之和为680户，相差180户",
        "第7行【走访户数】：合计为175户，各行之和为170户，相差5户",
        "第7行【合计】：合计为175户，各行之和为170户，相差5户",
    ]
    assert not FixedQuota.objects.filter(campaign=qiandeng).exists()


def test_it_refuses_a_leader_listed_twice(qiandeng, tmp_path):
    path = write_workbook(tmp_path / "附件3-2.xlsx", [
        ["附件3-2"], ["镇领导班子成员大走访分配表（企业）"],
        ["序号", "走访领导", "走访企业数", "备注"],
        [1, "沈  斌", 10, None], [2, "周晓东", 10, None], [3, "沈斌", 5, None], ["合计", "25家", None, None],
    ])

    report = run_import("leader_enterprises", path, campaign=qiandeng)

    assert [str(e) for e in report.errors] == ["第6行【走访领导】：沈斌已在第4行分配，同一领导只能有一行"]


def _annex4_1(path: Path, rows: list[list[object]], total: list[object]) -> Path:
    return write_workbook(path, [
        ["附件4-1"], ["机关各部门党员干部大走访分配表（居民户）"],
        ["序号", "单位", "党员人数", "走访户数", None, "合计"],
        [None, None, None, "户籍户", "外来常住户", None],
        *rows, ["合计", None, *total],
    ], merges=HEADER_MERGES, sheet="附件4-1")


def test_it_stores_a_department_table_with_its_own_column_names_and_a_total_column(qiandeng, tmp_path):
    path = _annex4_1(tmp_path / "附件4-1.xlsx", [
        [1, "党政办", 6, 36, 60, 96], [None] * 6, [2, "经济发展服务局 ", 10, 60, 100, 160],
        [3, "社会事业局", 5, 30, 50, 80]], [21, 126, 210, 336])

    assert store_department_table(qiandeng, path, label="附件4-1").created == 3

    stored = {(q.source, q.label, q.target_kind): q.count for q in FixedQuota.objects.filter(campaign=qiandeng)}
    assert len(stored) == 6
    assert stored[("附件4-1", "经济发展服务局", Target.Kind.REGISTERED_HOUSEHOLD)] == 60
    assert stored[("附件4-1", "党政办", Target.Kind.RESIDENT_HOUSEHOLD)] == 60


def test_it_refuses_a_department_twice_and_a_row_whose_total_is_wrong(qiandeng, tmp_path):
    path = _annex4_1(tmp_path / "附件4-1.xlsx", [
        [1, "党政办", 6, 36, 60, 90], [2, "社会事业局", 5, 30, 50, 80], [3, "党政办", 6, 36, 60, 96]],
        [17, 102, 170, 272])

    with pytest.raises(PlanningError) as refused:
        store_department_table(qiandeng, path, label="附件4-1")

    assert str(refused.value) == ("第5行【合计】：本行合计为90，户籍户、外来常住户之和为96，相差6；"
                                  "第7行【单位】：“党政办”与第5行重复，每个单位只能有一行")
    assert not FixedQuota.objects.filter(campaign=qiandeng).exists()


def test_it_refuses_a_department_column_the_plan_cannot_read(qiandeng, tmp_path):
    path = write_workbook(tmp_path / "附件4-2.xlsx", [
        ["序号", "单位", "党员人数", "走访重点项目数"], [1, "党政办", 6, 2], ["合计", None, 6, 2]])

    with pytest.raises(PlanningError, match="分配表的列“走访重点项目数”不是可导入的走访数列"):
        store_department_table(qiandeng, path, label="附件4-2")


def test_it_plans_the_third_town_under_its_own_rules_and_proves_it(qiandeng, tmp_path):
    assert run_import("allocation", _annex1(tmp_path / "附件1.xlsx"), campaign=qiandeng).ok

    report = run_plan(qiandeng)

    assert report.applied, report.failures
    assert is_clean(check_plan(qiandeng))


def test_it_says_which_rules_of_the_campaign_the_planner_does_not_apply(qiandeng):
    report = run_plan(qiandeng, dry_run=True)

    assert report.notes[:2] == [
        "quotas.party_member.linked_regions.count：各部门集中的村数按1～2个安排，未按1～1个",
        "quotas.grid_worker：角色“专职网格员”的走访数量未参与自动分配（自动分配只有镇党政领导、部门党员干部、兜底和牵头四种角色，"
        "同类角色只取代号按字母排在最后的一个）；其对象由兜底角色走访，或由走访办人工调整",
    ]


def test_a_unit_is_matched_without_its_own_citys_name_only():
    from types import SimpleNamespace

    from zoufang.registry.imports.allocation import _place_prefixes, _same_unit

    suzhou = SimpleNamespace(name="苏州市", parent=None)
    town = SimpleNamespace(name="千灯镇", parent=SimpleNamespace(name="昆山市", parent=suzhou))
    prefixes = _place_prefixes(town)
    assert _same_unit("昆山市住建局", "市住建局", prefixes)
    assert _same_unit("昆山住建局", "市住建局", prefixes) is False  # 昆山 + 住建局, not 昆山 + 市住建局
    # 苏州市总工会 is the prefecture's own union, another unit than the city's 市总工会.
    assert not _same_unit("苏州市总工会", "市总工会", prefixes)
