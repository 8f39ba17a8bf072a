"""Issue 10 items 2 and 3: numbers typed into a visit reach masked roles masked on every page, API and export;
a unit handler reads its own cadres' visits and the cases dispatched to it, nothing of other units' work."""

import datetime as dt
import io
import json
import uuid
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.test import Client
from openpyxl import load_workbook

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import CaseCategory
from zoufang.cases import actions
from zoufang.cases.models import Case
from zoufang.conftest import PASSWORD
from zoufang.jobs.testing import queued_file
from zoufang.registry.models import Unit
from zoufang.visits.models import Visit
from zoufang.visits.tests.conftest import payload

pytestmark = pytest.mark.django_db

# Full numbers as people type them, and the digits that must never reach a masked reader.
TYPED = "联系人手机 138 6884 1290，备用１３９－１２３４－５６７８，身份证 3205 8319 8102 1554 76"
FULL = ["13868841290", "139-1234-5678", "１３９－１２３４－５６７８", "3205 8319 8102 1554 76", "6884 1290",
        "320583198102155476"]


def _text(response: Any) -> str:
    """Everything a response shows: a page, JSON, or every cell of an xlsx."""
    assert response.status_code == 200, (response.status_code, response.content[:300])
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c)
    return json.dumps(json.loads(response.content), ensure_ascii=False) if "json" in response["Content-Type"] \
        else response.content.decode()


def _visit(client: Client, visiting: Any, api_token: Any, opinion: str = TYPED) -> dict[str, Any]:
    answers = {"enterprise_survey": {"operation_state": "good", "service_awareness": "good",
                                     "service_efficiency": "fairly_good", "integrity": "good", "difficulties": ["land"]},
               "six_ones_form": {"aspects": ["innovation"], "innovation": TYPED, "satisfaction": "satisfied"}}
    body = payload(visiting.enterprise, summary=f"走访情况：{TYPED}", answers=answers,
                   opinions=[{"kind": "problem", "category": "2.5", "description": f"厂房用地不足，{opinion}"}])
    response = client.post("/api/v1/visits", body, content_type="application/json", **api_token("dept"))
    assert response.status_code == 201, response.content
    return response.json()


def _fetch(client: Any, url: str) -> Any:
    """A unit's ledger, a form's answers and the weekly list are built in the background (zoufang/jobs): asked
    for, then fetched;
    other URLs are read."""
    if url.startswith("/cases/weekly.xlsx"):
        return queued_file(client, "/cases/weekly.xlsx", dict(parse_qsl(url.partition("?")[2])))
    queued = (url.endswith("/ledger.xlsx") and url.startswith("/units/")) or url.endswith("/answers.xlsx")
    return queued_file(client, url) if queued else client.get(url)


def _urls(visit: dict[str, Any], visiting: Any) -> list[str]:
    return [f"/api/v1/visits/{visit['id']}", f"/visits/{visit['id']}/", "/api/v1/forms/six_ones_form/answers",
            "/forms/six_ones_form/answers.xlsx", f"/units/{visiting.police.public_id}/ledger.xlsx",
            "/cases/weekly/?week=2017-06-12", "/cases/weekly.xlsx?week=2017-06-12",
            "/cases/shared/?start=2017-06-01&end=2017-06-15", f"/api/v1/cases/{visit['cases'][0]['id']}"]


def test_it_shows_a_leader_every_number_typed_into_a_visit_masked(client, visiting, api_token, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    first = _visit(client, visiting, api_token)
    _visit(client, visiting, api_token)  # a second like it, so 共性问题 groups them
    leader = Client()
    leader.force_login(visiting.users["leader"])
    for url in _urls(first, visiting):
        shown = _text(_fetch(leader, url) if not url.startswith("/api/") else client.get(url, **api_token("leader")))
        assert "138****1290" in shown or url.startswith(("/cases/weekly", "/cases/shared", "/api/v1/cases")), url
        for number in FULL:
            assert number not in shown, (url, number)
    office = Client()
    office.force_login(visiting.users["office"])
    assert "138 6884 1290" in _text(office.get(f"/visits/{first['id']}/"))  # the area's office reads it in full


@pytest.fixture
def two_units(visiting: Any) -> Any:
    """派出所 (whose party member visits) and 水务站, each with its case handler."""
    visiting.water = Unit.objects.create(name="水务站", kind=Unit.Kind.TOWN_DEPARTMENT, region=visiting.town)
    for username, unit in (("paichusuo", visiting.police), ("water", visiting.water)):
        visiting.users[username] = ensure_user(username, PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=unit,
                                               region=visiting.town)
    return visiting


def test_it_never_shows_a_unit_a_case_sent_to_another_unit_through_its_visit(client, two_units, api_token, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    visit = _visit(client, two_units, api_token, opinion="自来水管爆裂，联系 138 6884 1290")
    case = Case.objects.get(public_id=visit["cases"][0]["id"])
    office = two_units.users["office"]
    category = CaseCategory.objects.get(campaign=two_units.campaign, code="2.5")
    case = actions.register_case(case, by=office, version=case.version, category=category)
    case = actions.dispatch_case(case, two_units.water, by=office, version=case.version)
    police, water = Client(), Client()
    police.force_login(two_units.users["paichusuo"])
    water.force_login(two_units.users["water"])
    # 派出所 sees its own cadre's visit, not the case sent to 水务站, in any form.
    for url in [f"/visits/{visit['id']}/", f"/units/{two_units.police.public_id}/ledger.xlsx",
                "/api/v1/forms/six_ones_form/answers", "/forms/six_ones_form/answers.xlsx"]:
        shown = _text(client.get(url, **api_token("paichusuo")) if url.startswith("/api/") else _fetch(police, url))
        assert "自来水管爆裂" not in shown, url
        for number in FULL:
            assert number not in shown, (url, number)
    api = client.get(f"/api/v1/visits/{visit['id']}", **api_token("paichusuo")).json()
    assert api["cases"] == []
    assert police.get(f"/cases/{case.public_id}/").status_code == 404
    # 水务站 handles the case (and reads its raiser's numbers to call back) but not 派出所's visit.
    assert "138 6884 1290" in _text(water.get(f"/cases/{case.public_id}/"))
    assert water.get(f"/visits/{visit['id']}/").status_code == 404
    assert client.get(f"/api/v1/visits/{visit['id']}", **api_token("water")).status_code == 404
    answers = client.get("/api/v1/forms/six_ones_form/answers", **api_token("water")).json()
    assert (answers["items"], answers["count"], answers["next"]) == ([], 0, None)
    assert _fetch(water, f"/units/{two_units.police.public_id}/ledger.xlsx").status_code == 404


def test_it_does_not_show_a_unit_another_units_visit_to_a_target_it_shares(client, two_units, api_token, settings):
    """The village cadre visits a household 派出所's party member is assigned: 派出所 does not read that visit."""
    settings.ZOUFANG_TODAY = "2017-06-15"
    household = two_units.households["shangxiatang"][0]  # assigned to 派出所's party member
    other = Visit.objects.create(  # a visit recorded before the plan moved the household to 派出所
        campaign=two_units.campaign, target=household, cadre=two_units.users["village"].cadre,
        client_uuid=uuid.uuid4(), visited_at=dt.datetime(2017, 6, 1, 10, tzinfo=dt.UTC), mode=Visit.Mode.HOME,
        summary=f"走访：{TYPED}")
    police = Client()
    police.force_login(two_units.users["paichusuo"])
    assert police.get(f"/visits/{other.public_id}/").status_code == 404
    assert client.get(f"/api/v1/visits/{other.public_id}", **api_token("paichusuo")).status_code == 404
    assert "走访：" not in _text(_fetch(police, f"/units/{two_units.police.public_id}/ledger.xlsx"))


# An enterprise's contact and legal representative (decision 0039, addendum h9): names shown in full only to the
# area's office and village and to the cadre assigned; masked (“钱**”) to every other reader.
CONTACT, LEGAL = "钱丽芳", "顾国强"


def test_it_shows_an_enterprises_contact_and_legal_representative_masked_to_whom_may_not_read_them(
        client, two_units, api_token, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    visiting = two_units
    firm = visiting.enterprise
    firm.contact_name, firm.legal_representative = CONTACT, LEGAL
    firm.save(update_fields=["contact_name", "legal_representative"])
    visit = _visit(client, visiting, api_token)
    pages = [f"/visits/{visit['id']}/", f"/targets/{firm.public_id}/", "/targets/?q=锦溪", "/me/",
             "/forms/six_ones_form/answers.xlsx", f"/units/{visiting.police.public_id}/ledger.xlsx"]
    apis = [f"/api/v1/visits/{visit['id']}", f"/api/v1/targets/{firm.public_id}", "/api/v1/targets",
            "/api/v1/forms/six_ones_form/answers"]
    for username in ("leader", "auditor", "village", "paichusuo"):  # the unit reads its cadre's visit
        reader = Client()
        reader.force_login(visiting.users[username])
        for url in pages + apis:
            response = client.get(url, **api_token(username)) if url.startswith("/api/") else _fetch(reader, url)
            if response.status_code in (403, 404):
                continue
            shown = _text(response)
            for name in (CONTACT, LEGAL):
                assert name not in shown, (username, url, name)
    leader = Client()
    leader.force_login(visiting.users["leader"])
    assert "钱**" in _text(leader.get(f"/targets/{firm.public_id}/"))
    office, cadre = Client(), Client()
    office.force_login(visiting.users["office"])
    page = _text(office.get(f"/targets/{firm.public_id}/"))
    assert CONTACT in page  # the area's office reads them in full
    assert LEGAL in page
    cadre.force_login(visiting.users["dept"])
    assert CONTACT in _text(cadre.get("/me/"))  # and the cadre assigned, who arranges the visit
