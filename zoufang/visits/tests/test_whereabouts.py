"""Where a visit was recorded, as a person reads it (no map: the network is closed): whether the phone gave a
position and how precise, how far from the target's known position (or its village's centre), and the coordinates
only as a small second line."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest

from zoufang.registry.models import PositionSource
from zoufang.visits.models import Visit

pytestmark = pytest.mark.django_db
LATITUDE, LONGITUDE = Decimal("31.170000"), Decimal("120.900000")
METRE = Decimal("0.000009")  # of latitude: 1 m is 0.0000090 degrees (the great circle's 111 195 m a degree)


def visit_at(visiting: Any, *, north_m: int | None, accuracy: float | None = 15.0, source: str = "imported",
             mode: str = Visit.Mode.HOME) -> Visit:
    target = visiting.enterprise
    target.latitude, target.longitude, target.position_source = LATITUDE, LONGITUDE, source
    target.save()
    cadre = visiting.users["dept"].cadre
    return Visit.objects.create(
        campaign=visiting.campaign, target=target, cadre=cadre, client_uuid=uuid.uuid4(),
        visited_at=dt.datetime(2017, 6, 14, 10, 30, tzinfo=dt.UTC), mode=mode,
        latitude=None if north_m is None else LATITUDE + METRE * north_m,
        longitude=None if north_m is None else LONGITUDE,
        location_accuracy=accuracy if north_m is not None else None)


def page(login: Any, visiting: Any, visit: Visit) -> str:
    return login(visiting.users["office"]).get(f"/visits/{visit.public_id}/").content.decode()


def test_it_says_the_position_its_precision_and_how_far_from_the_target(login, visiting):
    text = page(login, visiting, visit_at(visiting, north_m=40))
    assert "登记位置" in text
    assert "已定位（精度约 15 米），距走访对象所在位置约 40 米" in text
    assert "北纬 31.170360°，东经 120.900000°" in text  # the coordinates, a small second line
    assert "31.170360, 120.900000" not in text


def test_a_position_from_the_gazetteer_is_said_as_what_it_is(login, visiting):
    text = page(login, visiting, visit_at(visiting, north_m=1234, source=PositionSource.VILLAGE, accuracy=None))
    assert "已定位，距所在村（社区）中心约 1.2 公里" in text
    text = page(login, visiting, visit_at(visiting, north_m=5, source=PositionSource.ADDRESS))
    assert "距按地址推定的对象位置不到 10 米" in text


def test_a_home_visit_with_no_position_says_so_and_a_phone_call_says_nothing(login, visiting):
    assert "未定位（手机未提供位置）" in page(login, visiting, visit_at(visiting, north_m=None))
    call = page(login, visiting, visit_at(visiting, north_m=None, mode=Visit.Mode.PHONE))
    assert "登记位置" not in call
    assert "未定位" not in call
