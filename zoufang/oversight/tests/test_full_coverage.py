"""全覆盖 (seed 000 “四个全覆盖”): the campaign's requirements, counted by hand, drilled into, refused when misdeclared.

The small town (conftest `town`) with a full_coverage block, counted by hand:
- villages: 上下塘社区 linked (王文 挂钩, 派出所 holds a quota there); 计家墩村 neither → 1 of 2 linked.
- 困难家庭: 张建国 (上下塘, assigned to 派出所党员甲, visited) and 赵桂兰 (计家墩, assigned to nobody) → 2 to cover,
  1 assigned, 1 unassigned, 1 visited; by village 上下塘 1/1/1, 计家墩 1/0/0; 派出所 1 assigned, 1 visited.
- 规模以上企业 (named cadre): the enterprise, given to 派出所 as a count (no cadre), not visited → 1 unnamed.
- 信访包案: arranged outside, not counted.
"""

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from zoufang import clock
from zoufang.campaigns.config import (
    read_campaign_file,
    shipped_campaign_path,
    validate_campaign_file,
    validate_config,
)
from zoufang.jobs.testing import queued_file
from zoufang.oversight import export, fullcoverage_tables
from zoufang.oversight import fullcoverage as fc
from zoufang.oversight.access import Reach
from zoufang.oversight.tests.conftest import visit
from zoufang.planning.check import check_plan, failures
from zoufang.planning.models import Assignment, Quota
from zoufang.planning.tests.qiandeng import CONFIG as QIANDENG
from zoufang.registry.models import Cadre, Target, Unit

FULL_COVERAGE = [
    {"key": "villages_linked", "name": "所有村（社区）联系全覆盖", "villages_linked": ["town_leader", "unit"]},
    {"key": "hardship", "name": "困难家庭全覆盖",
     "targets": [{"target_kinds": ["registered_household", "resident_household"], "hardship": True}]},
    {"key": "above_scale", "name": "规模以上企业挂钩服务全覆盖", "named_cadre": True,
     "targets": [{"target_kinds": ["enterprise"], "scale": "above_scale"}]},
    {"key": "petitions", "name": "有重点信访案件地区落实领导包案全覆盖", "arranged_outside": "由镇信访办另行安排"},
]


@pytest.fixture
def covered(town: Any, settings: Any) -> Any:
    settings.ZOUFANG_TODAY = "2017-06-15"
    campaign = town.campaign
    campaign.config = {"target_kinds": ["registered_household", "resident_household", "enterprise"],
                       "full_coverage": FULL_COVERAGE}
    campaign.save()
    officer = Cadre.objects.get(name="派出所党员甲")
    wangwen = Cadre.objects.get(name="王文")
    wangwen.linked_regions.set([town.shangxiatang])
    Quota.objects.create(campaign=campaign, unit=town.police, region=town.shangxiatang,
                         target_kind="registered_household", count=3)
    zhang, li, _wang = town.households["shangxiatang"]
    zhao, _chen = town.households["jijiadun"]
    Target.objects.filter(pk__in=[zhang.pk, zhao.pk]).update(hardship=True)
    Target.objects.filter(pk=town.enterprise.pk).update(scale=Target.Scale.ABOVE_SCALE)
    Assignment.objects.create(campaign=campaign, target=zhang, unit=town.police, cadre=officer)
    Assignment.objects.create(campaign=campaign, target=li, unit=town.police, cadre=officer)
    Assignment.objects.create(campaign=campaign, target=town.enterprise, unit=town.police)
    visit(campaign, zhang, officer, "2017-06-02")
    visit(campaign, zhang, officer, "2017-06-03")  # twice: counts once
    visit(campaign, li, officer, "2017-06-04")  # not a hardship household: not in the figure
    town.zhang, town.zhao, town.officer = zhang, zhao, officer
    return town


def _figures(town: Any, whole: bool = True) -> dict[str, Any]:
    reach = Reach(town.campaign, whole=True) if whole else Reach(town.campaign, units=[town.police])
    return {getattr(item, "requirement", item).key: item for item in fc.full_coverage(reach, clock.today()).items}


def test_it_counts_each_requirement_as_counted_by_hand(covered: Any) -> None:
    found = _figures(covered)
    links = found["villages_linked"]
    assert (len(links.villages), links.linked, links.with_leader, links.with_unit) == (2, 1, 1, 1)
    assert [v.village.name for v in links.unlinked()] == ["计家墩村"]
    assert links.villages[0].leaders == ["王文"]
    assert links.villages[0].units == ["派出所"]
    hardship = found["hardship"].total
    assert (hardship.targets, hardship.assigned, hardship.unassigned, hardship.visited, hardship.unvisited) == \
        (2, 1, 1, 1, 1)
    assert [(r.label, r.targets, r.assigned, r.visited) for r in found["hardship"].villages] == \
        [("上下塘社区", 1, 1, 1), ("计家墩村", 1, 0, 0)]
    assert [(r.label, r.assigned, r.visited) for r in found["hardship"].units] == [("派出所", 1, 1)]
    enterprise = found["above_scale"].total
    assert (enterprise.targets, enterprise.assigned, enterprise.named, enterprise.unnamed, enterprise.visited) == \
        (1, 1, 0, 1, 0)
    assert not found["above_scale"].met
    assert not found["hardship"].met
    assert isinstance(found["petitions"], fc.Requirement)
    assert found["petitions"].outside == "由镇信访办另行安排"


def test_a_campaign_over_a_county_counts_each_village_of_its_towns(covered: Any) -> None:
    """The villages lie two levels under a county's campaign: each target still counts in its own village."""
    covered.campaign.scope = covered.town.parent
    covered.campaign.save()
    hardship = _figures(covered)["hardship"]
    assert [(r.label, r.targets, r.assigned, r.visited) for r in hardship.villages] == \
        [("上下塘社区", 1, 1, 1), ("计家墩村", 1, 0, 0)]  # none under （未填村）


def test_a_unit_reads_only_the_targets_given_to_it(covered: Any) -> None:
    found = _figures(covered, whole=False)
    assert "villages_linked" not in found  # the villages' links are the town's figure
    hardship = found["hardship"].total
    assert (hardship.targets, hardship.assigned, hardship.visited) == (1, 1, 1)  # 赵桂兰 is nobody's


@pytest.mark.parametrize(("key", "gap", "names"), [
    ("hardship", "unassigned", ["赵桂兰"]),
    ("hardship", "unvisited", ["赵桂兰"]),
    ("above_scale", "unnamed", ["锦溪精密机械有限公司"]),
    ("above_scale", "unvisited", ["锦溪精密机械有限公司"]),
])
def test_each_gap_lists_the_targets_behind_it(covered: Any, key: str, gap: str, names: list[str]) -> None:
    item = fc.requirement(covered.campaign, key)
    assert item is not None
    rows = fc.gap_targets(Reach(covered.campaign, whole=True), item, gap)
    assert [t.name for t in rows] == names


def test_the_rows_page_lists_a_gap_with_phones_masked_for_the_leader(covered: Any, login: Any) -> None:
    slug = covered.campaign.slug
    page = login(covered.users["leader"]).get(
        f"/oversight/{slug}/full-coverage/rows/?requirement=hardship&gap=unassigned").content.decode()
    assert "赵桂兰" in page
    assert "张建国" not in page
    assert "共 1 条" in page
    assert "13812340004" not in page  # the leader sees no full phone number
    villages = login(covered.users["office"]).get(
        f"/oversight/{slug}/full-coverage/rows/?requirement=villages_linked&gap=unlinked").content.decode()
    assert "计家墩村" in villages
    assert "上下塘社区" not in villages


def test_nobody_outside_the_campaign_reads_a_gap_and_a_unit_reads_only_its_own(covered: Any, login: Any,
                                                                              client: Any) -> None:
    slug = covered.campaign.slug
    url = f"/oversight/{slug}/full-coverage/rows/?requirement=hardship&gap=unvisited"
    assert login(covered.users["outsider"]).get(url).status_code == 404
    assert client.get(f"/oversight/{slug}/full-coverage/rows/?requirement=villages_linked&gap=unlinked"
                      ).status_code == 404
    leadership = Unit.objects.get(name="镇党政班子")
    assert login(covered.users["dept"]).get(f"{url}&unit={leadership.public_id}").status_code == 404
    assert client.get(f"/oversight/{slug}/full-coverage/rows/?requirement=nothing&gap=unvisited").status_code == 404
    page = client.get(url).content.decode()  # a cadre of no handled unit: none of the town's gaps
    assert "赵桂兰" not in page


def test_the_dashboard_names_the_requirements_and_their_page_counts_them(covered: Any, login: Any) -> None:
    """The dashboard is read on every visit: it names the requirements and links to their page, which counts them
    (docs/oversight.md); the xlsx has the page's figures."""
    slug = covered.campaign.slug
    client = login(covered.users["office"])
    page = client.get(f"/oversight/{slug}/").content.decode()
    assert "全覆盖情况" in page
    assert "困难家庭全覆盖" in page
    assert "由镇信访办另行安排" in page
    assert f"/oversight/{slug}/full-coverage/" in page
    assert "未分配 1 个" not in page  # not counted here
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/oversight/{slug}/")
    scans = [q["sql"] for q in queries if '"registry_target"."hardship"' in q["sql"].partition("WHERE")[2]]
    assert not scans  # no count of the registry's 困难家庭 on a page read on every visit
    detail = client.get(f"/oversight/{slug}/full-coverage/").content.decode()
    assert "另行安排" in detail
    assert "未分配 1 个" in detail
    assert "未落实到人 1 个" in detail
    assert "未挂钩 1 个" in detail
    assert "困难家庭全覆盖：各村（社区）" in detail
    book = load_workbook(io.BytesIO(client.get(f"/oversight/{slug}/full-coverage/xlsx/").content))
    summary = [[c.value for c in row] for row in book.worksheets[0].iter_rows(min_row=3)]
    assert ["困难家庭全覆盖", "户籍户、非户籍常住户（困难家庭）", 2, 1, 1, None, 1, 1, "50.0%", "未全覆盖"] in summary
    assert summary[-1][0] == "有重点信访案件地区落实领导包案全覆盖"
    assert summary[-1][-1] == "另行安排"


def test_every_row_of_a_gap_downloads_through_the_task_queue_masked_for_the_leader(covered: Any, login: Any) -> None:
    slug = covered.campaign.slug
    url = f"/oversight/{slug}/full-coverage/rows/"
    page = login(covered.users["leader"]).get(f"{url}?requirement=hardship&gap=unassigned").content.decode()
    assert 'name="requirement" value="hardship"' in page  # the 下载xlsx form carries the gap asked
    assert 'name="gap" value="unassigned"' in page
    fetched = queued_file(login(covered.users["leader"]), url, {"requirement": "hardship", "gap": "unassigned"})
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(fetched.content)).worksheets[0].iter_rows()]
    names = [row[1] for row in rows[2:]]
    assert names == ["赵桂兰"]
    assert "13812340004" not in str(rows)  # masked for the leader, as the page is
    assert login(covered.users["outsider"]).post(url, {"requirement": "hardship", "gap": "unassigned"}
                                                 ).status_code == 404
    assert login(covered.users["office"]).get(f"{url}?requirement=hardship&gap=unassigned&xlsx=1"
                                              )["Content-Type"].startswith("text/html")  # no file built in a request


def test_the_api_answers_the_same_figures(covered: Any, client: Any, api_token: Any) -> None:
    slug = covered.campaign.slug
    data = client.get(f"/api/v1/oversight/{slug}/full-coverage", **api_token("office")).json()
    by_key = {item["key"]: item for item in data["requirements"]}
    assert by_key["hardship"]["total"]["unassigned"] == 1
    assert by_key["hardship"]["met"] is False
    assert by_key["hardship"]["total"]["named"] is None
    assert by_key["above_scale"]["total"]["unnamed"] == 1
    assert [v["linked"] for v in by_key["villages_linked"]["links"]] == [True, False]
    assert by_key["petitions"]["met"] is None
    assert by_key["petitions"]["way"] == "arranged_outside"
    rows = client.get(f"/api/v1/oversight/{slug}/full-coverage/rows?requirement=above_scale&gap=unnamed",
                      **api_token("office")).json()
    assert rows["count"] == 1
    assert rows["rows"][0][1] == "锦溪精密机械有限公司"


def test_the_plan_check_names_a_must_cover_target_left_unassigned(covered: Any) -> None:
    result = check_plan(covered.campaign)
    said = failures(result)
    assert any("全覆盖要求“困难家庭全覆盖”：1个未分配（计家墩村：赵桂兰）" in line for line in said)
    # Only given to a unit: reported beside the proof, not a failure (the unit may place its own people).
    unnamed = [row for row in result["must_cover"] if row["gap"] == "unnamed"]
    assert unnamed[0]["text"].startswith("全覆盖要求“规模以上企业挂钩服务全覆盖”：1个只分到单位、未落实到人")
    assert not any("未落实到人" in line for line in said)


def _config(full_coverage: list[dict[str, Any]]) -> dict[str, Any]:
    data = read_campaign_file(shipped_campaign_path("jinxi-2017")).data
    return {**data, "full_coverage": full_coverage}


@pytest.mark.parametrize(("requirement", "message"), [
    ({"key": "a", "name": "甲", "villages_linked": ["unit"], "arranged_outside": "乙"},
     "full_coverage[1]：应且只应给出 villages_linked、targets、arranged_outside 之一（现为 2 个）"),
    ({"key": "a", "name": "甲", "targets": [{"target_kinds": ["enterprise"], "hardship": True}]},
     "full_coverage[1].targets[1].hardship：hardship（困难家庭）只适用于 registered_household、resident_household"),
    ({"key": "a", "name": "甲", "targets": [{"target_kinds": ["project"], "scale": "above_scale"}]},
     "full_coverage[1].targets[1].scale：scale（企业规模）只适用于 enterprise"),
    ({"key": "a", "name": "甲", "targets": [{"target_kinds": ["notable_person"]}]},
     "full_coverage[1].targets[1].target_kinds：对象类型 notable_person 不在本活动的 target_kinds 中"),
    ({"key": "a", "name": "甲", "named_cadre": True, "arranged_outside": "乙"},
     "full_coverage[1].named_cadre：named_cadre（落实到人）只适用于 targets"),
])
def test_a_misdeclared_requirement_is_refused_in_chinese(requirement: dict[str, Any], message: str) -> None:
    assert message in validate_config(_config([requirement]))


def test_the_shipped_campaigns_declare_their_requirements() -> None:
    for slug in ("jinxi-2017", "menghe-dazoufang"):
        assert validate_campaign_file(shipped_campaign_path(slug)) == []
    assert validate_campaign_file(QIANDENG) == []
    keys = [item["key"] for item in read_campaign_file(shipped_campaign_path("jinxi-2017")).data["full_coverage"]]
    assert keys == ["villages_linked", "households", "hardship_households", "key_enterprises_projects",
                    "petition_cases"]


def test_each_units_table_ends_in_the_sum_of_its_rows(covered: Any) -> None:
    """A clerk adds up a column of units: the xlsx's 各走访单位 ends in 合计 as its 各村（社区） table does."""
    result = fc.full_coverage(Reach(covered.campaign, whole=True), clock.today())
    book = load_workbook(io.BytesIO(export.xlsx(fullcoverage_tables.tables(result), heading="锦溪镇")))
    sheet = book["困难家庭全覆盖：各走访单位"]
    rows = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert rows[-1] == ["合计", 1, 1, 0, "100.0%"]  # 已分配, 已走访, 未走访, 走访完成率 over the one unit's row
    assert sheet.cell(sheet.max_row, 1).font.b
    named = book["规模以上企业挂钩服务全覆盖：各走访单位"]
    assert [c.value for c in named[named.max_row]] == ["合计", 1, 1, 0, 1, "0.0%"]  # with 未落实到人
