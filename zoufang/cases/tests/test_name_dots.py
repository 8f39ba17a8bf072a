"""A minority name written with another dot, typed into a form or sent to the API, is stored with the standard's
·, and a search written with any dot finds it (decision 0069)."""

import pytest

from zoufang.cases.models import Case
from zoufang.registry.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(api_token, cases_town):
    return api_token("office")


def test_a_callers_name_sent_to_the_api_takes_the_standard_dot(client, office, cases_town):
    body = {"campaign": "jinxi-test", "kind": "problem", "description": "桥头路灯不亮", "category": "1.1",
            "region": str(cases_town.jijiadun.public_id), "raiser_name": "阿卜杜•热合曼", "raiser_phone": "13800001111"}
    response = client.post("/api/v1/cases/", body, content_type="application/json", **office)
    assert response.status_code == 201, response.content
    assert response.json()["raiser"]["name"] == "阿卜杜·热合曼"
    assert Case.objects.get().raiser_name == "阿卜杜·热合曼"


def test_a_search_with_any_dot_finds_the_name_in_a_case_and_in_the_registry(client, office, cases_town, make_case):
    make_case("阿卜杜・热合曼反映：桥头路灯不亮")  # a description keeps the dot its writer typed
    make_case("上下塘社区东侧路灯损坏")
    for written in ("阿卜杜·热合曼", "阿卜杜•热合曼", "阿卜杜.热合曼"):
        found = client.get("/api/v1/cases/", {"q": written}, **office).json()
        assert found["count"] == 1, written
    household = cases_town.households["shangxiatang"][0]
    Target.objects.filter(pk=household.pk).update(name="阿卜杜·热合曼")
    for written in ("阿卜杜•热合曼", "卜杜‧热合"):
        found = client.get("/api/v1/targets", {"q": written}, **office).json()
        assert [t["id"] for t in found["items"]] == [str(household.public_id)], written
    assert client.get("/api/v1/targets", {"q": "阿卜杜热合曼"}, **office).json()["items"] == []
