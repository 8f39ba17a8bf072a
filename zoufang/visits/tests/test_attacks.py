"""Requests an attacker would send: another town's office publishing a new wording of this town's questionnaire."""

import datetime as dt
import io

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import Campaign
from zoufang.conftest import PASSWORD
from zoufang.forms import xlsform
from zoufang.forms.models import FormVersion
from zoufang.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def menghe(visiting):
    """孟河镇 beside 锦溪镇, its office and a campaign of its own that asks no questionnaire of 锦溪镇's."""
    county = Region.objects.create(name="新北区", level=Region.Level.COUNTY, parent=visiting.town.parent.parent)
    town = Region.objects.create(name="孟河镇", level=Region.Level.TOWN, parent=county)
    campaign = Campaign.objects.create(slug="menghe-test", name="孟河镇测试大走访", scope=town,
                                       starts_on=dt.date(2017, 1, 1), ends_on=dt.date(2017, 12, 31),
                                       config={"questionnaires": [
                                           {"key": "cadre_survey", "name": "干部调查", "target_kinds": ["cadre"]}]})
    office = ensure_user("menghe_office", PASSWORD, role=RoleGrant.Role.OFFICE, region=town)
    return {"campaign": campaign, "office": office}


def _workbook(key: str, extra_label: str) -> io.BytesIO:
    version = FormVersion.objects.filter(form__key=key).order_by("-number").first()
    rows = {**version.rows, "survey": [*version.rows["survey"], {"type": "text", "name": "extra", "label": extra_label}]}
    upload = io.BytesIO(xlsform.write_xlsx(rows))
    upload.name = f"{key}.xlsx"
    return upload


def test_another_towns_office_cannot_reword_this_towns_questionnaire(login, visiting, menghe):
    versions = FormVersion.objects.filter(form__key="six_ones_form")
    before = versions.count()
    response = login(menghe["office"]).post("/forms/upload/", {"definition": _workbook("six_ones_form", "请填写回扣")},
                                            follow=True)
    page = response.content.decode()
    assert "six_ones_form.xlsx：调查表 six_ones_form 用于锦溪镇测试走访，本账号不能修改" in page
    assert versions.count() == before
    # The town's own office may; and the other office its own campaign's questionnaire.
    response = login(visiting.users["office"]).post("/forms/upload/", {"definition": _workbook("six_ones_form", "补充")},
                                                    follow=True)
    assert "已发布第" in response.content.decode()
    assert versions.count() == before + 1
    response = login(menghe["office"]).post("/forms/upload/", {"definition": _workbook("cadre_survey", "补充")},
                                            follow=True)
    assert "已发布第" in response.content.decode()


def test_a_questionnaire_two_towns_ask_is_changed_by_neither_office_alone(login, visiting, menghe):
    menghe["campaign"].config = {"questionnaires": [
        {"key": "six_ones_form", "name": "采集表", "target_kinds": ["registered_household"]}]}
    menghe["campaign"].save()
    before = FormVersion.objects.filter(form__key="six_ones_form").count()
    for office in (visiting.users["office"], menghe["office"]):
        page = login(office).post("/forms/upload/", {"definition": _workbook("six_ones_form", "补充")},
                                  follow=True).content.decode()
        assert "不能修改" in page
        assert "请另起代号（settings 的 form_id）发布，并在本活动的配置中改用新代号" in page
    assert FormVersion.objects.filter(form__key="six_ones_form").count() == before


@pytest.mark.parametrize("accuracy", ["NaN", "Infinity", "-Infinity", "1e999", "-5"])
def test_a_position_accuracy_no_phone_reports_is_refused_in_chinese(client, login, visiting, api_token, accuracy):
    """Python's JSON reads NaN, Infinity and 1e999 as floats: stored, SQLite kept NULL, PostgreSQL NaN, and the API
    answered them back as JSON no client parses; a negative accuracy moved the position check's band."""
    import json

    from zoufang.visits.models import Visit
    from zoufang.visits.tests.conftest import payload

    body = json.dumps(payload(visiting.enterprise, latitude=31.17, longitude=120.9, location_accuracy=12.5))
    body = body.replace("12.5", accuracy)
    response = client.post("/api/v1/visits", body, content_type="application/json", **api_token("dept"))
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"location_accuracy": "定位精度：应为不小于 0 的米数"}
    page = login(visiting.users["dept"]).post("/me/visits/", body, content_type="application/json")
    assert page.status_code == 400
    assert page.json()["errors"] == {"location_accuracy": "定位精度：应为不小于 0 的米数"}
    assert not Visit.objects.exists()


@pytest.mark.parametrize("value", ["inf", "-Infinity", "nan", 1e999])
def test_a_number_answer_that_is_no_number_is_refused_in_chinese(client, visiting, api_token, value):
    """float() reads "inf" and "nan": a decimal answer of infinity passed its “. >= 0” constraint and was stored,
    which PostgreSQL's jsonb refuses (a server error) and every export of the answers carried."""
    import json

    from zoufang.visits.models import Visit
    from zoufang.visits.tests.conftest import payload

    data = payload(visiting.enterprise)
    data["answers"]["enterprise_survey"] = {**data["answers"]["enterprise_survey"], "output_last_year": value}
    body = json.dumps(data)
    response = client.post("/api/v1/visits", body, content_type="application/json", **api_token("dept"))
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {
        "answers.enterprise_survey.output_last_year": "企业走访调查表·一、生产经营情况·上年度产值（万元）：应为数字"}
    assert not Visit.objects.exists()
