"""/open311/v2/ read as a strict GeoReport v2 client or validator reads it (wiki.open311.org/GeoReport_v2).

Each table names the spec's section it checks; every row runs in JSON and in XML. The product's departures from
the spec are in docs/cases.md (Open311) and docs/decisions/0020-open311-conformance.md.
"""

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 — parses our own server's answers

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import Campaign
from zoufang.cases import actions, open311, open311_keys, publication
from zoufang.cases.models import Case, CaseEvent
from zoufang.conftest import PASSWORD

pytestmark = pytest.mark.django_db
FORMATS = ("json", "xml")
CONTENT_TYPE = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# Internationalization and Encoding, Date/time format: W3C, with Z or an ±HH:MM offset (here +08:00, to the second).
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]
LISTS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
         "values": "value", "endpoints": "endpoint", "formats": "format"}


def _from_xml(element: ET.Element) -> Any:
    """The XML answer as its JSON twin would read (Spark convention), with every leaf as text."""
    if element.tag in LISTS:
        return [_from_xml(child) for child in element if child.tag == LISTS[element.tag]]
    if len(element):
        return {child.tag: _from_xml(child) for child in element}
    return element.text


def answer(response: Any, fmt: str) -> Any:
    """The body read strictly: the spec's Content-Type, UTF-8, and for XML its declaration and a parse."""
    assert response["Content-Type"] == CONTENT_TYPE[fmt]
    body = response.content.decode("utf-8")
    if fmt == "json":
        return json.loads(body)
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return _from_xml(ET.fromstring(response.content))  # noqa: S314


@pytest.fixture
def o311(cases_town: Any, make_case: Any) -> Any:
    """A published open case in 上下塘社区 (with its centre and official code), a partner key for the town."""
    town = cases_town
    town.shangxiatang.latitude, town.shangxiatang.longitude = Decimal("31.171234"), Decimal("120.905678")
    town.shangxiatang.code = "320583106001"
    town.shangxiatang.save()
    office = town.users["office"]
    case = make_case()
    case = actions.register_case(case, by=office, version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=office, version=case.version)
    town.published = publication.publish_case(case, by=office, summary="上下塘社区一处路灯损坏，正在维修。")
    security = ensure_user("security", PASSWORD, role=RoleGrant.Role.SECURITY_ADMIN, region=town.town)
    town.secret = open311_keys.add_key(security, name="12345热线", region="锦溪镇").secret
    town.village_secret = open311_keys.add_key(security, name="社区平台", region="上下塘社区").secret
    return town


# ------------------------------------------------------------------ every method's answer, both formats

def _shape(o311: Any) -> list[tuple[str, str, dict[str, str], str, Any]]:
    """(spec section, path without format, query, what the body is, the fields its rows carry)."""
    case = str(o311.published.public_id)
    return [
        ("Service Discovery", "discovery", {}, "discovery", ["changeset", "contact", "key_service", "endpoints"]),
        ("GET Service List", "services", {}, "list", SERVICE_FIELDS),
        ("GET Service List, jurisdiction_id", "services", {"jurisdiction_id": o311.campaign.slug}, "list",
         SERVICE_FIELDS),
        ("GET Service Definition", "services/1.1", {}, "definition", ["service_code", "attributes"]),
        ("GET Service Requests", "requests", {}, "list", REQUEST_FIELDS),
        ("GET Service Requests, partner's api_key", "requests", {"api_key": o311.secret}, "list", REQUEST_FIELDS),
        ("GET Service Request: a list of one", f"requests/{case}", {}, "one", REQUEST_FIELDS),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_answers_every_method_in_the_spec_s_shape(client, o311, fmt):
    for section, path, query, kind, fields in _shape(o311):
        response = client.get(f"/open311/v2/{path}.{fmt}", query)
        assert response.status_code == 200, section
        assert response["Access-Control-Allow-Origin"] == "*", section
        body = answer(response, fmt)
        if kind == "discovery":
            assert list(body) == fields, section
            (endpoint,) = body["endpoints"]
            assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
            assert endpoint["url"] == "http://testserver/open311/v2"
            assert endpoint["type"] in ("production", "test")
            assert endpoint["formats"] == ["text/xml", "application/json"]
            assert W3C.match(body["changeset"])
        elif kind == "definition":
            assert body["service_code"] == "1.1", section
            assert body["attributes"] in ([], None), section  # an empty <attributes/> reads as None
        else:
            assert body, section
            assert all(list(row) == fields for row in body), section
            if kind == "one":
                assert len(body) == 1, section


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_gives_each_service_field_its_spec_value(client, o311, fmt):
    services = answer(client.get(f"/open311/v2/services.{fmt}"), fmt)
    assert [s["service_code"] for s in services] == ["1", "1.1"]
    for service in services:
        assert service["metadata"] in (False, "false")
        assert service["type"] == "realtime"
        assert service["keywords"] in ("", None)  # a comma-separated string, not a list
        assert all(service[name] for name in ("description", "service_name", "group"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_gives_each_request_field_its_spec_value(client, o311, fmt):
    (row,) = answer(client.get(f"/open311/v2/requests.{fmt}"), fmt)
    case = o311.published
    assert row["service_request_id"] == str(case.public_id)
    assert row["status"] == "open"
    assert row["status_notes"] == "待签收"
    assert (row["service_code"], row["service_name"]) == ("1.1", o311.category.title)
    assert row["description"] == "上下塘社区一处路灯损坏，正在维修。"
    assert row["agency_responsible"] == "派出所"
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(row[name]), (name, row[name])
    assert row["requested_datetime"] == "2017-06-13T10:00:00+08:00"
    # The case's group, and the centre of its village: never the raiser's address or household.
    assert row["address"] == case.region.name == "第1居民小组"
    assert row["address_id"] in (case.region.code or None, )
    assert float(row["lat"]) == pytest.approx(31.171234)
    assert float(row["long"]) == pytest.approx(120.905678)
    assert row["zipcode"] is None
    assert row["media_url"] is None


# ------------------------------------------------------------------ Errors: the spec's list, the right HTTP status

def _refusals(o311: Any) -> list[tuple[str, str, str, dict[str, str], int]]:
    """(spec section, method, path with {fmt}, arguments, HTTP status = the error's code)."""
    key = o311.secret
    post = {"api_key": key, "service_code": "1.1", "description": "路灯不亮", "address_string": "计家墩村桥头"}
    other = Campaign.objects.create(slug="other-town", name="他镇走访", scope=o311.town,
                                    starts_on=dt.date(2016, 3, 1), ends_on=dt.date(2016, 9, 30))
    return [
        ("GET Service List: jurisdiction_id not found", "GET", "services.{fmt}", {"jurisdiction_id": "nowhere"}, 404),
        ("GET Service Definition: service_code not found", "GET", "services/9.{fmt}", {}, 404),
        ("GET Service Definition: service_code not found", "GET", "services/abc.{fmt}", {}, 404),
        ("GET Service Request: not found", "GET", f"requests/{Case.objects.get().public_id.hex[:8]}.{{fmt}}", {}, 404),
        ("GET Service Request: not found", "GET", "requests/not-an-id.{fmt}", {}, 404),
        ("GET service_request_id from a token: none issued", "GET", "tokens/123.{fmt}", {}, 404),
        ("Errors: invalid api_key", "GET", "requests.{fmt}", {"api_key": "wrong"}, 403),
        ("Errors: invalid api_key", "GET", "services.{fmt}", {"api_key": "wrong"}, 403),
        ("Errors: api_key for another jurisdiction", "GET", "requests.{fmt}",
         {"api_key": key, "jurisdiction_id": other.slug}, 403),
        ("GET Service Requests: bad start_date", "GET", "requests.{fmt}", {"start_date": "yesterday"}, 400),
        ("GET Service Requests: bad end_date", "GET", "requests.{fmt}", {"end_date": "2017-02-30"}, 400),
        ("GET Service Requests: end before start", "GET", "requests.{fmt}",
         {"start_date": "2017-06-01T00:00:00Z", "end_date": "2017-05-01T00:00:00Z"}, 400),
        ("GET Service Requests: more than 90 days", "GET", "requests.{fmt}",
         {"start_date": "2017-01-01T00:00:00+08:00", "end_date": "2017-06-01T00:00:00+08:00"}, 400),
        ("GET Service Requests: status open or closed", "GET", "requests.{fmt}", {"status": "pending"}, 400),
        ("POST Service Request: api_key missing", "POST", "requests.{fmt}", {**post, "api_key": ""}, 403),
        ("POST Service Request: api_key invalid", "POST", "requests.{fmt}", {**post, "api_key": "wrong"}, 403),
        ("POST Service Request: api_key for another jurisdiction", "POST", "requests.{fmt}",
         {**post, "jurisdiction_id": other.slug}, 403),
        ("POST Service Request: jurisdiction_id not found", "POST", "requests.{fmt}",
         {**post, "jurisdiction_id": "nowhere"}, 404),
        ("POST Service Request: service_code not provided", "POST", "requests.{fmt}", {**post, "service_code": ""}, 400),
        ("POST Service Request: service_code not found", "POST", "requests.{fmt}", {**post, "service_code": "9"}, 404),
        ("POST Service Request: no location", "POST", "requests.{fmt}", {**post, "address_string": ""}, 400),
        ("POST Service Request: lat without long", "POST", "requests.{fmt}",
         {**post, "address_string": "", "lat": "31.1"}, 400),
        ("POST Service Request: lat not a number", "POST", "requests.{fmt}",
         {**post, "lat": "north", "long": "120.9"}, 400),
        ("POST Service Request: lat out of range", "POST", "requests.{fmt}", {**post, "lat": "91", "long": "120"}, 400),
        ("POST Service Request: description (the product's)", "POST", "requests.{fmt}", {**post, "description": ""},
         400),
        ("Errors: wrong method", "POST", "services.{fmt}", {}, 405),
        ("Errors: wrong method", "DELETE", "requests.{fmt}", {}, 405),
        ("Format Support: unknown format", "GET", "services.csv", {}, 400),
        ("Format Support: unknown format", "GET", "requests/abc.html", {}, 400),
        ("Format Support: no format", "GET", "requests", {}, 400),
        ("Errors: no such resource", "GET", "nothing-here.{fmt}", {}, 404),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_refuses_in_the_spec_s_error_format_with_the_right_status(client, o311, fmt):
    for section, method, path, arguments, status in _refusals(o311):
        url = "/open311/v2/" + path.format(fmt=fmt)
        if method == "GET":
            response = client.get(url, arguments)
        elif method == "POST":
            response = client.post(url, arguments)
        else:
            response = client.generic(method, url)
        assert response.status_code == status, (section, response.content.decode())
        shown = fmt if url.endswith(f".{fmt}") else "xml"  # no json asked for: XML, the required format
        errors = answer(response, shown)
        assert [e["code"] for e in errors] in ([status], [str(status)]), section
        assert errors[0]["description"], section
    assert not Case.objects.filter(source=Case.Source.OPEN311).exists()  # no refused POST left a case behind


def test_it_answers_a_failure_as_the_spec_s_500_and_reports_it(client, o311, monkeypatch, caplog):
    def broken(*args: Any) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(open311, "_request_row", broken)  # any fault while answering
    response = client.get("/open311/v2/requests.json")
    assert response.status_code == 500
    assert answer(response, "json")[0]["code"] == 500
    assert "database gone" in caplog.text  # logged to django.request like any server error


# ------------------------------------------------------------------ GET Service Requests: the arguments

def _ids(client: Any, fmt: str, **query: str) -> list[str]:
    response = client.get(f"/open311/v2/requests.{fmt}", query)
    assert response.status_code == 200, response.content.decode()
    return [row["service_request_id"] for row in answer(response, fmt)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_reads_the_request_list_s_arguments_as_the_spec_does(client, o311, make_case, fmt):
    office, old = o311.users["office"], make_case("派出所门口积水", raised=dt.date(2017, 3, 1))
    old = actions.register_case(old, by=office, version=old.version, category=o311.category)
    old = publication.publish_case(old, by=office, summary="派出所门口积水。")
    new, old_id = str(o311.published.public_id), str(old.public_id)
    table = [  # (arguments, the ids answered) — today is 2017-06-15
        ({}, [new]),  # the most recent 90 days
        ({"status": "", "service_code": "", "jurisdiction_id": "", "api_key": ""}, [new]),  # empty = not sent
        ({"start_date": "2017-02-20T00:00:00+08:00"}, [old_id]),  # start_date alone: the 90 days after it
        ({"end_date": "2017-05-01T00:00:00Z"}, [old_id]),  # end_date alone: the 90 days before it
        ({"start_date": "2017-02-20", "end_date": "2017-05-20"}, [old_id]),  # a bare date is its midnight
        ({"start_date": "2017-06-12T00:00:00 08:00"}, [new]),  # an unencoded "+" arrives as a space
        ({"status": "open"}, [new]), ({"status": "closed"}, []), ({"status": "open,closed"}, [new]),
        ({"service_code": "1.1"}, [new]), ({"service_code": "9,1.1"}, [new]), ({"service_code": "9"}, []),
        ({"service_code": "1"}, [new]),  # a group's code takes its services
        # service_request_id, comma delimited, overrides every other argument
        ({"service_request_id": f"{old_id},{new}", "status": "closed"}, [new, old_id]),
        ({"service_request_id": "nope"}, []),
        ({"jurisdiction_id": o311.campaign.slug}, [new]),
    ]
    for query, expected in table:
        assert _ids(client, fmt, **query) == expected, query


def test_it_answers_the_first_1000_most_recent_first(client, o311, make_case, monkeypatch):
    office = o311.users["office"]
    for day in (10, 11, 12):
        case = make_case(f"6月{day}日的件", raised=dt.date(2017, 6, day))
        case = actions.register_case(case, by=office, version=case.version, category=o311.category)
        publication.publish_case(case, by=office, summary=f"6月{day}日的件。")
    monkeypatch.setattr(open311, "MAX_REQUESTS", 2)
    rows = answer(client.get("/open311/v2/requests.json"), "json")
    assert [r["requested_datetime"][:10] for r in rows] == ["2017-06-13", "2017-06-12"]


def test_it_answers_head_as_get_without_a_body_and_cors_only_for_reads(client, o311):
    head = client.head("/open311/v2/services.xml")
    assert head.status_code == 200
    assert head["Content-Type"] == CONTENT_TYPE["xml"]
    posted = client.post("/open311/v2/requests.json", {"api_key": "wrong"})
    assert "Access-Control-Allow-Origin" not in posted


# ------------------------------------------------------------------ XML: well formed whatever was typed

@pytest.mark.parametrize("fmt", FORMATS)
def test_it_keeps_the_xml_well_formed_whatever_a_resident_typed(client, o311, make_case, fmt):
    typed = "桥头<路灯>&“不亮”\x01\x0b\x1f\ufffe 第二行\n第三行"
    case = make_case(typed)
    case = actions.register_case(case, by=o311.users["office"], version=case.version, category=o311.category)
    rows = answer(client.get(f"/open311/v2/requests/{case.public_id}.{fmt}", {"api_key": o311.secret}), fmt)
    expected = typed if fmt == "json" else "桥头<路灯>&“不亮” 第二行\n第三行"  # XML 1.0 cannot carry the controls
    assert rows[0]["description"] == expected


# ------------------------------------------------------------------ POST Service Request

@pytest.mark.parametrize("fmt", FORMATS)
def test_it_takes_the_spec_s_example_request_and_finds_it_again(client, o311, fmt):
    response = client.post(f"/open311/v2/requests.{fmt}", {
        "api_key": o311.village_secret, "jurisdiction_id": o311.campaign.slug, "service_code": "1.1",
        "lat": "31.17", "long": "120.9", "address_string": "上下塘社区东门", "email": "zhang@example.cn",
        "device_id": "tt222111", "account_id": "12345-0001", "first_name": "三", "last_name": "张",
        "phone": "13800001111", "description": "社区东门路灯不亮\n晚上很黑", "media_url": "http://example.cn/1.jpg",
        "attribute[WHISPAWN]": "123456",
    })
    assert response.status_code == 201, response.content.decode()
    (row,) = answer(response, fmt)
    assert list(row) == ["service_request_id", "service_notice", "account_id"]  # no token: type realtime
    assert row["account_id"] == "12345-0001"
    assert "走访办" in row["service_notice"]
    case = Case.objects.get(public_id=row["service_request_id"])
    assert (case.status, case.source, case.region) == (Case.Status.DRAFT, Case.Source.OPEN311, o311.shangxiatang)
    assert (case.raiser_name, case.external_id) == ("张三", "12345-0001")
    note = CaseEvent.objects.get(case=case).note  # where and what the platform sent, for the office
    for line in ("31.17, 120.9", "上下塘社区东门", "http://example.cn/1.jpg"):
        assert line in note
    assert "zhang@example.cn" not in note + case.description  # an email the product does not keep
    # The platform reads back the request it handed in (a draft for the office to register): open, its village.
    (mine,) = answer(client.get(f"/open311/v2/requests/{case.public_id}.{fmt}", {"api_key": o311.village_secret}), fmt)
    assert (mine["status"], mine["status_notes"], mine["address"]) == ("open", "待登记", "上下塘社区")
    assert "13800001111" not in json.dumps(mine, ensure_ascii=False)
    # The public does not: it reads what the office published.
    assert client.get(f"/open311/v2/requests/{case.public_id}.{fmt}").status_code == 404


def test_it_places_a_request_by_the_address_id_it_answers(client, o311):
    response = client.post("/open311/v2/requests.json", {
        "api_key": o311.secret, "service_code": "1.1", "address_id": "320583106001", "description": "东门路灯不亮"})
    assert response.status_code == 201
    assert Case.objects.get(public_id=response.json()[0]["service_request_id"]).region == o311.shangxiatang


# ------------------------------------------------------------------ personal data and the partner keys' scope

def test_it_keeps_each_key_to_its_region_and_never_shows_a_visit_s_draft(client, o311, make_case):
    outside = make_case("计家墩村桥头路灯不亮", target=o311.households["jijiadun"][0])
    outside = actions.register_case(outside, by=o311.users["office"], version=outside.version,
                                    category=o311.category)
    draft = make_case("尚未登记的走访意见")  # a visit's draft: not a partner's to read
    town = _ids(client, "json", api_key=o311.secret)
    village = _ids(client, "json", api_key=o311.village_secret)
    assert str(outside.public_id) in town
    assert str(outside.public_id) not in village
    assert str(draft.public_id) not in town + village
    public = _ids(client, "json")
    assert public == [str(o311.published.public_id)]
