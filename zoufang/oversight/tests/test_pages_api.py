"""The dashboard, the unit page, the drill-downs, the xlsx and the API: same figures, same scope."""

import datetime as dt
import io
import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from zoufang.cases.models import Case
from zoufang.core.testdownloads import saved_name
from zoufang.jobs.testing import cells, queued_file
from zoufang.oversight import export, figures
from zoufang.oversight.tests.conftest import at
from zoufang.oversight.views import board_tables
from zoufang.planning.models import Assignment
from zoufang.registry.tests.factories import TargetFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_office_home_is_the_dashboard_with_the_counts_table_kept(counted: Any, login: Any) -> None:
    page = login(counted.users["office"]).get("/").content.decode()
    assert "走访进度督查" in page
    assert "3<small> / 6</small>" in page  # visited / assigned
    assert 'data-chart="bar"' in page
    assert 'data-chart="line"' in page
    assert 'data-chart="funnel"' in page
    assert "各单位问题办理情况" in page or "各承办单位问题办理情况" in page
    assert "各村（社区）走访对象" in page  # the table the home page had before


def test_the_boards_sections_are_named_at_its_top_each_a_jump_to_its_heading(counted: Any, login: Any) -> None:
    """The board runs to many screens on a town (every village and unit): a clerk jumps to the table they want."""
    assert_jumps_land_on_their_headings(login(counted.users["office"]).get("/").content.decode())


def assert_jumps_land_on_their_headings(page: str) -> None:
    """Every jump lands on a heading of the page, under the words it says, all of them in order — and none is
    hidden under a long table's folded rows (test_tables_on_the_page.py)."""
    toc = page.split('<nav class="board-toc"', 1)[1].split("</nav>", 1)[0]
    jumps = re.findall(r'<a class="jump" href="#([^"]+)">([^<]+)</a>', toc)
    assert len(jumps) > 3
    for target, title in jumps:  # every jump lands on a heading of the page, under the words it says
        assert re.search(rf'<h2 id="{target}">{re.escape(title)}</h2>', page), (target, title)
    headings = re.findall(r'<h2 id="(t-[^"]+)">', page)
    assert [target for target, _title in jumps if target.startswith("t-")] == headings  # all of them, in order
    assert page.index('class="board-toc"') < page.index(f'id="{headings[0]}"')
    for folded in page.split('<details class="fold-rows">')[1:]:
        assert "<h2" not in folded.split("</details>", 1)[0]


def test_a_leader_sees_the_villages_they_are_linked_to_first(counted: Any, login: Any) -> None:
    counted.wangwen.linked_regions.add(counted.jijiadun)
    page = login(counted.users["leader"]).get("/").content.decode()
    assert page.index("我挂钩的村（社区）") < page.index("各村（社区）走访覆盖与进度")


def test_the_unit_page_shows_its_cadres_and_cases_to_its_handler_only(counted: Any, login: Any, client: Any) -> None:
    slug, police = counted.campaign.slug, counted.police
    page = login(counted.users["handler"]).get(f"/oversight/{slug}/units/{police.public_id}/").content.decode()
    assert "派出所党员甲" in page
    assert "（派出所）" not in page  # its own cadres by their names alone
    assert "1<small> / 3</small>" in page
    assert "王文" not in page
    leadership = counted.wangwen.unit
    assert client.get(f"/oversight/{slug}/units/{leadership.public_id}/").status_code == 404
    assert client.get(f"/oversight/{slug}/").status_code == 200  # their one unit's page
    rows = client.get(f"/oversight/{slug}/rows/?what=unvisited&unit={leadership.public_id}")  # their own rows
    assert rows.status_code == 200
    assert "参数“unit”有误：所指的单位不存在或不在您的可见范围内" in rows.content.decode()
    home = client.get("/").content.decode()
    assert f"/oversight/{slug}/units/{police.public_id}/" in home


def test_the_figures_of_cadres_behind_count_cadres_not_the_targets_given_to_nobody(counted: Any, login: Any,
                                                                                   settings: Any) -> None:
    """未落实到人 (a unit's targets not yet given to a cadre) is no cadre: the unit page's 进度落后的干部 and the
    dashboard's 进度落后的单位 / 干部 leave it out (it is a table of its own: test_unnamed.py)."""
    settings.ZOUFANG_TODAY = "2017-09-30"  # the pace's last day: every target is due
    campaign, slug, police = counted.campaign, counted.campaign.slug, counted.police
    for target in TargetFactory.create_batch(2, region=counted.shangxiatang):
        Assignment.objects.create(campaign=campaign, target=target, unit=police)  # 上级单位只给数量
    day = dt.date(2017, 9, 30)
    late = figures.coverage(campaign, "cadre", day).behind()
    cadres = sum(row.key is not None for row in late)
    assert (cadres, len(late)) == (2, 3)  # 王文, 派出所党员甲, and the targets given to nobody
    assert figures.behind(campaign, "cadre", day, keyed=True)[1] == cadres
    assert figures.behind(campaign, "cadre", day)[1] == len(late)  # the list's rows (the API's count)
    units = figures.behind(campaign, "unit", day, keyed=True)[1]
    page = login(counted.users["office"]).get(f"/oversight/{slug}/").content.decode()
    assert f'{units} / {cadres}</span><span class="label">进度落后的单位 / 干部' in page
    assert "未落实到人" in page  # its own table beside the list
    page = login(counted.users["handler"]).get(f"/oversight/{slug}/units/{police.public_id}/").content.decode()
    assert '>1</span><span class="label">进度落后的干部' in page  # 派出所党员甲; its 未落实到人 is no cadre


def test_outsiders_see_nothing(counted: Any, login: Any, api_token: Any, client: Any) -> None:
    slug = counted.campaign.slug
    login(counted.users["outsider"])
    for url in (f"/oversight/{slug}/", f"/oversight/{slug}/rows/", f"/oversight/{slug}/xlsx/coverage-unit/",
                f"/oversight/{slug}/units/{counted.police.public_id}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/oversight/{slug}/xlsx/all/").status_code == 404  # asked for in the background: as before
    headers = api_token("outsider")
    for url in ("coverage", "cases", "behind", "rows"):
        assert client.get(f"/api/v1/oversight/{slug}/{url}", **headers).status_code == 404


def test_the_drill_down_lists_the_unvisited_targets_with_masked_phones(counted: Any, login: Any) -> None:
    slug = counted.campaign.slug
    client = login(counted.users["leader"])
    page = client.get(f"/oversight/{slug}/rows/?what=unvisited&unit={counted.police.public_id}").content.decode()
    assert "共 2 条" in page
    h1 = counted.households["shangxiatang"][1]
    assert h1.name in page
    assert h1.phone not in page
    assert h1.phone[-4:] in page
    visits = client.get(f"/oversight/{slug}/rows/?what=visits&unit={counted.police.public_id}").content.decode()
    assert "共 2 条" in visits
    overdue = client.get(f"/oversight/{slug}/rows/?what=cases&overdue=1").content.decode()
    assert "共 1 条" in overdue
    assert "c2" in overdue


def test_every_table_downloads_as_xlsx_with_the_page_figures(counted: Any, login: Any) -> None:
    slug = counted.campaign.slug
    client = login(counted.users["office"])
    response = client.get(f"/oversight/{slug}/xlsx/coverage-unit/")
    assert response["Content-Type"] == XLSX
    assert saved_name(response) == "锦溪镇测试走访各单位走访覆盖与进度-20170615.xlsx"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][:4] == ["走访单位", "应走访", "已走访", "未走访"]
    assert values[2][:3] == ["派出所", 3, 1]
    assert values[3][:3] == ["镇党政班子", 3, 2]
    assert values[4][:3] == ["合计", 6, 3]
    everything = load_workbook(io.BytesIO(queued_file(client, f"/oversight/{slug}/xlsx/all/").content))
    assert "问题办理漏斗" in everything.sheetnames
    assert client.get(f"/oversight/{slug}/xlsx/all/").status_code == 405  # a button (POST), never a link
    rows = load_workbook(io.BytesIO(queued_file(client, f"/oversight/{slug}/rows/", {"what": "unvisited"}).content))
    assert rows.active.max_row == 2 + 3  # title, headers, the three unvisited targets


def test_a_name_that_looks_like_a_formula_stays_text_in_the_xlsx(counted: Any, login: Any) -> None:
    counted.police.name = "=HYPERLINK(\"http://x\")"
    counted.police.save()
    client = login(counted.users["office"])
    sheet = load_workbook(io.BytesIO(client.get(f"/oversight/{counted.campaign.slug}/xlsx/coverage-unit/").content)).active
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == counted.police.name)
    assert cell.data_type == "s"
    # The unit's name titles its drill-down sheet: the characters Excel refuses there are replaced.
    rows = load_workbook(io.BytesIO(queued_file(client, f"/oversight/{counted.campaign.slug}/rows/",
                                                {"what": "unvisited", "unit": str(counted.police.public_id)}).content))
    assert rows.sheetnames == ["=HYPERLINK(\"http－－－x\")·未走访对象"]


def test_the_api_gives_the_page_figures_scoped(counted: Any, api_token: Any, client: Any) -> None:
    slug = counted.campaign.slug
    office = api_token("office")
    coverage = client.get(f"/api/v1/oversight/{slug}/coverage?by=unit", **office).json()
    assert [(r["label"], r["assigned"], r["visited"]) for r in coverage["rows"]] == [("派出所", 3, 1), ("镇党政班子", 3, 2)]
    assert coverage["total"]["pace"]["due_today"] == 2
    cases = client.get(f"/api/v1/oversight/{slug}/cases?by=unit", **office).json()
    assert cases["total"]["response_rate"] == 50.0
    assert cases["total"]["overdue"] == 1
    handler = api_token("handler")
    mine = client.get(f"/api/v1/oversight/{slug}/coverage?by=unit", **handler).json()
    assert [(r["label"], r["assigned"]) for r in mine["rows"]] == [("派出所", 3)]
    mine_cases = client.get(f"/api/v1/oversight/{slug}/cases?by=unit", **handler).json()
    assert mine_cases["total"]["total"] == 3  # c1, c2, c6; the merged c5 is not counted
    rows = client.get(f"/api/v1/oversight/{slug}/rows?what=unvisited", **handler).json()
    assert rows["count"] == 2
    assert len(rows["rows"]) == 2
    second = client.get(f"/api/v1/oversight/{slug}/rows?what=unvisited&offset=1&limit=5", **handler).json()
    assert second["count"] == 2
    assert second["rows"] == rows["rows"][1:]
    refused = client.get(f"/api/v1/oversight/{slug}/coverage?by=nonsense", **office)
    assert refused.status_code == 400
    assert "by" in refused.json()["errors"]


def test_the_dashboard_asks_a_bounded_number_of_queries(counted: Any, login: Any) -> None:
    """The same queries for 16 and for 46 targets of a cadre behind pace (an empty behind list asks fewer:
    its rows' names are never looked up, so both sizes here have a cadre behind)."""
    client = login(counted.users["office"])

    def assign(count: int) -> None:
        for _n in range(count):
            target = TargetFactory(region=counted.households["jijiadun"][0].region)
            Assignment.objects.create(campaign=counted.campaign, target=target, unit=counted.police,
                                      cadre=counted.officer)

    assign(10)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/").content.decode()
    assert "进度落后的走访干部" in page
    assert "派出所党员甲" in page
    assign(30)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)
    assert len(few) < 60


def test_the_cadre_sees_on_my_visits_what_the_ended_months_required(counted: Any, login: Any, settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-07-01"  # May and June have ended: 2 of the 3 were due
    page = login(counted.users["dept"]).get("/me/").content.decode()
    assert "已结束的月份共要求走访 2 个，已走访 1 个，" in page
    assert "逾期未完成 1 个" in page
    assert 'data-chart' not in page
    assert "charts.js" not in page


def test_a_cadre_reads_only_their_own_figures_over_the_api(counted: Any, api_token: Any, client: Any,
                                                           login: Any) -> None:
    slug = counted.campaign.slug
    headers = api_token("dept")  # 派出所党员甲
    mine = client.get(f"/api/v1/oversight/{slug}/coverage?by=cadre", **headers).json()
    assert [(r["label"], r["assigned"], r["visited"]) for r in mine["rows"]] == [("派出所党员甲（派出所）", 3, 1)]
    assert mine["rows"][0]["pace"]["due_today"] == 1
    other = counted.wangwen.unit.public_id
    refused = client.get(f"/api/v1/oversight/{slug}/rows?what=unvisited&unit={other}", **headers)
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"unit": "所指的单位不存在或不在您的可见范围内"}
    assert login(counted.users["dept"]).get(f"/oversight/{slug}/").status_code == 404  # 我的走访 is theirs


def test_the_queued_whole_board_is_the_file_the_request_built(counted: Any, login: Any) -> None:
    """全部下载xlsx now runs on the queue (docs/jobs.md): the same workbook as building it in the request, for the
    whole campaign and for one unit's board."""
    slug = counted.campaign.slug
    office = counted.users["office"]
    client = login(office)
    for unit in ("", str(counted.police.public_id)):
        tables, heading, _stem = board_tables(office, slug, "all", unit or None)
        queued = queued_file(client, f"/oversight/{slug}/xlsx/all/", {"unit": unit} if unit else {})
        assert queued["Content-Type"] == XLSX
        assert cells(queued.content) == cells(export.xlsx(tables, heading=heading))
        assert len(cells(queued.content)) == len(tables) > 1


def test_one_tables_download_builds_that_table_alone_and_the_same_as_the_whole_boards(counted: Any,
                                                                                        monkeypatch: Any) -> None:
    """A table's xlsx (and its job's resolve, which checks the key and takes the title) builds only the table asked:
    its cells are the whole board's table's, and no other table's figures are read (a city's behind lists,
    ordered over 100,000 cadres, are not read for its villages' table)."""
    from zoufang.oversight import figures

    slug = counted.campaign.slug
    office = counted.users["office"]
    counted.wangwen.linked_regions.add(counted.jijiadun)
    leader = counted.users["leader"]
    for user in (office, leader):
        whole, heading, _stem = board_tables(user, slug, "all")
        for table in whole:
            alone, alone_heading, _stem = board_tables(user, slug, table.key)
            assert [t.key for t in alone] == [table.key]
            assert alone_heading == heading
            assert cells(export.xlsx(alone, heading=heading)) == cells(export.xlsx([table], heading=heading))

    def unread(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("another table's figures were read")

    monkeypatch.setattr(figures, "behind_pages", unread)
    monkeypatch.setattr(figures, "behind", unread)
    monkeypatch.setattr(figures, "weekly_visits", unread)
    (table,), _heading, _stem = board_tables(office, slug, "coverage-village")
    assert table.rows


def test_the_queued_rows_are_the_rows_the_request_built_and_stay_in_the_readers_reach(counted: Any,
                                                                                        login: Any) -> None:
    """The drill-down's 下载xlsx runs on the queue (docs/jobs.md): every row of the narrowing, the same workbook as
    building it in the request, masked for a leader; a unit outside a reader's reach is refused when asked."""
    from zoufang import clock
    from zoufang.jobs.models import Download
    from zoufang.oversight import drill
    from zoufang.oversight.access import campaign_for

    slug = counted.campaign.slug
    leader = counted.users["leader"]
    client = login(leader)
    police = str(counted.police.public_id)
    for query in ({"what": "unvisited"}, {"what": "visits", "unit": police}, {"what": "cases", "overdue": "1"}):
        reach = campaign_for(leader, slug)
        table, _count = drill.table(reach, drill.narrowing(reach, query), leader, clock.today(), limit=None)
        queued = queued_file(client, f"/oversight/{slug}/rows/", query)
        assert queued["Content-Type"] == XLSX
        assert cells(queued.content) == cells(export.xlsx([table], heading=counted.campaign.name)), query
    assert Download.objects.filter(kind="oversight_rows", user=leader).count() == 3
    h1 = counted.households["shangxiatang"][1]
    text = str(cells(queued_file(client, f"/oversight/{slug}/rows/", {"what": "unvisited"}).content))
    assert h1.phone not in text
    assert h1.phone[-4:] in text
    # A GET with the old ?format=xlsx shows the page: nothing is built in the request any more.
    page = client.get(f"/oversight/{slug}/rows/?what=unvisited&format=xlsx")
    assert page["Content-Type"].startswith("text/html")
    dept = login(counted.users["dept"])  # their own rows, never another unit's
    other = str(counted.wangwen.unit.public_id)
    shown = dept.get(f"/oversight/{slug}/rows/?what=unvisited&unit={other}")  # their own rows, with a notice
    assert shown.status_code == 200
    assert "参数“unit”有误" in shown.content.decode()
    refused = dept.post(f"/oversight/{slug}/rows/", {"what": "unvisited", "unit": other})
    assert refused.status_code == 400
    assert "参数“unit”有误" in refused.content.decode()
    assert not Download.objects.filter(user=counted.users["dept"]).exists()


def test_the_unit_page_names_a_cadre_another_unit_lends_with_that_unit(counted: Any, login: Any) -> None:
    """Its own cadres by their names alone; a cadre of another unit visiting for it, with their unit's name."""
    target = TargetFactory(region=counted.households["shangxiatang"][0].region)
    Assignment.objects.create(campaign=counted.campaign, target=target, unit=counted.police, cadre=counted.wangwen)
    page = login(counted.users["handler"]).get(
        f"/oversight/{counted.campaign.slug}/units/{counted.police.public_id}/").content.decode()
    assert "王文（镇党政班子）" in page
    assert "派出所党员甲" in page
    assert "派出所党员甲（派出所）" not in page


def test_the_unit_page_asks_the_same_queries_for_more_cases_months_and_categories(counted: Any, login: Any) -> None:
    """Its case figures by month and by category are one kept read each, however many rows they show."""
    client = login(counted.users["handler"])
    url = f"/oversight/{counted.campaign.slug}/units/{counted.police.public_id}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "2017年6月" in page
    top, second = counted.categories
    for month, category in (("2017-05-03", second), ("2017-07-04", top), ("2017-07-05", None)):
        Case.objects.create(campaign=counted.campaign, kind=Case.Kind.PROBLEM, description=month, unit=counted.police,
                            category=category, region=counted.households["jijiadun"][0].region, raised_at=at(month))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "2017年5月" in page
    assert "2017年7月" in page
    assert len(many) == len(few)


def test_an_empty_figures_table_says_why_instead_of_a_bare_placeholder(counted: Any, login: Any) -> None:
    """A unit whose visits raised no case: its case tables say there is none yet and what fills them."""
    Case.objects.filter(unit=counted.police).delete()
    Case.objects.filter(target__assignments__unit=counted.police).delete()
    slug, police = counted.campaign.slug, counted.police
    page = login(counted.users["office"]).get(f"/oversight/{slug}/units/{police.public_id}/").content.decode()
    assert "还没有登记的问题、意见。走访收集的问题登记后，这里统计办理情况。" in page
    assert '<p class="muted">暂无</p>' not in page
