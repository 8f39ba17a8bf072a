"""Every town has its own 派出所 (decision 0032): unit names are unique within a town and among the shared units,
not across the database. Two towns import the same departments table, register cadres in their own 派出所 and
hand a case each to their own 派出所; each office sees its own, the city office both, told apart by town."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import CaseCategory
from zoufang.cases import access, actions, lists
from zoufang.cases.models import Case
from zoufang.cases.services import draft_case
from zoufang.conftest import PASSWORD
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.registry.tests.factories import id_number
from zoufang.registry.tests.test_import_support import csv_file
from zoufang.registry.unitnames import UnitNames, named

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEPARTMENTS = [["序号", "单位", "党员人数"], ["1", "党政办", "12"], ["2", "派出所", "31"], ["3", "财政所", "8"],
               ["合计", "", "51"]]
CADRES = ["姓名", "单位", "角色", "职务", "手机号码", "上一级", "挂钩村（社区）"]
UNITS = ["单位名称", "单位类型", "所属区划", "党员人数", "排序"]
HOUSEHOLDS = ["户别", "村（社区）", "户主姓名", "身份证号码", "地址"]


def _errors(report) -> list[str]:
    return [str(e) for e in report.errors]


@pytest.fixture
def two_towns(town, menghe, menghe_office, settings):
    """锦溪镇 (the small town) and 孟河镇, each with its office, a households table and a case category."""
    settings.ZOUFANG_TODAY = "2017-06-15"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ZOUFANG_SMS_BACKEND = "zoufang.cases.sms.MemorySmsBackend"
    town.menghe, town.menghe_office = menghe, menghe_office
    rows = [HOUSEHOLDS] + [["户籍户", "孟河社区", name, id_number(n, born=dt.date(1950, 5, 5)), f"孟河路{n}号"]
                           for n, name in ((1, "孟大"), (2, "孟二"), (3, "孟三"))]
    assert run_import("households", csv_file(rows), filename="h.csv", campaign=menghe, by=menghe_office).ok
    for campaign in (town.campaign, menghe):
        campaign.config = {"registration_deadline_working_days": 2,
                           "case_handling": {"handling_deadlines": {"default": 10}}}
        campaign.save()
        CaseCategory.objects.create(campaign=campaign, code="1", title="在收集社情民意方面", sort_order=1)
    return town


def _both_import(town, kind: str, rows: dict[str, list[list[str]]]) -> None:
    for office, campaign, key in ((town.users["office"], town.campaign, "锦溪镇"),
                                  (town.menghe_office, town.menghe, "孟河镇")):
        report = run_import(kind, csv_file(rows[key]), filename=f"{kind}.csv", campaign=campaign, by=office)
        assert report.ok, _errors(report)


def test_two_towns_each_register_plan_and_handle_their_own_police_station(two_towns, login):
    town = two_towns
    jinxi, menghe = town.town, town.menghe.scope
    # The same departments table (seed 附件4-1's short names) through the real import path, in each town.
    _both_import(town, "departments", {"锦溪镇": DEPARTMENTS, "孟河镇": DEPARTMENTS})
    assert sorted(Unit.objects.filter(name="派出所").values_list("region__name", flat=True)) == ["孟河镇", "锦溪镇"]
    assert Unit.objects.get(pk=town.police.pk).region == jinxi  # 锦溪镇's own, kept (updated in place)
    # Each town's cadres name “派出所”: their own town's.
    _both_import(town, "cadres", {
        "锦溪镇": [CADRES, ["张警官", "派出所", "部门党员干部", "", "13900000011", "", ""]],
        "孟河镇": [CADRES, ["张警官", "派出所", "部门党员干部", "", "13900000012", "", ""],
                   ["李警官", "派出所", "部门党员干部", "", "13900000013", "张警官", ""]]})
    police = {"锦溪镇": named("派出所", jinxi), "孟河镇": named("派出所", menghe)}
    assert police["锦溪镇"].pk == town.police.pk
    assert police["孟河镇"].region == menghe
    assert set(Cadre.objects.filter(unit=police["孟河镇"]).values_list("name", flat=True)) == {"张警官", "李警官"}
    assert Cadre.objects.get(name="李警官").supervisor.unit == police["孟河镇"]
    # (Each town planning its own departments: planning/tests/test_two_towns_same_names.py.)
    # A case to each town's 派出所, dispatched by its own office from the choices it is offered.
    cases = {}
    for key, campaign, office, target in (
            ("锦溪镇", town.campaign, town.users["office"], town.households["shangxiatang"][0]),
            ("孟河镇", town.menghe, town.menghe_office, Target.objects.get(name="孟大"))):
        case = draft_case(campaign=campaign, kind=Case.Kind.PROBLEM, description=f"{key}路灯损坏",
                          raised_at=dt.datetime(2017, 6, 13, 10, tzinfo=SHANGHAI), target=target, by=office)
        case = actions.register_case(case, by=office, version=case.version,
                                     category=CaseCategory.objects.get(campaign=campaign))
        offered = access.serving_units(campaign).filter(name="派出所")
        assert list(offered) == [police[key]]  # the dispatch choices hold this town's 派出所 only
        cases[key] = actions.dispatch_case(case, police[key], by=office, version=case.version)
    assert list(access.visible_cases(town.users["office"])) == [cases["锦溪镇"]]
    assert list(access.visible_cases(town.menghe_office)) == [cases["孟河镇"]]
    handler = ensure_user("menghe_police", PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=police["孟河镇"],
                          region=menghe)
    assert list(access.visible_cases(handler)) == [cases["孟河镇"]]
    # The city office over both towns sees both cases, each 派出所 with its town.
    city = ensure_user("suzhou_city", PASSWORD, role=RoleGrant.Role.CITY_OFFICE, region=jinxi.parent.parent)
    assert set(access.visible_cases(city)) == set(cases.values())
    page = login(city).get("/cases/").content.decode()
    assert "锦溪镇 派出所" in page
    assert "孟河镇 派出所" in page
    # Its export (the list's xlsx) as well, read back from the file.
    out = io.BytesIO()
    chosen = access.visible_cases(city).select_related("unit__region", "campaign__scope", "category", "region")
    lists.write_xlsx(out, "问题清单", lists.rows(chosen.order_by("raised_at", "id"), city))
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    table = list(sheet.iter_rows(values_only=True))
    header = next(row for row in table if "承办单位" in row)
    assert {row[header.index("承办单位")] for row in table} >= {"锦溪镇 派出所", "孟河镇 派出所"}
    # Within one town the short name, as the seeds print it.
    page = login(town.menghe_office).get("/cases/").content.decode()
    assert "派出所" in page
    assert "孟河镇 派出所" not in page


def test_a_name_is_unique_within_a_town_and_among_the_shared_units(town, menghe_office):
    menghe = menghe_office.role_grants.get().region
    village = Region.objects.create(name="孟河社区", level=Region.Level.VILLAGE, parent=menghe)
    Unit.objects.create(name="市妇联", kind=Unit.Kind.OUTSIDE_BODY)
    ok = Unit(name="派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=menghe)
    ok.full_clean()  # another town's 派出所 is no clash
    ok.save()
    for unit, where in ((Unit(name="派出所", kind=Unit.Kind.VILLAGE_COMMITTEE, region=village), "孟河镇"),
                        (Unit(name="市妇联", kind=Unit.Kind.TOWN_DEPARTMENT, region=menghe), "各镇共用的单位中"),
                        (Unit(name="派出所", kind=Unit.Kind.CITY_DEPARTMENT), "锦溪镇"),
                        (Unit(name="派出所", kind=Unit.Kind.CITY_DEPARTMENT, region=town.town.parent), "锦溪镇")):
        with pytest.raises(ValidationError) as raised:
            unit.full_clean()
        assert f"已登记在{where}" in str(raised.value.message_dict["name"])
    # The database holds the same region's and the shared units' names itself (two writers at once).
    for unit in (Unit(name="派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=menghe),
                 Unit(name="市妇联", kind=Unit.Kind.OUTSIDE_BODY)):
        with pytest.raises(IntegrityError), transaction.atomic():
            unit.save()


def test_a_name_two_towns_share_is_said_ambiguous_with_their_towns_never_guessed(town, menghe_office):
    menghe = menghe_office.role_grants.get().region
    Unit.objects.create(name="派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=menghe)
    names = UnitNames(Unit.objects.select_related("region"))
    assert names.unit("派出所") is None
    assert names.ambiguity("派出所") == "有2个单位叫“派出所”（锦溪镇、孟河镇），请写“镇名/单位名称”，如“锦溪镇/派出所”"
    assert names.unit("孟河镇/派出所").region == menghe
    # A shell run (every town) names one town's 派出所 by “镇/单位”, and is told which towns a bare name could mean.
    rows = [CADRES, ["王警官", "派出所", "部门党员干部", "", "", "", ""],
            ["赵警官", "孟河镇/派出所", "部门党员干部", "", "", "", ""]]
    report = run_import("cadres", csv_file(rows), filename="cadres.csv")
    assert _errors(report) == ["第2行【单位】：有2个单位叫“派出所”（锦溪镇、孟河镇），请写“镇名/单位名称”，如“锦溪镇/派出所”"]
    assert run_import("cadres", csv_file(rows[:1] + rows[2:]), filename="cadres.csv").ok
    assert Cadre.objects.get(name="赵警官").unit.region == menghe
    report = run_import("units", csv_file([UNITS, ["派出所", "镇部门（支部）", "", "40", "1"]]), filename="u.csv")
    assert _errors(report) == ["第2行【所属区划】：有2个单位叫“派出所”（锦溪镇、孟河镇），请在“所属区划”写明是哪个镇的"]
    assert run_import("units", csv_file([UNITS, ["派出所", "镇部门（支部）", "孟河镇", "40", "1"]]),
                      filename="u.csv").ok
    assert Unit.objects.get(name="派出所", region=menghe).party_member_count == 40
    assert Unit.objects.get(pk=town.police.pk).party_member_count == 31


def test_an_office_cannot_register_a_shared_unit_under_another_towns_unit_name(town, menghe_office):
    """A shared unit of that name would shadow 锦溪镇's 派出所 there; which town holds it is not said (0031)."""
    report = run_import("units", csv_file([UNITS, ["派出所", "其他单位", "", "", ""]]), filename="u.csv",
                        by=menghe_office)
    assert _errors(report) == ["第2行【单位名称】：已有镇的单位叫“派出所”，各镇共用的单位不能与之同名，请改用全称（如“苏州市派出所”）"]
    assert Unit.objects.filter(name="派出所").count() == 1


def test_one_file_may_list_two_towns_units_of_one_name_but_not_one_town_twice(town, menghe_office):
    rows = [UNITS, ["司法所", "镇部门（支部）", "锦溪镇", "", "1"], ["司法所", "镇部门（支部）", "孟河镇", "", "1"],
            ["司法所", "镇部门（支部）", "锦溪镇/上下塘社区", "", "1"]]
    report = run_import("units", csv_file(rows), filename="u.csv")
    assert _errors(report) == ["第4行【单位名称】：与第2行重复"]
    assert run_import("units", csv_file(rows[:3]), filename="u.csv").ok
    assert sorted(Unit.objects.filter(name="司法所").values_list("region__name", flat=True)) == ["孟河镇", "锦溪镇"]


def test_the_admin_names_each_towns_unit_with_its_town_where_it_shows_several_towns(town, menghe_office, login):
    from django.contrib.auth import get_user_model

    menghe = menghe_office.role_grants.get().region
    Unit.objects.create(name="派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=menghe)
    Unit.objects.create(name="市妇联", kind=Unit.Kind.OUTSIDE_BODY)
    root = login(get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD))
    listed = root.get("/admin/registry/unit/").content.decode()
    assert '<th scope="col" class="sortable column-town">' in listed
    found = root.get("/admin/autocomplete/", {"app_label": "registry", "model_name": "cadre", "field_name": "unit",
                                              "term": "派出所"}).json()["results"]
    assert sorted(r["text"] for r in found) == ["孟河镇 派出所", "锦溪镇 派出所"]
    form = root.get("/admin/registry/cadre/add/").content.decode()
    assert "锦溪镇 派出所" not in form  # an autocomplete: nothing offered before typing
    # 锦溪镇's office maintains one town: its units keep the names the seeds print.
    office = town.users["office"]
    office.is_staff = True  # its role brings the admin's master data (decision 0043)
    office.save()
    client = login(office)
    found = client.get("/admin/autocomplete/", {"app_label": "registry", "model_name": "cadre",
                                                "field_name": "unit", "term": "派出所"}).json()["results"]
    assert [r["text"] for r in found] == ["派出所"]
    assert "column-town" not in client.get("/admin/registry/unit/").content.decode()


def test_the_audit_trail_names_a_unit_and_its_cadres_with_the_town(town, menghe_office):
    from zoufang.accounts.audit_present import summary_name

    menghe = menghe_office.role_grants.get().region
    police = Unit.objects.create(name="派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=menghe)
    shared = Unit.objects.create(name="市妇联", kind=Unit.Kind.OUTSIDE_BODY)
    officer = Cadre.objects.create(name="张警官", unit=police, role=Cadre.Role.PARTY_MEMBER)
    assert [summary_name(police), summary_name(town.police), summary_name(shared), summary_name(officer)] == [
        "孟河镇 派出所", "锦溪镇 派出所", "市妇联", "张警官（孟河镇 派出所）"]


def test_the_api_lists_each_unit_with_its_town(town, menghe_office, client, api_token):
    menghe = menghe_office.role_grants.get().region
    Unit.objects.create(name="派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=menghe)
    Unit.objects.create(name="市妇联", kind=Unit.Kind.OUTSIDE_BODY)
    ensure_user("suzhou_city", PASSWORD, role=RoleGrant.Role.CITY_OFFICE, region=town.town.parent.parent)
    items = client.get("/api/v1/units", **api_token("suzhou_city")).json()["items"]
    assert sorted((u["name"], u["town"]) for u in items if u["name"] in ("派出所", "市妇联")) == [
        ("市妇联", None), ("派出所", "孟河镇"), ("派出所", "锦溪镇")]
