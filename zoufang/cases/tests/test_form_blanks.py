"""The case page's choices say what to choose: no select opens on Django's "---------", and a choice left blank is
refused in Chinese, by the field's name."""

import pytest

from zoufang.cases import actions
from zoufang.cases.forms import FORMS
from zoufang.cases.intake import HotlineForm
from zoufang.cases.models import Case
from zoufang.cases.workflow import Action

pytestmark = pytest.mark.django_db


def test_it_asks_for_the_category_of_a_draft(client, cases_town, make_case):
    case = make_case()
    client.force_login(cases_town.users["office"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    form = page[page.index('id="act-register"'):page.index("</details>", page.index('id="act-register"'))]
    assert '<option value="" selected>（请选择类别）</option>' in form
    assert "---------" not in page


def test_it_offers_no_blank_once_the_category_is_set(cases_town, make_case):
    case = make_case()
    case.category = cases_town.category
    html = str(FORMS[Action.REGISTER](case, prefix="register")["category"])
    assert '<option value=""' not in html
    assert f'<option value="{cases_town.category.pk}" selected>' in html


def test_it_refuses_a_draft_registered_without_a_category_by_the_fields_name(client, cases_town, make_case):
    case = make_case()
    client.force_login(cases_town.users["office"])
    page = client.post(f"/cases/{case.public_id}/register/", {
        "register-version": case.version, "register-category": "", "register-kind": Case.Kind.PROBLEM,
        "register-priority": "normal"}).content.decode()
    assert "未能登记：类别：请选择问题类别。" in page
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT


def test_it_asks_for_the_leader_who_signs_an_escalation(cases_town, make_case):
    town = cases_town
    case = actions.register_case(make_case(), by=town.users["office"], version=1, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    html = str(FORMS[Action.ESCALATE](case, prefix="escalate")["leader"])
    assert '<option value="" selected>（请选择签字的分管领导）</option>' in html


@pytest.mark.parametrize("action", list(FORMS))
def test_no_case_form_offers_a_bare_dash_blank(cases_town, make_case, action):
    html = str(FORMS[action](make_case(), prefix=str(action)))
    assert "---------" not in html


def test_the_hotline_form_offers_no_bare_dash_blank(cases_town):
    assert "---------" not in str(HotlineForm(cases_town.users["office"]))
