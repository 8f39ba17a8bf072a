"""A visit's bad input is a Chinese 400 on the API and on the page's outbox endpoint, never a server error."""

import json

import pytest

from zoufang.visits.models import Visit
from zoufang.visits.tests.conftest import payload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00"])
def test_it_refuses_a_visit_time_past_the_calendar(client, login, visiting, api_token, moment):
    response = client.post("/api/v1/visits", payload(visiting.enterprise, visited_at=moment),
                           content_type="application/json", **api_token("dept"))
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"visited_at": "超出可用的日期范围（1900—2999 年）"}
    page = login(visiting.users["dept"]).post("/me/visits/", json.dumps(payload(visiting.enterprise, visited_at=moment)),
                                              content_type="application/json")
    assert page.status_code == 400
    assert page.json()["errors"] == {"visited_at": "超出可用的日期范围（1900—2999 年）"}
    assert not Visit.objects.exists()


def test_it_refuses_a_summary_past_the_limit_in_chinese_on_the_page(login, visiting):
    response = login(visiting.users["dept"]).post(
        "/me/visits/", json.dumps(payload(visiting.enterprise, summary="路" * 5001)), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"summary": "不能超过 5000 个字符"}
