"""What a case offers once answered and closed (decision 0049): the office's 回访 is recorded once per round of
handling; a case already called back or closed takes another only as a third party's finding (回访抽查). The page
shows no form its case no longer takes, and a POST of one is refused before its form is read."""

import pytest

from zoufang.cases import actions, answers
from zoufang.cases.models import Case, CaseCallback
from zoufang.cases.transition import NotAllowed

pytestmark = [pytest.mark.django_db, pytest.mark.recorded_templates]  # reads response.context
S = Case.Status


def _called_back(town, case, satisfaction="satisfied"):
    office, handler = town.users["office"], town.users["handler"]
    case = actions.register_case(case, by=office, version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=office, version=case.version)
    case = actions.accept_case(case, by=handler, version=case.version)
    case = actions.resolve_case(case, by=handler, version=case.version, result="已更换灯泡")
    case = answers.reply_case(case, by=handler, version=case.version, channel="phone", content="已修好")
    return answers.record_callback(case, by=office, version=case.version, satisfaction=satisfaction)


def _closed(town, case, satisfaction="satisfied"):
    case = _called_back(town, case, satisfaction)
    return answers.close_case(case, by=town.users["office"], version=case.version)


def _forms(client, case):
    page = client.get(f"/cases/{case.public_id}/")
    assert page.status_code == 200
    return page.context["forms"], page.content.decode()


def test_a_closed_case_offers_the_office_no_second_callback(client, cases_town, make_case):
    case = _closed(cases_town, make_case())
    client.force_login(cases_town.users["office"])
    forms, page = _forms(client, case)
    assert [action for action, _label, _form in forms] == []
    assert "callback-satisfaction" not in page
    assert f'action="/cases/{case.public_id}/callback/"' not in page


def test_a_closed_case_the_person_was_not_satisfied_with_offers_only_a_reopen(client, cases_town, make_case):
    case = _closed(cases_town, make_case(), satisfaction="unsatisfied")
    client.force_login(cases_town.users["office"])
    forms, page = _forms(client, case)
    assert [str(action) for action, _label, _form in forms] == ["reopen"]
    assert "callback-satisfaction" not in page


def test_a_called_back_case_offers_closing_not_another_callback(client, cases_town, make_case):
    case = _called_back(cases_town, make_case(), satisfaction="unsatisfied")
    client.force_login(cases_town.users["office"])
    forms, _page = _forms(client, case)
    assert [str(action) for action, _label, _form in forms] == ["close", "reopen"]


@pytest.mark.parametrize("body", [{}, {"callback-satisfaction": "fairly", "callback-note": "再问一次"}])
def test_a_second_callback_posted_on_a_closed_case_is_refused_before_its_form_is_read(client, cases_town, make_case,
                                                                                     body):
    case = _closed(cases_town, make_case())
    client.force_login(cases_town.users["office"])
    sent = {"callback-version": case.version, **body}
    response = client.post(f"/cases/{case.public_id}/callback/", sent)
    assert response.status_code == 200
    page = response.content.decode()
    assert "未能回访：该件已回访（满意），不再重复回访" in page
    assert "请选择" not in page
    assert "这个字段是必填项" not in page
    assert "callback-satisfaction" not in page
    if body:
        assert "再问一次" in page  # what was typed, listed to copy
    assert (Case.objects.get(pk=case.pk).version, CaseCallback.objects.filter(case=case).count()) == (case.version, 1)


def test_a_callback_posted_by_one_who_never_calls_back_is_forbidden(client, cases_town, make_case):
    case = _closed(cases_town, make_case())
    client.force_login(cases_town.users["handler"])
    response = client.post(f"/cases/{case.public_id}/callback/", {})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).version == case.version


def test_the_api_refuses_a_second_callback_and_lists_none(client, cases_town, make_case, api_token):
    case = _closed(cases_town, make_case())
    headers = api_token("office")
    read = client.get(f"/api/v1/cases/{case.public_id}", **headers).json()
    assert read["allowed_actions"] == []
    response = client.post(f"/api/v1/cases/{case.public_id}/callback", {"version": case.version,
                           "satisfaction": "fairly"}, content_type="application/json", **headers)
    assert response.status_code == 409
    assert response.json()["code"] == "not_allowed"
    assert "不再重复回访" in response.json()["detail"]
    assert (Case.objects.get(pk=case.pk).version, CaseCallback.objects.filter(case=case).count()) == (case.version, 1)


def test_only_a_third_party_finding_records_a_callback_on_a_closed_case(cases_town, make_case):
    case = _closed(cases_town, make_case())
    with pytest.raises(NotAllowed):
        answers.record_callback(case, by=cases_town.users["office"], version=case.version, satisfaction="fairly")
    case = answers.record_callback(case, by=cases_town.users["office"], version=case.version,
                                   satisfaction="unsatisfied", note="第三方回访抽查：未得到回复", finding=True)
    assert (case.status, case.satisfaction) == (S.CALLED_BACK, "unsatisfied")
