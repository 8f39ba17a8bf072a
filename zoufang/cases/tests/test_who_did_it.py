"""A case's history names who did each step as a resident's case file should: the office, the unit, the leader, never
an account's login name."""

import pytest

from zoufang.cases import actions
from zoufang.cases.tests.test_pages import _accepted

pytestmark = pytest.mark.django_db


def test_the_case_page_names_nameless_accounts_by_what_they_stand_for(client, cases_town, make_case):
    town = cases_town
    assert town.users["office"].get_full_name() == town.users["handler"].get_full_name() == ""
    case = _accepted(town, make_case())
    actions.resolve_case(case, by=town.users["handler"], version=case.version, result="已修复路灯")
    client.force_login(town.users["office"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "<b>锦溪镇走访办</b> 登记" in page
    assert "<b>派出所</b> 签收" in page
    assert "<b>派出所</b> 办结" in page
    assert "<b>office</b>" not in page
    assert "<b>handler</b>" not in page


def test_the_api_history_names_them_the_same(client, cases_town, make_case, api_token):
    town = cases_town
    case = _accepted(town, make_case())
    history = client.get(f"/api/v1/cases/{case.public_id}", **api_token("office")).json()["history"]
    assert [h["actor"] for h in history[1:]] == ["锦溪镇走访办", "锦溪镇走访办", "派出所"]
