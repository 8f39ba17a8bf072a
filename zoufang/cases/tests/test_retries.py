"""A hotline call received twice — a double click, the back button, a client's retry — is one case; a form
changed and sent again under the same key is refused with what was typed kept, never swallowed."""

import re

import pytest

from zoufang.cases.models import Case

pytestmark = pytest.mark.django_db

CALL = {"kind": "problem", "source": "hotline", "description": "计家墩村桥头路灯不亮", "raiser_name": "张三",
        "raiser_phone": "13800001111"}


def _form_key(page: str) -> str:
    return re.search(r'name="key" value="([0-9a-f-]{36})"', page).group(1)


def test_it_receives_a_call_sent_twice_from_one_form_once(client, cases_town):
    client.force_login(cases_town.users["office"])
    key = _form_key(client.get("/cases/new/").content.decode())
    body = {**CALL, "campaign": cases_town.campaign.pk, "region": cases_town.jijiadun.pk, "key": key}
    first = client.post("/cases/new/", body)
    again = client.post("/cases/new/", body)  # the double click, or the back button and 受理 again
    case = Case.objects.get(description=CALL["description"])
    assert first["Location"] == again["Location"] == f"/cases/{case.public_id}/"
    assert "未重复登记" in client.get(again["Location"]).content.decode()


def test_it_keeps_a_changed_form_sent_under_the_same_key_and_asks(client, cases_town):
    client.force_login(cases_town.users["office"])
    key = _form_key(client.get("/cases/new/").content.decode())
    body = {**CALL, "campaign": cases_town.campaign.pk, "region": cases_town.jijiadun.pk, "key": key}
    client.post("/cases/new/", body)
    changed = client.post("/cases/new/", {**body, "description": "计家墩村河道有垃圾"})  # back, edited, sent
    page = changed.content.decode()
    assert changed.status_code == 200
    assert "内容与本次不同" in page
    assert "计家墩村河道有垃圾" in page
    assert Case.objects.count() == 1
    resent = client.post("/cases/new/", {**body, "description": "计家墩村河道有垃圾", "key": _form_key(page)})
    assert resent.status_code == 302
    assert sorted(Case.objects.values_list("description", flat=True)) == ["计家墩村桥头路灯不亮", "计家墩村河道有垃圾"]


def test_it_answers_an_api_retry_with_the_case_already_received(client, api_token, cases_town):
    headers = api_token("office")
    body = {**CALL, "campaign": "jinxi-test", "key": "6f1c2d1e-0a6b-4c55-9d61-3b3f0c1d2e4f"}
    body.pop("source")
    first = client.post("/api/v1/cases/", body, content_type="application/json", **headers)
    again = client.post("/api/v1/cases/", body, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    other = client.post("/api/v1/cases/", {**body, "description": "另一个来电"}, content_type="application/json",
                        **headers)
    assert other.status_code == 409
    assert Case.objects.count() == 1
