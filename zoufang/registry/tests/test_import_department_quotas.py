"""The town departments' decided tables 附件4-1 and 附件4-2 stored from the imports page as fixed quotas."""

import csv
import io

import pytest
from django.utils import timezone

from zoufang.accounts.models import AuditEvent
from zoufang.demo.loader import DATA
from zoufang.planning.models import FixedQuota, PlanProof
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target, Unit
from zoufang.registry.tests.test_import_support import (
    csv_file,
    imported_unchanged,
    make_town,
    stored_state,
    xlsx_file,
)


def _rows(name: str) -> list[list[str]]:
    with (DATA / name).open(encoding="utf-8") as text:
        return [list(row) for row in csv.reader(text)]


ANNEX41, ANNEX42 = _rows("annex4-1.csv"), _rows("annex4-2.csv")


@pytest.fixture
def campaign(db):
    campaign = make_town()
    assert run_import("departments", DATA / "annex4-1.csv", campaign=campaign).ok
    return campaign


def _quotas() -> dict[tuple[str, str, str], tuple[int, str]]:
    """(source, department, kind) → (count, table) of every stored quota."""
    return {(q.source, q.units.get().name, q.target_kind): (q.count, q.table)
            for q in FixedQuota.objects.prefetch_related("units")}


def _store_as_the_cli_did(rows: list[list[str]], source: str) -> dict[tuple[str, str, str], tuple[int, str]]:
    """What `plan table` stored before it went through this kind: each column's figure for each department."""
    header = rows[next(at for at, row in enumerate(rows) if row[0].isdigit()) - 1]
    kinds = {"户籍户口": Target.Kind.REGISTERED_HOUSEHOLD, "外来常住户": Target.Kind.RESIDENT_HOUSEHOLD,
             "走访企业数": Target.Kind.ENTERPRISE}
    found = {}
    for row in rows:
        if row[0].isdigit():
            for at, name in enumerate(header):
                if name in kinds:
                    table = (FixedQuota.Table.UNIT_ENTERPRISES if kinds[name] == Target.Kind.ENTERPRISE
                             else FixedQuota.Table.UNIT_HOUSEHOLDS)
                    found[(source, row[1], kinds[name])] = (int(row[at]), table)
    return found


@pytest.mark.django_db
def test_it_stores_annex_4_1_and_4_2_as_the_command_line_did(campaign):
    first = run_import("department_quotas", DATA / "annex4-1.csv", campaign=campaign, source_label="附件4-1")
    second = run_import("department_quotas", DATA / "annex4-2.csv", campaign=campaign, source_label="附件4-2")

    assert (first.ok, first.total_rows, first.created) == (True, 29, 29), first.errors
    assert (second.ok, second.total_rows, second.created) == (True, 29, 29), second.errors
    expected = {**_store_as_the_cli_did(ANNEX41, "附件4-1"), **_store_as_the_cli_did(ANNEX42, "附件4-2")}
    assert len(expected) == 29 * 3
    assert _quotas() == expected
    assert _quotas()[("附件4-1", "机关二支部", Target.Kind.RESIDENT_HOUSEHOLD)] == (387, "unit_households")
    quota = FixedQuota.objects.get(source="附件4-2", label="医院")
    assert (quota.serial, quota.row_number, quota.table_title) == ("26", 28, "镇各部门党员干部“六个一”走访调研分配表（企业）")


@pytest.mark.django_db
def test_it_finds_no_change_in_the_same_table_laid_out_otherwise_and_keeps_the_ids(campaign):
    assert run_import("department_quotas", DATA / "annex4-1.csv", campaign=campaign, source_label="附件4-1").ok
    before = stored_state()
    # A real xlsx: one header row naming the kinds as other offices do, the departments in reverse order.
    body = [row for row in ANNEX41[3:] if row[0].isdigit()]
    relaid = [["附件4-1"], ANNEX41[0], ["序号", "单位名称", "党员人数", "外来常住户", "户籍户"],
              *[[row[0], row[1], int(row[2]), int(row[4]), int(row[3])] for row in reversed(body)],
              ["合计", "", 365, "3017户", "1825户"]]

    report = run_import("department_quotas", xlsx_file(relaid), filename="部门.xlsx", campaign=campaign)

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged, report.deleted) == (0, 0, 29, 0)
    imported_unchanged(29)
    assert stored_state() == before


@pytest.mark.django_db
def test_it_reports_the_one_changed_count_by_row(campaign):
    assert run_import("department_quotas", DATA / "annex4-2.csv", campaign=campaign, source_label="附件4-2").ok
    ids = dict(FixedQuota.objects.values_list("label", "pk"))
    proof = PlanProof.objects.create(campaign=campaign, computed_at=timezone.now(), proven=True)
    assert run_import("department_quotas", DATA / "annex4-2.csv", campaign=campaign, source_label="附件4-2").ok
    proof.refresh_from_db()
    assert not proof.stale  # the same table again changes no plan
    changed = [row[:] for row in ANNEX42]
    changed[5][3], changed[-1][2] = "40", "809家"  # 经服中心 37 → 40

    report = run_import("department_quotas", csv_file(changed), filename="附件4-2.csv", campaign=campaign)

    assert (report.created, report.updated, report.unchanged, report.deleted) == (0, 1, 28, 0), report.errors
    assert [str(change) for change in report.changes] == ["第6行 经服中心在本镇的企业：走访数“37”→“40”"]
    assert dict(FixedQuota.objects.values_list("label", "pk")) == ids
    assert FixedQuota.objects.get(label="经服中心").count == 40
    proof.refresh_from_db()
    assert proof.stale
    event = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).order_by("-pk").first()
    assert (event.changes["kind"], event.changes["updated"]) == ("department_quotas", 1)


@pytest.mark.django_db
def test_a_dry_run_reports_and_writes_nothing(campaign):
    events = AuditEvent.objects.count()

    report = run_import("department_quotas", DATA / "annex4-1.csv", campaign=campaign, dry_run=True)

    assert (report.ok, report.dry_run, report.created) == (True, True, 29)
    assert "未指定来源表名称，取自表标题：“镇各部门党员干部“六个一”走访调研分配表（居民户）”" in report.notes
    assert not FixedQuota.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_it_refuses_an_unregistered_department_naming_the_row_and_writes_nothing(campaign):
    rows = [row[:] for row in ANNEX42]
    rows[4][1] = "招商服务中心"

    report = run_import("department_quotas", csv_file(rows), filename="附件4-2.csv", campaign=campaign)

    assert [str(e) for e in report.errors] == [
        "第5行【单位】：“招商服务中心”未登记为镇部门，请先以“镇部门”导入本表（登记部门和党员人数），再导入定案分配表"]
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_a_failed_import_leaves_the_stored_table_as_it_was(campaign):
    assert run_import("department_quotas", DATA / "annex4-2.csv", campaign=campaign, source_label="附件4-2").ok
    before = stored_state()
    rows = [row[:] for row in ANNEX42]
    rows[3][3] = "31"  # 政法综治 30 → 31: the 合计 no longer adds up

    report = run_import("department_quotas", csv_file(rows), filename="附件4-2.csv", campaign=campaign)

    assert [str(e) for e in report.errors] == ["第32行【走访企业数】：合计为806家，各行之和为807家，相差1家"]
    assert stored_state() == before


@pytest.mark.django_db
def test_it_refuses_a_column_it_cannot_store_and_a_department_registered_as_another_kind(campaign):
    Unit.objects.create(name="市交通局", kind=Unit.Kind.CITY_DEPARTMENT)
    rows = [["序号", "单位", "党员人数", "走访企业数", "走访项目数"], ["1", "机关二支部", "43", "129", "2"],
            ["2", "市交通局", "5", "10", "1"]]

    report = run_import("department_quotas", csv_file(rows), filename="附件4-2.csv", campaign=campaign)

    assert [str(e) for e in report.errors] == [
        "第1行【走访项目数】：分配表的列“走访项目数”不是可导入的走访数列（可用：户籍户口、外来常住户、走访企业数）：请删去这一列，"
        "或改为可用的列名",
        "第3行【单位】：单位“市交通局”已登记为市级机关部门，不是镇部门"]
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_a_blank_count_fixes_nothing_for_that_department_and_says_so(campaign):
    rows = [["序号", "单位", "党员人数", "户籍户口", "外来常住户"], ["1", "机关二支部", "43", "215", ""],
            ["2", "政法综治", "10", "", ""], ["合计", "", "53", "215户", ""]]

    report = run_import("department_quotas", csv_file(rows), filename="附件4-1.csv", campaign=campaign)

    assert report.ok, report.errors
    assert _quotas() == {("附件4-1", "机关二支部", Target.Kind.REGISTERED_HOUSEHOLD): (215, "unit_households")}
    assert "“户籍户口”一列第3行留空：这些部门的户籍户不存为定案数，分配时不分给户籍户（与填0相同；要分配请填写数字）" in report.notes
    assert "“外来常住户”一列全部留空：非户籍常住户不存为定案数，各部门的非户籍常住户仍按活动规则计算" in report.notes


@pytest.mark.django_db
def test_it_names_a_party_member_count_it_does_not_update(campaign):
    rows = [row[:] for row in ANNEX42]
    rows[2][2], rows[-1][1] = "44", "366"

    report = run_import("department_quotas", csv_file(rows), filename="附件4-2.csv", campaign=campaign)

    assert report.ok, report.errors
    assert "第3行机关二支部：表中党员人数44，登记为43，本导入不更新（党员人数随“镇部门”导入更新）" in report.notes
    assert Unit.objects.get(name="机关二支部").party_member_count == 43


@pytest.mark.django_db
def test_the_departments_kind_says_its_counts_were_not_stored(db):
    campaign = make_town()

    filled = run_import("departments", DATA / "annex4-1.csv", campaign=campaign)
    blank = run_import("departments", csv_file([["序号", "单位", "党员人数", "户籍户口", "外来常住户"],
                                                ["1", "机关二支部", "43", "", ""]]), filename="部门.csv",
                       campaign=campaign)

    note = ("表中“户籍户口”、“外来常住户”的走访数未存为各部门固定走访数（本导入只登记部门和党员人数）；要让这些数在分配时生效，"
            "请再以“镇各部门定案分配表”导入本表")
    assert note in filled.notes
    assert not [n for n in blank.notes if "未存为" in n]
    assert not FixedQuota.objects.exists()


def test_its_template_reads_back_as_annex_4_1():
    from zoufang.core.tabular import read_rows
    from zoufang.planning.tables import parse_department_table
    from zoufang.registry.imports import write_template

    out = io.BytesIO()
    write_template("department_quotas", out)
    table = parse_department_table(read_rows(io.BytesIO(out.getvalue()), "template.xlsx"))
    assert table.columns == ["户籍户口", "外来常住户"]


@pytest.mark.django_db
def test_it_refuses_household_columns_a_campaign_planning_households_as_one_class_cannot_keep(campaign):
    campaign.config = {"quotas": {"party_member": {"per_person": {"household": 5}}}}
    campaign.save()

    report = run_import("department_quotas", DATA / "annex4-1.csv", campaign=campaign, source_label="附件4-1")

    assert [e.row for e in report.errors] == [3]
    assert "本活动按“群众家庭”分配居民户，不分户籍户和非户籍常住户" in str(report.errors[0])
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_count_column_of_a_kind_the_campaign_does_not_visit(campaign):
    campaign.config = {"target_kinds": ["registered_household", "resident_household"]}
    campaign.save()

    report = run_import("department_quotas", DATA / "annex4-2.csv", campaign=campaign, source_label="附件4-2")

    assert [str(e) for e in report.errors] == [
        "第2行【走访企业数】：本活动的走访对象（活动配置 target_kinds）不含企业，“走访企业数”一列无法导入：请删去这一列；"
        "如果本活动也走访企业，请先在活动配置的 target_kinds 中加入 enterprise，重新加载活动后再导入"]
    assert not FixedQuota.objects.exists()


def _annex_4_1_book(mark) -> io.BytesIO:
    """附件4-1 as an office's xlsx, `mark(sheet, first_data_row)` applied before it is saved."""
    first = next(at for at, row in enumerate(ANNEX41, start=1) if row[0].isdigit())
    return xlsx_file([[int(cell) if cell.isdigit() else cell for cell in row] for row in ANNEX41],
                     setup=lambda sheet: mark(sheet, first))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["departments", "department_quotas"])
def test_both_department_kinds_refuse_a_hidden_or_struck_through_department_and_an_uncomputed_total(campaign, kind):
    """docs/decisions/0029, as the other tables: a department hidden or struck through is not guessed at."""
    from openpyxl.styles import Font

    def hide(sheet, first):
        sheet.row_dimensions[first + 1].hidden = True

    def strike(sheet, first):
        for cell in sheet[first + 2]:
            cell.font = Font(strike=True)

    def uncomputed(sheet, first):
        total = next(row for row in sheet.iter_rows() if row[0].value == "合计")
        total[2].value = f"=SUM(C{first}:C{total[2].row - 1})"  # openpyxl saves a formula without its result

    before = stored_state()
    for mark, row_or_cell in ((hide, "行在表格中是隐藏的"), (strike, "删除线"), (uncomputed, "公式")):
        report = run_import(kind, _annex_4_1_book(mark), filename="附件4-1.xlsx", campaign=campaign)
        assert not report.ok, mark.__name__
        assert any(row_or_cell in str(error) for error in report.errors), [str(e) for e in report.errors]
    assert stored_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["departments", "department_quotas"])
def test_both_department_kinds_refuse_a_blank_party_member_count(campaign, kind):
    rows = [["序号", "单位", "党员人数", "户籍户口", "外来常住户"], ["1", "机关二支部", "43", "1", "0"],
            ["2", "政法综治", "", "1", "0"]]
    before = stored_state()
    report = run_import(kind, csv_file(rows), filename="附件4-1.csv", campaign=campaign, source_label="附件4-1")
    assert [str(error) for error in report.errors] == ["第3行【党员人数】：不能为空"]
    assert stored_state() == before
