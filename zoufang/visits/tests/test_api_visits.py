"""POST /api/v1/visits and GET /api/v1/me/targets: idempotent, validated in Chinese, scoped."""

import datetime as dt
from typing import Any

import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.cases.models import Case
from zoufang.forms.models import FormAnswer
from zoufang.visits.models import Visit
from zoufang.visits.tests.conftest import household_answers, payload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned_today(settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"


def _post(client: Any, headers: dict[str, str], data: dict[str, Any]) -> Any:
    return client.post("/api/v1/visits", data, content_type="application/json", **headers)


def test_it_lists_the_callers_assigned_targets(client, visiting, api_token):
    response = client.get("/api/v1/me/targets", **api_token("dept"))
    assert response.status_code == 200
    rows = response.json()["items"]
    assert {row["id"] for row in rows} == {str(t.public_id) for t in
                                           [*visiting.households["shangxiatang"][:2], visiting.enterprise]}
    assert all(row["campaign"] == "jinxi-test" and row["visits"] == 0 for row in rows)
    # A visitor sees the phone of an assigned household (to arrange the visit) but not the full ID number.
    household = next(r for r in rows if r["kind"] == "registered_household")
    assert "*" in household["id_number"]
    assert "*" not in household["phone"]


def test_it_creates_a_visit_with_answers_and_a_case_draft(client, visiting, api_token):
    data = payload(visiting.enterprise)
    response = _post(client, api_token("dept"), data)
    assert response.status_code == 201, response.content
    body = response.json()
    visit = Visit.objects.get(client_uuid=data["client_uuid"])
    assert body["id"] == str(visit.public_id)
    assert visit.cadre == visiting.users["dept"].cadre
    assert visit.campaign == visiting.campaign
    assert visit.registration_due == dt.date(2017, 6, 16)  # Wednesday + 2 working days
    assert not visit.recorded_late
    answer = FormAnswer.objects.get(visit=visit, form__key="enterprise_survey")
    assert answer.data["difficulties"] == ["land", "talent"]
    assert answer.form_version.number == 1
    case = Case.objects.get(source_visit=visit)
    assert (case.status, case.kind, case.category.code) == ("draft", "problem", "2.5")
    assert case.target == visiting.enterprise
    assert case.registration_due == dt.date(2017, 6, 16)
    assert body["cases"][0]["registration_due"] == "2017-06-16"
    assert AuditEvent.objects.filter(object_id=str(visit.public_id), action="create").exists()


def test_it_answers_an_identical_retry_with_the_same_visit(client, visiting, api_token):
    headers = api_token("dept")
    data = payload(visiting.enterprise)
    first = _post(client, headers, data)
    again = _post(client, headers, data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Visit.objects.count() == 1
    assert Case.objects.count() == 1


def test_it_answers_409_when_the_uuid_comes_back_with_other_content(client, visiting, api_token):
    headers = api_token("dept")
    data = payload(visiting.enterprise)
    first = _post(client, headers, data)
    response = _post(client, headers, {**data, "summary": "另一次走访"})
    assert response.status_code == 409
    assert response.json()["visit_id"] == first.json()["id"]
    assert Visit.objects.get().summary == "了解企业生产经营情况"


def test_it_refuses_a_target_not_assigned_to_the_cadre(client, visiting, api_token):
    other = visiting.households["jijiadun"][0]
    response = _post(client, api_token("dept"), payload(other, answers={}, opinions=[]))
    assert response.status_code == 400
    assert response.json()["errors"]["target_id"] == "走访对象：不存在或未分配给你，本活动不允许走访未分配的对象"
    assert not Visit.objects.exists()


def test_it_refuses_a_visible_target_not_assigned_unless_the_campaign_allows_it(client, visiting, api_token):
    # The village cadre sees every household of 上下塘社区 but is assigned none of them.
    household = visiting.households["shangxiatang"][2]
    headers = api_token("village")
    response = _post(client, headers, payload(household, answers={}, opinions=[]))
    assert response.status_code == 400
    assert "未分配给你，本活动不允许走访未分配的对象" in response.json()["errors"]["target_id"]
    visiting.campaign.config = {**visiting.campaign.config, "visits": {"allow_unassigned": True}}
    visiting.campaign.save()
    response = _post(client, headers, payload(household, answers=household_answers(), opinions=[],
                                              campaign="jinxi-test"))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(("visited_at", "message"), [
    ("2017-06-16T09:00:00+08:00", "走访时间：不能晚于现在"),
    ("2016-12-31T09:00:00+08:00", "走访时间：不能早于活动开始日期 2017年1月1日"),
])
def test_it_refuses_a_visit_dated_in_the_future_or_before_the_campaign(client, visiting, api_token, visited_at,
                                                                        message):
    response = _post(client, api_token("dept"), payload(visiting.enterprise, visited_at=visited_at))
    assert response.status_code == 400
    assert response.json()["errors"]["visited_at"] == message


def test_it_refuses_an_answer_outside_the_choices_and_a_missing_required_one(client, visiting, api_token):
    answers = {"enterprise_survey": {"operation_state": "booming", "service_awareness": "satisfied",
                                     "service_efficiency": "fair"}}
    response = _post(client, api_token("dept"), payload(visiting.enterprise, answers=answers))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["answers.enterprise_survey.operation_state"].startswith(
        "企业走访调查表·一、生产经营情况·当前生产经营状况：“booming”不在选项中（可选：good（良好）")
    assert errors["answers.enterprise_survey.integrity"] == "企业走访调查表·三、对党委政府服务的评价·廉洁履职：必填"


def test_it_refuses_a_mode_the_campaign_does_not_allow(client, visiting, api_token):
    household = visiting.households["shangxiatang"][0]
    response = _post(client, api_token("dept"), payload(household, mode="phone", answers={}, opinions=[]))
    assert response.status_code == 400
    assert response.json()["errors"]["mode"] == f"走访方式：对户籍户“{household.name}”只能采用入户走访"


def test_it_refuses_an_opinion_without_text_or_with_an_unknown_category(client, visiting, api_token):
    opinions = [{"kind": "problem", "category": "9.9", "description": " "}]
    response = _post(client, api_token("dept"), payload(visiting.enterprise, opinions=opinions))
    errors = response.json()["errors"]
    assert errors["opinions.1.description"] == "问题意见第 1 条·内容：必填"
    assert errors["opinions.1.category"] == "问题意见第 1 条·类别：本活动没有编号为 9.9 的类别"


def test_it_refuses_a_user_without_a_cadre(client, visiting, api_token):
    """Before the body is read (decision 0044): a body missing every field is refused alike."""
    for body in (payload(visiting.enterprise), {}):
        response = _post(client, api_token("office"), body)
        assert response.status_code == 403
        assert response.json()["detail"] == "当前账号未关联走访干部，不能登记走访记录"
    assert not Visit.objects.exists()


def test_it_flags_opinions_recorded_after_the_registration_deadline(client, visiting, api_token):
    response = _post(client, api_token("dept"), payload(visiting.enterprise, visited_at="2017-06-09T10:00:00+08:00"))
    visit = Visit.objects.get(public_id=response.json()["id"])
    assert visit.registration_due == dt.date(2017, 6, 13)
    assert visit.recorded_late


def test_it_hides_a_visit_from_an_outsider(client, visiting, api_token):
    created = _post(client, api_token("dept"), payload(visiting.enterprise)).json()
    assert client.get(f"/api/v1/visits/{created['id']}", **api_token("outsider")).status_code == 404
    office = client.get(f"/api/v1/visits/{created['id']}", **api_token("office"))
    assert office.status_code == 200
    assert office.json()["answers"]["six_ones_form"]["aspects"] == ["innovation"]


def test_it_requires_the_campaigns_questionnaire_for_the_target_kind(client, visiting, api_token):
    household = visiting.households["shangxiatang"][0]
    response = _post(client, api_token("dept"), payload(household, answers={"six_ones_form": {}}, opinions=[]))
    errors = response.json()["errors"]
    assert errors["answers.household_survey"] == "调查表：须填写《群众入户调查表》"
    assert errors["answers.six_ones_form.aspects"] == "“六个一”基层走访调研问题、意见采集表·本次走访涉及的方面（可多选）：必填"


def test_it_leaves_a_once_per_village_questionnaire_to_the_cadre(client, visiting, api_token):
    config = dict(visiting.campaign.config)
    config["questionnaires"] = [*config["questionnaires"], {
        "key": "village_survey", "name": "村（社区）调查表", "target_kinds": ["registered_household"],
        "one_per": "village"}]
    visiting.campaign.config = config
    visiting.campaign.save()
    household = visiting.households["shangxiatang"][0]
    headers = api_token("dept")
    assert _post(client, headers, payload(household, answers=household_answers(), opinions=[])).status_code == 201
    with_village = {**household_answers(), "village_survey": {"income_trend": "up"}}
    response = _post(client, headers, payload(visiting.households["shangxiatang"][1], answers=with_village,
                                              opinions=[]))
    assert response.status_code == 201, response.content
    assert response.json()["answers"]["village_survey"] == {"income_trend": "up"}
