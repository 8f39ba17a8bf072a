"""The office's plan pages on the demo: the chart, the preview, the download, pins; others are turned away."""

import pytest
from django.contrib.auth import get_user_model

from zoufang.accounts.models import AuditEvent
from zoufang.jobs.testing import queued_file
from zoufang.planning.models import Assignment
from zoufang.registry.models import Unit


@pytest.fixture
def office(client, demo, db):
    client.force_login(get_user_model().objects.get(username="office"))
    return client


def test_it_shows_each_village_with_who_covers_it_and_a_preview(office):
    page = office.get("/plan/?campaign=jinxi-2017&preview=1")
    assert page.status_code == 200
    text = page.content.decode()
    assert "上下塘社区" in text
    assert "保留 18126，新增 0，调整 0，释放 0" in text
    assert "锦溪中学：附件4-1（外来常住户）非户籍常住户168" in text  # the relaxation, said on the page
    assert "不重不漏：已核验" in text


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_it_downloads_the_tables(office, fmt):
    response = queued_file(office, f"/plan/export.{fmt}?campaign=jinxi-2017")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    assert AuditEvent.objects.filter(action="export", summary=f"导出分配表 {fmt}").exists()


def test_it_pins_and_unpins_from_the_units_page(office):
    unit = Unit.objects.get(name="派出所")
    page = office.get(f"/plan/units/{unit.public_id}/?campaign=jinxi-2017")
    assert page.status_code == 200
    assignment = Assignment.objects.filter(unit=unit).order_by("id").first()
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
