"""Who did it, as pages show it: a name, or what the account stands for, never a bare login name."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.names import named, shown_name
from zoufang.accounts.services import ensure_user
from zoufang.registry.models import Cadre

Role = RoleGrant.Role
pytestmark = pytest.mark.django_db


def test_it_shows_a_full_name_first(town):
    office = town.users["office"]
    office.first_name = "李明"
    office.save()
    assert shown_name(office) == "李明"


def test_it_names_an_account_without_a_name_by_its_role_and_region(town):
    assert town.users["office"].get_full_name() == ""
    assert shown_name(town.users["office"]) == "锦溪镇走访办"
    assert shown_name(town.users["auditor"]) == "锦溪镇第三方回访"


@pytest.mark.parametrize(("role", "where", "shown"), [
    (Role.LEADER, "town", "锦溪镇分管领导"),
    (Role.VILLAGE, "shangxiatang", "上下塘社区干部"),
    (Role.ASSESSOR, "town", "锦溪镇考核管理组"),
    (Role.PUBLICITY, "town", "锦溪镇宣传报道组"),
    (Role.SYSADMIN, None, "系统管理员"),
    (Role.AUDIT_ADMIN, None, "审计管理员"),
])
def test_it_names_each_role_after_the_region_it_holds(town, role, where, shown):
    user = ensure_user("nameless", "x-Password-1", role=role, region=getattr(town, where) if where else None)
    assert shown_name(user) == shown


def test_it_names_a_unit_handler_by_its_unit(town):
    user = ensure_user("paichusuo", "x-Password-1", role=Role.UNIT_HANDLER, unit=town.police, region=town.town)
    assert shown_name(user) == "派出所"


def test_it_names_the_city_office_after_its_city(town):
    user = ensure_user("kunshan", "x-Password-1", role=Role.CITY_OFFICE, region=town.town.parent)
    assert shown_name(user) == "昆山市活动办"


def test_it_prefers_the_office_role_of_an_account_with_several(town):
    user = ensure_user("both", "x-Password-1", role=Role.AUDITOR, region=town.town)
    RoleGrant.objects.create(user=user, role=Role.OFFICE, region=town.town)
    assert shown_name(user) == "锦溪镇走访办"


def test_it_names_an_account_of_a_cadre_by_the_cadres_name(town):
    leader = town.users["leader"]
    get_user_model().objects.filter(pk=leader.pk).update(first_name="", last_name="")
    leader = get_user_model().objects.get(pk=leader.pk)
    assert Cadre.objects.get(user=leader).name == "王文"
    assert shown_name(leader) == "王文"


def test_it_falls_back_to_the_login_name_with_nothing_else_to_say(town):
    assert shown_name(town.users["outsider"]) == "outsider"


def test_it_names_no_user_as_the_system_or_as_asked(town):
    assert shown_name(None) == "系统"
    assert shown_name(None, nobody="他人") == "他人"


def test_it_names_many_users_with_no_query_each(town, django_assert_num_queries: Any):
    users = get_user_model().objects.order_by("username").prefetch_related(*named())
    with django_assert_num_queries(3):  # the users, their cadres, their grants with regions and units
        shown = [shown_name(u) for u in users]
    assert "锦溪镇走访办" in shown
    assert "office" not in shown


def test_the_template_filter_says_the_same(town):
    out = Template("{% load names %}{{ u|shown_name }}|{{ nobody|shown_name|default:'—' }}").render(
        Context({"u": town.users["office"], "nobody": None}))
    assert out == "锦溪镇走访办|—"
