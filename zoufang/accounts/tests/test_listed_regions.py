"""A unit handler's regions (decision 0028): those of the targets assigned to its units, on the pages that list
regions, and nowhere that decides campaigns."""

import datetime as dt

from django.urls import reverse

from zoufang.accounts import scope
from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import Campaign
from zoufang.conftest import PASSWORD
from zoufang.planning.models import Assignment
from zoufang.registry.models import Unit


def handler_of_fuban(town):
    """市府办 (a city department, no region) holding one 计家墩村 household of the town's campaign, and its handler."""
    fuban = Unit.objects.create(name="市府办", kind=Unit.Kind.CITY_DEPARTMENT)
    target = town.households["jijiadun"][0]
    Assignment.objects.create(campaign=town.campaign, target=target, unit=fuban)
    user = ensure_user("fuban", PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=fuban)
    return user, target


def test_it_lists_a_handler_exactly_its_units_targets_regions(town):
    user, target = handler_of_fuban(town)
    group = target.region
    expected = {group, town.jijiadun, town.town, town.town.parent, town.town.parent.parent}
    assert set(scope.listed_regions(user)) == expected
    assert town.shangxiatang not in expected  # the neighbour village, where 市府办 visits no one
    assert list(scope.visible_targets(user)) == [target]


def test_it_opens_no_other_campaign_of_the_town_to_the_handler(town):
    user, _target = handler_of_fuban(town)
    Campaign.objects.create(slug="jinxi-later", name="锦溪镇第二轮走访", scope=town.town,
                            starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2018, 12, 31))
    assert not scope.visible_regions(user).exists()
    assert list(scope.visible_campaigns(user)) == [town.campaign]


def test_the_regions_page_and_the_targets_filter_show_the_handler_its_village(town, client, api_token):
    user, target = handler_of_fuban(town)
    client.force_login(user)
    page = client.get(reverse("web:regions")).content.decode()
    assert "计家墩村" in page
    assert "上下塘社区" not in page
    listed = client.get(reverse("web:targets"), {"region": str(town.jijiadun.public_id)}).content.decode()
    assert target.name in listed
    assert "上下塘社区" not in listed
    # A village the handler may not see is answered as an unknown one (decision 0035): its own targets, said so, and
    # nothing of that village — not its name, not its households.
    other = client.get(reverse("web:targets"), {"region": str(town.shangxiatang.public_id)}).content.decode()
    assert "不存在或不在您的可见范围内" in other
    assert "上下塘社区" not in other
    assert not any(household.name in other for household in town.households["shangxiatang"])
    # The API answers as the pages do.
    regions = client.get("/api/v1/regions", **api_token("fuban")).json()["items"]
    assert {r["name"] for r in regions} == {"苏州市", "昆山市", "锦溪镇", "计家墩村", "第1村民小组"}
