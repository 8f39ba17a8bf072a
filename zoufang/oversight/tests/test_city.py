"""The city office (市“六个一”办公室): its towns side by side, ranked; each town read-only; nothing outside its area.

Two towns under 昆山市, counted by hand:
- 锦溪镇 (the `counted` fixture, conftest.py): 6 assigned (5 households, 1 enterprise), 3 visited; its second
  campaign ("other") has nothing assigned. Pace on 15 June: ⌈6/5⌉ = 2 due, 3 done. Cases: 5 (c5 merged);
  registered 4, 3 on time; dispatched 4; 3 answered or due, 1 on time; answered 2, resolved 1; rated 2,
  satisfied 1; overdue 1; escalated 1.
- 周庄镇 (planned by the real planner, `build_town`): 2 villages × (10 registered, 2 resident households,
  2 enterprises, 1 project) = 30 assigned, 28 of the pace's kinds; 7 visited (one twice). Pace: ⌈28/5⌉ = 6
  due, 7 done. Cases: d1 closed on time and 满意, d2 and d3 past their deadline (overdue).
- 张浦镇: no campaign (idle). 孟河镇 under 常州市: a campaign the city office never sees.
"""

import datetime as dt
import io
import json
import re
import uuid
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.cases.models import Case
from zoufang.conftest import PASSWORD
from zoufang.core.sheetwriter import DAY_FORMAT
from zoufang.core.testdownloads import saved_name
from zoufang.jobs.testing import cells, queued_file
from zoufang.oversight import case_counters, export, figures
from zoufang.oversight.tables import ranking_table
from zoufang.oversight.views import city_tables
from zoufang.planning.models import Assignment
from zoufang.registry.models import Cadre, Target
from zoufang.visits.models import Visit
from zoufang.visits.services import not_a_cadre

TODAY = dt.date(2017, 6, 15)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _by_town(result: figures.TownFigures) -> dict[str, figures.TownRow]:
    return {row.town.name: row for row in result.rows}


def test_each_town_adds_up_its_campaigns_of_the_year(towns: Any) -> None:
    result = figures.town_figures(towns.county, TODAY)
    rows = _by_town(result)
    assert set(rows) == {"锦溪镇", "周庄镇"}  # 孟河镇 is under 常州市
    assert [town.name for town in result.idle] == ["张浦镇"]
    jinxi, zhouzhuang = rows["锦溪镇"], rows["周庄镇"]
    assert {c.slug for c in jinxi.campaigns} == {"jinxi-test", "other"}
    assert jinxi.campaigns[0].slug == "jinxi-test"  # the one with the most assigned first: the row's link
    assert (jinxi.coverage.assigned, jinxi.coverage.visited, jinxi.coverage.percent) == (6, 3, 50.0)
    assert (jinxi.pace.due_today, jinxi.pace.visited, jinxi.pace.behind, jinxi.pace.due_percent) == (2, 3, 0, 150.0)
    assert (zhouzhuang.coverage.assigned, zhouzhuang.coverage.visited, zhouzhuang.coverage.percent) == (30, 7, 23.3)
    assert zhouzhuang.coverage.kind("project").assigned == 2
    assert (zhouzhuang.pace.assigned, zhouzhuang.pace.due_today, zhouzhuang.pace.visited) == (28, 6, 7)
    assert zhouzhuang.pace.due_percent == 116.7
    cases = jinxi.cases
    assert (cases.total, cases.registered, cases.registered_on_time, cases.dispatched) == (5, 4, 3, 4)
    assert (cases.answered, cases.resolved, cases.overdue, cases.escalated) == (2, 1, 1, 1)
    cases = zhouzhuang.cases
    assert (cases.total, cases.registration_rate, cases.on_time_rate, cases.resolution_rate) == (3, 100.0, 33.3, 33.3)
    assert (cases.response_rate, cases.satisfaction_rate, cases.overdue, cases.escalated) == (33.3, 100.0, 2, 0)
    total = result.total
    assert (total.coverage.assigned, total.coverage.visited, total.pace.due_today) == (36, 10, 8)
    # The rates of the 合计 are recomputed from the summed counts, never averaged.
    assert (total.cases.total, total.cases.registered, total.cases.registration_rate) == (8, 7, 85.7)
    assert (total.cases.on_time_rate, total.cases.response_rate, total.cases.satisfaction_rate) == (33.3, 42.9, 66.7)
    # The same figures as each campaign's own dashboard.
    assert zhouzhuang.coverage.visited == figures.coverage(towns.zhouzhuang, "village", TODAY).total.visited
    assert zhouzhuang.cases.overdue == figures.case_figures(towns.zhouzhuang, "unit", TODAY).total.overdue
    assert figures.town_figures(towns.county, TODAY, year=2016).rows == []


def test_the_towns_are_ranked_worst_first_by_the_figure_chosen(towns: Any) -> None:
    def order(by: str) -> list[str]:
        return [row.town.name for row in figures.town_figures(towns.county, TODAY, order=by).rows]

    assert order("pace") == ["周庄镇", "锦溪镇"]  # 116.7% of what is due against 150%
    assert order("coverage") == ["周庄镇", "锦溪镇"]
    assert order("registration") == ["锦溪镇", "周庄镇"]  # 75% against 100%
    assert order("satisfaction") == ["锦溪镇", "周庄镇"]
    assert order("overdue") == ["周庄镇", "锦溪镇"]  # 2 against 1
    assert order("escalated") == ["锦溪镇", "周庄镇"]
    ranked = figures.town_figures(towns.county, TODAY, order="overdue").rows
    assert [row.rank for row in ranked] == [1, 2]
    # A town without the figure (no case called back) comes last, whatever its other figures.
    # QuerySet.update bypasses the kept case counts' signals: a bulk writer rebuilds them (decision 0005).
    Case.objects.filter(campaign=towns.zhouzhuang).update(satisfaction="")
    case_counters.rebuild(towns.zhouzhuang.pk)
    assert order("satisfaction") == ["锦溪镇", "周庄镇"]
    Case.objects.filter(campaign=towns.campaign).update(satisfaction="")
    Case.objects.filter(description="d1").update(satisfaction=Case.Satisfaction.UNSATISFIED)
    for campaign in (towns.campaign, towns.zhouzhuang):
        case_counters.rebuild(campaign.pk)
    assert order("satisfaction") == ["周庄镇", "锦溪镇"]
    with pytest.raises(ValueError, match="nonsense"):
        figures.rank_towns([], "nonsense")


def test_the_city_office_home_shows_its_towns_side_by_side(towns: Any, login: Any) -> None:
    client = login(towns.users["city"])
    page = client.get("/").content.decode()
    assert "昆山市各镇走访督查" in page
    assert "各镇走访与问题办理排名（按进度完成比，差者在前）" in page
    assert page.index("周庄镇") < page.index("锦溪镇")
    assert "张浦镇" in page  # named among the towns without a campaign
    assert "孟河镇" not in page
    assert 'data-chart="bar"' in page  # coverage by town, its numbers in the table
    assert f'href="/oversight/{towns.zhouzhuang.slug}/"' in page
    assert page.count('method="post"') == 2  # signing out and 全部下载xlsx (queued): the page changes nothing
    url = f"/oversight/city/{towns.county.public_id}/"
    sorted_page = client.get(url + "?sort=satisfaction").content.decode()
    assert sorted_page.index("<th scope=\"row\"><a href=\"/oversight/jinxi-test/\">锦溪镇") < sorted_page.index(
        "<th scope=\"row\"><a href=\"/oversight/zhouzhuang-test/\">周庄镇")
    for name, bad in (("sort", "nonsense"), ("year", "17x")):  # a bad bookmark: the default, said (decision 0035)
        response = client.get(url, {name: bad})
        assert response.status_code == 200
        assert f"参数“{name}”有误" in response.content.decode()
    # The sort notice lists the orders by the words the page's menu shows, not by their URL spelling.
    notice = client.get(url, {"sort": "nonsense"}).content.decode().split("参数“sort”有误")[1].split("</div>")[0]
    assert "进度完成比" in notice
    assert "满意率" in notice
    assert not re.search(r"pace|behind|satisfaction", notice), notice


def test_the_download_and_the_api_give_the_page_s_figures(towns: Any, login: Any, api_token: Any) -> None:
    client = login(towns.users["city"])
    url = f"/oversight/city/{towns.county.public_id}/"
    response = client.get(url + "xlsx/towns/?sort=overdue")
    assert response["Content-Type"] == XLSX
    assert saved_name(response) == "昆山市2017年各镇走访与问题办理排名（按超期，差者在前）-20170615.xlsx"
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [row for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert [row[:4] for row in rows] == [("周庄镇", 1, 30, 7), ("锦溪镇", 2, 6, 3), ("合计", None, 36, 10)]
    assert rows[0][-2:] == (2, 0)  # overdue, escalated
    every = load_workbook(io.BytesIO(queued_file(client, url + "xlsx/all/", {"sort": "overdue"}).content))
    assert [sheet.title for sheet in every.worksheets][1:] == ["各镇走访覆盖与进度", "各镇问题办理情况", "各镇全覆盖情况"]
    assert client.get(url + "xlsx/nonsense/").status_code == 404
    data = client.get(f"/api/v1/oversight/city/{towns.county.public_id}/towns?sort=coverage",
                      **api_token("city")).json()
    assert data["label"] == "昆山市"
    assert [(r["label"], r["rank"], r["coverage"]["percent"]) for r in data["rows"]] == [
        ("周庄镇", 1, 23.3), ("锦溪镇", 2, 50.0)]
    assert data["rows"][0]["campaigns"] == ["zhouzhuang-test"]
    assert data["rows"][0]["pace_percent"] == 116.7
    assert data["rows"][0]["cases"]["overdue"] == 2
    assert data["total"]["cases"]["satisfaction_rate"] == 66.7
    assert data["idle"] == ["张浦镇"]


def test_only_the_city_office_of_the_area_sees_it_and_it_sees_nothing_outside(
        towns: Any, login: Any, client: Any, api_token: Any) -> None:
    county, town = towns.county, towns.town
    city_page = f"/oversight/city/{county.public_id}/"
    for name in ("office", "leader", "auditor", "handler", "outsider"):
        login(towns.users[name])
        assert client.get(city_page).status_code == 404, name
        assert client.post(city_page + "xlsx/all/").status_code == 404, name
    assert client.get(f"/api/v1/oversight/city/{county.public_id}/towns", **api_token("office")).status_code == 404
    # 锦溪镇's office does not see 周庄镇 at all.
    login(towns.users["office"])
    for url in ("/oversight/zhouzhuang-test/", "/oversight/zhouzhuang-test/rows/?what=unvisited"):
        assert client.get(url).status_code == 404, url
    login(towns.users["city"])
    assert client.get(city_page).status_code == 200
    assert client.get(f"/oversight/city/{towns.changzhou.public_id}/").status_code == 404  # not its city
    assert client.get(f"/oversight/city/{town.public_id}/").status_code == 404  # a town is not a city page
    assert client.get("/oversight/city/not-a-uuid/").status_code == 404
    for url in ("/oversight/menghe-test/", "/oversight/menghe-test/rows/?what=cases", "/?campaign=menghe-test"):
        response = client.get(url)
        assert response.status_code == 404 or "孟河镇" not in response.content.decode(), url
    assert client.get("/api/v1/oversight/menghe-test/coverage", **api_token("city")).status_code == 404
    assert client.get(f"/api/v1/oversight/city/{towns.changzhou.public_id}/towns",
                      **api_token("city")).status_code == 404


def test_the_city_office_drills_into_a_town_read_only_with_personal_data_masked(towns: Any, login: Any) -> None:
    client = login(towns.users["city"])
    dashboard = client.get("/oversight/zhouzhuang-test/").content.decode()
    assert "走访进度督查" in dashboard
    assert "7<small> / 30</small>" in dashboard
    unit = towns.chosen[0].unit
    assert client.get(f"/oversight/zhouzhuang-test/units/{unit.public_id}/").status_code == 200
    unvisited = Assignment.objects.filter(campaign=towns.zhouzhuang).exclude(
        target__in=[a.target for a in towns.chosen]).select_related("target").filter(
        target__kind="registered_household").first()
    target = unvisited.target
    assert target.phone
    assert target.id_number
    for url in ("/oversight/zhouzhuang-test/rows/?what=unvisited", "/oversight/zhouzhuang-test/rows/?what=visits"):
        page = client.get(url).content.decode()
        assert target.phone not in page
        assert target.id_number not in page
    rows = queued_file(client, "/oversight/zhouzhuang-test/rows/", {"what": "unvisited"}).content
    text = "\n".join(str(c) for row in load_workbook(io.BytesIO(rows)).worksheets[0].iter_rows(values_only=True)
                     for c in row if c is not None)
    assert target.name in text or target.address in text
    assert target.phone not in text
    assert target.id_number not in text
    assert f"{target.phone[:3]}****{target.phone[-4:]}" in text
    # The town's own office reads the same rows in full: the masking is the city office's.
    office = ensure_user("zz_office", PASSWORD, role=RoleGrant.Role.OFFICE, region=towns.zhouzhuang.scope)
    full = queued_file(login(office), "/oversight/zhouzhuang-test/rows/", {"what": "unvisited"}).content
    assert target.phone.encode() not in full  # xlsx is zipped: compare decoded cells
    cells = {str(c) for row in load_workbook(io.BytesIO(full)).worksheets[0].iter_rows(values_only=True) for c in row}
    assert target.phone in cells


def test_the_city_office_cannot_write_anything_in_a_town(towns: Any, login: Any, api_token: Any) -> None:
    client = login(towns.users["city"])
    case = Case.objects.get(pk=towns.zhouzhuang_cases["d2"].pk)
    detail = client.get(f"/cases/{case.public_id}/")
    assert detail.status_code == 200
    assert detail.content.decode().count('method="post"') == 1  # signing out only: no action is offered
    assignment = towns.chosen[-1]
    posts = [f"/cases/{case.public_id}/accept/", f"/cases/{case.public_id}/resolve/",
             f"/cases/{case.public_id}/publication/", "/cases/new/", "/plan/apply/",
             f"/plan/assignments/{assignment.public_id}/pin/", "/imports/", "/forms/upload/"]
    for url in posts:
        assert client.post(url, {"version": case.version}).status_code in (403, 404), url
    headers = api_token("city")
    acting = {"version": case.version, "unit": str(case.unit.public_id)}
    for url, body in ((f"/api/v1/cases/{case.public_id}/accept", acting),
                      (f"/api/v1/cases/{case.public_id}/register", acting),
                      (f"/api/v1/cases/{case.public_id}/dispatch", acting),
                      ("/api/v1/cases/", {"campaign": "zhouzhuang-test", "kind": "problem", "description": "路灯不亮"}),
                      ("/api/v1/plan/zhouzhuang-test/runs", {})):
        response = client.post(url, json.dumps(body), content_type="application/json", **headers)
        assert response.status_code in (403, 404), (url, response.status_code)
    # Recording a visit: refused as for any account that is no cadre, before the body is read (403, decision 0044;
    # the page's outbox answers 404, as 我的走访 does to an account that is no cadre's).
    payload = json.dumps({"client_uuid": str(uuid.uuid4()), "target_id": str(assignment.target.public_id),
                          "visited_at": "2017-06-14T10:00:00+08:00", "mode": "home", "summary": "上门走访"})
    assert client.post("/me/visits/", payload, content_type="application/json").status_code == 404
    response = client.post("/api/v1/visits", payload, content_type="application/json", **headers)
    assert response.status_code == 403, response.content
    assert response.json()["detail"] == not_a_cadre()
    assert not Visit.objects.filter(target=assignment.target, visited_at__date="2017-06-14").exists()
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    assert Target.objects.filter(region__path__startswith=towns.zhouzhuang.scope.path).count() == 30
    assert not Cadre.objects.filter(user=towns.users["city"]).exists()


def test_the_queued_city_workbook_is_the_file_the_request_built(towns: Any, login: Any) -> None:
    """The city office's 全部下载xlsx runs on the queue (docs/jobs.md): the same workbook, for the year and order asked."""
    client = login(towns.users["city"])
    url = f"/oversight/city/{towns.county.public_id}/xlsx/all/"
    tables, heading, _stem = city_tables(towns.county, "all", None, "overdue", full_coverage=True)
    queued = queued_file(client, url, {"sort": "overdue"})
    assert cells(queued.content) == cells(export.xlsx(tables, heading=heading))
    refused = client.post(url, {"sort": "nonsense"})  # a download cannot carry a notice: refused, naming it
    assert refused.status_code == 400
    assert "参数“sort”有误" in refused.content.decode()


def test_the_workbook_says_its_year_as_people_do_and_keeps_a_finishing_day_a_date(towns: Any) -> None:
    """“昆山市2017年 各镇…” (not “昆山市 2017”); 按目前速度预计完成 a date cell printed 2017年9月1日, or a reason in words."""
    tables, heading, _stem = city_tables(towns.county, "all", None, "pace")
    book = load_workbook(io.BytesIO(export.xlsx(tables, heading=heading)))
    assert book.worksheets[0]["A1"].value.startswith("昆山市2017年 各镇走访与问题办理排名")
    coverage = book["各镇走访覆盖与进度"]
    assert coverage.cell(2, 9).value == "按目前速度预计完成"
    finishing = [coverage.cell(row, 9) for row in range(3, coverage.max_row + 1)]
    assert any(cell.is_date for cell in finishing)
    for cell in finishing:
        assert cell.is_date and cell.number_format == DAY_FORMAT or cell.value in ("尚无走访", "无法预计", "已全部走访")


def test_the_city_ranking_groups_its_sixteen_columns_under_two_header_rows(towns: Any) -> None:
    table = ranking_table(figures.town_figures(towns.county, TODAY))
    top, below = table.head()
    assert [(cell["label"], cell["columns"], cell["rows"]) for cell in top] == [
        ("镇", 1, 2), ("排名", 1, 2), ("走访覆盖", 3, 1), ("进度（截至今日）", 4, 1), ("问题办理", 7, 1)]
    assert len(below) == len(table.headers) - 2 == 14
    shortened = {cell["label"]: cell["title"] for cell in below if cell["label"] != cell["title"]}
    assert shortened == {"应完成": "截至今日应完成", "已完成": "按进度已完成", "完成比": "进度完成比"}
    assert table.headers[5:9] == ["截至今日应完成", "按进度已完成", "逾期未完成", "进度完成比"]  # the xlsx's, whole


def test_the_city_page_shows_the_ranking_s_groups_and_full_names(towns: Any, login: Any) -> None:
    page = login(towns.users["city"]).get("/").content.decode()
    ranking = page.split('id="t-towns"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="colgroup" colspan="4" class="group">进度（截至今日）</th>' in ranking
    assert '<abbr title="截至今日应完成">应完成</abbr>' in ranking
    assert '<th scope="col" rowspan="2">镇</th>' in ranking
