"""The upper levels' allocation tables (附件1, 附件2) with the seed's real figures, as fixed quotas."""

import io

import pytest
from django.core.management import call_command

from zoufang.accounts.models import AuditEvent
from zoufang.campaigns.models import Campaign
from zoufang.conftest import rolled_back
from zoufang.planning.models import FixedQuota
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target, Unit
from zoufang.registry.tests.test_import_support import (
    ANNEX2,
    SEED_VILLAGES,
    TOTAL,
    add_registered_households,
    annex1_rows,
    annex2_rows,
    as_excel_saves,
    csv_file,
    imported_unchanged,
    make_town,
    stored_state,
    village,
    xlsx_file,
)


@pytest.fixture(scope="module")
def seed_town(django_db_setup, django_db_blocker):
    """The seed's 22 villages and their 13,815 registered households: built once for the module."""
    with rolled_back(django_db_blocker):
        campaign = make_town(name for name, _total in SEED_VILLAGES)
        add_registered_households(dict(SEED_VILLAGES))
        for name, kind in [("苏州市妇联", Unit.Kind.OUTSIDE_BODY), ("市府办", Unit.Kind.CITY_DEPARTMENT),
                           ("市妇联", Unit.Kind.OUTSIDE_BODY), ("市粮食局", Unit.Kind.CITY_DEPARTMENT),
                           ("市商务局", Unit.Kind.CITY_DEPARTMENT), ("市交通局", Unit.Kind.CITY_DEPARTMENT)]:
            Unit.objects.create(name=name, kind=kind)
        yield campaign.pk


@pytest.fixture
def campaign(seed_town, db):
    return Campaign.objects.get(pk=seed_town)


def quotas(source):
    return FixedQuota.objects.filter(source=source).order_by("row_number")


@pytest.mark.django_db
def test_it_stores_annex_1_as_fixed_quotas(campaign):
    report = run_import("allocation", csv_file(annex1_rows()), filename="附件1.csv", campaign=campaign)
    assert report.ok, report.errors
    assert (report.total_rows, report.created) == (23, 23)
    rows = list(quotas("附件1"))
    first, line = rows[0], rows[-1]
    assert (first.row_number, first.serial, first.label, first.region, first.count, first.stated_region_total) == (
        4, "1", "苏州市妇联", village("上下塘社区"), 100, 2667)
    assert [u.name for u in first.units.all()] == ["苏州市妇联"]
    assert (first.table, first.target_kind) == (FixedQuota.Table.UPPER_LEVEL, Target.Kind.REGISTERED_HOUSEHOLD)
    assert (line.target_kind, line.region, line.count, [u.name for u in line.units.all()]) == (
        Target.Kind.ENTERPRISE, None, 53, ["苏州市妇联"])
    assert sum(q.count for q in rows[:-1]) == 1360


@pytest.mark.django_db
def test_it_reads_annex_2_continuation_rows_and_enterprise_units(campaign):
    report = run_import("allocation", xlsx_file(annex2_rows()), filename="附件2.xlsx", campaign=campaign)
    assert report.ok, report.errors
    guijiabang = quotas("附件2").get(row_number=5)
    assert (guijiabang.serial, guijiabang.label, guijiabang.region.name, guijiabang.count) == ("", "市府办", "顾家浜村", 67)
    assert [u.name for u in guijiabang.units.all()] == ["市府办"]
    households = quotas("附件2").filter(target_kind=Target.Kind.REGISTERED_HOUSEHOLD)
    assert sum(q.count for q in households) == 9880
    # The joint line “昆山市粮食局、妇联走访企业 101家”: one share per unit, the odd one to the first.
    parts = quotas("附件2").filter(target_kind=Target.Kind.ENTERPRISE).order_by("part")
    assert [(q.part, q.label, [u.name for u in q.units.all()], q.count) for q in parts] == [
        (1, "昆山市粮食局、妇联", ["市粮食局"], 51), (2, "昆山市粮食局、妇联", ["市妇联"], 50)]
    assert {q.note for q in parts} == {"联合走访，平均分配：市粮食局51家、市妇联50家"}
    assert report.notes[-1:] == ["第27行“昆山市粮食局、妇联”：联合走访，平均分配：市粮食局51家、市妇联50家"]


@pytest.mark.django_db
def test_it_changes_nothing_when_the_same_table_is_imported_again(campaign):
    run_import("allocation", csv_file(annex2_rows()), filename="附件2.csv", campaign=campaign)
    again = run_import("allocation", csv_file(annex2_rows()), filename="附件2.csv", campaign=campaign)
    assert (again.created, again.updated, again.unchanged, again.deleted) == (0, 0, 24, 0)
    assert quotas("附件2").count() == 25  # 23 village rows, the joint enterprise line as two shares
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, object_type="planning.FixedQuota").count() == 2


@pytest.mark.django_db
def test_it_replaces_the_rows_of_the_same_source(campaign):
    run_import("allocation", csv_file(annex2_rows()), filename="x.csv", source_label="附件2", campaign=campaign)
    rows = annex2_rows()
    rows[2][4] = "2000"
    rows[-2] = ["合    计", "13815户", "9827户"]
    del rows[-1]
    report = run_import("allocation", csv_file(rows), filename="x.csv", source_label="附件2", campaign=campaign)
    assert (report.updated, report.deleted, report.unchanged) == (1, 1, 22), report.errors
    assert quotas("附件2").get(row_number=3).version == 2
    assert not quotas("附件2").filter(target_kind=Target.Kind.ENTERPRISE).exists()


@pytest.mark.django_db
def test_it_refuses_a_total_that_disagrees_with_the_rows(campaign):
    report = run_import("allocation", csv_file(annex2_rows(("合    计", "13816户", "9870户"))),
                        filename="附件2.csv", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第26行【户籍总户数（户）】：合计为13816户，各村、社区（重复出现的只计一次）之和为13815户，相差1户",
        "第26行【走访户数】：合计为9870户，各行之和为9880户，相差10户",
    ]
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_table_that_disagrees_with_the_registry(campaign):
    ids = list(Target.objects.filter(region=village("上下塘社区")).values_list("pk", flat=True)[:7])
    Target.objects.filter(pk__in=ids).delete()
    report = run_import("allocation", csv_file(annex1_rows()), filename="附件1.csv", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第4行【户籍总户数（户）】：表中上下塘社区为2667户，登记库中为2660户，相差7户"]
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_it_refuses_inconsistent_village_totals_excess_visits_and_unknown_names(campaign):
    rows = annex2_rows()
    rows[4][3] = "390"  # 顾家浜村 under 市府办, 393 elsewhere
    rows[5][1] = "市水利局"
    rows[6][4] = "500"  # 盛塘村 has 496
    rows[7][2] = "马援村"
    report = run_import("allocation", csv_file(rows), filename="附件2.csv", campaign=campaign)
    messages = [str(e) for e in report.errors]
    assert "第5行【户籍总户数（户）】：表中顾家浜村为390户，登记库中为393户，相差3户" in messages
    assert "第17行【户籍总户数（户）】：顾家浜村在第5行为390户，此处为393户，相差3户" in messages
    assert "第6行【走访单位】：单位“市水利局”未登记，请先导入单位" in messages
    assert "第7行【走访户数】：走访户数500户超过户籍总户数496户，多4户" in messages
    assert any(m.startswith("第8行【村、社区名称】：锦溪镇没有名为“马援村”的村（社区）") for m in messages)
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_it_requires_a_campaign(campaign):
    report = run_import("allocation", csv_file(annex1_rows()), filename="附件1.csv")
    assert [e.message for e in report.errors] == ["请指定走访活动（命令行加 --campaign 活动代号）"]


@pytest.mark.django_db
def test_it_splits_a_joint_line_by_the_figures_the_table_gives(campaign):
    rows = annex2_rows()
    rows[-1] = ["市商务局30、市交通局71走访企业", "101家"]
    rows[2][1] = "市交通局、市商务局"  # a joint village row: 2053 shared evenly, the odd one to 市交通局
    report = run_import("allocation", xlsx_file(rows), filename="分配表.xlsx", campaign=campaign)
    assert report.ok, report.errors
    source = "昆山市级机关部门“六个一”走访调研居民户、企业分配表"  # no --label, no 附件 line: the title
    assert report.notes[0] == f"未指定来源表名称，取自表标题：“{source}”"
    line = quotas(source).filter(target_kind=Target.Kind.ENTERPRISE).order_by("part")
    assert [([u.name for u in q.units.all()], q.count, q.note) for q in line] == [
        (["市商务局"], 30, "联合走访，按表中分配：市商务局30家、市交通局71家"),
        (["市交通局"], 71, "联合走访，按表中分配：市商务局30家、市交通局71家")]
    first = quotas(source).filter(row_number=3).order_by("part")
    assert [([u.name for u in q.units.all()], q.count, q.stated_region_total) for q in first] == [
        (["市交通局"], 1027, 2667), (["市商务局"], 1026, 2667)]


@pytest.mark.django_db
def test_it_refuses_a_joint_line_whose_figures_do_not_add_up(campaign):
    rows = annex2_rows()
    rows[-1] = ["市商务局30、市交通局70走访企业", "101家"]
    rows.append(["市商务局30、市交通局走访企业", "40家"])
    report = run_import("allocation", xlsx_file(rows), filename="附件2.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第27行【走访企业】：联合走访各单位之和为100家，本行为101家，相差1家",
        "第28行【走访企业】：联合走访的各单位要么都写数（如“市发改委30、水利局40”），要么都不写（平均分配）"]
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_it_takes_the_label_from_the_annex_line_or_refuses_without_one(campaign):
    rows = [["附件 2"], *annex2_rows()]
    report = run_import("allocation", csv_file(rows), filename="upload.csv", campaign=campaign)
    assert report.ok, report.errors
    assert quotas("附件2").count() == 25
    nameless = annex2_rows()[1:]  # neither a label line nor a title above the header
    report = run_import("allocation", csv_file(nameless), filename="upload.csv", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "表没有来源表名称：表头之上没有“附件1”这样的标注，也没有标题，文件名也不是“附件1”这样的名称。"
        "请在表头上方的一行写明来源表名称（如“附件1”），或把文件名改为“附件1.xlsx”后再导入（命令行导入也可加 --label 附件1）"]


@pytest.mark.django_db
def test_it_refuses_the_same_table_under_a_second_label(campaign):
    assert run_import("allocation", csv_file(annex1_rows()), filename="附件1.csv", campaign=campaign).ok
    report = run_import("allocation", xlsx_file(annex1_rows()), filename="妇联表.xlsx", source_label="妇联",
                        campaign=campaign)
    [error] = report.errors  # one message naming every row (22 villages and the enterprise line), not 23
    assert str(error) == (
        "第4行：本表“妇联”（妇联表.xlsx）与已导入的来源表“附件1”（苏州市妇联“六个一”走访调研居民户、企业分配表）重复："
        "第4—25、27行（共23行）所分配的，已由“附件1”分配，如苏州市妇联在上下塘社区的户籍户"
        "（“附件1”第4行）。同一张表不能以两个名称导入；要替换原表，请用原来的名称“附件1”重新导入：命令行加 --label 附件1；"
        "网页导入时把文件名改为“附件1.xlsx”，或在表标题上方的一行写“附件1”")
    assert not quotas("妇联").exists()
    assert quotas("附件1").count() == 23


@pytest.mark.django_db
def test_the_command_says_how_a_joint_line_was_split(campaign, tmp_path):
    path = tmp_path / "附件2.csv"
    path.write_bytes(csv_file(annex2_rows()).getvalue())
    out = io.StringIO()
    call_command("import", "allocation", str(path), "--campaign", "jinxi-2017", stdout=out)
    # The import command prints every note of the report as 提示 (one presentation for all import notes).
    assert "提示：第27行“昆山市粮食局、妇联”：联合走访，平均分配：市粮食局51家、市妇联50家" in out.getvalue().splitlines()


@pytest.mark.django_db
def test_it_counts_a_joint_line_turned_single_as_one_updated_row(campaign):
    run_import("allocation", csv_file(annex2_rows()), filename="附件2.csv", campaign=campaign)
    rows = annex2_rows()
    rows[-1] = ["昆山市粮食局走访企业", "101家"]
    report = run_import("allocation", csv_file(rows), filename="附件2.csv", campaign=campaign)
    assert (report.total_rows, report.created, report.updated, report.unchanged, report.deleted) == (24, 0, 1, 23, 0)
    line = quotas("附件2").filter(target_kind=Target.Kind.ENTERPRISE)
    assert [(q.part, [u.name for u in q.units.all()], q.count, q.note) for q in line] == [(0, ["市粮食局"], 101, "")]


def annex2_relaid(count_for=None):
    """附件2 as another office types it: an “附件2” line and a blank row above the title, a two-row header with
    “走访任务” over the figures and the columns in another order, 合计 above the rows, the rows sorted by village
    and numbered again (市府办 written out on its second village), the enterprise line last; `count_for` changes
    one village's 走访户数."""
    rows = [["附件2"], [], ["昆山市级机关部门“六个一”走访调研居民户、企业分配表"],
            ["村、社区名称", "走访单位", "序号", "走访任务", ""], ["", "", "", "走访户数", "户籍总户数（户）"],
            ["合    计", "", "", "", "13815户"]]
    written = sorted((name, unit or "市府办", (count_for or {}).get(name, count)) for _serial, unit, name, count in ANNEX2)
    rows[-1][3] = f"{sum(count for _name, _unit, count in written)}户"
    for serial, (name, unit, count) in enumerate(reversed(written), 1):
        rows.append([name, unit, str(serial), str(count), str(TOTAL[name])])
    rows.append(["昆山市粮食局、妇联走访企业", "101家"])
    return rows


@pytest.mark.django_db
def test_it_finds_no_change_in_the_same_tables_laid_out_otherwise(campaign):
    assert run_import("allocation", csv_file(annex2_rows()), filename="附件2.csv", campaign=campaign).ok
    assert run_import("allocation", csv_file(annex1_rows()), filename="附件1.csv", campaign=campaign).ok
    before = stored_state()
    again = run_import("allocation", xlsx_file(annex2_relaid(), merges=["D4:E4", "A4:A5", "B4:B5", "C4:C5"]),
                       filename="附件2.xlsx", campaign=campaign)
    assert again.ok, again.errors
    assert (again.total_rows, again.created, again.updated, again.unchanged, again.deleted) == (24, 0, 0, 24, 0)
    assert again.summary() == "共24行：新增0，更新0，未变24"
    imported_unchanged(24)
    # 附件1 reversed, with its columns in another order and no blank row under the header.
    rows = annex1_rows()
    relaid = [rows[0], ["走访户数", "村、社区  名称", "户籍总户数（户）", "走访单位", "序号"]]
    relaid += [[count, name, total, unit, serial] for serial, unit, name, total, count in reversed(rows[3:-2])]
    relaid += [["合    计", "1360户", "13815户"], rows[-1]]
    again = run_import("allocation", csv_file(relaid), filename="附件1.csv", campaign=campaign)
    assert (again.created, again.updated, again.unchanged, again.deleted) == (0, 0, 23, 0), again.errors
    imported_unchanged(23)
    assert stored_state() == before


@pytest.mark.django_db
def test_it_reports_exactly_the_one_figure_changed(campaign):
    assert run_import("allocation", csv_file(annex2_rows()), filename="附件2.csv", campaign=campaign).ok
    before = {q.pk: (q.row_number, q.count, q.version) for q in quotas("附件2")}
    report = run_import("allocation", xlsx_file(annex2_relaid({"联湖村": 240})), filename="附件2.xlsx",
                        campaign=campaign)
    assert (report.created, report.updated, report.unchanged, report.deleted) == (0, 1, 23, 0), report.errors
    lianhu = quotas("附件2").get(region__name="联湖村")
    assert [str(change) for change in report.changes] == [
        f"第{lianhu.row_number}行 市商务局在联湖村的户籍户：走访数“243”→“240”"]
    assert (lianhu.count, lianhu.version) == (240, 2)
    after = {q.pk: (q.count, q.version) for q in quotas("附件2")}
    assert after.keys() == before.keys()  # matched, not deleted and created again
    assert [pk for pk, (count, version) in after.items() if (count, version) != before[pk][1:]] == [lianhu.pk]
    # The stored rows now stand where this file has them: the export follows the table last changed.
    assert lianhu.row_number == next(i for i, row in enumerate(annex2_relaid(), 1) if row[:1] == ["联湖村"])


@pytest.mark.django_db
def test_it_refuses_two_rows_fixing_the_same_village_for_one_unit(campaign):
    rows = annex2_rows()
    # The 顾家浜村 continuation row of 市府办 given to 市交通局 by its full name: the table's own check of names
    # written twice does not see it, and row 17 gives 市交通局 顾家浜村 again.
    rows[4][:2] = ["2a", "昆山市交通局"]
    report = run_import("allocation", csv_file(rows), filename="附件2.csv", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第17行：第5行和第17行都分配市交通局在顾家浜村的户籍户：同一走访单位（领导）在同一村、社区的同类对象只能写一行，"
        "请合并为一行后再导入"]
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_a_total_computed_by_a_formula_the_file_holds_no_result_of_is_named_not_taken_for_blank(campaign):
    rows = annex2_rows(("合    计", "=SUM(D3:D25)", "=SUM(E3:E25)"))  # written by a program: no result saved
    rows[3][4] = "=300+57"
    report = run_import("allocation", xlsx_file(rows), filename="附件2.xlsx", campaign=campaign)
    message = "单元格是公式，文件中没有保存它的计算结果（文件可能由其他程序生成）。请在 Excel 或 WPS 中打开后保存一次"
    # A line of the table is named by its column's header as well; the 合计, laid out otherwise, by letter only.
    assert [(e.row, e.column) for e in report.errors] == [(4, "E列“走访户数”"), (26, "B列"), (26, "C列")]
    assert all(e.message.startswith(message) for e in report.errors)
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_an_excel_error_value_in_an_allocation_table_is_named_as_such(campaign):
    rows = annex2_rows()
    rows[3][4] = "#N/A"  # 市府办's count, looked up by a VLOOKUP that found nothing
    report = run_import("allocation", xlsx_file(rows), filename="附件2.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == [  # not “应为不小于0的整数”, nor the totals' differences it causes
        "第4行【E列“走访户数”】：单元格是 Excel 的错误值“#N/A”（通常是公式出错，如 VLOOKUP 找不到），请改成实际内容或清空"]


@pytest.mark.django_db
def test_an_allocation_row_hidden_in_the_workbook_refuses_the_table(campaign):
    out = xlsx_file(annex2_rows(), setup=lambda sheet: setattr(sheet.row_dimensions[5], "hidden", True))  # 市交通局 in 虬泽村: hidden, not deleted
    report = run_import("allocation", out, filename="附件2.xlsx", campaign=campaign)
    assert len(report.errors) == 1
    assert report.errors[0].message.startswith("第5行在表格中是隐藏的")
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_a_unit_struck_through_in_part_refuses_the_table_naming_the_cell(campaign):
    """docs/decisions/0029 addendum: 市交通局 struck and 市府办 written after it; neither, nor both, is guessed."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    def reassign(sheet):
        sheet["B4"] = CellRichText([TextBlock(InlineFont(strike=True), "市交通局"), "市府办"])

    report = run_import("allocation", as_excel_saves(xlsx_file(annex2_rows(), setup=reassign)), filename="附件2.xlsx",
                        campaign=campaign)
    assert [str(e) for e in report.errors] == [  # not “单位“市交通局市府办”未登记”
        "第4行【B列“走访单位”】：单元格中有一部分文字加了删除线（划掉），无法确定哪些文字有效。请双击这个单元格：划掉的文字作废的，"
        "把它删去；仍然有效的，选中它按 Ctrl+5 去掉删除线。保存后再导入"]
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_a_title_longer_than_a_quota_keeps_is_refused_naming_its_row(campaign):
    rows = [["附件1"], *annex1_rows()]
    rows[1] = ["苏州市妇联" + "走访调研" * 50]  # 205 characters: FixedQuota.table_title keeps 200
    report = run_import("allocation", xlsx_file(rows), filename="附件1.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == ["第2行【表标题】：不能超过200个字，表中为205个字"]
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_a_joint_unit_cell_longer_than_a_quota_keeps_is_refused_naming_its_cell(campaign):
    names = [f"市{word * 96}局" for word in "甲乙丙"]  # three registered units of 98 characters each
    Unit.objects.bulk_create(Unit(name=name, kind=Unit.Kind.CITY_DEPARTMENT) for name in names)
    rows = annex2_rows()
    rows[2][1] = "、".join(names)  # 296 characters: FixedQuota.label keeps 200
    report = run_import("allocation", xlsx_file(rows), filename="附件2.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == ["第3行【走访单位】：不能超过200个字，表中为296个字"]
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_a_joint_row_whose_split_note_would_be_cut_is_refused_saying_why(campaign):
    names = [f"市{word * 62}局" for word in "甲乙丙"]  # 194 characters joined: the cell fits, the split's note not
    Unit.objects.bulk_create(Unit(name=name, kind=Unit.Kind.CITY_DEPARTMENT) for name in names)
    rows = annex2_rows()
    rows[2][1] = "、".join(names)
    report = run_import("allocation", xlsx_file(rows), filename="附件2.xlsx", campaign=campaign)
    [error] = [str(e) for e in report.errors]
    assert error.startswith("第3行【走访单位】：联合走访的分配说明连同备注共")
    assert error.endswith("超过备注能存的200个字，请减少本行联合走访的单位或缩短备注")
    assert not FixedQuota.objects.exists()


# Two tables of one campaign whose official titles differ only past their 50th character (decision 0064).
LONG_TITLE = "锦溪镇2017年“六个一”走访活动暨“两学一做”学习教育常态化制度化联系服务群众居民户、企业分配表{}"


@pytest.mark.django_db
def test_a_long_title_names_its_table_whole_and_two_such_tables_stay_two(campaign):
    """A table named by its title keeps the title whole as its source: cut to 50 characters, a second table whose
    title differs only after them took the first one's name and replaced its quotas unsaid."""
    first, second = LONG_TITLE.format("（第一批）"), LONG_TITLE.format("（第二批）")
    assert first[:50] == second[:50] != first
    women = [[first], *annex1_rows()[1:]]
    report = run_import("allocation", xlsx_file(women), filename="分配表.xlsx", campaign=campaign)
    assert report.ok, report.errors
    assert report.notes[0] == f"未指定来源表名称，取自表标题：“{first}”"
    assert {q.source for q in FixedQuota.objects.all()} == {first}
    offices = [[second], *annex2_rows()[1:]]
    assert run_import("allocation", xlsx_file(offices), filename="分配表.xlsx", campaign=campaign).ok
    assert quotas(first).count() == 23
    assert {q.source for q in FixedQuota.objects.all()} == {first, second}


@pytest.mark.django_db
def test_a_label_longer_than_a_quota_keeps_is_refused_naming_the_limit(campaign):
    label = "附件" + "甲" * 199
    report = run_import("allocation", xlsx_file(annex1_rows()), filename="附件1.xlsx", source_label=label,
                        campaign=campaign)
    assert [str(e) for e in report.errors] == ["来源表名称不能超过200个字，现为201个字"]
    assert not FixedQuota.objects.exists()
