"""Case personas on top of the town: 派出所's case handler (承办部门) and the town's categories."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import CaseCategory
from zoufang.cases.models import Case
from zoufang.cases.services import draft_case
from zoufang.conftest import PASSWORD
from zoufang.registry.models import Unit

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def cases_town(town: Any, settings: Any) -> Any:
    settings.ZOUFANG_TODAY = "2017-06-15"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ZOUFANG_SMS_BACKEND = "zoufang.cases.sms.MemorySmsBackend"
    town.campaign.config = {
        "registration_deadline_working_days": 2,
        "case_handling": {"handling_deadlines": {"default": 10, "priorities": {"urgent": 2}}},
    }
    town.campaign.save()
    people = CaseCategory.objects.create(campaign=town.campaign, code="1", title="在收集社情民意方面", sort_order=1)
    CaseCategory.objects.create(
        campaign=town.campaign, code="1.1", parent=people, sort_order=2,
        title="收集群众对社会热点、改革难点、民生重点等方面问题的意见建议；",
    )
    town.users["handler"] = ensure_user(
        "handler", PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=town.police, region=town.town
    )
    town.users["handler"].email = "paichusuo@example.cn"
    town.users["handler"].save()
    town.users["office"].email = "office@example.cn"
    town.users["office"].save()
    town.waterworks = Unit.objects.create(name="水务站", kind=Unit.Kind.TOWN_DEPARTMENT, region=town.town)
    town.users["water"] = ensure_user(
        "water", PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=town.waterworks, region=town.town
    )
    town.category = CaseCategory.objects.get(campaign=town.campaign, code="1.1")
    town.wangwen = town.users["leader"].cadre
    return town


@pytest.fixture
def make_case(cases_town: Any) -> Any:
    def make(description: str = "上下塘社区东侧路灯损坏，夜间出行不便", *, raised: dt.date = dt.date(2017, 6, 13),
             target: Any = None, kind: str = Case.Kind.PROBLEM) -> Case:
        return draft_case(
            campaign=cases_town.campaign, kind=kind, description=description,
            raised_at=dt.datetime.combine(raised, dt.time(10), tzinfo=SHANGHAI),
            target=target or cases_town.households["shangxiatang"][0], by=cases_town.users["dept"],
        )

    return make
