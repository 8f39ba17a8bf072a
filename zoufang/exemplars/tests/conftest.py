"""A town with a 宣传报道组: a department cadre's visit to 周梅's household in 上下塘社区, a case she raised that
派出所 resolved, and a village cadre of 计家墩村 who has no business with either."""

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.cases.models import Case
from zoufang.conftest import PASSWORD
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.tests.factories import CadreFactory
from zoufang.visits.models import Visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
RESIDENT = "周梅"
ADDRESS = "上下塘社区新街8号"
PHONE = "13862661290"


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def typical(town: Any, settings: Any) -> Any:
    settings.ZOUFANG_TODAY = "2017-06-15"
    household = town.households["shangxiatang"][0]
    household.name, household.address, household.phone = RESIDENT, ADDRESS, PHONE
    household.save()
    officer = Cadre.objects.get(name="派出所党员甲")
    town.visit = Visit.objects.create(
        campaign=town.campaign, target=household, cadre=officer, client_uuid=uuid.uuid4(), content_hash="x",
        visited_at=at("2017-06-02"), mode=Visit.Mode.HOME, summary="老人就医不便")
    town.case = Case.objects.create(
        campaign=town.campaign, kind=Case.Kind.PROBLEM, description="楼道灯坏了", target=household,
        region=household.region, unit=town.police, status=Case.Status.RESOLVED, raised_at=at("2017-06-02"),
        resolution="已修复")
    jjd_committee = Unit.objects.create(name="计家墩村村委会", kind=Unit.Kind.VILLAGE_COMMITTEE, region=town.jijiadun)
    town.users["village2"] = ensure_user("village2", PASSWORD, role=RoleGrant.Role.VILLAGE, region=town.jijiadun,
                                         cadre=CadreFactory(name="计家墩干部", unit=jjd_committee,
                                                            role=Cadre.Role.VILLAGE_CADRE))
    town.users["xuanchuan"] = ensure_user("xuanchuan", PASSWORD, full_name="宣传报道组",
                                          role=RoleGrant.Role.PUBLICITY, region=town.town)
    town.users["handler"] = ensure_user("handler", PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=town.police)
    return town
