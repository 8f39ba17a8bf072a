"""The office's plan pages on the demo: the chart, the preview, pins; others are turned away. The download:
test_export_download.py."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count

from zoufang.accounts.models import AuditEvent
from zoufang.planning.models import Assignment
from zoufang.registry.models import Unit

pytestmark = pytest.mark.recorded_templates  # reads response.context


@pytest.fixture
def office(client, demo, db):
    client.force_login(get_user_model().objects.get(username="office"))
    return client


def test_it_shows_each_village_with_who_covers_it_and_a_preview(office):
    page = office.get("/plan/?campaign=jinxi-2017")
    assert page.status_code == 200
    text = page.content.decode()
    assert "上下塘社区" in text
    assert "不重不漏：已核验" in text
    check = text[text.index('class="table plan-check"'):]
    check = check[:check.index("</table>")]
    body, foot = check[:check.index("<tfoot>")], check[check.index("<tfoot>"):]
    assert _numbers(foot) == [sum(_numbers(body)[at::3]) for at in range(3)]  # 合计 of 总数, 未分配, 重复 over the kinds
    assert _numbers(foot)[1:] == [0, 0]  # the demo's plan leaves no target out and none twice
    # The preview runs the planner in the background (zoufang/jobs): the job's page shows its report.
    asked = office.post("/plan/apply/", {"campaign": "jinxi-2017", "mode": "preview"})
    assert asked.status_code == 302
    assert asked["Location"].startswith("/downloads/")
    report = office.get(asked["Location"]).content.decode()
    assert "重新分配预览（尚未写入）" in report
    assert "保留 18126，新增 0，调整 0，释放 0" in report
    assert "锦溪中学：附件4-1非户籍常住户168" in report  # the relaxation, said on the page
    assert "确认重新分配" in report


def _numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', html)]


def test_it_pins_and_unpins_from_the_units_page(office):
    unit = Unit.objects.get(name="派出所")
    page = office.get(f"/plan/units/{unit.public_id}/?campaign=jinxi-2017")
    assert page.status_code == 200
    assert "户籍户：已分配 " in page.content.decode()  # each count says which is which, not a bare 25/25
    cadre = Assignment.objects.filter(unit=unit, cadre__isnull=False).order_by("id").first().cadre
    listed = office.get(f"/plan/units/{unit.public_id}/?campaign=jinxi-2017&cadre={cadre.public_id}")
    assignment = listed.context["page"].rows[0]  # the first on the visitor's list, with its 锁定 button
    assert f"/plan/assignments/{assignment.public_id}/pin/" in listed.content.decode()
    office.post(f"/plan/assignments/{assignment.public_id}/pin/", {"campaign": "jinxi-2017", "pinned": "1"})
    assignment.refresh_from_db()
    assert assignment.pinned
    office.post(f"/plan/assignments/{assignment.public_id}/pin/", {"campaign": "jinxi-2017", "pinned": "0"})
    assignment.refresh_from_db()
    assert not assignment.pinned


@pytest.mark.parametrize("username", ["dept", "leader", "outsider"])
def test_it_turns_away_everyone_but_the_office(client, demo, db, username):
    client.force_login(get_user_model().objects.get(username=username))
    assert client.get("/plan/?campaign=jinxi-2017").status_code == 403
    assert client.post("/plan/apply/", {"campaign": "jinxi-2017"}).status_code == 403


def test_it_applies_a_plan_in_the_background_with_its_progress_and_report(office):
    """确认重新分配 runs the planner as a job (docs/jobs.md): the job counts the planner's steps, ends done with the
    report on its page (kept as it was: the demo's plan already holds), audited as an update of the campaign."""
    from zoufang.jobs.models import Download
    from zoufang.planning.services import RUN_STEPS

    before = Assignment.objects.filter(campaign__slug="jinxi-2017").count()
    asked = office.post("/plan/apply/", {"campaign": "jinxi-2017"})
    download = Download.objects.get(kind="plan_run")
    assert asked["Location"] == f"/downloads/{download.public_id}/"
    assert (download.status, download.params) == ("done", {"campaign": "jinxi-2017", "apply": True, "fmt": "json"})
    assert download.done == download.total == RUN_STEPS
    page = office.get(asked["Location"]).content.decode()
    assert "已重新分配" in page
    assert "保留 18126，新增 0，调整 0，释放 0" in page
    assert "确认重新分配" not in page
    assert Assignment.objects.filter(campaign__slug="jinxi-2017").count() == before
    assert AuditEvent.objects.filter(action="update", summary__startswith="重新分配：保留18126").exists()
    assert AuditEvent.objects.filter(action="export", summary__startswith="重新分配：保留18126").exists()
    assert office.get("/plan/apply/").status_code == 405


def test_the_units_page_lists_one_visitor_a_page_at_a_time_in_constant_queries(office, monkeypatch):
    """The unit's page counts per visitor and lists one visitor's targets UNIT_PAGE_SIZE at a time after a cursor:
    walking every page gives each of the visitor's targets once, each page in the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zoufang.planning import views

    monkeypatch.setattr(views, "UNIT_PAGE_SIZE", 4)  # several pages of one visitor's list
    UNIT_PAGE_SIZE = views.UNIT_PAGE_SIZE
    unit = Unit.objects.get(name="派出所")
    cadre_id = (Assignment.objects.filter(campaign__slug="jinxi-2017", unit=unit, cadre__isnull=False).values("cadre")
                .annotate(n=Count("id")).order_by("-n").values_list("cadre", flat=True).first())
    mine = set(Assignment.objects.filter(campaign__slug="jinxi-2017", cadre_id=cadre_id).values_list("public_id", flat=True))
    assert len(mine) > 2 * UNIT_PAGE_SIZE  # more than two pages
    overview = office.get(f"/plan/units/{unit.public_id}/?campaign=jinxi-2017")
    assert overview.context["page"] is None  # no list read until a visitor is chosen
    assert "/pin/" not in overview.content.decode()
    key = next(row["key"] for row in overview.context["cadres"] if row["cadre"] and row["cadre"].pk == cadre_id)
    url = f"/plan/units/{unit.public_id}/?campaign=jinxi-2017&cadre={key}"
    seen, counts, cursor = [], [], None
    while True:
        with CaptureQueriesContext(connection) as queries:
            response = office.get(url + (f"&after={cursor}" if cursor else ""))
        page = response.context["page"]
        assert len(page.rows) <= UNIT_PAGE_SIZE
        seen += [a.public_id for a in page.rows]
        counts.append(len(queries))
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == len(mine)
    assert set(seen) == mine
    assert len(set(counts)) == 1, counts  # the last page costs what the first does
    assert office.get(url + "&after=garbage").status_code == 200  # a bad cursor: the first page
