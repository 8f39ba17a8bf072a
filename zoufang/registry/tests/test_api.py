import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.conftest import second_factor_code


def test_it_issues_a_token_for_good_credentials(town, client):
    # The office sees full numbers: its good credentials include the second factor.
    response = client.post(
        "/api/v1/auth/token",
        {"username": "office", "password": "zoufang-test-password", "otp": second_factor_code(town.users["office"])},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert len(response.json()["token"]) > 30


def test_it_refuses_a_token_for_a_bad_password(town, client):
    response = client.post(
        "/api/v1/auth/token", {"username": "office", "password": "wrong"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert "不正确" in response.json()["detail"]


def test_it_refuses_requests_without_a_token(town, client):
    assert client.get("/api/v1/targets").status_code == 401


def test_it_lists_only_the_village_cadres_targets(town, client, api_token):
    response = client.get("/api/v1/targets", **api_token("village"))
    assert response.status_code == 200
    names = {item["name"] for item in response.json()["items"]}
    assert names == {t.name for t in town.households["shangxiatang"]}
    assert response.json()["count"] == 3


def test_it_filters_targets_by_kind_and_region(town, client, api_token):
    headers = api_token("office")
    response = client.get("/api/v1/targets", {"kind": "enterprise"}, **headers)
    assert [item["name"] for item in response.json()["items"]] == ["锦溪精密机械有限公司"]
    response = client.get("/api/v1/targets", {"region": str(town.jijiadun.public_id)}, **headers)
    assert response.json()["count"] == 3


def test_it_masks_id_numbers_for_the_leader(town, client, api_token):
    target = town.households["shangxiatang"][0]
    item = client.get(f"/api/v1/targets/{target.public_id}", **api_token("leader")).json()
    assert item["id_number"] != target.id_number
    assert "*" in item["id_number"]
    assert "*" in item["phone"]


def test_it_audits_a_full_read(town, client, api_token):
    target = town.households["shangxiatang"][0]
    item = client.get(f"/api/v1/targets/{target.public_id}", **api_token("office")).json()
    assert item["id_number"] == target.id_number
    assert AuditEvent.objects.filter(action="read", object_id=str(target.public_id)).count() == 1


@pytest.mark.parametrize("persona", ["outsider", "village", "auditor"])
def test_it_answers_404_for_a_target_out_of_scope(town, client, api_token, persona):
    target = town.households["jijiadun"][0]
    assert client.get(f"/api/v1/targets/{target.public_id}", **api_token(persona)).status_code == 404


def test_it_answers_400_for_a_malformed_id(town, client, api_token):
    # Bad input is a 400 with a Chinese message (issue 10 item 5), no longer ninja's English 422.
    response = client.get("/api/v1/targets/not-a-uuid", **api_token("office"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"target_id": "不是有效的编号（UUID）"}


def test_it_lists_regions_units_and_cadres_in_scope(town, client, api_token):
    headers = api_token("village")
    regions = {r["name"] for r in client.get("/api/v1/regions", **headers).json()["items"]}
    assert "上下塘社区" in regions
    assert "计家墩村" not in regions
    cadres = {c["name"] for c in client.get("/api/v1/cadres", **headers).json()["items"]}
    assert cadres == {"居委会干部甲"}
    assert client.get("/api/v1/units", **api_token("outsider")).json()["count"] == 0


def test_it_publishes_the_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/targets" in response.json()["paths"]


def test_it_answers_healthz(client, db):
    assert client.get("/healthz").status_code == 200
