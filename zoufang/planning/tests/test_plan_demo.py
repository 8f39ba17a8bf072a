"""The acceptance figures on the 锦溪镇 2017 demo: the seed's tables reproduced, the plan proven."""

import io
import json
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command

from zoufang.core.tabular import read_rows
from zoufang.demo.loader import DATA
from zoufang.planning import tables
from zoufang.planning.check import check_plan
from zoufang.planning.export import build_workbook
from zoufang.planning.models import Assignment, Quota
from zoufang.registry.models import Target


@pytest.fixture(scope="module")
def workbook(demo, django_db_blocker):
    """The tables alone: the walk lists that follow them (420 sheets) are test_walklists' business."""
    out = io.BytesIO()
    with django_db_blocker.unblock():
        build_workbook(demo, walk_lists=False).save(out)
    return out.getvalue()


def sheet(workbook: bytes, name: str):
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    for other in list(book.sheetnames):
        if other != name:
            del book[other]
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return read_rows(out, f"{name}.xlsx")


def test_it_names_the_sheets_as_the_seed_does(workbook, db):
    names = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True).sheetnames
    assert names == ["附件1", "附件2", "附件3-1", "附件3-2", "附件4-1", "附件4-2", "各单位分村"]
    book = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True)
    assert next(book["附件1"].iter_rows(values_only=True))[0] == "苏州市妇联“六个一”走访调研居民户、企业分配表"
    assert next(book["附件2"].iter_rows(values_only=True))[0] == "昆山市级机关部门“六个一”走访调研居民户、企业分配表"
    assert next(book["附件4-2"].iter_rows(values_only=True))[0] == "镇各部门党员干部“六个一”走访调研分配表（企业）"


@pytest.mark.parametrize("name", ["附件1", "附件2"])
def test_it_reproduces_the_upper_levels_tables(workbook, name, db):
    seed = tables.read_allocation_table(DATA / {"附件1": "annex1.csv", "附件2": "annex2.csv"}[name])
    ours = tables.parse_allocation_table(sheet(workbook, name))
    assert not ours.issues
    assert [(r.serial, r.unit, r.village, r.region_total, r.count) for r in ours.rows] == [
        (r.serial, r.unit, r.village, r.region_total, r.count) for r in seed.rows]
    assert ours.totals == seed.totals
    assert [(line.label, line.count) for line in ours.enterprise_lines] == [
        (line.label, line.count) for line in seed.enterprise_lines]


@pytest.mark.parametrize(("name", "with_villages"), [("附件3-1", True), ("附件3-2", False)])
def test_it_reproduces_the_leaders_tables(workbook, name, with_villages, db):
    seed = tables.parse_leader_table(read_rows(DATA / f"annex{name[2:]}.csv"), with_villages=with_villages)
    ours = tables.parse_leader_table(sheet(workbook, name), with_villages=with_villages)
    assert not ours.issues
    assert [(r.leader, r.village, r.count) for r in ours.rows] == [(r.leader, r.village, r.count) for r in seed.rows]
    assert ours.totals == seed.totals


@pytest.mark.parametrize("name", ["附件4-1", "附件4-2"])
def test_it_reproduces_the_departments_tables(workbook, name, db):
    seed = tables.read_department_table(DATA / f"annex{name[2:]}.csv")
    ours = tables.parse_department_table(sheet(workbook, name))
    assert not ours.issues
    assert ours.columns == seed.columns
    assert [(r.unit, r.party_members, r.figures) for r in ours.rows] == [
        (r.unit, r.party_members, r.figures) for r in seed.rows]
    assert ours.totals == seed.totals
    assert ours.party_member_total == seed.party_member_total == 365


def _planned(demo, **filters):
    return sum(Quota.objects.filter(campaign=demo, **filters).values_list("count", flat=True))


def test_it_leaves_the_seeds_remainders_to_the_town(demo, db):
    registered = Target.Kind.REGISTERED_HOUSEHOLD
    upper = _planned(demo, target_kind=registered, cadre__isnull=True)
    leaders = _planned(demo, target_kind=registered, cadre__role="town_leader")
    departments = _planned(demo, target_kind=registered, cadre__role="party_member")
    assert (13815, upper, leaders, departments) == (13815, 1360 + 9880, 750, 1825)
    assert 13815 - 1360 - 9880 == 2575 == leaders + departments
    enterprises = Target.Kind.ENTERPRISE
    assert _planned(demo, target_kind=enterprises, cadre__isnull=True) == 53 + 101
    assert _planned(demo, target_kind=enterprises, cadre__role="town_leader") == 300
    assert _planned(demo, target_kind=enterprises, cadre__role="party_member") == 806
    assert _planned(demo, target_kind=Target.Kind.RESIDENT_HOUSEHOLD, cadre__role="party_member") == 3017


def test_it_proves_every_target_is_assigned_exactly_once(demo, db):
    out = StringIO()
    call_command("plan", "check", campaign="jinxi-2017", json=True, stdout=out)
    result = json.loads(out.getvalue())
    assert result["targets"] == {"registered_household": 13815, "resident_household": 3017,
                                 "enterprise": 1260, "project": 34}
    assert result["assigned"] == result["targets"]
    assert set(result["unassigned"].values()) == {0}
    assert set(result["duplicated"].values()) == {0}
    assert result["quota_violations"] == []
    # 附件4-1 gives 锦溪中学 168 resident households for 22 party members, below 22 × 8: said, not hidden.
    assert {(r["unit"], r["planned"]) for r in result["relaxations"]} == {("锦溪中学", 7)}
    assert len(result["relaxations"]) == 8


def test_it_exits_1_when_a_target_is_left_out(demo, db):
    Assignment.objects.filter(campaign=demo).order_by("id").first().delete()
    assert check_plan(demo)["unassigned"]["registered_household"] + check_plan(demo)["unassigned"]["project"] \
        + check_plan(demo)["unassigned"]["enterprise"] + check_plan(demo)["unassigned"]["resident_household"] == 1
    with pytest.raises(SystemExit) as exit_:
        call_command("plan", "check", campaign="jinxi-2017", stdout=StringIO())
    assert exit_.value.code == 1


def test_it_keeps_each_unit_in_two_villages_or_names_it_with_the_reason(demo, workbook, db):
    out = StringIO()
    call_command("plan", "run", campaign="jinxi-2017", dry_run=True, json=True, stdout=out)
    report = json.loads(out.getvalue())
    assert report["kept"] == 18126
    assert report["moved"] == report["added"] == report["released"] == 0
    book = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True)
    counts = {}
    unit = None
    for row in book["各单位分村"].iter_rows(min_row=3, values_only=True):
        unit = row[0] or unit
        counts[unit] = counts.get(unit, 0) + 1
    named = {u["unit"] for u in report["units_over_two_villages"]}
    departments = [u for u in counts if u in set(Quota.objects.filter(
        campaign=demo, cadre__role="party_member").values_list("unit__name", flat=True))]
    assert len(departments) == 29
    for name in departments:
        assert counts[name] <= 2 or name in named
    assert all(u["reason"] for u in report["units_over_two_villages"])



def test_it_gives_the_demo_personas_named_walk_lists(demo, db):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=["dept", "leader"]).select_related("cadre")
    for user in users:
        mine = Assignment.objects.filter(campaign=demo, cadre=user.cadre)
        assert mine.filter(target__kind="registered_household").count() == (50 if user.username == "leader" else 5)
        assert mine.filter(target__kind="enterprise").exists()


def test_it_prints_the_same_tables_as_a_docx(demo, db):
    from docx import Document

    from zoufang.planning.export import write_docx

    out = io.BytesIO()
    write_docx(demo, out, walk_lists=False)  # the walk lists that follow are tested in test_walklists
    document = Document(io.BytesIO(out.getvalue()))
    texts = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert len(document.tables) == 7  # 附件1 … 附件4-2 and 各单位分村
    assert ["合计", "合计", "365", "1825户", "3017户"] in texts  # the label spans 序号 and 单位, as in the xlsx
    assert ["合计", "", "365", "806家", ""] in texts
    assert ["合计", "合计", "合计", "750户", ""] in texts  # 附件3-1: under 走访户数
    assert ["合计", "合计", "300家", ""] in texts  # 附件3-2: under 走访企业数
    assert any(row[:2] == ["合    计", "合    计"] or "1360户" in row for row in texts)


def test_its_tables_pass_the_independent_check(workbook, db):
    from zoufang.planning.tests.xlsx_checker import check_workbook, read_table

    assert check_workbook(workbook, expected_sheets=["附件1", "附件2", "附件3-1", "附件3-2", "附件4-1", "附件4-2"]) == []
    line = read_table(openpyxl.load_workbook(io.BytesIO(workbook))["附件2"]).after_total
    assert [(row[0], row[4], row[5]) for row in line] == [
        ("昆山市粮食局、妇联走访企业", "101家", "联合走访，平均分配：市粮食局51家、市妇联50家")]
