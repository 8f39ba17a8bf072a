import datetime as dt

import pytest

from zoufang.accounts import scope
from zoufang.accounts.models import RoleGrant
from zoufang.campaigns.models import Campaign
from zoufang.planning.models import Assignment
from zoufang.registry.presenters import TargetPresenter
from zoufang.visits.tests.conftest import visiting

__all__ = ["visiting"]


def test_it_shows_the_office_every_target_of_the_town(town):
    assert scope.visible_targets(town.users["office"]).count() == 6


def test_it_shows_the_village_cadre_only_their_community(town):
    visible = set(scope.visible_targets(town.users["village"]))
    assert visible == set(town.households["shangxiatang"])


def test_it_shows_the_outsider_nothing(town):
    assert scope.visible_targets(town.users["outsider"]).count() == 0
    assert scope.visible_regions(town.users["outsider"]).count() == 0
    assert scope.visible_units(town.users["outsider"]).count() == 0


def test_it_shows_a_department_cadre_only_their_assigned_targets(town):
    dept = town.users["dept"]
    assert scope.visible_targets(dept).count() == 0
    target = town.households["jijiadun"][0]
    Assignment.objects.create(campaign=town.campaign, target=target, unit=town.police, cadre=dept.cadre)
    assert list(scope.visible_targets(dept)) == [target]


def test_it_lists_a_target_once_however_many_of_its_assignments_make_it_visible(town):
    # The leader is also a cadre and a unit handler: a household of their own area, assigned to them in two
    # campaigns, for the unit they answer for, is one target in the list, its count and the tree's counts; so it is
    # for the department's handler, who sees it through both assignments of their unit.
    from zoufang.web.tree import region_tree

    later = Campaign.objects.create(slug="jinxi-later", name="锦溪镇第二轮走访", scope=town.town,
                                    starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2018, 12, 31))
    leader = town.users["leader"]
    RoleGrant.objects.create(user=leader, role=RoleGrant.Role.UNIT_HANDLER, unit=town.police)
    dept = town.users["dept"]
    RoleGrant.objects.create(user=dept, role=RoleGrant.Role.UNIT_HANDLER, unit=town.police)
    target = town.households["jijiadun"][0]
    for campaign in (town.campaign, later):
        Assignment.objects.create(campaign=campaign, target=target, unit=town.police, cadre=leader.cadre)
    for user, expected in ((leader, 6), (dept, 1)):
        visible = list(scope.visible_targets(user).order_by("region__path", "id"))
        assert len(visible) == len(set(visible)) == scope.visible_targets(user).count() == expected
    assert sum(root.count for root in region_tree(leader)) == 6
    # No DISTINCT and no join to the assignments: a page in the list's order is read from the indexes, not cut
    # from every visible target sorted (issue 14: a page costs what it shows).
    sql = str(scope.visible_targets(leader).order_by("region__path", "id")[:50].query).upper()
    assert "DISTINCT" not in sql
    assert 'JOIN "PLANNING_ASSIGNMENT"' not in sql


@pytest.mark.parametrize(
    ("persona", "full_id", "full_phone"),
    [("office", True, True), ("village", True, True), ("leader", False, False), ("auditor", False, False)],
)
def test_it_masks_identity_by_role(town, persona, full_id, full_phone):
    target = town.households["shangxiatang"][0]
    presenter = TargetPresenter(town.users[persona])
    assert (presenter.id_number(target) == target.id_number) is full_id
    assert (presenter.phone(target) == target.phone) is full_phone
    if not full_id:
        assert presenter.id_number(target) == target.id_number[:6] + "********" + target.id_number[-4:]


def test_it_gives_an_assigned_visitor_the_phone_but_not_the_id_number(town):
    target = town.households["jijiadun"][0]
    dept = town.users["dept"]
    Assignment.objects.create(campaign=town.campaign, target=target, unit=town.police, cadre=dept.cadre)
    presenter = TargetPresenter(dept)
    assert presenter.phone(target) == target.phone
    assert presenter.id_number(target) != target.id_number


def test_it_offers_each_office_only_its_own_towns_campaigns(town):
    from zoufang.campaigns.models import Campaign
    from zoufang.regions.models import Region

    other_town = Region(name="孟河镇", level=Region.Level.TOWN)
    other_town.save()
    other = Campaign.objects.create(
        slug="menghe-test", name="孟河镇测试", scope=other_town,
        starts_on=town.campaign.starts_on, ends_on=town.campaign.ends_on,
    )
    office = town.users["office"]
    assert list(scope.managed_campaigns(office)) == [town.campaign]
    assert other not in scope.visible_campaigns(office)
    assert list(scope.managed_campaigns(town.users["village"])) == []
    assert town.campaign in scope.visible_campaigns(town.users["village"])


def test_it_shows_a_cadre_their_own_visits_and_those_of_their_targets_and_a_unit_its_cadres_visits(visiting):
    # The 派出所 party member is assigned two households of 上下塘 and the enterprise (visits' conftest). They visit
    # one of their households and, unassigned, a household of 计家墩; the village cadre visits their other
    # household, and a 计家墩 household no one assigned to them.
    import uuid

    from zoufang.visits.models import Visit

    def visit(cadre, target, hour):
        return Visit.objects.create(campaign=visiting.campaign, target=target, cadre=cadre, client_uuid=uuid.uuid4(),
                                    content_hash="x", visited_at=dt.datetime(2017, 6, 14, hour, tzinfo=dt.UTC),
                                    mode=Visit.Mode.HOME)

    dept, village = visiting.users["dept"], visiting.users["village"]
    mine, theirs = visiting.households["shangxiatang"][:2]
    elsewhere, other = visiting.households["jijiadun"]
    own = [visit(dept.cadre, mine, 1), visit(dept.cadre, elsewhere, 2)]
    to_mine = visit(village.cadre, theirs, 3)
    visit(village.cadre, other, 4)
    seen = list(scope.visible_visits(dept).order_by("visited_at", "id"))
    assert seen == [*own, to_mine]
    assert scope.visible_visits(dept).count() == 3
    RoleGrant.objects.create(user=visiting.users["outsider"], role=RoleGrant.Role.UNIT_HANDLER, unit=visiting.police)
    assert list(scope.visible_visits(visiting.users["outsider"]).order_by("visited_at", "id")) == own
