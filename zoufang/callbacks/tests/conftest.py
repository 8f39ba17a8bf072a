"""A small town with visits to sample: the town of zoufang/conftest.py, four cadres of three units who visited
the households and the enterprise of two villages, the campaign's callbacks block as jinxi-2017 ships it, and a
third-party survey company with its own caller account (`caller`) beside the town's `auditor`."""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.callbacks.sampling import Period
from zoufang.campaigns.config import read_campaign_file, shipped_campaign_path
from zoufang.cases.tests.conftest import cases_town  # noqa: F401 - the cases of the town, for the reopen test
from zoufang.conftest import PASSWORD
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.tests.factories import CadreFactory
from zoufang.visits.models import Visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAY = Period(dt.date(2017, 5, 1), dt.date(2017, 5, 31))


@dataclass
class Sampling:
    town: Any
    company: Unit
    cadres: list[Cadre]
    visits: list[Visit]
    users: dict[str, Any]


def visit(town: Any, target: Any, cadre: Cadre, day: int, mode: str = Visit.Mode.HOME) -> Visit:
    moment = dt.datetime(2017, 5, day, 10, 0, tzinfo=SHANGHAI)
    return Visit.objects.create(campaign=town.campaign, target=target, cadre=cadre, client_uuid=uuid.uuid4(),
                                content_hash=uuid.uuid4().hex, visited_at=moment, mode=mode)


@pytest.fixture
def sampling(town: Any) -> Sampling:
    config = read_campaign_file(shipped_campaign_path("jinxi-2017")).data
    town.campaign.config = {**town.campaign.config, "callbacks": config["callbacks"]}
    town.campaign.save()
    company = Unit.objects.create(name="苏州民意调查有限公司", kind=Unit.Kind.OUTSIDE_BODY)
    wangwen = Cadre.objects.get(name="王文")
    officer = Cadre.objects.get(name="派出所党员甲")
    village_cadre = Cadre.objects.get(name="居委会干部甲")
    second_officer = CadreFactory(name="派出所党员乙", unit=town.police, role=Cadre.Role.PARTY_MEMBER)
    sxt, jjd = town.households["shangxiatang"], town.households["jijiadun"]
    visits = [
        visit(town, sxt[0], officer, 3), visit(town, sxt[1], officer, 3), visit(town, sxt[2], officer, 4),
        visit(town, jjd[0], officer, 5), visit(town, jjd[1], second_officer, 8),
        visit(town, sxt[0], village_cadre, 9, Visit.Mode.PHONE), visit(town, town.enterprise, wangwen, 10),
        visit(town, jjd[0], wangwen, 11), visit(town, sxt[1], village_cadre, 12),
    ]
    users = dict(town.users)
    users["caller"] = ensure_user("caller", PASSWORD, full_name="民调公司话务员", role=RoleGrant.Role.AUDITOR,
                                  region=town.town, unit=company)
    return Sampling(town, company, [wangwen, officer, village_cadre, second_officer], visits, users)
