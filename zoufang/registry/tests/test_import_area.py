"""An office's imports stay within its own town (decision 0031): what a row may create, change or name, kind by
kind; a shell run without a user, a system administrator and a county office as before or over their area."""

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.conftest import PASSWORD
from zoufang.planning.models import FixedQuota
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.registry.tests.test_import_support import csv_file

pytestmark = pytest.mark.django_db

UNITS = ["单位名称", "单位类型", "所属区划", "党员人数", "排序"]
CADRES = ["姓名", "单位", "角色", "职务", "手机号码", "上一级", "挂钩村（社区）"]
REGIONS = ["上级区划", "名称", "层级", "区划代码"]
ENTERPRISES = ["企业名称", "统一社会信用代码", "村（社区）", "地址"]


def _messages(report) -> str:
    return " ".join(str(error) for error in report.errors)


@pytest.fixture
def shared(town):
    return Unit.objects.create(name="市妇联", kind=Unit.Kind.OUTSIDE_BODY, party_member_count=12)


def test_a_shared_unit_listed_as_registered_is_named_but_not_changed(town, menghe, menghe_office, shared):
    listed = [UNITS, ["市妇联", "其他单位", "", "12", "0"], ["孟河镇派出所", "镇部门（支部）", "孟河镇", "20", "1"]]
    report = run_import("units", csv_file(listed), filename="units.csv", by=menghe_office)
    assert (report.ok, report.created, report.unchanged) == (True, 1, 1), report.errors
    assert Unit.objects.get(name="孟河镇派出所").region == menghe.scope

    changed = [UNITS, ["市妇联", "其他单位", "孟河镇", "99", "0"]]
    for update in (False, True):
        report = run_import("units", csv_file(changed), filename="units.csv", by=menghe_office, update=update)
        assert [(e.row, e.column) for e in report.errors] == [(2, "单位名称")]
        assert "上级或各镇共用的单位" in report.errors[0].message
    shared.refresh_from_db()
    assert (shared.region, shared.party_member_count) == (None, 12)


def test_a_unit_is_placed_only_in_the_offices_own_regions(town, menghe, menghe_office):
    rows = [UNITS, ["孟河镇某委员会", "村（居）委会", "锦溪镇/上下塘社区", "", ""]]
    report = run_import("units", csv_file(rows), filename="units.csv", by=menghe_office)
    assert [str(e) for e in report.errors] == ["第2行【所属区划】：本镇没有区划“锦溪镇/上下塘社区”"]
    assert not Unit.objects.filter(name="孟河镇某委员会").exists()


def test_a_shared_units_cadres_are_not_the_towns_to_register(town, menghe, menghe_office, shared):
    rows = [CADRES, ["假干部", "市妇联", "其他", "", "13900000001", "", ""]]
    report = run_import("cadres", csv_file(rows), filename="cadres.csv", by=menghe_office)
    assert "市妇联”是上级或各镇共用的单位" in _messages(report)
    assert not Cadre.objects.filter(name="假干部").exists()


def test_a_cadre_names_no_other_towns_cadre_as_its_supervisor(town, menghe, menghe_office):
    units = [UNITS, ["孟河镇党政班子", "镇党政班子", "孟河镇", "", "1"]]
    assert run_import("units", csv_file(units), filename="units.csv", by=menghe_office).ok
    rows = [CADRES, ["孟河镇领导", "孟河镇党政班子", "镇党政领导", "", "", "镇党政班子/王文", ""]]
    report = run_import("cadres", csv_file(rows), filename="cadres.csv", by=menghe_office)
    assert [str(e) for e in report.errors] == ["第2行【上一级】：找不到上一级“镇党政班子/王文”"]


def test_a_department_table_moves_no_other_towns_department(town, menghe, menghe_office):
    rows = [["序号", "单位", "党员人数"], ["1", "派出所", "99"], ["合计", "", "99"]]
    report = run_import("departments", csv_file(rows), filename="附件4-1.csv", campaign=menghe,
                        by=menghe_office)
    # Each town has its own 派出所 (decision 0032): 孟河镇's is registered, 锦溪镇's neither moved nor named.
    assert report.ok, _messages(report)
    assert Unit.objects.get(name="派出所", region=menghe.scope).party_member_count == 99
    police = Unit.objects.get(pk=town.police.pk)
    assert (police.region, police.party_member_count) == (town.town, 31)


def test_a_leaders_table_names_no_other_towns_leader(town, menghe, menghe_office):
    rows = [["序号", "走访领导", "走访企业数", "备注"], ["1", "王文", "20", ""], ["合计", "20家", ""]]
    report = run_import("leader_enterprises", csv_file(rows), filename="附件3-2.csv", campaign=menghe,
                        by=menghe_office)
    assert "没有名为“王文”的镇党政领导" in _messages(report)
    assert not FixedQuota.objects.exists()


def test_an_allocation_table_names_no_other_towns_unit(town, menghe, menghe_office):
    rows = [["序号", "走访单位", "村、社区名称", "户籍总户数", "走访户数"], ["1", "派出所", "孟河社区", "0", "0"],
            ["合计", "", "", "0户", "0户"]]
    report = run_import("allocation", csv_file(rows), filename="附件1.csv", campaign=menghe, by=menghe_office)
    assert "单位“派出所”未在本镇登记，请先导入单位" in _messages(report)
    assert not FixedQuota.objects.exists()


def test_a_department_quota_table_names_no_other_towns_department(town, menghe, menghe_office):
    rows = [["序号", "单位", "党员人数", "户籍户口", "外来常住户"], ["1", "派出所", "31", "10", "10"],
            ["合计", "", "31", "10", "10"]]
    report = run_import("department_quotas", csv_file(rows), filename="附件4-1.csv", campaign=menghe,
                        by=menghe_office)
    assert "“派出所”未登记为镇部门" in _messages(report)
    assert not FixedQuota.objects.exists()


def test_another_towns_campaign_is_refused(town, menghe_office):
    rows = [ENTERPRISES, ["孟河某公司", "91320583MA1N000104", "", ""]]
    report = run_import("enterprises", csv_file(rows), filename="e.csv", campaign=town.campaign, by=menghe_office)
    assert [str(e) for e in report.errors] == ["走访活动“锦溪镇”不在本镇范围内，不能为它导入"]
    assert not Target.objects.filter(name="孟河某公司").exists()


def test_an_enterprise_registered_in_another_town_is_neither_located_nor_taken(town, menghe, menghe_office):
    enterprise = town.enterprise
    rows = [ENTERPRISES, [enterprise.name, enterprise.credit_code, "孟河社区", "某路1号"]]
    for update in (False, True):
        report = run_import("enterprises", csv_file(rows), filename="e.csv", campaign=menghe, by=menghe_office,
                            update=update)
        assert [str(e) for e in report.errors] == [
            "第2行【统一社会信用代码】：该统一社会信用代码已在本镇以外登记，请与上级走访办核实"]
    enterprise.refresh_from_db()
    assert enterprise.region == town.jijiadun


def test_regions_are_added_and_changed_only_within_the_offices_town(town, menghe, menghe_office):
    town.shangxiatang.code = "320583106001"
    town.shangxiatang.save()
    rows = [REGIONS,
            ["孟河镇", "孟河村", "村", ""],  # its own: added
            ["锦溪镇", "新建社区", "社区", ""],  # under another town
            ["新北区", "新镇", "镇", ""],  # under the county above it
            ["", "某市", "市", ""],  # at the top
            ["孟河镇", "孟河二村", "村", "320583106001"],  # another town's code
            ["", "苏州市", "市", ""]]  # the city above, as it is: named
    report = run_import("regions", csv_file(rows), filename="regions.csv", by=menghe_office)
    assert [(e.row, e.column) for e in report.errors] == [(3, "上级区划"), (4, "上级区划"), (5, "上级区划"), (6, "区划代码")]
    assert "上下塘" not in _messages(report)
    assert report.errors[3].message == "该区划代码已在本镇以外登记，请与上级走访办核实"
    renamed = [REGIONS, ["", "苏州市（新）", "市", ""], ["昆山市", "锦溪镇", "镇", "320583106"]]
    report = run_import("regions", csv_file(renamed), filename="regions.csv", by=menghe_office, update=True)
    assert [(e.row, e.column) for e in report.errors] == [(2, "上级区划"), (3, "上级区划")]

    rows = [REGIONS, ["孟河镇", "孟河村", "村", ""], ["孟河镇/孟河村", "第1村民小组", "村民小组", ""]]
    assert run_import("regions", csv_file(rows), filename="regions.csv", by=menghe_office).ok
    assert Region.objects.get(name="第1村民小组", parent__name="孟河村").path.startswith(menghe.scope.path)
    town.town.refresh_from_db()
    assert (town.town.name, town.town.code) == ("锦溪镇", "")


def test_a_county_office_imports_for_its_towns_and_a_shell_run_everywhere(town, menghe, menghe_office):
    """scope.py's notion: an office granted a county holds its towns; a run without a user (the import command,
    the demo) holds every region, as before."""
    county = ensure_user("kunshan_office", PASSWORD, role=RoleGrant.Role.OFFICE, region=town.town.parent)
    rows = [UNITS, ["派出所", "镇部门（支部）", "锦溪镇", "32", "1"]]
    assert run_import("units", csv_file(rows), filename="units.csv", by=county).ok
    assert not run_import("units", csv_file(rows), filename="units.csv", by=menghe_office).ok
    rows = [UNITS, ["派出所", "镇部门（支部）", "", "33", "1"]]
    assert run_import("units", csv_file(rows), filename="units.csv").ok
    assert Unit.objects.get(pk=town.police.pk).party_member_count == 33
    sysadmin = ensure_user("sysadmin", PASSWORD, role=RoleGrant.Role.SYSADMIN)
    rows = [UNITS, ["派出所", "镇部门（支部）", "", "34", "1"]]
    assert run_import("units", csv_file(rows), filename="units.csv", by=sysadmin).ok
    assert Unit.objects.get(pk=town.police.pk).party_member_count == 34


def test_a_household_registered_in_another_town_is_refused_without_saying_where(town, menghe, menghe_office):
    household = town.households["jijiadun"][0]
    rows = [["户别", "村（社区）", "户主姓名", "身份证号码", "地址"],
            ["户籍户", "孟河社区", household.name, household.id_number, "某路1号"]]
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=menghe, by=menghe_office)
    assert [str(e) for e in report.errors] == ["第2行【身份证号码】：该身份证号码已在本镇以外登记，请与上级走访办核实"]


def test_the_import_page_imports_as_its_user(town, menghe, menghe_office, login):
    """The page (and its background jobs) pass the signed-in office as `by`: the same rule holds there."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = "单位名称,单位类型,所属区划,党员人数,排序\n派出所,镇部门（支部）,孟河镇,99,1\n".encode()
    client = login(menghe_office)
    client.post("/imports/", {"kind": "units", "campaign": str(menghe.public_id),
                              "file": SimpleUploadedFile("units.csv", body, content_type="text/csv")})
    page = client.get("/imports/").content.decode()
    assert "锦溪镇" not in page  # another town's unit is neither named nor changed; 孟河镇 registers its own (0032)
    assert Unit.objects.get(name="派出所", region=menghe.scope).party_member_count == 99
    police = Unit.objects.get(pk=town.police.pk)
    assert (police.region, police.party_member_count) == (town.town, 31)


def test_an_import_without_a_campaign_leaves_other_towns_plans_proven(town, menghe, menghe_office):
    from zoufang.planning import proof
    from zoufang.planning.models import PlanProof

    proof.compute(town.campaign)
    proof.compute(menghe)
    rows = [UNITS, ["孟河镇派出所", "镇部门（支部）", "孟河镇", "20", "1"]]
    assert run_import("units", csv_file(rows), filename="units.csv", by=menghe_office).ok
    assert PlanProof.objects.get(campaign=menghe).stale
    assert not PlanProof.objects.get(campaign=town.campaign).stale


def test_an_office_adds_its_towns_own_bodies_only_in_its_regions(town, menghe, menghe_office):
    """A 镇部门 without a region would be a body every town shares; a 市级机关部门 may be (附件1 names it)."""
    rows = [UNITS, ["孟河镇司法所", "镇部门（支部）", "", "5", "2"], ["市粮食局", "市级机关部门", "", "", "104"]]
    report = run_import("units", csv_file(rows), filename="units.csv", by=menghe_office)
    assert [(e.row, e.column) for e in report.errors] == [(2, "所属区划")]
    assert report.errors[0].message.startswith("镇部门（支部）须填写所属区划（本镇或其村、社区）")
    rows[1][2] = "孟河镇"
    assert run_import("units", csv_file(rows), filename="units.csv", by=menghe_office).ok
    assert Unit.objects.get(name="市粮食局").region is None


def test_a_row_for_the_town_itself_without_its_parent_says_where_the_town_is(town, menghe, menghe_office):
    """A town's own table starts with the town (its campaign already registered it): the row is not refused as a
    new top-level region, but told what the town's parent is, or that the row can go."""
    rows = [REGIONS, ["", "孟河镇", "镇", ""], ["孟河镇", "孟河村", "村", ""]]
    report = run_import("regions", csv_file(rows), filename="regions.csv", by=menghe_office)
    assert [str(e) for e in report.errors] == [
        "第2行【上级区划】：“孟河镇”已登记在“新北区”之下：上级区划写“新北区”，或删除这一行"]
