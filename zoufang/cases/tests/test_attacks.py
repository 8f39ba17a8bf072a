"""Requests an attacker would send: a case of one town handed to another town's department or leader."""

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.cases import actions
from zoufang.cases.models import Case
from zoufang.conftest import PASSWORD
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.tests.factories import CadreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def menghe(cases_town):
    """孟河镇 beside 锦溪镇: its 派出所 with a handler, and a town leader with an account."""
    county = Region.objects.create(name="新北区", level=Region.Level.COUNTY, parent=cases_town.town.parent.parent)
    town = Region.objects.create(name="孟河镇", level=Region.Level.TOWN, parent=county)
    police = Unit.objects.create(name="孟河派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=town)
    leadership = Unit.objects.create(name="孟河镇党政班子", kind=Unit.Kind.TOWN_LEADERSHIP, region=town)
    leader = CadreFactory(name="孟河领导", unit=leadership, role=Cadre.Role.TOWN_LEADER, phone="13912349001")
    ensure_user("menghe_leader", PASSWORD, role=RoleGrant.Role.LEADER, region=town, cadre=leader)
    handler = ensure_user("menghe_handler", PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=police, region=town)
    women = Unit.objects.create(name="市妇联", kind=Unit.Kind.OUTSIDE_BODY)  # regionless: serves every town
    return {"police": police, "leader": leader, "handler": handler, "women": women}


@pytest.fixture
def registered(cases_town, make_case):
    case = make_case("上下塘社区张建国反映路灯坏了，电话13812340001")
    return actions.register_case(case, by=cases_town.users["office"], version=case.version,
                                 category=cases_town.category)


@pytest.fixture
def escalating(cases_town, registered):
    """The case on 派出所's desk, accepted: the unit may ask a leader to sign an escalation."""
    town = cases_town
    case = actions.dispatch_case(registered, town.police, by=town.users["office"], version=registered.version)
    return actions.accept_case(case, by=town.users["handler"], version=case.version)


def _post(client, headers, case, action, body):
    return client.post(f"/api/v1/cases/{case.public_id}/{action}", {**body, "version": case.version},
                       content_type="application/json", **headers)


def test_the_api_refuses_to_dispatch_a_case_to_another_towns_department(client, api_token, registered, menghe):
    office = api_token("office")
    for body in ({"unit": str(menghe["police"].public_id)},
                 {"unit": str(registered.campaign.scope.units.get(name="派出所").public_id),
                  "co_handlers": [str(menghe["police"].public_id)]}):
        response = _post(client, office, registered, "dispatch", body)
        assert response.status_code == 400, response.content
        assert "孟河派出所" in response.json()["detail"]
        assert "不在本活动的范围内" in response.json()["detail"]
    case = Case.objects.get(pk=registered.pk)
    assert (case.status, case.unit_id, list(case.co_handlers.all())) == (Case.Status.REGISTERED, None, [])
    client.force_login(menghe["handler"])
    assert client.get(f"/cases/{registered.public_id}/").status_code == 404


def test_the_api_still_dispatches_to_a_regionless_outside_body(client, api_token, registered, menghe):
    response = _post(client, api_token("office"), registered, "dispatch", {"unit": str(menghe["women"].public_id)})
    assert response.status_code == 200, response.content
    assert Case.objects.get(pk=registered.pk).unit == menghe["women"]


def test_the_page_neither_offers_nor_takes_another_towns_department(client, cases_town, registered, menghe):
    client.force_login(cases_town.users["office"])
    page = client.get(f"/cases/{registered.public_id}/").content.decode()
    assert "派出所" in page
    assert "市妇联" in page
    assert "孟河派出所" not in page
    response = client.post(f"/cases/{registered.public_id}/dispatch/", {
        "dispatch-version": registered.version, "dispatch-unit": menghe["police"].pk, "dispatch-priority": "normal"},
        follow=True)
    assert "未能交办" in response.content.decode()
    assert Case.objects.get(pk=registered.pk).status == Case.Status.REGISTERED


def test_another_towns_callback_company_is_out_of_the_campaign_not_named_a_callback_company(
        client, api_token, cases_town, registered, menghe):
    """callback_companies() read every town's third parties: dispatching to 孟河镇's own one answered that it calls
    residents back (whom another town hires is not this office's to learn); it is out of the campaign, as every
    unit of 孟河镇 is. The town's own and a regionless company are still refused as callback companies."""
    from zoufang.cases.access import callback_companies

    menghe_town = menghe["police"].region
    theirs = Unit.objects.create(name="孟河民意调查所", kind=Unit.Kind.OUTSIDE_BODY, region=menghe_town)
    ensure_user("menghe_caller", PASSWORD, role=RoleGrant.Role.AUDITOR, region=menghe_town, unit=theirs)
    regionless = Unit.objects.create(name="苏州民意调查有限公司", kind=Unit.Kind.OUTSIDE_BODY)
    ensure_user("minyi", PASSWORD, role=RoleGrant.Role.AUDITOR, region=cases_town.town, unit=regionless)
    response = _post(client, api_token("office"), registered, "dispatch", {"unit": str(theirs.public_id)})
    assert response.status_code == 400, response.content
    assert "不在本活动的范围内" in response.json()["detail"]
    assert "第三方回访" not in response.json()["detail"]
    response = _post(client, api_token("office"), registered, "dispatch", {"unit": str(regionless.public_id)})
    assert response.status_code == 400, response.content
    assert "第三方回访单位" in response.json()["detail"]
    assert Case.objects.get(pk=registered.pk).status == Case.Status.REGISTERED
    assert set(callback_companies(cases_town.town)) == {regionless}
    assert set(callback_companies(menghe_town)) == {theirs, regionless}


def test_the_api_refuses_another_towns_leader_as_the_signer(client, api_token, escalating, menghe):
    response = _post(client, api_token("handler"), escalating, "escalate", {
        "route": Case.Route.UPPER_OFFICE, "leader": str(menghe["leader"].public_id), "reason": "本部门无权处理"})
    assert response.status_code == 400, response.content
    assert "孟河领导" in response.json()["detail"]
    case = Case.objects.get(pk=escalating.pk)
    assert (case.status, case.signoff_leader_id) == (Case.Status.ACCEPTED, None)
    client.force_login(menghe["leader"].user)
    assert client.get(f"/cases/{escalating.public_id}/").status_code == 404


def test_the_escalation_form_offers_this_towns_leaders_only(client, cases_town, escalating, menghe):
    client.force_login(cases_town.users["handler"])
    page = client.get(f"/cases/{escalating.public_id}/").content.decode()
    assert cases_town.wangwen.name in page
    assert "孟河领导" not in page
    response = client.post(f"/cases/{escalating.public_id}/escalate/", {
        "escalate-version": escalating.version, "escalate-route": Case.Route.UPPER_OFFICE,
        "escalate-leader": menghe["leader"].pk, "escalate-reason": "本部门无权处理"}, follow=True)
    assert "未能上报" in response.content.decode()
    assert Case.objects.get(pk=escalating.pk).signoff_leader_id is None


def test_the_api_list_audits_the_raisers_it_shows_in_full(client, api_token, cases_town, make_case):
    """The detail page and API audit a raiser's full phone; a page of the list showed fifty without a trace."""
    from zoufang.accounts.models import AuditEvent

    shown = make_case()  # 张建国, his phone registered in the town
    hotline = make_case("来电反映路灯坏了")
    Case.objects.filter(pk=hotline.pk).update(target=None, raiser_name="周梅", raiser_phone="13868841290")
    reads = AuditEvent.objects.filter(action=AuditEvent.Action.READ)
    before = reads.count()
    response = client.get("/api/v1/cases/", **api_token("office"))
    phones = {item["raiser"]["phone"] for item in response.json()["items"]}
    assert {"13868841290", cases_town.households["shangxiatang"][0].phone} <= phones
    audited = list(reads.order_by("seq"))[before:]
    assert [(e.actor.username, sorted(e.changes["cases"])) for e in audited] == [
        ("office", sorted([str(shown.public_id), str(hotline.public_id)]))]
    # A leader reads the phones masked: nothing to audit.
    client.get("/api/v1/cases/", **api_token("leader"))
    assert reads.count() == before + 1


def test_the_callback_company_is_neither_offered_nor_taken_as_a_handler(client, api_token, cases_town, registered):
    """第三方回访 checks how a case was handled: the company that calls back never handles one (h4 saw 苏州民意调查
    有限公司 among the units to dispatch to)."""
    company = Unit.objects.create(name="苏州民意调查有限公司", kind=Unit.Kind.OUTSIDE_BODY)
    ensure_user("minyi", PASSWORD, role=RoleGrant.Role.AUDITOR, region=cases_town.town, unit=company)
    client.force_login(cases_town.users["office"])
    page = client.get(f"/cases/{registered.public_id}/").content.decode()
    assert "派出所" in page
    assert "苏州民意调查有限公司" not in page
    response = _post(client, api_token("office"), registered, "dispatch", {
        "unit": str(cases_town.police.public_id), "co_handlers": [str(company.public_id)]})
    assert response.status_code == 400, response.content
    assert "第三方回访单位" in response.json()["detail"]
    assert Case.objects.get(pk=registered.pk).status == Case.Status.REGISTERED


def test_the_api_refuses_to_hand_a_case_to_the_town_leadership_as_the_page_never_offers_it(
        client, api_token, cases_town, registered):
    """镇党政班子 signs escalations and supervises; it handles no case. The dispatch form never lists it, and the API,
    which checked only that a unit serves the campaign, took it as 承办单位 or 协办单位."""
    leadership = Unit.objects.get(kind=Unit.Kind.TOWN_LEADERSHIP, region=cases_town.town)
    police = registered.campaign.scope.units.get(name="派出所")
    for body in ({"unit": str(leadership.public_id)},
                 {"unit": str(police.public_id), "co_handlers": [str(leadership.public_id)]}):
        response = _post(client, api_token("office"), registered, "dispatch", body)
        assert response.status_code == 400, response.content
        assert "镇党政班子" in response.json()["detail"]
        assert "不承办问题" in response.json()["detail"]
    case = Case.objects.get(pk=registered.pk)
    assert (case.status, case.unit_id, list(case.co_handlers.all())) == (Case.Status.REGISTERED, None, [])
    client.force_login(cases_town.users["office"])
    page = client.get(f"/cases/{registered.public_id}/").content.decode()
    assert f'value="{leadership.pk}"' not in page
