"""A hotline platform reads and hands in cases through Open311 GeoReport v2; no raiser data leaves."""

import json
import urllib.request
from xml.etree import ElementTree as ET  # noqa: S405 — parses our own server's answers

import pytest

from zoufang.cases import actions
from zoufang.cases.models import Case, Open311Key

pytestmark = pytest.mark.django_db


def _dispatched(town, case):
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    return actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)


def test_it_lists_the_campaigns_categories_as_services(client, cases_town):
    response = client.get("/open311/v2/services.json", {"jurisdiction_id": "jinxi-test"})
    assert response.status_code == 200
    codes = [s["service_code"] for s in response.json()]
    assert codes == ["1", "1.1"]
    assert response.json()[1]["group"] == "在收集社情民意方面"
    xml = ET.fromstring(client.get("/open311/v2/services.xml").content)  # noqa: S314
    assert [s.findtext("service_code") for s in xml.findall("service")] == ["1", "1.1"]
    assert client.get("/open311/v2/services/1.1.json").json()["service_code"] == "1.1"
    assert client.get("/open311/v2/services/9.json").status_code == 404


def test_it_lists_requests_without_the_raisers_personal_data(client, cases_town, make_case):
    case = _dispatched(cases_town, make_case())
    make_case("尚未登记的意见")  # a draft is not public yet
    rows = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in rows] == [str(case.public_id)]
    row = rows[0]
    assert row["status"] == "open"
    assert row["agency_responsible"] == "派出所"
    assert row["address"] == case.region.name
    text = json.dumps(rows, ensure_ascii=False)
    assert case.target.name not in text
    assert case.target.phone not in text
    assert client.get("/open311/v2/requests.json", {"status": "closed"}).json() == []
    assert client.get("/open311/v2/requests.json", {"service_code": "1"}).json()[0]["service_code"] == "1.1"
    assert client.get("/open311/v2/requests.json", {"start_date": "2017-06-14T00:00:00+08:00"}).json() == []
    one = client.get(f"/open311/v2/requests/{case.public_id}.xml")
    assert ET.fromstring(one.content).find("request").findtext("status") == "open"  # noqa: S314


def test_it_masks_numbers_the_raiser_typed_into_the_description(client, cases_town, make_case):
    typed = "路灯坏了，我是周梅，身份证320583198102155476，手机13868841290，家里电话0512-57223456，门牌12号"
    _dispatched(cases_town, make_case(typed))
    row = client.get("/open311/v2/requests.json").json()[0]
    assert row["description"] == ("路灯坏了，我是周梅，身份证320583********5476，手机138****1290，"
                                  "家里电话051******3456，门牌12号")
    assert Case.objects.get().description == typed  # the office still has what was said


def test_it_takes_a_hotline_case_in_with_an_api_key(client, cases_town):
    _key, secret = Open311Key.issue("12345热线平台", cases_town.campaign)
    refused = client.post("/open311/v2/requests.json", {"api_key": "wrong", "service_code": "1.1",
                                                         "description": "路灯坏了"})
    assert refused.status_code == 403
    response = client.post("/open311/v2/requests.json", {
        "api_key": secret, "service_code": "1.1", "description": "计家墩村桥头路灯不亮",
        "first_name": "三", "last_name": "张", "phone": "13800001111"})
    assert response.status_code == 201, response.content
    case = Case.objects.get(public_id=response.json()[0]["service_request_id"])
    assert case.source == Case.Source.OPEN311
    assert case.status == Case.Status.DRAFT
    assert case.raiser_name == "张三"
    assert case.registration_due is not None


def test_it_serves_a_third_party_client_over_http(live_server, cases_town, make_case):
    _dispatched(cases_town, make_case())
    with urllib.request.urlopen(f"{live_server.url}/open311/v2/services.json") as response:  # noqa: S310
        assert [s["service_code"] for s in json.load(response)] == ["1", "1.1"]
    with urllib.request.urlopen(f"{live_server.url}/open311/v2/requests.xml?status=open") as response:  # noqa: S310
        assert len(ET.fromstring(response.read()).findall("request")) == 1  # noqa: S314
