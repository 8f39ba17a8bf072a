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
S = Case.Status


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


def _nine_on(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9), tzinfo=SHANGHAI)


def in_state(make_case: Any, status: str, unit: Any = None, *, due: str = "2017-06-20", overdue: bool = False,
             resolved: str | None = None, route: str = "", raised: dt.date = dt.date(2017, 6, 13),
             target: Any = None) -> Case:
    """A case put straight into a state: the agenda reads states, however the cases reached them."""
    case = make_case(f"{status}：{unit.name if unit else '无单位'}", raised=raised, target=target)
    Case.objects.filter(pk=case.pk).update(
        status=status, unit=unit, handling_due=dt.date.fromisoformat(due),
        overdue_since=dt.date.fromisoformat(due) + dt.timedelta(days=1) if overdue else None,
        resolved_at=_nine_on(resolved) if resolved else None, escalation_route=route)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def agenda_units(cases_town: Any, make_case: Any) -> dict[str, Any]:
    """Four units and cases in every state the agenda counts, and some it must not count."""
    town = cases_town
    sanitation = Unit.objects.create(name="城管中队", kind=Unit.Kind.TOWN_DEPARTMENT, region=town.town)
    quiet = Unit.objects.create(name="文体站", kind=Unit.Kind.TOWN_DEPARTMENT, region=town.town)
    police, water = town.police, town.waterworks
    elsewhere = town.households["jijiadun"][0]  # a unit's cases come from several villages
    in_state(make_case, S.DISPATCHED, police)
    in_state(make_case, S.ACCEPTED, police, target=elsewhere)
    in_state(make_case, S.SIGNOFF, police, overdue=True, due="2017-06-05", target=elsewhere)
    in_state(make_case, S.ACCEPTED, police, overdue=True, due="2017-06-02")
    in_state(make_case, S.RESOLVED, police, resolved="2017-06-10")
    in_state(make_case, S.CLOSED, police, resolved="2017-06-30", target=elsewhere)
    in_state(make_case, S.REPLIED, police, resolved="2017-05-31")  # the month before: not this month's
    in_state(make_case, S.RESOLVED, police, resolved="2017-07-01")  # the month after
    in_state(make_case, S.ACCEPTED, water, overdue=True, due="2017-06-09")
    in_state(make_case, S.DISPATCHED, water, target=elsewhere)
    in_state(make_case, S.DISPATCHED, water, resolved="2017-06-12")  # reopened: open and finished this month
    in_state(make_case, S.DISPATCHED, sanitation)
    in_state(make_case, S.DISPATCHED, sanitation)
    in_state(make_case, S.DISPATCHED, sanitation)
    in_state(make_case, S.EXPLAINED, quiet, resolved="2017-06-20")
    in_state(make_case, S.REGISTERED, quiet)  # not yet dispatched: not open at a unit
    in_state(make_case, S.ESCALATED, police, route=Case.Route.COORDINATION)  # waiting upstairs: not handling
    in_state(make_case, S.ACCEPTED, None, overdue=True, due="2017-06-07")  # no unit: the "—" line
    in_state(make_case, S.RESOLVED, None, resolved="2017-06-08")  # no unit: not a unit's finished case
    return {"police": police, "water": water, "sanitation": sanitation, "quiet": quiet}
