"""An office given the admin's master data (as the demo gives 锦溪镇's) keeps to its own town there: another town's
campaign, units and cadres are neither opened, changed nor deleted; the regionless bodies every town shares are read."""

import datetime as dt

import pytest

from zoufang.campaigns.models import Campaign
from zoufang.core.testforms import form_values
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.tests.factories import CadreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(town):
    user = town.users["office"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])  # its role brings the admin's master data (decision 0043)
    return user


@pytest.fixture
def menghe(town):
    county = Region.objects.create(name="新北区", level=Region.Level.COUNTY, parent=town.town.parent.parent)
    region = Region.objects.create(name="孟河镇", level=Region.Level.TOWN, parent=county)
    campaign = Campaign.objects.create(slug="menghe-test", name="孟河镇测试大走访", scope=region,
                                       starts_on=dt.date(2017, 1, 1), ends_on=dt.date(2017, 12, 31))
    unit = Unit.objects.create(name="孟河派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=region, party_member_count=20)
    cadre = CadreFactory(name="孟河干部", unit=unit, phone="13912349002")
    shared = Unit.objects.create(name="市妇联", kind=Unit.Kind.OUTSIDE_BODY)
    return {"campaign": campaign, "unit": unit, "cadre": cadre, "shared": shared}


def _opened(response):
    return response.status_code == 200


def test_the_office_opens_its_own_towns_master_data(client, town, office, menghe):
    client.force_login(office)
    for url in (f"/admin/campaigns/campaign/{town.campaign.pk}/change/", f"/admin/registry/unit/{town.police.pk}/change/",
                f"/admin/registry/cadre/{town.users['dept'].cadre.pk}/change/",
                f"/admin/registry/unit/{menghe['shared'].pk}/change/", f"/admin/regions/region/{town.shangxiatang.pk}/change/"):
        assert _opened(client.get(url)), url


def test_the_office_neither_reads_nor_changes_another_towns_master_data(client, office, menghe):
    client.force_login(office)
    unit, cadre, campaign = menghe["unit"], menghe["cadre"], menghe["campaign"]
    for url in (f"/admin/campaigns/campaign/{campaign.pk}/change/", f"/admin/campaigns/campaign/{campaign.pk}/delete/",
                f"/admin/regions/region/{campaign.scope_id}/change/",
                f"/admin/registry/unit/{unit.pk}/change/", f"/admin/registry/unit/{unit.pk}/delete/",
                f"/admin/registry/cadre/{cadre.pk}/change/"):
        assert not _opened(client.get(url)), url
    for listing in ("/admin/registry/unit/", "/admin/registry/cadre/", "/admin/campaigns/campaign/",
                    "/admin/regions/region/"):
        page = client.get(listing).content.decode()
        assert "孟河" not in page, listing
    client.post(f"/admin/registry/unit/{unit.pk}/change/", {"name": "孟河派出所", "kind": "town_department",
                                                            "region": unit.region_id, "party_member_count": "99"})
    client.post(f"/admin/campaigns/campaign/{campaign.pk}/delete/", {"post": "yes"})
    assert Unit.objects.get(pk=unit.pk).party_member_count == 20
    assert Campaign.objects.filter(pk=campaign.pk).exists()
    assert Cadre.objects.get(pk=cadre.pk).phone == "13912349002"


def test_the_office_reads_but_does_not_change_a_body_every_town_shares(client, office, menghe):
    client.force_login(office)
    shared = menghe["shared"]
    url = f"/admin/registry/unit/{shared.pk}/change/"
    data = form_values(client.get(url).content.decode(), "unit_form")
    client.post(url, {**data, "party_member_count": "7"})
    assert Unit.objects.get(pk=shared.pk).party_member_count is None


def test_the_office_cannot_move_its_own_department_into_another_town(client, town, office, menghe):
    client.force_login(office)
    url = f"/admin/registry/unit/{town.police.pk}/change/"
    data = form_values(client.get(url).content.decode(), "unit_form")
    response = client.post(url, {**data, "region": menghe["campaign"].scope_id})
    assert response.status_code == 200  # the form again, with the choice refused
    assert Unit.objects.get(pk=town.police.pk).region == town.town


def test_the_office_cannot_move_a_household_or_link_a_cadre_to_another_towns_village(client, town, office, menghe):
    village = Region.objects.create(name="孟河社区", level=Region.Level.VILLAGE, parent=menghe["campaign"].scope)
    client.force_login(office)
    household = town.households["shangxiatang"][0]
    url = f"/admin/registry/target/{household.pk}/change/"
    data = form_values(client.get(url).content.decode(), "target_form")
    assert client.post(url, {**data, "region": village.pk}).status_code == 200  # the form again, the choice refused
    household.refresh_from_db()
    assert household.region.parent == town.shangxiatang
    cadre = town.users["dept"].cadre
    url = f"/admin/registry/cadre/{cadre.pk}/change/"
    data = form_values(client.get(url).content.decode(), "cadre_form")
    assert client.post(url, {**data, "linked_regions": [village.pk]}).status_code == 200
    assert not cadre.linked_regions.exists()


def test_the_office_cannot_give_its_cadre_another_towns_supervisor_or_account(client, town, office, menghe):
    """A cadre linked to another town's account would put this town's list on that account's phone; a supervisor of
    another town would read this cadre's visits."""
    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_user

    leader = CadreFactory(name="孟河领导", unit=menghe["unit"], role=Cadre.Role.TOWN_LEADER)
    account = ensure_user("menghe_cadre", "Zoufang-test-1", role=RoleGrant.Role.VILLAGE, region=menghe["campaign"].scope)
    cadre = CadreFactory(name="本镇新干部", unit=town.police)
    client.force_login(office)
    url = f"/admin/registry/cadre/{cadre.pk}/change/"
    data = form_values(client.get(url).content.decode(), "cadre_form")
    for change in ({"supervisor": leader.pk}, {"user": account.pk}):
        assert client.post(url, {**data, **change}).status_code == 200, change  # the form again, the choice refused
    cadre.refresh_from_db()
    assert (cadre.supervisor_id, cadre.user_id) == (None, None)
    own = CadreFactory(name="本镇领导", unit=town.police, role=Cadre.Role.TOWN_LEADER)
    assert client.post(url, {**data, "supervisor": own.pk}).status_code == 302
    assert Cadre.objects.get(pk=cadre.pk).supervisor == own
