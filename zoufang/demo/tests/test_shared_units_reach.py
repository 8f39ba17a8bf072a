"""A shared unit's reach (decision 0032, addendum h8): 昆山市's bodies (市府办, 市粮食局, 苏州市妇联) are offered to the
campaigns under the region they are placed at, never to 孟河镇 (常州市新北区) in the same installation."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from zoufang.campaigns.models import Campaign
from zoufang.cases import access
from zoufang.cases.models import Case
from zoufang.demo import menghe
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.unitnames import named, visible_from

pytestmark = pytest.mark.django_db
KUNSHAN_BODIES = {"市府办", "市粮食局", "苏州市妇联", "市妇联", "市商务局", "市交通局"}


def _names(units):
    return set(units.values_list("name", flat=True))


def test_the_demos_shared_units_lie_at_the_region_they_serve(both_towns):
    placed = {u.name: u.region.name for u in Unit.objects.filter(name__in={*KUNSHAN_BODIES, "苏州民意调查有限公司"})
              .select_related("region")}
    assert placed == {"苏州市妇联": "苏州市", "苏州民意调查有限公司": "苏州市", "市府办": "昆山市", "市妇联": "昆山市", "市粮食局": "昆山市",
                      "市商务局": "昆山市", "市交通局": "昆山市"}
    assert not Unit.objects.filter(region__isnull=True).exists()


def test_menghe_is_not_offered_kunshans_units(both_towns):
    _jinxi, campaign = both_towns
    offered = _names(access.serving_units(campaign))
    assert not offered & KUNSHAN_BODIES
    assert {"经发局", "人社局", "党委宣统口"} <= offered
    assert not _names(visible_from(campaign.scope)) & KUNSHAN_BODIES  # the imports' names, 镇名/单位名称 too
    assert named("市府办", campaign.scope) is None
    assert not access.signing_leaders(campaign).filter(unit__name__in=KUNSHAN_BODIES).exists()


def test_jinxi_is_still_offered_them(both_towns):
    jinxi, _menghe = both_towns
    assert KUNSHAN_BODIES <= _names(access.serving_units(jinxi))
    assert named("市府办", jinxi.scope) is not None
    assert named("苏州市妇联", jinxi.scope) is not None


def test_a_town_added_later_under_kunshan_is_offered_them_and_menghe_still_not(both_towns):
    jinxi, campaign = both_towns
    kunshan = jinxi.scope.parent
    town = Region.objects.create(name="千灯镇", level=Region.Level.TOWN, parent=kunshan)
    later = Campaign.objects.create(slug="qiandeng-2017", name="千灯镇走访", scope=town,
                                    starts_on=dt.date(2017, 1, 1), ends_on=dt.date(2017, 12, 31))
    assert KUNSHAN_BODIES <= _names(access.serving_units(later))
    assert not _names(access.serving_units(campaign)) & KUNSHAN_BODIES


def test_the_menghe_offices_page_and_api_agree(both_towns, client):
    _jinxi, campaign = both_towns
    office = get_user_model().objects.get(username=menghe.OFFICE)
    case = Case.objects.filter(campaign=campaign, status=Case.Status.REGISTERED).first()
    assert case is not None
    client.force_login(office)
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "经发局" in page
    for name in ("市府办", "市粮食局", "苏州市妇联"):
        assert f">{name}<" not in page
    from zoufang.conftest import api_token_for

    fuban = Unit.objects.get(name="市府办")
    response = client.post(f"/api/v1/cases/{case.public_id}/dispatch",
                           {"unit": str(fuban.public_id), "version": case.version},
                           content_type="application/json", **api_token_for(client, menghe.OFFICE))
    assert response.status_code in (400, 422), response.content
    assert "不在本活动的范围内" in response.json()["detail"]
    case.refresh_from_db()
    assert case.unit_id is None


def test_a_regionless_unit_is_refused_where_the_installation_holds_two_cities(both_towns):
    unit = Unit(name="市信访局", kind=Unit.Kind.CITY_DEPARTMENT)
    with pytest.raises(ValidationError) as refused:
        unit.full_clean()
    assert "所属区划" in str(refused.value)
    assert not Cadre.objects.filter(unit__region__isnull=True).exists()
