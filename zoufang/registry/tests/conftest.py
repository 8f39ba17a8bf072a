"""Personas of the registry's tests beyond the shared town: another town's office."""

import datetime as dt

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import Campaign
from zoufang.conftest import PASSWORD
from zoufang.regions.models import Region


@pytest.fixture
def menghe_office(town):
    """The office of 孟河镇, a town of another county than the small town's 锦溪镇."""
    county = Region.objects.create(name="新北区", level=Region.Level.COUNTY, parent=town.town.parent.parent)
    menghe = Region.objects.create(name="孟河镇", level=Region.Level.TOWN, parent=county)
    return ensure_user("menghe_office", PASSWORD, role=RoleGrant.Role.OFFICE, region=menghe)


@pytest.fixture
def menghe(menghe_office):
    """孟河镇's campaign, with one community."""
    town = menghe_office.role_grants.get().region
    Region.objects.create(name="孟河社区", level=Region.Level.VILLAGE, parent=town)
    return Campaign.objects.create(slug="menghe-test", name="孟河镇测试大走访", scope=town,
                                   starts_on=dt.date(2017, 1, 1), ends_on=dt.date(2017, 12, 31))
