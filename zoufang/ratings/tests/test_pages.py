"""The pages and the xlsx: who reads what (the office, leaders, assessors: every department; a department its
own; anyone else 404), comments masked everywhere, the office's changes from the item page."""

import io
import re

import pytest
from openpyxl import load_workbook

from zoufang.accounts.models import AuditEvent
from zoufang.core.testdownloads import saved_name
from zoufang.ratings.models import SupervisionItem

pytestmark = [pytest.mark.django_db, pytest.mark.recorded_templates]  # reads response.context
PHONE = "13812345678"


def _url(rated, tail=""):
    return f"/ratings/{rated.town.campaign.slug}/{tail}"


@pytest.mark.parametrize("who", ["office", "leader", "assessor"])
def test_the_office_leaders_and_assessors_read_every_department(rated, login, who):
    page = login(rated.users[who]).get(_url(rated))
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("派出所", "镇党政班子", "上下塘社区居委会"):
        assert name in text
    assert "各部门评价分布" in text
    assert 'data-chart="stacked-bar"' in text
    assert "另有 1 份按旧版调查表" in text
    assert PHONE not in text
    assert "138****5678" in text


def test_the_aspect_scores_end_with_the_campaign_s_row(rated, login):
    """分项得分 ends with 合计: each aspect's mean over all grades (test_figures counts them by hand), the 差 summed."""
    text = login(rated.users["office"]).get(_url(rated)).content.decode()
    table = text[text.index('<table class="counts ratings-aspects">'):]
    table = table[:table.index("</table>")]
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table[table.index("<tfoot>"):])
    assert cells == ["合计", "70.0", "75.0", "75.0", "2"]
    assert "不是各部门得分的平均" in text


def test_a_department_reads_only_its_own_ratings_and_items(rated, login):
    client = login(rated.users["paichusuo"])
    text = client.get(_url(rated)).content.decode()
    assert "派出所" in text
    assert "镇党政班子" not in text
    assert "上下塘社区居委会" not in text
    assert "只看本单位" in text
    assert "计家墩纺织有限公司" not in text  # the department does not learn which enterprise rated it
    police, leadership = rated.units["派出所"], rated.units["镇党政班子"]
    assert client.get(_url(rated, f"units/{police.public_id}/")).status_code == 200
    assert client.get(_url(rated, f"units/{leadership.public_id}/")).status_code == 404
    theirs = SupervisionItem.objects.get(unit=leadership)
    assert client.get(_url(rated, f"items/{theirs.public_id}/")).status_code == 404
    mine = SupervisionItem.objects.get(unit=police)
    assert client.get(_url(rated, f"items/{mine.public_id}/")).status_code == 200
    book = load_workbook(io.BytesIO(client.get(_url(rated, "ratings.xlsx")).content))
    cells = " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "镇党政班子" not in cells
    assert PHONE not in cells


@pytest.mark.parametrize("who", ["outsider", "dept", "village", "auditor"])
def test_anyone_else_gets_404(rated, login, who):
    client = login(rated.users[who])
    item = SupervisionItem.objects.first()
    for tail in ("", "ratings.xlsx", f"units/{rated.units['派出所'].public_id}/", f"items/{item.public_id}/"):
        assert client.get(_url(rated, tail)).status_code == 404, tail


def test_the_unit_page_shows_its_aspects_months_and_comments(rated, login, settings):
    settings.ZOUFANG_TODAY = "2017-06-19"  # the 派出所 item was due on the 16th
    text = login(rated.users["office"]).get(_url(rated, f"units/{rated.units['派出所'].public_id}/")).content.decode()
    assert "综合得分 73.3，好评率 66.7%" in text
    assert "2017-05" in text
    assert "2017-06" in text
    assert "不满意 1" in text  # the old answer, in its own words
    assert "督查中 1 项，超期 1 项" in text
    assert "138****5678" in text
    assert PHONE not in text


def test_the_xlsx_has_the_departments_months_items_and_comments_masked(rated, login):
    response = login(rated.users["office"]).get(_url(rated, "ratings.xlsx"))
    assert response.status_code == 200
    assert re.fullmatch(r"锦溪镇测试走访企业评价和督查事项-\d{8}\.xlsx", saved_name(response))  # a name the office reads
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["各部门", "按月", "督查事项", "企业意见"]
    rows = list(book["各部门"].iter_rows(min_row=3, values_only=True))
    assert rows[0][:10] == ("镇党政班子", 1, "综合", 3, 0, 1, 1, 1, 33.3, 46.7)
    cells = " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)
    assert PHONE not in cells
    assert "138****5678" in cells
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, summary="导出企业评价和督查事项").exists()


def test_the_xlsx_ends_with_the_same_campaign_rows_as_the_page_s_aspect_scores(rated, login):
    """The 各部门 sheet's 合计 is the page's: 综合, then each aspect's mean over every grade given (70.0, 75.0, 75.0,
    as test_figures counts by hand, not the departments' average), its 差 counted; the 综合 row's 差 is their sum."""
    client = login(rated.users["office"])
    text = client.get(_url(rated)).content.decode()
    table = text[text.index('<table class="counts ratings-aspects">'):]
    page_cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table[table.index("<tfoot>"):table.index("</table>")])
    book = load_workbook(io.BytesIO(client.get(_url(rated, "ratings.xlsx")).content))
    total = [row[:10] for row in book["各部门"].iter_rows(min_row=3, values_only=True) if row[0] == "合计"]
    # 名称, 份数, 评价项目, 次数, 好 较好 一般 差, 好评率%, 得分
    assert total == [("合计", 4, "综合", 12, 6, 2, 2, 2, 66.7, 73.3),
                     ("合计", 4, "服务意识", 4, 2, 1, 0, 1, 75.0, 70.0),
                     ("合计", 4, "服务效率", 4, 1, 1, 2, 0, 50.0, 75.0),
                     ("合计", 4, "廉洁履职", 4, 3, 0, 0, 1, 75.0, 75.0)]
    assert all(row[0].font.b for row in book["各部门"].iter_rows(min_row=3) if row[0].value == "合计")  # set apart
    assert page_cells[0] == "合计"
    assert [float(c) for c in page_cells[1:4]] == [row[9] for row in total[1:]]
    assert int(page_cells[4]) == total[0][7] == sum(row[7] for row in total[1:])


def test_the_office_closes_an_item_from_its_page_and_a_leader_cannot(rated, login, client):
    item = SupervisionItem.objects.get(unit__name="派出所")
    url = _url(rated, f"items/{item.public_id}/")
    login(rated.users["leader"])
    page = client.get(url).content.decode()
    assert "办结" in page
    assert 'name="result"' not in page
    client.post(url, {"action": "close", "version": 1, "result": "领导代办"})
    item.refresh_from_db()
    assert item.status == "open"
    login(rated.users["office"])
    response = client.post(url, {"action": "close", "version": 1, "result": "约谈派出所负责人"}, follow=True)
    assert "督查事项已办结" in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.result) == ("done", "约谈派出所负责人")
    stale = client.post(url, {"action": "close", "version": 1, "result": "again"}, follow=True).content.decode()
    assert "未能保存" in stale


@pytest.mark.parametrize("who", ["leader", "assessor", "paichusuo"])
def test_a_reader_who_may_not_change_an_item_is_refused_before_the_form_is_read(rated, login, who):
    """Decision 0044: a reader of the item (a leader, an assessor, the department itself) who may not change it
    gets 403 for the filled form and the empty one alike, never the form's error; nothing is written."""
    item = SupervisionItem.objects.get(unit__name="派出所")
    url = _url(rated, f"items/{item.public_id}/")
    client = login(rated.users[who])
    audited = AuditEvent.objects.count()
    for sent in ({"action": "close", "version": 1, "result": "领导代办"}, {"action": "close"},
                 {"action": "assign", "version": 1, "assignee": "office"}, {"action": "assign"}, {}):
        refused = client.post(url, sent)
        assert refused.status_code == 403, sent
        assert "只有走访办（镇督查组）可以更改督查事项" in refused.content.decode()
    item.refresh_from_db()
    assert (item.status, item.version, item.assignee) == ("open", 1, None)
    assert AuditEvent.objects.count() == audited


def test_the_office_s_empty_form_gets_the_form_s_error(rated, login):
    item = SupervisionItem.objects.get(unit__name="派出所")
    response = login(rated.users["office"]).post(_url(rated, f"items/{item.public_id}/"),
                                                  {"action": "close", "version": 1}, follow=True)
    assert "落实情况：必填" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open"


def test_the_home_page_links_to_the_ratings_of_a_campaign_whose_forms_rate(rated, login, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    text = login(rated.users["office"]).get("/").content.decode()
    assert f'href="/ratings/{rated.town.campaign.slug}/"' in text


def test_a_departments_home_links_to_its_own_ratings(rated, login, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    from zoufang.planning.models import Assignment

    Assignment.objects.create(campaign=rated.town.campaign, target=rated.town.enterprise, unit=rated.town.police,
                              cadre=rated.users["dept"].cadre)
    client = login(rated.users["paichusuo"])
    link = f'href="/ratings/{rated.town.campaign.slug}/units/{rated.town.police.public_id}/"'
    assert link in client.get("/").content.decode()
    assert client.get(f"/ratings/{rated.town.campaign.slug}/units/{rated.town.police.public_id}/").status_code == 200


def test_the_items_page_by_cursor_with_their_counts(rated, login, settings, django_assert_max_num_queries):
    from zoufang.ratings.tests.test_api import more_items

    settings.ZOUFANG_PAGE_SIZE = 4
    more_items(rated, 5)
    client = login(rated.users["office"])
    with django_assert_max_num_queries(60) as first_queries:
        first = client.get(_url(rated))
    expected = list(SupervisionItem.objects.order_by("status", "due_on", "id"))
    assert first.context["items"] == expected[:4]
    overdue = sum(1 for i in expected if i.overdue)
    assert (first.context["open_items"], first.context["overdue_items"]) == (7, overdue)
    with django_assert_max_num_queries(len(first_queries)):
        second = client.get(_url(rated), {"after": first.context["page"].next_cursor})
    assert second.context["items"] == expected[4:]
    assert "第一页" in second.content.decode()
