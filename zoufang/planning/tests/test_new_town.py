"""A town set up from scratch as a new user would, in the seed's layout, with what 锦溪镇 never has:
enterprises and a project of the town itself (村（社区） left blank), a joint enterprise line, leaders
with several 挂钩 villages and no 附件3-1, a village no leader is linked to, a table imported twice,
and a department whose 党员人数 disagrees with the cadres imported."""

import csv
import io
import random
from collections import defaultdict
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from zoufang.core.tabular import read_rows
from zoufang.demo import synthetic
from zoufang.demo.loader import SeedFigures
from zoufang.planning import tables
from zoufang.planning.check import check_plan, is_clean
from zoufang.planning.export import build_workbook
from zoufang.planning.models import Assignment, FixedQuota, Quota
from zoufang.planning.services import PlanRejected, run_plan, store_department_table
from zoufang.planning.tests.towns import build_town
from zoufang.planning.tests.xlsx_checker import check_workbook
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Cadre, Target, Unit

TOWN = "石湖镇"
SLUG = "shihu-2017"
VILLAGES = [synthetic.VillageShape("东岸村", False, 240, 80, 60), synthetic.VillageShape("西塘社区", True, 400, 150, 70),
            synthetic.VillageShape("南湾村", False, 150, 40, 20), synthetic.VillageShape("北港村", False, 180, 60, 30),
            synthetic.VillageShape("中心村", False, 160, 50, 25)]
CADRES = [("综治办", 8), ("经发局", 22), ("社事局", 5)]  # the cadres imported
STATED = [("综治办", 8), ("经发局", 24), ("社事局", 5)]  # the departments' table: 经发局 says 24
TOWN_ENTERPRISES = 40
FILES = {
    "units.csv": "单位名称,单位类型,所属区划,党员人数,排序\n镇党政班子,镇党政班子,石湖镇,,1\n"
                 "市商务局,市级机关部门,,,101\n市农业农村局,市级机关部门,,,102\n市科技局,市级机关部门,,,103\n",
    "departments.csv": "序号,单位,党员人数\n" + "".join(f"{i},{u},{n}\n" for i, (u, n) in enumerate(STATED, 1)),
    # 孙立 has three 挂钩 villages (南湾村 has nothing left after 附件1), 中心村 is nobody's.
    "leaders.csv": "姓名,单位,角色,职务,手机号码,上一级,挂钩村（社区）\n"
                   "孙立,镇党政班子,镇党政领导,镇长,,,东岸村、西塘社区、南湾村\n"
                   "李明,镇党政班子,镇党政领导,副镇长,,镇党政班子/孙立,西塘社区、北港村\n"
                   "周平,镇党政班子,镇党政领导,副镇长,,镇党政班子/孙立,北港村\n",
    "annex1.csv": "市商务局走访调研居民户、企业分配表\n序号,走访单位,村、社区名称,户籍总户数（户）,走访户数\n"
                  "1,市商务局,东岸村,240,100\n2,市商务局,西塘社区,400,200\n3,市商务局,南湾村,150,150\n"
                  "4,市商务局,北港村,180,80\n5,市商务局,中心村,160,60\n合计,,,1130户,590户\n市商务局走访企业,5家\n",
    "annex2.csv": "市级机关部门走访调研居民户、企业分配表\n序号,走访单位,村、社区名称,户籍总户数（户）,走访户数\n"
                  "1,市农业农村局,北港村,180,20\n2,市科技局,中心村,160,20\n合计,,,340户,40户\n"
                  "市农业农村局、市科技局走访企业,8家\n",
    "annex3-2.csv": "镇领导走访调研分配表（企业）\n序号,走访领导,走访企业数,备注\n"
                    "1,孙立,20,\n2,李明,20,\n3,周平,20,\n合计,60家,\n",
}


def _town_rows(generated: dict[str, Path]) -> None:
    """Enterprises and a project registered to the town itself: 村（社区） blank, which means 全镇."""
    rng = random.Random(7)  # noqa: S311 - synthetic test data
    names, ids = synthetic.Names(rng), synthetic.Identities(rng)
    with generated["enterprises"].open("a", encoding="utf-8", newline="") as out:
        for row in synthetic.enterprises(synthetic.VillageShape("镇区", False, 0, 0, TOWN_ENTERPRISES), rng, names, ids):
            row[2] = ""
            csv.writer(out).writerow(row)
    with generated["projects"].open("a", encoding="utf-8", newline="") as out:
        csv.writer(out).writerow(["石湖镇污水处理厂扩建项目", "", "石湖镇", "是", "在建", "全镇项目"])


STEPS = [("regions", "regions", None), ("units", "units.csv", None), ("departments", "departments.csv", "附件4-1"),
         ("units", "units", None), ("cadres", "leaders.csv", None), ("cadres", "cadres", None),
         ("households", "households", None), ("enterprises", "enterprises", None), ("projects", "projects", None),
         ("allocation", "annex1.csv", "附件1"), ("allocation", "annex2.csv", "附件2"),
         ("leader_enterprises", "annex3-2.csv", "附件3-2"),
         ("allocation", "annex1.csv", "附件1")]  # imported again: replaces, never doubles


@pytest.fixture
def shihu(db, tmp_path: Path):
    campaign = build_town(tmp_path, TOWN, SLUG, SeedFigures(VILLAGES, CADRES), FILES, STEPS, extend=_town_rows)
    assert FixedQuota.objects.filter(campaign=campaign, source="附件1").count() == 6
    return campaign


def _run(*args: str, **options) -> str:
    out = StringIO()
    call_command("plan", *args, campaign=SLUG, stdout=out, **options)
    return out.getvalue()


def test_it_plans_the_new_town_with_plan_run_exit_0_and_plan_check_clean(shihu, tmp_path):
    _run("run")  # raises (non-zero) if the plan did not prove 不重不漏
    _run("check")  # sys.exit(1) when anything is off
    result = check_plan(shihu)
    assert is_clean(result), result
    assert result["targets"]["enterprise"] == 205 + TOWN_ENTERPRISES
    # The exported tables pass the independent checker, which reads only the xlsx.
    out = tmp_path / "石湖镇分配表.xlsx"
    _run("export", out=str(out))
    assert check_workbook(out, expected_sheets=["附件1", "附件2", "附件3-1", "附件3-2", "附件4-1", "各单位分村"]) == []
    town = Region.objects.get(name=TOWN)
    for target in Target.objects.filter(region=town):
        owner = Assignment.objects.get(campaign=shihu, target=target)
        assert owner.cadre is None or owner.cadre.role != Cadre.Role.VILLAGE_CADRE  # no village is the town's 兜底


def test_it_gives_the_town_level_targets_to_the_towns_own_visitors(shihu):
    run_plan(shihu)
    town = Region.objects.get(name=TOWN)
    owners = Assignment.objects.filter(campaign=shihu, target__region=town).select_related("unit", "cadre")
    assert owners.count() == TOWN_ENTERPRISES + 1
    # Departments take the town's pool first (seed 002 §四1: 其他的镇重点企业和中小企业由镇有关部门按计划进行走访).
    assert {a.unit.kind for a in owners if a.target.kind == Target.Kind.ENTERPRISE} == {Unit.Kind.TOWN_DEPARTMENT}
    project = owners.get(target__kind=Target.Kind.PROJECT)
    assert project.unit.kind == Unit.Kind.TOWN_DEPARTMENT
    assert project.cadre is not None


def test_it_spreads_each_leaders_households_over_every_linked_village_and_keeps_the_0_rows(shihu):
    run_plan(shihu)
    rows: dict[str, dict[str, int]] = defaultdict(dict)
    for q in Quota.objects.filter(campaign=shihu, cadre__role=Cadre.Role.TOWN_LEADER,
                                  target_kind=Target.Kind.REGISTERED_HOUSEHOLD).select_related("cadre", "region"):
        rows[q.cadre.name][q.region.name] = rows[q.cadre.name].get(q.region.name, 0) + q.count
    # Left after 附件1 and 附件2: 东岸村 140, 西塘社区 200, 南湾村 0, 北港村 80, 中心村 80.
    assert rows == {"孙立": {"东岸村": 25, "西塘社区": 25, "南湾村": 0},
                    "李明": {"西塘社区": 25, "北港村": 25},
                    "周平": {"北港村": 25, "中心村": 25}}  # 中心村 is nobody's 挂钩 village: the leader with fewest takes it
    for leader in Cadre.objects.filter(role=Cadre.Role.TOWN_LEADER):
        assert Assignment.objects.filter(campaign=shihu, cadre=leader,
                                         target__kind=Target.Kind.REGISTERED_HOUSEHOLD).count() == 50
    assert is_clean(check_plan(shihu))
    # The printed 附件3-1 has the 0 row too, as the seed's has 吴洁 干家甸社区 0.
    out = io.BytesIO()
    build_workbook(shihu, walk_lists=False).save(out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    for other in [n for n in book.sheetnames if n != "附件3-1"]:
        del book[other]
    sheet = io.BytesIO()
    book.save(sheet)
    sheet.seek(0)
    printed = tables.parse_leader_table(read_rows(sheet, "附件3-1.xlsx"), with_villages=True)
    assert not printed.issues
    assert ("孙立", "南湾村", 0) in {(r.leader, r.village, r.count) for r in printed.rows}
    assert sum(r.count for r in printed.rows) == 150


def test_it_names_every_department_whose_party_members_disagree_with_its_cadres(shihu):
    said = _run("run")
    assert "经发局：党员人数24，已导入党员干部22人，按22人分配" in said
    assert "综治办：党员人数" not in said
    assert check_plan(shihu)["member_mismatches"] == [{"unit": "经发局", "stated": 24, "registered": 22}]
    checked = _run("check")
    assert "经发局：党员人数24，已导入党员干部22人，按22人分配" in checked
    assert sum(Quota.objects.filter(campaign=shihu, unit__name="经发局", target_kind=Target.Kind.REGISTERED_HOUSEHOLD)
               .values_list("count", flat=True)) == 22 * 5


def test_it_refuses_a_plan_that_leaves_targets_out_and_writes_nothing(shihu):
    run_plan(shihu)
    before = set(Assignment.objects.filter(campaign=shihu).values_list("target_id", "cadre_id"))
    Cadre.objects.filter(unit__name="中心村村委会").update(archived_on="2017-06-01")  # no 兜底 left in 中心村

    said = StringIO()
    with pytest.raises(SystemExit) as refused:
        _run("run", stderr=said)
    assert refused.value.code == 1
    message = said.getvalue()
    assert "未通过核验" in message
    assert "未写入" in message
    assert "中心村" in message
    assert "户籍户" in message
    with pytest.raises(SystemExit):
        _run("run", dry_run=True)  # a preview says the same, non-zero
    with pytest.raises(PlanRejected):
        run_plan(shihu)  # the pages' and the API's path
    assert set(Assignment.objects.filter(campaign=shihu).values_list("target_id", "cadre_id")) == before
    preview = run_plan(shihu, dry_run=True)
    assert not preview.applied
    assert any("中心村" in f for f in preview.failures)


def test_it_gives_the_town_level_rest_beyond_every_quota_to_the_departments(shihu, tmp_path):
    """A decided 附件4-2 smaller than the town's own enterprises: the rest still has an owner, said as a relaxation."""
    table = tmp_path / "annex4-2.csv"
    table.write_text("序号,单位,党员人数,走访企业数,备注\n1,综治办,8,8,\n2,经发局,22,22,\n3,社事局,5,5,\n"
                     "合计,35,35家,\n", encoding="utf-8")
    store_department_table(shihu, table, label="附件4-2")
    town = Region.objects.get(name=TOWN)
    extra = [Target(kind=Target.Kind.ENTERPRISE, region=town, name=f"石湖镇新增企业{i}") for i in range(150)]
    Target.objects.bulk_create(extra)
    report = run_plan(shihu)
    result = check_plan(shihu)
    assert is_clean(result), result
    assert any("未填村" in note for note in report.notes)
    assert result["relaxations"]  # above 2–3 per person: reported, not hidden
    owners = Assignment.objects.filter(campaign=shihu, target__region=town, target__kind=Target.Kind.ENTERPRISE)
    assert owners.count() == TOWN_ENTERPRISES + 150
    assert not owners.filter(cadre__role=Cadre.Role.VILLAGE_CADRE).exists()


def test_it_plans_again_after_a_table_is_imported_again_with_other_figures(shihu, tmp_path):
    _run("run")
    changed = FILES["annex1.csv"].replace("1,市商务局,东岸村,240,100", "1,市商务局,东岸村,240,90").replace(
        "1130户,590户", "1130户,580户")
    (tmp_path / "annex1-v2.csv").write_text(changed, encoding="utf-8")
    report = run_import("allocation", tmp_path / "annex1-v2.csv", campaign=shihu, source_label="附件1")
    assert report.ok, [str(e) for e in report.errors[:5]]
    _run("run")
    _run("check")
    assert FixedQuota.objects.filter(campaign=shihu, source="附件1").count() == 6
    upper = Quota.objects.filter(campaign=shihu, unit__name="市商务局", region__name="东岸村",
                                 target_kind=Target.Kind.REGISTERED_HOUSEHOLD)
    assert sum(upper.values_list("count", flat=True)) == 90


def test_it_names_a_department_whose_decided_table_disagrees_with_its_cadres(shihu, tmp_path):
    """`plan table` is another way the town states 党员人数: 社事局 6 in its 附件4-2, 5 cadres imported."""
    table = tmp_path / "annex4-2.csv"
    table.write_text("序号,单位,党员人数,走访企业数,备注\n1,综治办,8,24,\n2,经发局,22,66,\n3,社事局,6,15,\n"
                     "合计,36,105家,\n", encoding="utf-8")
    out = StringIO()
    call_command("plan", "table", str(table), label="附件4-2", campaign=SLUG, stdout=out)
    assert "社事局：党员人数6，已导入党员干部5人，按5人分配" in out.getvalue()
    assert check_plan(shihu)["member_mismatches"] == [{"unit": "社事局", "stated": 6, "registered": 5}]
    assert "社事局：党员人数6" in _run("run")


def test_it_shows_the_towns_own_targets_on_the_plan_page(shihu, client):
    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_user

    run_plan(shihu)
    client.force_login(ensure_user("shihu-office", "x-password-1", role=RoleGrant.Role.OFFICE,
                                   region=Region.objects.get(name=TOWN)))
    text = client.get(f"/plan/?campaign={SLUG}").content.decode()
    assert "不重不漏：已核验" in text
    assert f"{TOWN}（未填村）" in text
