"""The lifecycle through /api/v1/cases/…: versions, 409 on stale, 404 out of scope."""

import pytest

from zoufang.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def _post(client, headers, case_id, action, body, **extra):
    return client.post(f"/api/v1/cases/{case_id}/{action}", body, content_type="application/json",
                       **headers, **extra)


@pytest.fixture
def auth(api_token, cases_town):
    return {name: api_token(name) for name in ("office", "handler", "leader", "outsider", "water", "village")}


def _step(client, headers, case_id, action, body, version):
    response = _post(client, headers, case_id, action, {**body, "version": version})
    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{version + 1}"'
    return response.json()


def test_it_runs_dispatch_resolve_reply_satisfied_close(client, auth, make_case):
    case = make_case()
    cid = case.public_id
    data = _step(client, auth["office"], cid, "register", {"category": "1.1"}, 1)
    assert data["status"] == "registered"
    unit = str(Case.objects.get(pk=case.pk).campaign.scope.units.get(name="派出所").public_id)
    data = _step(client, auth["office"], cid, "dispatch", {"unit": unit}, 2)
    assert data["handling_due"] == "2017-06-29"
    assert "accept" not in data["allowed_actions"]
    data = _step(client, auth["handler"], cid, "accept", {}, 3)
    assert set(data["allowed_actions"]) >= {"resolve", "return", "escalate", "explain", "request_extension"}
    _step(client, auth["handler"], cid, "resolve", {"result": "已修复"}, 4)
    _step(client, auth["handler"], cid, "reply", {"channel": "phone", "content": "已修复"}, 5)
    _step(client, auth["office"], cid, "callback", {"satisfaction": "satisfied"}, 6)
    data = _step(client, auth["office"], cid, "close", {}, 7)
    assert data["status"] == "closed"
    detail = client.get(f"/api/v1/cases/{cid}", **auth["office"]).json()
    assert [h["action"] for h in detail["history"]] == [
        "draft", "register", "dispatch", "accept", "resolve", "reply", "callback", "close"]


def test_it_answers_409_on_a_stale_version_and_changes_nothing(client, auth, make_case):
    case = make_case()
    _step(client, auth["office"], case.public_id, "register", {"category": "1.1"}, 1)
    response = _post(client, auth["office"], case.public_id, "register", {"category": "1.1"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert response.json()["version"] == 2
    actor = CaseEvent.objects.filter(case=case).latest("version").actor
    # Who moved it, what they did and where it stands: not only that "someone" did.
    detail = response.json()["detail"]
    assert f"已由{actor.get_full_name() or '锦溪镇走访办'}于" in detail  # by role if nameless
    assert "登记，现为“待交办”（版本 2），您的操作未执行" in detail
    # An API client re-reads the case (GET, or the version given here) before it sends again: no page to refresh.
    assert detail.endswith("您的操作未执行；请重新读取该件，核对后按当前版本 2 再提交。")
    case.refresh_from_db()
    assert case.version == 2
    assert CaseEvent.objects.filter(case=case).count() == 2


def test_it_takes_the_version_from_if_match(client, auth, make_case):
    case = make_case()
    response = _post(client, auth["office"], case.public_id, "register", {"category": "1.1"}, HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("header", ["\xb2", "9" * 5000, "2147483648", "-1", "1.0"])
def test_it_refuses_an_if_match_that_is_no_version_with_a_400(client, auth, make_case, header):
    """A superscript digit passed str.isdigit and a 5000-digit one int(): both were server errors."""
    case = make_case()
    response = _post(client, auth["office"], case.public_id, "register", {"category": "1.1"}, HTTP_IF_MATCH=header)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert "If-Match" in response.json()["errors"]
    case.refresh_from_db()
    assert case.version == 1


def test_it_refuses_a_body_version_past_the_column_with_a_400(client, auth, make_case):
    case = make_case()
    response = _post(client, auth["office"], case.public_id, "register", {"category": "1.1", "version": 2**63})
    assert response.status_code == 400
    assert response.json()["errors"] == {"version": "不能大于 2147483647"}


def test_it_escalates_and_the_leader_signs_through_the_api(client, auth, make_case, cases_town):
    town = cases_town
    case = make_case()
    cid = case.public_id
    _step(client, auth["office"], cid, "register", {"category": "1.1"}, 1)
    _step(client, auth["office"], cid, "dispatch", {"unit": str(town.police.public_id)}, 2)
    _step(client, auth["handler"], cid, "accept", {}, 3)
    data = _step(client, auth["handler"], cid, "escalate", {
        "route": "upper_office", "leader": str(town.wangwen.public_id), "reason": "涉及市级条线"}, 4)
    assert data["status"] == "signoff"
    assert data["paused"] is True
    data = _step(client, auth["leader"], cid, "sign", {"note": "同意"}, 5)
    assert data["status"] == "escalated"
    assert data["escalation_route"] == "upper_office"


def test_it_returns_and_redispatches_extends_and_reopens(client, auth, make_case, cases_town):
    town = cases_town
    case = make_case()
    cid = case.public_id
    _step(client, auth["office"], cid, "register", {"category": "1.1"}, 1)
    _step(client, auth["office"], cid, "dispatch", {"unit": str(town.police.public_id)}, 2)
    _step(client, auth["handler"], cid, "return", {"reason": "不属本部门职责"}, 3)
    data = _step(client, auth["office"], cid, "dispatch", {"unit": str(town.waterworks.public_id)}, 4)
    assert data["unit"] == "水务站"
    _step(client, auth["water"], cid, "accept", {}, 5)
    data = _step(client, auth["water"], cid, "extension", {"days": 3, "reason": "管网需招标"}, 6)
    assert data["paused"] is True
    data = _step(client, auth["office"], cid, "extension/approve", {}, 7)
    assert data["paused"] is False
    _step(client, auth["water"], cid, "resolve", {"result": "已改造"}, 8)
    _step(client, auth["office"], cid, "reply", {"channel": "in_person", "content": "已改造"}, 9)
    _step(client, auth["office"], cid, "callback", {"satisfaction": "unsatisfied", "note": "水压仍低"}, 10)
    data = _step(client, auth["office"], cid, "reopen", {"reason": "群众不满意，重办"}, 11)
    assert data["status"] == "dispatched"
    assert data["unit"] == "水务站"


def test_it_merges_a_duplicate_through_the_api(client, auth, make_case):
    master, duplicate = make_case(), make_case("东边的路灯又不亮了")
    data = _step(client, auth["office"], duplicate.public_id, "merge", {"master": str(master.public_id)}, 1)
    assert data["status"] == "merged"
    assert data["merged_into"] == str(master.public_id)


def test_it_refuses_a_merge_into_an_unknown_case_with_a_400_not_the_cases_404(client, auth, make_case):
    """The case in the path exists; a 404 said it did not (schemathesis: created resource not found)."""
    case = make_case()
    response = _post(client, auth["office"], case.public_id, "merge",
                     {"master": "00000000-0000-0000-0000-000000000000", "version": 1})
    assert response.status_code == 400
    assert "要合并到的问题不存在" in response.json()["detail"]
    case.refresh_from_db()
    assert case.version == 1


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("water", 404), ("village", 403)])
def test_it_hides_or_refuses_a_case_by_role(client, auth, make_case, persona, status):
    case = make_case()
    response = _post(client, auth[persona], case.public_id, "register", {"category": "1.1", "version": 1})
    assert response.status_code == status
    case.refresh_from_db()
    assert case.status == "draft"


def test_it_masks_the_raiser_for_the_village_but_not_the_office(client, auth, make_case):
    case = make_case()
    office = client.get(f"/api/v1/cases/{case.public_id}", **auth["office"]).json()
    assert office["raiser"]["name"] == case.target.name
    leader = client.get(f"/api/v1/cases/{case.public_id}", **auth["leader"]).json()
    assert leader["raiser"]["name"] != case.target.name
    assert leader["raiser"]["name"].startswith(case.target.name[0])


def test_it_masks_numbers_typed_into_the_description_for_those_who_see_the_raiser_masked(client, auth, make_case):
    case = make_case("邻居家漏水，请联系我13868841290")
    office = client.get(f"/api/v1/cases/{case.public_id}", **auth["office"]).json()
    assert office["description"] == "邻居家漏水，请联系我13868841290"
    leader = client.get(f"/api/v1/cases/{case.public_id}", **auth["leader"]).json()
    assert leader["description"] == "邻居家漏水，请联系我138****1290"


def test_it_lists_only_visible_cases(client, auth, make_case, cases_town):
    make_case()
    assert client.get("/api/v1/cases/", **auth["office"]).json()["count"] == 1
    assert client.get("/api/v1/cases/", **auth["handler"]).json()["count"] == 0
    assert client.get("/api/v1/cases/", **auth["outsider"]).json()["count"] == 0


def test_it_receives_a_hotline_case_from_the_office(client, auth, cases_town):
    body = {"campaign": "jinxi-test", "kind": "problem", "description": "桥头路灯不亮", "category": "1.1",
            "region": str(cases_town.jijiadun.public_id), "raiser_name": "张三", "raiser_phone": "13800001111"}
    response = client.post("/api/v1/cases/", body, content_type="application/json", **auth["office"])
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft"
    assert response.json()["raiser"]["name"] == "张三"
    refused = client.post("/api/v1/cases/", body, content_type="application/json", **auth["handler"])
    assert refused.status_code == 403


def test_it_requires_a_version(client, auth, make_case):
    case = make_case()
    response = _post(client, auth["office"], case.public_id, "register", {"category": "1.1"})
    assert response.status_code == 428
    assert response.json()["code"] == "version_required"
    case.refresh_from_db()
    assert case.status == "draft"


@pytest.mark.parametrize(("persona", "full_name", "audited"), [
    ("office", True, True), ("village", True, True), ("leader", False, False)])
def test_it_names_the_raiser_by_role_and_audits_full_reads(client, auth, make_case, persona, full_name, audited):
    from zoufang.accounts.models import AuditEvent

    case = make_case()
    data = client.get(f"/api/v1/cases/{case.public_id}", **auth[persona]).json()
    assert (data["raiser"]["name"] == case.target.name) is full_name
    reads = AuditEvent.objects.filter(action="read", object_id=str(case.public_id)).count()
    assert bool(reads) is audited
