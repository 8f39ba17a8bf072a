"""A town built from scratch in the seed's layout, with joint lines: its tables exported as issued.

The export is held to an independent check that reads only the xlsx (xlsx_checker), after households
were added to the registry, and after a second import of the same upper-level table was refused.
"""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models import Sum
from docx import Document

from zoufang.demo.loader import SeedFigures
from zoufang.demo.synthetic import VillageShape
from zoufang.planning.check import check_plan, is_clean
from zoufang.planning.export import build_workbook, write_docx
from zoufang.planning.issued import drift_lines
from zoufang.planning.models import FixedQuota, Quota
from zoufang.planning.services import run_plan
from zoufang.planning.tests.towns import REGISTRY_STEPS, build_town
from zoufang.planning.tests.xlsx_checker import check_workbook, read_table
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target

TOWN = "千灯镇"
VILLAGES = [VillageShape("东村", False, 240, 50, 40), VillageShape("南社区", True, 420, 90, 50),
            VillageShape("西村", False, 160, 30, 20)]
DEPARTMENTS = [("党政办", 5), ("派出所", 7), ("卫生院", 4)]
FILES = {
    "units.csv": "单位名称,单位类型,所属区划,党员人数,排序\n镇党政班子,镇党政班子,千灯镇,,1\n"
                 "市文明办,市级机关部门,,,101\n市水利局,市级机关部门,,,102\n市总工会,其他单位,,,103\n",
    "departments.csv": "序号,单位,党员人数\n" + "".join(f"{i},{u},{n}\n" for i, (u, n) in enumerate(DEPARTMENTS, 1)),
    "leaders.csv": "姓名,单位,角色,职务,手机号码,上一级,挂钩村（社区）\n孙一,镇党政班子,镇党政领导,镇长,,,东村\n"
                   "李二,镇党政班子,镇党政领导,副镇长,,镇党政班子/孙一,南社区、西村\n",
    # The issuer's own label line above the title: the import takes “附件1” from it without --label.
    "苏州总工会下发.csv": "附件1\n苏州市总工会走访调研居民户、企业分配表\n"
                     "序号,走访单位,村、社区名称,户籍总户数（户）,走访户数\n"
                     "1,市总工会,东村,240,20\n2,市总工会,南社区,420,20\n3,市总工会,西村,160,20\n"
                     "合计,,,820户,60户\n市总工会走访企业,8家\n",
    "annex2.csv": "附件2\n市级机关部门走访调研居民户、企业分配表\n"
                  "序号,走访单位,村、社区名称,户籍总户数（户）,走访户数\n"
                  "1,市文明办,东村,240,150\n,,南社区,420,200\n2,市水利局,西村,160,80\n合计,,,820户,430户\n"
                  "市文明办、市水利局走访企业,21家\n",
    "annex3-1.csv": "镇领导走访调研分配表（居民户）\n序号,走访领导,走访村、社区,走访户数,备注\n"
                    "1,孙一,东村,30,\n2,李二,南社区,20,\n,,西村,20,\n合计,,70户,\n",
    "annex3-2.csv": "镇领导走访调研分配表（企业）\n序号,走访领导,走访企业数,备注\n1,孙一,15,\n2,李二,15,\n合计,30家,\n",
}
SHEETS = ["附件1", "附件2", "附件3-1", "附件3-2", "附件4-1", "附件4-2", "各单位分村"]


@pytest.fixture
def qiandeng(db, tmp_path: Path):
    campaign = build_town(tmp_path, TOWN, "qiandeng-2017", SeedFigures(VILLAGES, DEPARTMENTS), FILES, [
        *REGISTRY_STEPS, ("allocation", "苏州总工会下发.csv", None), ("allocation", "annex2.csv", None),
        ("leader_households", "annex3-1.csv", "附件3-1"), ("leader_enterprises", "annex3-2.csv", "附件3-2")])
    campaign.files = tmp_path
    return campaign


def _export(campaign) -> bytes:
    out = io.BytesIO()
    build_workbook(campaign, walk_lists=False).save(out)
    return out.getvalue()


def _add_households(village: str, n: int) -> None:
    place = Region.objects.get(name=village, level=Region.Level.VILLAGE)
    Target.objects.bulk_create(Target(kind=Target.Kind.REGISTERED_HOUSEHOLD, region=place, name=f"{village}新户{i}")
                               for i in range(n))


def test_it_refuses_the_same_upper_level_table_under_a_second_label(qiandeng):
    before = FixedQuota.objects.filter(campaign=qiandeng).count()
    report = run_import("allocation", qiandeng.files / "苏州总工会下发.csv", campaign=qiandeng,
                        source_label="总工会表")
    assert not report.ok
    message = str(report.errors[0])
    for named in ("“总工会表”（苏州总工会下发.csv）", "“附件1”", "市总工会", "东村", "户籍户"):
        assert named in message
    assert FixedQuota.objects.filter(campaign=qiandeng).count() == before
    again = run_import("allocation", qiandeng.files / "苏州总工会下发.csv", campaign=qiandeng, source_label="附件1")
    assert again.ok
    assert (again.created, again.deleted) == (0, 0)


def test_it_exports_a_fresh_town_that_an_independent_check_accepts(qiandeng):
    twice = run_import("allocation", qiandeng.files / "annex2.csv", campaign=qiandeng, source_label="市级表")
    assert not twice.ok  # the same 附件2 under a second name: refused, nothing doubled
    run_plan(qiandeng)
    assert is_clean(check_plan(qiandeng))
    # The joint line went half and half (the odd one to the first unit), and the plan keeps it.
    planned = dict(Quota.objects.filter(campaign=qiandeng, source="附件2", target_kind=Target.Kind.ENTERPRISE)
                   .order_by().values_list("unit__name").annotate(n=Sum("count")))
    assert planned == {"市文明办": 11, "市水利局": 10}
    _add_households("东村", 30)

    workbook = _export(qiandeng)
    assert check_workbook(workbook, expected_sheets=SHEETS) == []
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    assert book.sheetnames[:7] == SHEETS
    upper = read_table(book["附件1"])
    assert upper.title == "苏州市总工会走访调研居民户、企业分配表"
    # As issued: 东村 still 240 and the 合计 still 820, although the registry now holds 270 there.
    assert [r[3] for r in upper.rows] == [240, 420, 160]
    assert upper.total is not None
    assert upper.total[3] == "820户"
    joint = read_table(book["附件2"]).after_total
    assert [(line[0], line[4], line[5]) for line in joint] == [
        ("市文明办、市水利局走访企业", "21家", "联合走访，平均分配：市文明办11家、市水利局10家")]
    drift = [list(row) for row in book["与登记数差异"].iter_rows(min_row=3, values_only=True)]
    assert ["附件1", 4, "市总工会", "东村", "户籍总户数", 240, 270, 30] in drift
    assert ["附件2", 4, "市文明办", "东村", "户籍总户数", 240, 270, 30] in drift
    assert "附件1第4行 市总工会 东村：户籍总户数表中为240户，登记库现为270户（多30户）" in drift_lines(qiandeng)
    out = io.StringIO()
    call_command("plan", "export", "--campaign", "qiandeng-2017", "--out", str(qiandeng.files / "plan.xlsx"),
                 stdout=out)
    assert "  与登记数差异：附件2第4行 市文明办 东村：户籍总户数表中为240户，登记库现为270户（多30户）" in (
        out.getvalue().splitlines())


def test_it_prints_the_totals_under_their_columns_in_the_docx(qiandeng):
    run_plan(qiandeng)
    out = io.BytesIO()
    write_docx(qiandeng, out, walk_lists=False)
    document = Document(io.BytesIO(out.getvalue()))
    texts = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    # The label spans the columns before the figure (python-docx repeats a spanning cell in row.cells).
    assert ["合计", "合计", "合计", "70户", ""] in texts  # 附件3-1: under 走访户数, not under 走访村、社区
    assert ["合计", "合计", "30家", ""] in texts  # 附件3-2: under 走访企业数, not under 走访领导
    joint = ["市文明办、市水利局走访企业"] * 4 + ["21家", "联合走访，平均分配：市文明办11家、市水利局10家"]
    assert joint in texts


def test_it_exports_a_table_imported_without_a_label_under_its_title(qiandeng):
    extra = qiandeng.files / "补充.csv"
    extra.write_text("市水利局补充分配表\n序号,走访单位,村、社区名称,户籍总户数（户）,走访户数\n1,市水利局,东村,240,5\n",
                     encoding="utf-8")
    report = run_import("allocation", extra, campaign=qiandeng)
    assert report.ok, report.errors
    assert report.notes == ["未指定来源表名称，取自表标题：“市水利局补充分配表”"]
    run_plan(qiandeng)
    workbook = _export(qiandeng)
    assert check_workbook(workbook, expected_sheets=[*SHEETS, "市水利局补充分配表"]) == []
    added = read_table(openpyxl.load_workbook(io.BytesIO(workbook))["市水利局补充分配表"])
    assert [(r[1], r[2], r[3], r[4]) for r in added.rows] == [("市水利局", "东村", 240, 5)]


LONG_TITLE = "千灯镇2017年“六个一”走访活动暨“两学一做”学习教育常态化制度化联系服务群众补充分配表{}"


def test_two_tables_whose_long_titles_begin_alike_are_two_sheets_with_their_titles_whole(qiandeng):
    """Decision 0064: named by its title, each table keeps it whole; their sheets' names, which Excel keeps to 31
    characters, differ all the same."""
    titles = [LONG_TITLE.format(batch) for batch in ("（第一批）", "（第二批）")]
    for title, (village, households) in zip(titles, (("东村", 240), ("南社区", 420)), strict=True):
        extra = qiandeng.files / "补充.csv"
        extra.write_text(f"{title}\n序号,走访单位,村、社区名称,户籍总户数（户）,走访户数\n"
                         f"1,市水利局,{village},{households},5\n", encoding="utf-8")
        report = run_import("allocation", extra, campaign=qiandeng)
        assert report.ok, report.errors
    run_plan(qiandeng)
    book = openpyxl.load_workbook(io.BytesIO(_export(qiandeng)))
    added = [name for name in book.sheetnames if name not in SHEETS]
    assert added == [titles[0][:31], titles[0][:28] + "（2）"]
    assert [book[name]["A1"].value for name in added] == titles


def test_the_checker_finds_a_total_under_the_wrong_column():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "附件3-2"
    for row in (["镇党政班子领导走访调研分配表（企业）"], ["序号", "走访领导", "走访企业数", "备 注"],
                [1, "孙一", 15, ""], [2, "李二", 15, ""], ["合计", "30家", "", ""]):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    assert check_workbook(out.getvalue(), expected_sheets=["附件3-2", "附件1"]) == [
        "缺少工作表“附件1”",
        "附件3-2：合计行的30在“走访领导”一列下，该列不应有合计",
        "附件3-2：合计行“走访企业数”为None，各行之和为30"]
