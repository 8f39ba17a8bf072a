"""Requests an attacker would send to the API as a signed-in cadre: another cadre's idempotency key, fields the
schema does not take, numbers no phone reports."""

import json
from typing import Any

import pytest

from zoufang.planning.models import Assignment
from zoufang.visits.models import Visit
from zoufang.visits.tests.conftest import household_answers, make_visiting, payload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned_today(settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"


@pytest.fixture
def visiting(town: Any) -> Any:
    """The visits tests' town: `dept` assigned two households and the enterprise; `village` one household."""
    made = make_visiting(town)
    Assignment.objects.create(campaign=made.campaign, target=made.households["shangxiatang"][2], unit=made.police,
                              cadre=made.users["village"].cadre)
    return made


def _post(client: Any, headers: dict[str, str], data: dict[str, Any]) -> Any:
    return client.post("/api/v1/visits", data, content_type="application/json", **headers)


def _dept_visit(client: Any, visiting: Any, api_token: Any) -> tuple[dict[str, Any], Visit]:
    data = payload(visiting.enterprise)
    assert _post(client, api_token("dept"), data).status_code == 201
    return data, Visit.objects.get(client_uuid=data["client_uuid"])


def _village_payload(visiting: Any, client_uuid: str) -> dict[str, Any]:
    return payload(visiting.households["shangxiatang"][2], client_uuid=client_uuid, answers=household_answers(),
                   opinions=[])


def test_it_refuses_another_cadres_client_uuid_without_naming_that_visit(client, visiting, api_token):
    data, visit = _dept_visit(client, visiting, api_token)
    response = _post(client, api_token("village"), _village_payload(visiting, data["client_uuid"]))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["errors"] == {"client_uuid": "客户端编号：已被使用，请重新生成后再提交"}
    assert str(visit.public_id) not in response.content.decode()
    assert Visit.objects.filter(cadre=visiting.users["village"].cadre).count() == 0


def test_the_visit_page_refuses_another_cadres_client_uuid_the_same_way(client, login, visiting, api_token):
    data, visit = _dept_visit(client, visiting, api_token)
    response = login(visiting.users["village"]).post(
        "/me/visits/", json.dumps(_village_payload(visiting, data["client_uuid"])), content_type="application/json")
    assert response.status_code == 400, response.content
    assert "client_uuid" in response.json()["errors"]
    assert str(visit.public_id) not in response.content.decode()


def test_the_same_cadre_retrying_still_gets_the_stored_visit_or_its_conflict(client, visiting, api_token):
    data, visit = _dept_visit(client, visiting, api_token)
    headers = api_token("dept")
    assert _post(client, headers, data).json()["id"] == str(visit.public_id)
    changed = _post(client, headers, {**data, "summary": "另一段摘要"})
    assert (changed.status_code, changed.json()["visit_id"]) == (409, str(visit.public_id))


def test_fields_the_schema_does_not_take_change_nothing(client, visiting, api_token):
    """Mass assignment: the visit's own bookkeeping sent in the body is ignored, not stored."""
    data = payload(visiting.enterprise, cadre=visiting.users["village"].cadre.pk, created_by=1,
                   recorded_late=True, registration_due="2030-01-01", content_hash="0" * 64, id=1)
    assert _post(client, api_token("dept"), data).status_code == 201
    visit = Visit.objects.get(client_uuid=data["client_uuid"])
    assert visit.cadre == visiting.users["dept"].cadre
    assert visit.created_by == visiting.users["dept"]
    assert not visit.recorded_late
    assert str(visit.registration_due) == "2017-06-16"
    assert visit.content_hash != "0" * 64


@pytest.mark.parametrize("number", ["1e400", "NaN", "-Infinity", "123456789012345678901234567890"])
def test_a_position_no_earth_has_is_refused_in_chinese(client, visiting, api_token, number):
    body = json.dumps(payload(visiting.enterprise)).replace('"mode"', f'"latitude": {number}, "longitude": 1, "mode"')
    response = client.post("/api/v1/visits", body, content_type="application/json", **api_token("dept"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"location": "位置：经纬度超出范围"}
    assert not Visit.objects.exists()
