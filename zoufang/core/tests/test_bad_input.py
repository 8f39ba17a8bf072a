"""Bad input that used to end in a server error is a 400 with a Chinese message (issue 10, item 5).

Huge page numbers on every paged API list, a NUL character (or half a surrogate pair) anywhere a request
carries text, and free text past its stated length. Run on SQLite and, with DATABASE_URL, on PostgreSQL,
which refuses NUL in text.
"""

import datetime as dt
import json
import re
from typing import Any

import pytest

from zoufang.callbacks.models import CallbackBatch
from zoufang.cases.models import Case
from zoufang.core import limits
from zoufang.core.management.commands.openapi import current_schema
from zoufang.forms.services import load_shipped_forms
from zoufang.registry.api import MAX_PAGE

CJK = re.compile(r"[\u4e00-\u9fff]")
SCHEMA = json.loads(current_schema())
PAGED = sorted(path for path, operations in SCHEMA["paths"].items()
               if any(p["name"] == "page" for p in operations.get("get", {}).get("parameters", [])))
HUGE = ["9223372036854775808", "9223372036854775807", "99999999999999999999999", "1000001", "0", "-1"]


def assert_chinese_400(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert CJK.search(body["detail"]), body
    return body


def test_it_finds_every_paged_list():
    assert {"/api/v1/cases/", "/api/v1/cadres", "/api/v1/units", "/api/v1/regions", "/api/v1/targets"} <= set(PAGED)


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize("page", HUGE)
def test_it_refuses_a_page_past_any_list_with_a_chinese_400(client, town, api_token, path, page):
    body = assert_chinese_400(client.get(path, {"page": page}, **api_token("office")))
    assert "page" in body["errors"]


@pytest.mark.parametrize("path", PAGED)
def test_it_refuses_a_huge_page_size_and_answers_the_last_allowed_page_empty(client, town, api_token, path):
    headers = api_token("office")
    if "{key}" in path:  # a form's answers: of a shipped form
        load_shipped_forms()
        path = path.replace("{key}", "household_survey")
    path = path.replace("{slug}", town.campaign.slug)  # a campaign's list: the town's
    if "{batch_id}" in path:  # a callback batch's samples: an empty batch of the town
        batch = CallbackBatch.objects.create(campaign=town.campaign, number=1, period_starts_on=dt.date(2017, 5, 1),
                                             period_ends_on=dt.date(2017, 5, 31), seed=1)
        path = path.replace("{batch_id}", str(batch.public_id))
    if "{unit_id}" in path:  # a department's comments: the town's 派出所
        path = path.replace("{unit_id}", str(town.police.public_id))
    assert "{" not in path, f"fill {path}'s parameters here"
    assert "page_size" in assert_chinese_400(client.get(path, {"page_size": "9223372036854775808"}, **headers))["errors"]
    response = client.get(path, {"page": str(MAX_PAGE), "page_size": "1"}, **headers)
    assert response.status_code == 200
    assert response.json()["items"] == []
    # Numbered pages reach the first MAX_PAGE rows (a bounded OFFSET); past them a Chinese 400 points to `after`.
    deeper = assert_chinese_400(client.get(path, {"page": str(MAX_PAGE), "page_size": "200"}, **headers))
    assert "after" in deeper["detail"]


@pytest.mark.parametrize("path", ["/cases/", "/targets/"])
@pytest.mark.parametrize("page", HUGE)
def test_it_shows_the_nearest_page_of_a_paged_page_for_any_number(login, town, path, page):
    assert login(town.users["office"]).get(path, {"page": page}).status_code == 200


@pytest.mark.parametrize(("path", "name"), [("/cases/weekly/", "week"), ("/cases/weekly.xlsx", "week"),
                                            ("/cases/agenda/", "month"), ("/cases/shared/", "start"),
                                            ("/cases/shared/", "end")])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "9999-99-99", "x"])
def test_it_shows_the_current_period_for_a_date_past_the_calendar(login, town, settings, path, name, day):
    settings.ZOUFANG_TODAY = "2017-06-15"
    client, asked = login(town.users["office"]), {name: day[:7] if name == "month" else day}
    if path.endswith(".xlsx"):  # queued by POST: a download cannot carry a notice, so refused (decision 0035)
        response = client.post(path, asked)
        assert response.status_code == 400
        assert f"参数“{name}”有误" in response.content.decode()
        return
    response = client.get(path, asked)
    assert response.status_code == 200
    assert f"参数“{name}”有误" in response.content.decode()  # the current period, said


@pytest.mark.parametrize("text", ["a\x00b", "\x00", "\ud800"])
def test_it_refuses_nul_or_half_a_surrogate_in_a_json_body_with_a_chinese_400(client, town, api_token, text):
    response = client.post("/api/v1/cases/", json.dumps({
        "campaign": town.campaign.slug, "kind": "problem", "description": f"路灯不亮{text}", "raiser_name": text,
    }), content_type="application/json", **api_token("office"))
    body = assert_chinese_400(response)
    assert set(body["errors"]) & {"description", "raiser_name"}


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", "application/x-json"])
@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
def test_it_refuses_nul_in_json_labelled_as_another_content_type(client, town, api_token, content_type, text):
    """django-ninja reads a body as JSON whatever its label: the check may not trust the label either (PostgreSQL
    answered a server error)."""
    response = client.post("/api/v1/cases/", json.dumps({
        "campaign": town.campaign.slug, "kind": "problem", "description": f"路灯不亮{text}",
    }), content_type=content_type, **api_token("office"))
    assert assert_chinese_400(response)["errors"] == {"description": response.json()["detail"]}
    assert not Case.objects.filter(description__startswith="路灯不亮").exists()


def test_it_refuses_json_nested_past_the_parsers_depth_with_a_nul_with_a_chinese_400(client, town, api_token):
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/cases/", '{"description": "\\u0000", "x": ' + deep + "}",
                           content_type="application/json", **api_token("office"))
    assert_chinese_400(response)


def test_it_reads_every_string_of_json_nested_as_deep_as_the_parser_allows(client, town, api_token):
    nested = '{"a":' * 900 + '"\\u0000"' + "}" * 900
    response = client.post("/api/v1/cases/", '{"x": ' + nested + "}", content_type="application/json",
                           **api_token("office"))
    assert "含有无法保存的字符" in assert_chinese_400(response)["detail"]


def test_it_refuses_json_nested_past_the_parsers_depth_on_the_visit_page(login, town):
    response = login(town.users["dept"]).post("/me/visits/", "[" * 100_000 + "]" * 100_000,
                                              content_type="application/json")
    assert response.status_code == 400
    assert "提交内容格式不正确" in response.json()["detail"]


def test_it_refuses_a_multipart_form_sent_to_a_json_operation_with_a_chinese_400(client, town, api_token):
    response = client.post("/api/v1/cases/", {"campaign": town.campaign.slug, "kind": "problem",
                                              "description": "路灯不亮"}, **api_token("office"))
    assert "application/json" in assert_chinese_400(response)["detail"]


@pytest.mark.parametrize("body", ["12", "[]", "[{}]", "null", '"dry_run"', "true"])
def test_it_refuses_a_json_body_that_is_not_an_object_with_a_chinese_400(client, town, api_token, body):
    """ninja's Schema reads any value's attributes: a number or a list once passed as {} and queued a plan run."""
    from zoufang.jobs.models import Download

    response = client.post(f"/api/v1/plan/{town.campaign.slug}/runs", body, content_type="application/json",
                           **api_token("office"))
    assert "JSON 对象" in assert_chinese_400(response)["detail"]
    assert not Download.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/no-such-list", "/api/v1/plan/a%2Fb/check", "/api/v1/check", "/api/v2/cases/"])
def test_it_answers_a_path_the_api_does_not_have_with_its_json_404(client, town, api_token, path):
    response = client.get(path, **api_token("office"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"  # was Django's HTML page
    assert client.get("/no-such-page/").headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("method", ["patch", "options", "trace", "delete"])
def test_it_answers_a_method_a_path_does_not_take_with_a_chinese_405_and_allow(client, town, api_token, method):
    response = getattr(client, method)("/api/v1/cases/", **api_token("office"))
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"  # was ninja's English text
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_a_page_address_that_only_takes_a_form_answers_a_link_with_the_sites_chinese_405(login, town):
    """A stale link or bookmark to a form's address (公开's, 退出's) was Django's empty 405, which a browser shows as
    its own English error; it is the site's page, saying why in Chinese, with a way back, the Allow header kept."""
    from zoufang.cases.services import draft_case
    from zoufang.cases.tests.conftest import SHANGHAI

    case = draft_case(campaign=town.campaign, kind="problem", description="路灯坏了",
                      raised_at=dt.datetime(2017, 6, 13, 10, tzinfo=SHANGHAI), target=town.households["shangxiatang"][0])
    client = login(town.users["office"])
    for path in (f"/cases/{case.public_id}/publication/", "/logout/"):
        response = client.get(path)
        assert response.status_code == 405, path
        assert "POST" in response["Allow"]
        page = response.content.decode()
        assert "此地址只接受页面上的按钮提交，不能直接打开" in page, path
        assert '<a class="btn btn-plain" href="/">返回首页</a>' in page
    assert client.get("/").status_code == 200  # the GET of 退出 signed nobody out


def test_it_refuses_a_multipart_body_it_cannot_read_with_the_apis_chinese_400(client, town, api_token):
    response = client.post("/api/v1/visits", b"garbage", content_type="multipart/form-data", **api_token("dept"))
    assert "multipart" in assert_chinese_400(response)["detail"]  # was Django's HTML 400 page


@pytest.mark.parametrize("path", ["/api/v1/targets", "/api/v1/cases/", "/api/v1/forms/a%00b", "/api/v1/forms/a%00b/answers"])
def test_it_refuses_nul_in_a_search_or_a_path_with_a_chinese_400(client, town, api_token, path):
    assert_chinese_400(client.get(path, {"q": "锦溪\x00"}, **api_token("office")))


def test_it_refuses_nul_in_a_login_name_on_the_api_and_the_login_page(client, town):
    response = client.post("/api/v1/auth/token", {"username": "office\x00", "password": "x"},
                           content_type="application/json")
    assert assert_chinese_400(response)["errors"] == {"username": response.json()["detail"]}
    page = client.post("/login/", {"username": "office\x00", "password": "x"})
    assert page.status_code == 400
    assert "含有无法保存的字符" in page.content.decode()


def test_it_refuses_half_a_surrogate_in_a_key_of_the_visit_pages_json(login, town):
    response = login(town.users["dept"]).post("/me/visits/", '{"summary\\ud800": "\\u0000"}',
                                                content_type="application/json")
    assert response.status_code == 400
    assert "含有无法保存的字符" in response.content.decode()


@pytest.mark.parametrize(("path", "field"), [("/targets/", "q"), ("/cases/", "q"), ("/cases/new/", "description")])
def test_it_refuses_nul_in_a_page_form_with_a_chinese_400(login, town, path, field):
    client = login(town.users["office"])
    response = client.post(path, {field: "路灯\x00"}) if path.endswith("new/") else client.get(path, {field: "路\x00"})
    assert response.status_code == 400
    assert "含有无法保存的字符" in response.content.decode()


def test_it_drops_a_forged_session_cookie_with_nul(client, town):
    client.cookies["sessionid"] = "\x00" * 32
    assert client.get("/login/").status_code == 200


@pytest.mark.parametrize(("megabytes", "errors"), [(2, {"description": f"不能超过 {limits.TEXT} 个字符"}), (3, {})])
def test_it_refuses_a_description_of_megabytes_with_a_chinese_400(client, town, api_token, megabytes, errors):
    """2 MB (UTF-8) reaches the schema's limit; 3 MB is past the request size Django reads at all."""
    body = json.dumps({"campaign": town.campaign.slug, "kind": "problem",
                       "description": "路" * (megabytes * 1024 * 1024 // 3)}, ensure_ascii=False).encode()
    response = client.post("/api/v1/cases/", body, content_type="application/json", **api_token("office"))
    assert assert_chinese_400(response)["errors"] == errors


def test_it_refuses_a_hotline_description_past_the_limit_on_the_page(login, town):
    response = login(town.users["office"]).post("/cases/new/", {
        "campaign": town.campaign.pk, "kind": "problem", "source": "hotline", "description": "路" * (limits.TEXT + 1),
    })
    assert response.status_code == 200
    assert f"{limits.TEXT}" in response.content.decode()


def _text_fields(schema: Any, name: str = "") -> list[tuple[str, Any]]:
    """Every string a client writes: properties of request bodies (nested), and string query parameters."""
    if "$ref" in schema:
        return _text_fields(SCHEMA["components"]["schemas"][schema["$ref"].split("/")[-1]], name)
    found = []
    for option in schema.get("anyOf", []):
        found += _text_fields(option, name)
    if schema.get("type") == "string" and "format" not in schema and "enum" not in schema:
        found.append((name, schema))
    for key, item in schema.get("properties", {}).items():
        found += _text_fields(item, f"{name}.{key}")
    if "items" in schema:
        found += _text_fields(schema["items"], f"{name}[]")
    return found


def test_it_states_the_length_limit_of_every_free_text_field_of_the_api():
    unlimited = []
    for path, operations in SCHEMA["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {})
            sources = [(f"{method} {path} body", media["schema"]) for media in body.values()]
            sources += [(f"{method} {path} ?{p['name']}", p["schema"]) for p in operation.get("parameters", [])
                        if p["in"] == "query"]
            for label, schema in sources:
                unlimited += [f"{label}{name}" for name, field in _text_fields(schema) if "maxLength" not in field]
    assert unlimited == []


def test_it_words_every_refusal_of_the_api_in_chinese_and_documents_it(client, town, api_token):
    refusals = [
        (client.get("/api/v1/cases/"), 401, "/api/v1/cases/", "get"),
        (client.get("/api/v1/cases/00000000-0000-0000-0000-000000000000", **api_token("office")), 404,
         "/api/v1/cases/{case_id}", "get"),
        (client.post("/api/v1/auth/token", "{not json", content_type="application/json"), 400,
         "/api/v1/auth/token", "post"),
        (client.get(f"/api/v1/plan/{town.campaign.slug}/check", **api_token("dept")), 403,
         "/api/v1/plan/{slug}/check", "get"),
    ]
    for response, status, path, method in refusals:
        assert response.status_code == status, (path, response.content)
        body = response.json()
        assert CJK.search(body["detail"]), body
        assert body["code"], body
        assert str(status) in SCHEMA["paths"][path][method]["responses"], (path, status)


def test_it_names_each_wrong_field_with_its_rule_in_chinese(client, town, api_token):
    response = client.get("/api/v1/targets", {"kind": "x", "region": "y", "page_size": "0"}, **api_token("office"))
    errors = assert_chinese_400(response)["errors"]
    assert errors["kind"].startswith("必须是以下之一：registered_household、resident_household、enterprise")
    assert errors == {"kind": errors["kind"], "region": "不是有效的编号（UUID）", "page_size": "不能小于 1"}


def _choices(schema: Any) -> list[str]:
    if "$ref" in schema:
        return _choices(SCHEMA["components"]["schemas"][schema["$ref"].split("/")[-1]])
    return schema.get("enum", []) + [c for option in schema.get("anyOf", []) for c in _choices(option)]


def test_it_accepts_every_documented_choice_of_a_list_filter(client, town, api_token):
    """Two enums of one name (Case.Kind, Target.Kind) once shared a component: /targets?kind listed the
    case kinds, and each of them was refused."""
    headers = api_token("office")
    refused = []
    for path, operations in SCHEMA["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["in"] != "query" or "{" in path:
                continue
            for choice in _choices(parameter["schema"]):
                if client.get(path, {parameter["name"]: choice}, **headers).status_code != 200:
                    refused.append(f"{path}?{parameter['name']}={choice}")
    assert refused == []


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_refuses_a_nul_in_its_own_error_list(client, fmt):
    from xml.etree import ElementTree

    response = client.get(f"/open311/v2/requests.{fmt}", {"service_code": "1\x00"})
    assert response.status_code == 400
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        [error] = response.json()
        code, description = error["code"], error["description"]
    else:
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        root = ElementTree.fromstring(response.content)  # noqa: S314 - our own answer
        assert root.tag == "errors"
        code, description = int(root.findtext("error/code")), root.findtext("error/description")
    assert code == 400
    assert "NUL" in description
